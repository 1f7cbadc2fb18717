package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestSameClaimsIgnoresFormattingOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{`{"a":1,"b":"x"}`, "{ \"b\" : \"x\",\n \"a\": 1 }", true},
		{`{"n":1.0}`, `{"n":1}`, false}, // numbers are kept exactly as written
		{`{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{`{"a":1}`, `{"a":1,"b":null}`, false},
		{`{"a":1}`, `not json`, false},
	} {
		if got := sameJSONObject(tc.a, tc.b); got != tc.same {
			t.Errorf("sameJSONObject(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

func TestCanonicalClaimsRefusesWhatClerkRefuses(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		`[1]`:                           "got an array",
		`"x"`:                           "got a string",
		`true`:                          "got a boolean",
		`null`:                          "got null",
		`{"a":1} {"b":2}`:               "more than one JSON value",
		`{"azp":"x"}`:                   `the claim "azp" is reserved`,
		`{"machineauth:create_id":"x"}`: `is in the "machineauth:" namespace`,
		`{"team":`:                      "not valid JSON",
		``:                              "not valid JSON",
	} {
		if _, problem := canonicalClaims(raw); !strings.Contains(problem, want) {
			t.Errorf("canonicalClaims(%q) problem %q, want it to say %q", raw, problem, want)
		}
	}
	if c, problem := canonicalClaims(`{"b":2, "a":{"d":1,"c":2}}`); problem != "" || string(c) != `{"a":{"c":2,"d":1},"b":2}` {
		t.Fatalf("canonicalClaims = %s, %q", c, problem)
	}
}

func TestRotationDueAtTheWindowsEdge(t *testing.T) {
	t.Parallel()
	exp := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	expiresAt := types.StringValue(exp.Format(time.RFC3339))
	before := types.Int64Value(600)
	if rotationDue(expiresAt, before, exp.Add(-601*time.Second)) {
		t.Error("due before the window")
	}
	if !rotationDue(expiresAt, before, exp.Add(-600*time.Second)) {
		t.Error("not due at the window's start")
	}
	if rotationDue(expiresAt, types.Int64Null(), exp.Add(time.Hour)) {
		t.Error("due without rotate_before_seconds")
	}
	if rotationDue(types.StringNull(), before, exp) {
		t.Error("due for a token that never expires")
	}
}

func TestParseImportID(t *testing.T) {
	t.Parallel()
	machine, token := "mch_"+strings.Repeat("A", 27), "mt_"+strings.Repeat("f", 32)
	if m, tok, problem := parseM2MTokenImportID(machine + "/" + token); problem != "" || m != machine || tok != token {
		t.Fatalf("valid id refused: %q", problem)
	}
	for _, bad := range []string{"", machine, machine + "/" + token + "/", "/" + token, machine + "/", machine + "//" + token,
		machine + "%2F" + token, "mch_../" + token, machine + "/mt_" + strings.Repeat("g", 32), " " + machine + "/" + token} {
		if _, _, problem := parseM2MTokenImportID(bad); problem == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The create marker is the provider's, not the user's: state shows the
// claims as configured, before and after a refresh, and an import shows
// the claims without it.
func TestClaimsFromClerkNeverShowsTheCreateMarker(t *testing.T) {
	t.Parallel()
	marked, err := withCreateMarker([]byte(`{"team":"payments"}`), "abc")
	if err != nil {
		t.Fatal(err)
	}
	if got := createMarkerOf(marked); got != "abc" {
		t.Fatalf("createMarkerOf(%s) = %q, want abc", marked, got)
	}
	onlyMarker, err := withCreateMarker(nil, "abc")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		prior types.String
		got   []byte
		want  types.String
	}{
		{"configured claims kept as written", types.StringValue(`{ "team": "payments" }`), marked, types.StringValue(`{ "team": "payments" }`)},
		{"imported claims without the marker", types.StringNull(), marked, types.StringValue(`{"team":"payments"}`)},
		{"no claims configured", types.StringNull(), onlyMarker, types.StringNull()},
		{"an empty object configured", types.StringValue(`{}`), onlyMarker, types.StringValue(`{}`)},
		{"a token made without the marker", types.StringNull(), []byte(`{"team":"payments"}`), types.StringValue(`{"team":"payments"}`)},
		{"no claims at all", types.StringNull(), nil, types.StringNull()},
	} {
		if got := claimsFromClerk(tc.prior, tc.got); !got.Equal(tc.want) {
			t.Errorf("%s: claimsFromClerk(%s, %s) = %s, want %s", tc.name, tc.prior, tc.got, got, tc.want)
		}
	}
	if got := createMarkerOf([]byte(`{"team":"payments"}`)); got != "" {
		t.Errorf("createMarkerOf found %q in claims without a marker", got)
	}
}
