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
	} {
		if got := checkBaseURL(raw) == ""; got != ok {
			t.Errorf("checkBaseURL(%q) ok = %v, want %v (%s)", raw, got, ok, checkBaseURL(raw))
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
