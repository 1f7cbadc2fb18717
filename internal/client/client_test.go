package client

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNewAppliesDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.clerkBase != "https://api.clerk.com/v1" || c.stytchBase != "https://test.stytch.com" {
		t.Errorf("bases = %s, %s", c.clerkBase, c.stytchBase)
	}
	if c.userAgent != "terraform-provider-machineauth/dev" {
		t.Errorf("User-Agent = %s", c.userAgent)
	}
	want := Config{ClerkAPIURL: DefaultClerkAPIURL, StytchBaseURL: stytchTestBaseURL, Version: "dev", MaxRetries: 5,
		MinRetryWait: 250 * time.Millisecond, MaxRetryWait: 10 * time.Second, MaxRetryAfter: time.Minute,
		RequestTimeout: 30 * time.Second, TotalTimeout: 2 * time.Minute}
	if !reflect.DeepEqual(c.cfg, want) {
		t.Errorf("config = %+v\nwant     %+v", c.cfg, want)
	}
	for _, svc := range []string{serviceClerk, serviceStytch} {
		if p := c.pacers[svc]; p == nil || p.ceiling != 0 {
			t.Errorf("%s pacer = %+v, want one with no ceiling without RequestsPerSecond", svc, p)
		}
	}

	live, err := New(Config{StytchProjectID: "project-live-1", ClerkAPIURL: "https://clerk.example/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	if live.stytchBase != "https://api.stytch.com" || live.clerkBase != "https://clerk.example/v1" {
		t.Errorf("bases = %s, %s", live.clerkBase, live.stytchBase)
	}
}

func TestNewLowersTheDefaultMinRetryWaitToAShorterMax(t *testing.T) {
	t.Parallel()
	c, err := New(Config{MaxRetryWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("a max retry wait below the default minimum was refused: %v", err)
	}
	if c.cfg.MinRetryWait != 50*time.Millisecond || c.cfg.MaxRetryWait != 50*time.Millisecond {
		t.Errorf("retry waits = %s..%s, want 50ms..50ms", c.cfg.MinRetryWait, c.cfg.MaxRetryWait)
	}
}

func TestNewDoesNotModifyTheCallersHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if _, err := New(Config{HTTPClient: hc}); err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil {
		t.Error("New changed the caller's http.Client")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"relative Clerk URL":      {ClerkAPIURL: "api.clerk.com/v1"},
		"Clerk URL with a query":  {ClerkAPIURL: "https://api.clerk.com/v1?x=1"},
		"Clerk URL with userinfo": {ClerkAPIURL: "https://user:pw@api.clerk.com/v1"},
		"ftp Stytch URL":          {StytchBaseURL: "ftp://test.stytch.com"},
		"Stytch URL with a path":  {StytchBaseURL: "https://test.stytch.com/v1"},
		"negative rate":           {RequestsPerSecond: -1},
		"min wait above max":      {MinRetryWait: time.Second, MaxRetryWait: time.Millisecond},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The exported checks are the ones New applies, so a URL they pass is one
// New takes, and one they refuse New refuses.
func TestBaseURLChecksAgreeWithNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw               string
		clerkOK, stytchOK bool
	}{
		{"https://api.clerk.com/v1", true, false},
		{"https://test.stytch.com", true, true},
		{"https://test.stytch.com/", true, true},
		{"http://127.0.0.1:8080/clerk/v1", true, false},
		{"https://x/y", true, false},
		{"api.clerk.com/v1", false, false},
		{"ftp://test.stytch.com", false, false},
		{"https://api.clerk.com/v1?x=1", false, false},
		{"https://test.stytch.com?", false, false},
		{"https://test.stytch.com#top", false, false},
		{"https://user:pw@test.stytch.com", false, false},
	} {
		if got := CheckClerkAPIURL(tc.raw) == nil; got != tc.clerkOK {
			t.Errorf("CheckClerkAPIURL(%q) ok = %v, want %v", tc.raw, got, tc.clerkOK)
		}
		if got := CheckStytchBaseURL(tc.raw) == nil; got != tc.stytchOK {
			t.Errorf("CheckStytchBaseURL(%q) ok = %v, want %v", tc.raw, got, tc.stytchOK)
		}
		if _, err := New(Config{ClerkAPIURL: tc.raw}); (err == nil) != tc.clerkOK {
			t.Errorf("New with Clerk API URL %q: err = %v, want ok = %v", tc.raw, err, tc.clerkOK)
		}
		if _, err := New(Config{StytchBaseURL: tc.raw}); (err == nil) != tc.stytchOK {
			t.Errorf("New with Stytch base URL %q: err = %v, want ok = %v", tc.raw, err, tc.stytchOK)
		}
	}
	if err := CheckClerkAPIURL("https://user:secret@api.clerk.com"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a URL with credentials: err = %v, want a refusal that does not repeat them", err)
	}
}

func TestDefaultStytchBaseURLFollowsTheProject(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"project-live-1": "https://api.stytch.com",
		"project-test-1": "https://test.stytch.com",
		"":               "https://test.stytch.com",
	} {
		if got := DefaultStytchBaseURL(id); got != want {
			t.Errorf("DefaultStytchBaseURL(%q) = %s, want %s", id, got, want)
		}
	}
}

// Terraform makes 10 calls at once by default: the default transport keeps
// enough idle connections for them all to be reused.
func TestNewKeepsAConnectionPerParallelCall(t *testing.T) {
	t.Parallel()
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if n := c.http.Transport.(*http.Transport).MaxIdleConnsPerHost; n < 10 {
		t.Errorf("MaxIdleConnsPerHost = %d, want at least Terraform's default parallelism of 10", n)
	}
}
