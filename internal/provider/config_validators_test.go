package provider

import (
	"strings"
	"testing"
	"time"
)

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://api.clerk.com/v1":        true,
		"http://127.0.0.1:8080/clerk/v1":  true,
		"http://127.9.9.9":                true,
		"http://[::1]:9000":               true,
		"http://localhost:1234":           true,
		"http://LOCALHOST":                true,
		"http://api.clerk.com/v1":         false,
		"http://10.0.0.1":                 false,
		"http://localhost.example.com":    false,
		"ftp://127.0.0.1":                 false,
		"api.clerk.com":                   false,
		"":                                false,
		"https://user:secret@example.com": false,
		"https://api.clerk.com/v1?x=1":    false,
	} {
		if got := checkClerkAPIURL(raw) == ""; got != ok {
			t.Errorf("checkClerkAPIURL(%q) ok = %v, want %v (%s)", raw, got, ok, checkClerkAPIURL(raw))
		}
	}
	for raw, ok := range map[string]bool{
		"https://test.stytch.com":      true,
		"http://127.0.0.1:8080/":       true,
		"https://x/y":                  false,
		"http://127.0.0.1:8080/stytch": false,
		"http://stytch.example":        false,
		"https://test.stytch.com#frag": false,
	} {
		if got := checkStytchBaseURL(raw) == ""; got != ok {
			t.Errorf("checkStytchBaseURL(%q) ok = %v, want %v (%s)", raw, got, ok, checkStytchBaseURL(raw))
		}
	}
}

func TestCheckPrefixNamesTheExpectedPrefixes(t *testing.T) {
	t.Parallel()
	if p := checkPrefix("sk_test_abc", "sk_test_", "sk_live_"); p != "" {
		t.Fatalf("valid key refused: %s", p)
	}
	p := checkPrefix("ak_abc", "sk_test_", "sk_live_")
	if !strings.Contains(p, `"sk_test_" or "sk_live_"`) {
		t.Fatalf("message does not name the prefixes: %s", p)
	}
	if checkPrefix("ak_", "ak_") == "" {
		t.Fatal("a bare prefix was accepted")
	}
}

func TestCheckDuration(t *testing.T) {
	t.Parallel()
	if p := checkDuration("30s", time.Second, time.Minute); p != "" {
		t.Fatal(p)
	}
	for _, bad := range []string{"0s", "2h", "soon", "-1s"} {
		if checkDuration(bad, time.Second, time.Minute) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
