package emulator

import (
	"encoding/json"
	"flag"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateGuide = flag.Bool("update-guide", false, "rewrite the table in templates/guides/emulator-assumptions.md.tmpl from the assumption table")

const (
	guidePath = "../../templates/guides/emulator-assumptions.md.tmpl"
	// The table sits between these lines of the guide; the rest of it is
	// written by hand.
	guideTableStart = "<!-- assumption table: generated from internal/emulator/assumptions.go; refresh with go test ./internal/emulator -run TestAssumptionGuide -update-guide -->"
	guideTableEnd   = "<!-- end of the assumption table -->"
)

var (
	snakeName = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	// marker is how a comment names its row.
	marker = regexp.MustCompile(`\(\*unconfirmed\*, assumption ([a-z0-9_]+)\)`)
)

func TestAssumptionTableIsWellFormed(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, a := range Assumptions() {
		if !snakeName.MatchString(a.Name) || seen[a.Name] {
			t.Errorf("name %q: want a snake_case name of its own", a.Name)
		}
		seen[a.Name] = true
		if a.Service != "Clerk" && a.Service != "Stytch" {
			t.Errorf("%s: service %q", a.Name, a.Service)
		}
		if a.Question == "" || a.Evidence == "" || a.Provider == "" {
			t.Errorf("%s: question, evidence and provider behaviour must all be said", a.Name)
		}
		if len(a.Alternatives) == 0 {
			t.Errorf("%s: no alternative", a.Name)
		}
		var choices []string
		for _, c := range a.Choices() {
			if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(c.Name) || slices.Contains(choices, c.Name) || c.Answer == "" {
				t.Errorf("%s: choice %q: want a lowercase name of its own and an answer", a.Name, c.Name)
			}
			choices = append(choices, c.Name)
		}
		if a.Switch == strings.HasPrefix(a.Provider, "None") {
			t.Errorf("%s: a switch must name the provider behaviour that depends on it, and only a switch may", a.Name)
		}
	}
}

// TestEveryGuessNamesItsRow reads the emulator's sources: each comment
// that calls an answer unconfirmed must name its row in the fixed form,
// and each row must be named by a comment, so the table and the code
// cannot drift apart.
func TestEveryGuessNamesItsRow(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]int{}
	for _, f := range files {
		// The table names every row itself.
		if strings.HasSuffix(f, "_test.go") || f == "assumptions.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if !strings.Contains(strings.ToLower(line), "unconfirmed") {
				continue
			}
			found := marker.FindAllStringSubmatch(line, -1)
			if len(found) == 0 || strings.Count(strings.ToLower(line), "unconfirmed") != len(found) {
				t.Errorf("%s:%d: an unconfirmed answer must name its row as (*unconfirmed*, assumption NAME): %s", f, i+1, strings.TrimSpace(line))
			}
			for _, m := range found {
				if _, ok := findAssumption(m[1]); !ok {
					t.Errorf("%s:%d: no row %q in assumptions.go", f, i+1, m[1])
				}
				named[m[1]]++
			}
		}
	}
	for _, a := range Assumptions() {
		if named[a.Name] == 0 {
			t.Errorf("row %s: no comment in the emulator names it", a.Name)
		}
	}
}

func TestAssumeIsCheckedAtStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		set  map[string]string
		want []string // in the error, "" for none
	}{
		{map[string]string{"no_such_switch": "x"}, []string{`unknown assumption "no_such_switch"`, "revoked_m2m_token_revoke", "code_replay"}},
		{map[string]string{"clerk_reserved_claims": "more"}, []string{"not a switch", "revoked_m2m_token_revoke"}},
		{map[string]string{"revoked_m2m_token_revoke": "201"}, []string{`"201"`, "200, 400, 404, 409", "default 200"}},
		{map[string]string{"revoked_m2m_token_revoke": "409", "code_replay": "refused_only"}, nil},
	} {
		srv, err := Start(Options{Assume: tc.set, NoFixture: true})
		if tc.want == nil {
			if err != nil {
				t.Errorf("%v: %v", tc.set, err)
				continue
			}
			if got := srv.assume; got["revoked_m2m_token_revoke"] != "409" || got["code_replay"] != "refused_only" || got["machine_delete_tokens"] != "revoked" {
				t.Errorf("%v: in force %v", tc.set, got)
			}
			_ = srv.Close()
			continue
		}
		if err == nil {
			_ = srv.Close()
			t.Errorf("%v: started", tc.set)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", tc.set, err, w)
			}
		}
	}
}

