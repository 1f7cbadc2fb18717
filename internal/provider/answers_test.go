package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// The rules that read a service's answer where the reference leaves room
// (see TestAccSwitches for them at work): each answer a switch can give is
// read one way, and nothing else is read that way.

func apiErr(service string, status int, code, message string) error {
	return &client.APIError{Service: service, StatusCode: status, Code: code, Message: message, Method: "POST", Path: "/x"}
}

func TestRevokeRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{apiErr("clerk", 400, "bad_request", "The M2M token is already revoked."), true},
		{apiErr("clerk", 404, "resource_not_found", ""), true},
		{apiErr("clerk", 409, "conflict", ""), true},
		{apiErr("clerk", 401, "clerk_key_invalid", ""), false},
		{apiErr("clerk", 403, "authorization_invalid", ""), false},
		{apiErr("clerk", 500, "internal_clerk_error", ""), false},
		{errors.New("connection reset"), false},
	} {
		if got := revokeRefused(tc.err); got != tc.want {
			t.Errorf("revokeRefused(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}

	refused := apiErr("clerk", 409, "conflict", "already revoked")
	for _, tc := range []struct {
		name  string
		err   error
		check func() (revokeCheck, error)
		want  string // "" for nil
	}{
		{name: "revoked", err: nil, want: ""},
		{name: "not a refusal", err: apiErr("clerk", 500, "internal_clerk_error", "down"), want: "500"},
		{name: "ended", err: refused, check: func() (revokeCheck, error) { return revokeCheck{ended: true}, nil }, want: ""},
		{name: "still live", err: refused, check: func() (revokeCheck, error) { return revokeCheck{found: "is still live"}, nil }, want: "it is still live"},
		{name: "read fails", err: refused, check: func() (revokeCheck, error) { return revokeCheck{}, errors.New("read refused") }, want: "read refused"},
	} {
		got := settleRefusedRevoke(tc.err, tc.check)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: %v, want nil", tc.name, got)
		case tc.want != "" && (got == nil || !strings.Contains(got.Error(), tc.want)):
			t.Errorf("%s: %v, want an error saying %q", tc.name, got, tc.want)
		}
	}
}

func TestStytchNotFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{apiErr("stytch", 404, "m2m_client_not_found", ""), true},
		{apiErr("stytch", 400, "member_not_found", ""), true},
		{apiErr("stytch", 404, "not_found", ""), true},
		{apiErr("stytch", 400, "connected_app_authorization_not_found", ""), true},
		{apiErr("stytch", 404, "session_not_found", ""), false},
		{apiErr("stytch", 404, "", "<html>proxy</html>"), false},
		{apiErr("stytch", 400, "bad_request", ""), false},
		{apiErr("stytch", 409, "member_not_found", ""), false},
		{apiErr("stytch", 401, "unauthorized_credentials", ""), false},
		{nil, false},
	} {
		if got := stytchNotFound(tc.err); got != tc.want {
			t.Errorf("stytchNotFound(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestVerifyRefusal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err     error
		reason  string
		refused bool
	}{
		{apiErr("clerk", 404, "resource_not_found", ""), reasonInvalid, true},
		{apiErr("clerk", 400, "bad_request", "The M2M token is revoked."), reasonRevoked, true},
		{apiErr("clerk", 400, "bad_request", "The API key is expired."), reasonExpired, true},
		{apiErr("clerk", 400, "token_invalid", "Invalid token."), reasonInvalid, true},
		{apiErr("clerk", 400, "request_body_invalid", ""), "", false},
		{apiErr("clerk", 400, "", "<html><h1>400 Bad Request</h1></html>"), "", false},
		{apiErr("clerk", 422, "form_param_missing", ""), "", false},
		{apiErr("clerk", 401, "clerk_key_invalid", ""), "", false},
		{apiErr("clerk", 500, "internal_clerk_error", ""), "", false},
	} {
		reason, refused := verifyRefusal(tc.err)
		if reason != tc.reason || refused != tc.refused {
			t.Errorf("verifyRefusal(%v) = %q, %v; want %q, %v", tc.err, reason, refused, tc.reason, tc.refused)
		}
	}
}

func TestExpiryCountedFromCreation(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	at := func(ms int64) *int64 { return &ms }
	const n = 3600
	for _, tc := range []struct {
		name         string
		updated      int64
		expiration   *int64
		age          int64
		fromCreation bool
	}{
		{"from the update", created + 100_000, at(created + 100_000 + n*1000), 0, false},
		{"from the creation", created + 100_000, at(created + n*1000), 100, true},
		{"from the creation, age rounded up", created + 100_500, at(created + n*1000), 101, true},
		{"a key younger than a second tells nothing", created + 400, at(created + n*1000), 0, false},
		{"no expiry", created + 100_000, nil, 0, false},
	} {
		k := &client.APIKey{CreatedAt: created, UpdatedAt: tc.updated, Expiration: tc.expiration}
		age, fromCreation := expiryCountedFromCreation(k, n)
		if age != tc.age || fromCreation != tc.fromCreation {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, age, fromCreation, tc.age, tc.fromCreation)
		}
	}
}

func TestClerkJWTScopesFromEitherClaim(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"scopes": "mch_a mch_b", "aud": []any{"mch_c"}}, "[mch_a mch_b]"},
		{map[string]any{"aud": []any{"mch_a", "https://example.test", "mch_b"}}, "[mch_a mch_b]"},
		{map[string]any{"aud": "mch_a"}, "[mch_a]"},
		{map[string]any{}, "[]"},
	} {
		if got := fmt.Sprint(clerkJWTScopes(&jwtverify.Token{Claims: tc.claims})); got != tc.want {
			t.Errorf("scopes of %v = %s, want %s", tc.claims, got, tc.want)
		}
	}
}
