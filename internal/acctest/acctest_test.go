package acctest

import (
	"strings"
	"testing"
	"time"
)

// A live run with variables missing names every one of them, and refuses
// production credentials.
func TestEnvNamesEveryMissingVariable(t *testing.T) {
	_, err := envFrom(func(name string) string {
		if name == "CLERK_SECRET_KEY" || name == "STYTCH_SECRET" {
			return "set"
		}
		return ""
	})
	if err == nil {
		t.Fatal("no error with variables missing")
	}
	for _, v := range Vars {
		set := v.Name == "CLERK_SECRET_KEY" || v.Name == "STYTCH_SECRET"
		if named := strings.Contains(err.Error(), v.Name); named != (!set && !v.Optional) {
			t.Errorf("%s named %v in %q", v.Name, named, err)
		}
	}
	all := func(name string) string {
		switch name {
		case "CLERK_SECRET_KEY":
			return "sk_live_0123"
		case "STYTCH_PROJECT_ID":
			return "project-live-0123"
		}
		return "x"
	}
	if _, err := envFrom(all); err == nil || !strings.Contains(err.Error(), "sk_live_") || !strings.Contains(err.Error(), "live project") {
		t.Errorf("production credentials: %v, want both refused", err)
	}
}

// A prefix carries the time it was made, which the sweepers read back;
// a name without one is never old.
func TestRunPrefixCarriesItsTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	name := RunPrefix(now) + "-service"
	if !Prefixed(name) {
		t.Fatalf("%s lacks the prefix", name)
	}
	if at, ok := stampOf(name); !ok || !at.Equal(now) {
		t.Fatalf("stampOf(%s) = %v, %v", name, at, ok)
	}
	if !stampedOld(name, now.Add(SweepAge+time.Second)) || stampedOld(name, now.Add(SweepAge-time.Second)) {
		t.Error("the hour is not the line between old and young")
	}
	if stampedOld(Prefix+"made-by-hand", now.Add(24*time.Hour)) {
		t.Error("a prefixed name without a stamp was taken for old")
	}
}