func TestAssumedIsServed(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{NoFixture: true, Assume: map[string]string{"code_replay": "refused_only"}})
	resp, err := http.Get(srv.URL() + "/__emulator/assumptions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(Switches()) || got["code_replay"] != "refused_only" || got["revoked_m2m_token_revoke"] != "200" {
		t.Errorf("served %v", got)
	}
	if !maps.Equal(got, srv.Assumed()) {
		t.Errorf("served %v, Assumed %v", got, srv.Assumed())
	}
}

func TestSwitchesAreTheRowsWithAlternatives(t *testing.T) {
	t.Parallel()
	for _, a := range Switches() {
		if !a.Switch {
			t.Errorf("%s is listed as a switch", a.Name)
		}
	}
	if len(Switches()) == 0 || len(Switches()) == len(Assumptions()) {
		t.Errorf("%d switches among %d rows", len(Switches()), len(Assumptions()))
	}
	// A caller's copy is its own.
	Assumptions()[0].Alternatives[0].Name = "changed"
	if Assumptions()[0].Alternatives[0].Name == "changed" {
		t.Error("Assumptions shares the table")
	}
}

// renderAssumptionTable is the guide's table.
func renderAssumptionTable() string {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	choice := func(c Choice) string { return "`" + c.Name + "`: " + cell(c.Answer) }
	var b strings.Builder
	b.WriteString("| Assumption | Switch | The emulator's default | Alternatives | Evidence | Provider behaviour that depends on it |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, a := range Assumptions() {
		sw := "no"
		if a.Switch {
			sw = "yes"
		}
		var alts []string
		for _, c := range a.Alternatives {
			alts = append(alts, choice(c))
		}
		b.WriteString("| `" + a.Name + "`<br>" + a.Service + ": " + cell(a.Question) + " | " + sw + " | " + choice(a.Default) +
			" | " + strings.Join(alts, "<br>") + " | " + cell(a.Evidence) + " | " + cell(a.Provider) + " |\n")
	}
	return b.String()
}

// TestAssumptionGuide keeps the guide's table what the assumption table
// renders to; -update-guide rewrites it, and make docs then carries it to
// docs/guides.
func TestAssumptionGuide(t *testing.T) {
	raw, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	guide := string(raw)
	start := strings.Index(guide, guideTableStart+"\n")
	end := strings.Index(guide, guideTableEnd)
	if start < 0 || end < start {
		t.Fatalf("%s: the table's marker lines are missing:\n%s\n%s", guidePath, guideTableStart, guideTableEnd)
	}
	start += len(guideTableStart) + 1
	want := renderAssumptionTable()
	if guide[start:end] == want {
		return
	}
	if *updateGuide {
		//nolint:gosec // G306: a template in the repository, readable as every other file there
		if err := os.WriteFile(guidePath, []byte(guide[:start]+want+guide[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the table in %s: run make docs", guidePath)
		return
	}
	t.Errorf("%s: the table differs from internal/emulator/assumptions.go: run go test ./internal/emulator -run TestAssumptionGuide -update-guide, then make docs", guidePath)
}

// switchCheck checks, against an emulator started with one choice of a
// switch, that the wire answers as that choice says.
type switchCheck func(t *testing.T, srv *Server)

// TestSwitchChoices runs, for every switch and each of its choices, the
// default's included, its check against an emulator of its own, in
// parallel; a choice without a check fails.
func TestSwitchChoices(t *testing.T) {
	t.Parallel()
	checks := map[string]map[string]switchCheck{}
	maps.Copy(checks, clerkSwitchChecks)
	maps.Copy(checks, stytchSwitchChecks)
	for _, a := range Switches() {
		for _, c := range a.Choices() {
			check := checks[a.Name][c.Name]
			t.Run(a.Name+"="+c.Name, func(t *testing.T) {
				if check == nil {
					t.Fatalf("no check shows what %s=%s answers", a.Name, c.Name)
				}
				t.Parallel()
				check(t, startClerkEmulator(t, Options{Assume: map[string]string{a.Name: c.Name}}))
			})
		}
		delete(checks, a.Name)
	}
	for name := range checks {
		t.Errorf("checks for %s, which is no switch", name)
	}
}
