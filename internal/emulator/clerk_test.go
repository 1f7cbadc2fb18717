package emulator

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	clerkTokenIDRe   = regexp.MustCompile(`^mt_[0-9A-Fa-f]{32}$`)
	clerkMachineIDRe = regexp.MustCompile(`^mch_\w{27}$`)
)

// The exact field sets of the spec's additionalProperties:false objects.
var (
	clerkTokenFields = []string{"claims", "created_at", "expiration", "expired", "id", "last_used_at", "object",
		"revocation_reason", "revoked", "scopes", "subject", "updated_at"}
	clerkMachineFields = []string{"created_at", "default_token_ttl", "id", "instance_id", "name", "object",
		"scoped_machines", "updated_at"}
)

type clerkResult struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// code is the first Clerk error code of the answer, or "".
func (r clerkResult) code() string {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r clerkResult) firstError() map[string]any {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return nil
	}
	e, _ := errs[0].(map[string]any)
	return e
}

func startClerkEmulator(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// clerkCall sends one request to base+path. body is JSON-encoded, sent as is
// when a string, or left out when nil; key "" sends no Authorization header.
func clerkCall(t *testing.T, base, method, path, key string, body any) clerkResult {
	t.Helper()
	res, err := clerkTry(base, method, path, key, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func clerkTry(base, method, path, key string, body any) (clerkResult, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return clerkResult{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return clerkResult{}, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return clerkDo(req)
}

func clerkDo(req *http.Request) (clerkResult, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return clerkResult{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return clerkResult{}, err
	}
	res := clerkResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			return clerkResult{}, fmt.Errorf("body %q: %w", raw, err)
		}
	}
	return res, nil
}

func clerkWant(t *testing.T, res clerkResult, status int, code string) {
	t.Helper()
	if res.status != status || res.code() != code {
		t.Fatalf("got %d %q, want %d %q; body %s", res.status, res.code(), status, code, res.raw)
	}
}

func clerkKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func clerkWantFields(t *testing.T, got map[string]any, want []string, extra ...string) {
	t.Helper()
	all := append(slices.Clone(want), extra...)
	sort.Strings(all)
	if keys := clerkKeys(got); !slices.Equal(keys, all) {
		t.Fatalf("fields %v, want %v", keys, all)
	}
}

func clerkMs(t *testing.T, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v (%T) is not a millisecond timestamp", v, v)
	}
	return int64(f)
}

func clerkListIDs(t *testing.T, res clerkResult) []string {
	t.Helper()
	var ids []string
	for _, item := range res.body["m2m_tokens"].([]any) {
		ids = append(ids, item.(map[string]any)["id"].(string))
	}
	return ids
}

// clerkCreate mints an opaque token with the machine key and returns its
// object (secret included).
func clerkCreate(t *testing.T, srv *Server, key string, body any) map[string]any {
	t.Helper()
	res := clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/m2m_tokens", key, body)
	clerkWant(t, res, http.StatusCreated, "")
	return res.body
}

func TestClerkAuth(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	api, info := srv.Info().ClerkAPIURL, srv.Info()
	fx := info.Fixture
	_, otherKey, err := srv.CreateMachine("other", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	tok := clerkCreate(t, srv, fx.ClerkMachineSecretKey, map[string]any{})

	res := clerkCall(t, api, "GET", "/m2m_tokens?subject="+fx.ClerkMachineID, "", nil)
	clerkWant(t, res, 401, "authorization_header_format_invalid")
	if trace := res.header.Get("Clerk-Trace-Id"); trace == "" || res.body["clerk_trace_id"] != trace {
		t.Errorf("clerk_trace_id %v, header %q", res.body["clerk_trace_id"], trace)
	}

	for _, header := range []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), "Bearer", "Bearer  ", info.ClerkSecretKey} {
		req, _ := http.NewRequest("GET", api+"/jwks", nil)
		req.Header.Set("Authorization", header)
		res, err := clerkDo(req)
		if err != nil {
			t.Fatal(err)
		}
		clerkWant(t, res, 401, "authorization_header_format_invalid")
	}

	clerkWant(t, clerkCall(t, api, "GET", "/jwks", "sk_test_wrong", nil), 401, "clerk_key_invalid")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens", "ak_wrong", map[string]any{}), 401, "machine_secret_key_invalid")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens", info.ClerkSecretKey, map[string]any{}), 401, "machine_secret_key_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/jwks", fx.ClerkMachineSecretKey, nil), 401, "clerk_key_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/machines", fx.ClerkMachineSecretKey, nil), 401, "clerk_key_invalid")

	list := "/m2m_tokens?subject=" + fx.ClerkMachineID
	clerkWant(t, clerkCall(t, api, "GET", list, otherKey, nil), 403, "authorization_invalid")
	clerkWant(t, clerkCall(t, api, "GET", list, fx.ClerkMachineSecretKey, nil), 200, "")
	clerkWant(t, clerkCall(t, api, "GET", list, info.ClerkSecretKey, nil), 200, "")

	revoke := "/m2m_tokens/" + tok["id"].(string) + "/revoke"
	clerkWant(t, clerkCall(t, api, "POST", revoke, otherKey, map[string]any{}), 404, "resource_not_found")
	if got, _ := srv.M2MToken(tok["id"].(string)); got.Revoked {
		t.Fatal("another machine's key revoked the token")
	}
	clerkWant(t, clerkCall(t, api, "POST", revoke, fx.ClerkMachineSecretKey, map[string]any{}), 200, "")
}

func TestClerkCreateOpaque(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	fx := srv.Info().Fixture

	tok := clerkCreate(t, srv, fx.ClerkMachineSecretKey, map[string]any{"seconds_until_expiration": 120, "claims": map[string]any{"role": "reader", "n": 1}})
	clerkWantFields(t, tok, clerkTokenFields, "token")
	id, secret := tok["id"].(string), tok["token"].(string)
	if !clerkTokenIDRe.MatchString(id) || !strings.HasPrefix(secret, "mt_") || secret == id {
		t.Errorf("id %q, token %q", id, secret)
	}
	if tok["object"] != "machine_to_machine_token" || tok["subject"] != fx.ClerkMachineID || tok["revoked"] != false ||
		tok["expired"] != false || tok["revocation_reason"] != nil || tok["last_used_at"] != nil {
		t.Errorf("token %v", tok)
	}
	if !reflect.DeepEqual(tok["scopes"], []any{fx.ClerkScopedMachineID}) {
		t.Errorf("scopes %v, want the machine's scoped machines", tok["scopes"])
	}
	if !reflect.DeepEqual(tok["claims"], map[string]any{"role": "reader", "n": 1.0}) {
		t.Errorf("claims %v", tok["claims"])
	}
	created := clerkMs(t, tok["created_at"])
	if d := clerkMs(t, tok["expiration"]) - created; d != 120_000 {
		t.Errorf("expiration - created_at = %d ms, want 120000", d)
	}
	if now := srv.Now().UnixMilli(); created > now || created < now-5_000 {
		t.Errorf("created_at %d not at the emulator clock %d", created, now)
	}

	def := clerkCreate(t, srv, fx.ClerkMachineSecretKey, map[string]any{})
	if def["claims"] != nil {
		t.Errorf("claims %v, want null", def["claims"])
	}
	if d := clerkMs(t, def["expiration"]) - clerkMs(t, def["created_at"]); d != 3_600_000 {
		t.Errorf("default lifetime %d ms, want the machine's default_token_ttl (3600 s)", d)
	}

	_, shortKey, err := srv.CreateMachine("short", nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	short := clerkCreate(t, srv, shortKey, map[string]any{"seconds_until_expiration": nil, "claims": nil})
	if d := clerkMs(t, short["expiration"]) - clerkMs(t, short["created_at"]); d != 60_000 {
		t.Errorf("default lifetime %d ms, want 60000", d)
	}
	if !reflect.DeepEqual(short["scopes"], []any{}) {
		t.Errorf("scopes %v, want []", short["scopes"])
	}

	stored, ok := srv.M2MToken(id)
	if !ok || stored.Subject != fx.ClerkMachineID || stored.Revoked || stored.Expiration == nil ||
		stored.Expiration.Sub(stored.CreatedAt) != 120*time.Second ||
		!reflect.DeepEqual(stored.Claims, map[string]any{"role": "reader", "n": 1.0}) ||
		!slices.Equal(stored.Scopes, []string{fx.ClerkScopedMachineID}) {
		t.Errorf("stored token %+v", stored)
	}
}

func TestClerkCreateValidation(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	api, key := srv.Info().ClerkAPIURL, srv.Info().Fixture.ClerkMachineSecretKey

	for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp"} {
		res := clerkCall(t, api, "POST", "/m2m_tokens", key, map[string]any{"claims": map[string]any{"ok": 1, claim: "x"}})
		clerkWant(t, res, 400, "machine_token_reserved_claim")
		if msg := res.firstError()["message"]; msg != "You can't use the reserved claim: '"+claim+"'" {
			t.Errorf("message %q", msg)
		}
	}

	cases := []struct {
		name   string
		body   any
		status int
		code   string
		param  string
	}{
		{"unknown token_format", map[string]any{"token_format": "paseto"}, 422, "form_param_value_invalid", "token_format"},
		{"token_format not a string", map[string]any{"token_format": 1}, 422, "form_param_value_invalid", "token_format"},
		{"unknown field", map[string]any{"scopes": []string{"x"}}, 422, "form_param_unknown", "scopes"},
		{"malformed JSON", `{"claims":`, 400, "request_body_invalid", ""},
		{"array body", `[]`, 400, "request_body_invalid", ""},
		{"no body", nil, 400, "request_body_invalid", ""},
		{"zero expiry", map[string]any{"seconds_until_expiration": 0}, 422, "form_param_value_invalid", "seconds_until_expiration"},
		{"negative expiry", map[string]any{"seconds_until_expiration": -5}, 422, "form_param_value_invalid", "seconds_until_expiration"},
		{"expiry not a number", map[string]any{"seconds_until_expiration": "60"}, 422, "form_param_value_invalid", "seconds_until_expiration"},
		{"negative min ttl", map[string]any{"min_remaining_ttl_seconds": -1}, 422, "form_param_value_invalid", "min_remaining_ttl_seconds"},
		{"fractional min ttl", map[string]any{"min_remaining_ttl_seconds": 1.5}, 422, "form_param_value_invalid", "min_remaining_ttl_seconds"},
		{"min ttl not below lifetime", map[string]any{"seconds_until_expiration": 60, "min_remaining_ttl_seconds": 60}, 400, "bad_request", "min_remaining_ttl_seconds"},
		{"jwt with array claims", map[string]any{"token_format": "jwt", "claims": []int{1}}, 422, "form_param_value_invalid", "claims"},
	}
	for _, tc := range cases {
		res := clerkCall(t, api, "POST", "/m2m_tokens", key, tc.body)
		if res.status != tc.status || res.code() != tc.code {
			t.Errorf("%s: got %d %q, want %d %q (%s)", tc.name, res.status, res.code(), tc.status, tc.code, res.raw)
			continue
		}
		if tc.param != "" {
			meta, _ := res.firstError()["meta"].(map[string]any)
			if meta["param_name"] != tc.param {
				t.Errorf("%s: meta %v, want param_name %q", tc.name, meta, tc.param)
			}
		}
	}
	if n := len(srv.M2MTokens(srv.Info().Fixture.ClerkMachineID)); n != 0 {
		t.Errorf("refused creates stored %d tokens", n)
	}
	// Claims need not be an object for an opaque token.
	if tok := clerkCreate(t, srv, key, map[string]any{"claims": []any{"a", 1}}); !reflect.DeepEqual(tok["claims"], []any{"a", 1.0}) {
		t.Errorf("claims %v", tok["claims"])
	}
}

func TestClerkMinRemainingTTL(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	api, key := srv.Info().ClerkAPIURL, srv.Info().Fixture.ClerkMachineSecretKey
	body := func(claims any) map[string]any {
		return map[string]any{"seconds_until_expiration": 600, "min_remaining_ttl_seconds": 300, "claims": claims}
	}

	first := clerkCreate(t, srv, key, body(map[string]any{"a": 1, "b": 2}))
	again := clerkCreate(t, srv, key, body(map[string]any{"b": 2, "a": 1}))
	if again["id"] != first["id"] || again["token"] != first["token"] {
		t.Fatalf("identical claims minted a new token: %v then %v", first["id"], again["id"])
	}
	if other := clerkCreate(t, srv, key, body(map[string]any{"a": 2})); other["id"] == first["id"] {
		t.Fatal("different claims reused a token")
	}
	srv.Advance(301 * time.Second)
	later := clerkCreate(t, srv, key, body(map[string]any{"a": 1, "b": 2}))
	if later["id"] == first["id"] {
		t.Fatal("a token with too little time left was reused")
	}
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+later["id"].(string)+"/revoke", key, map[string]any{}), 200, "")
	if fresh := clerkCreate(t, srv, key, body(map[string]any{"a": 1, "b": 2})); fresh["id"] == later["id"] {
		t.Fatal("a revoked token was reused")
	}
	if n := len(srv.M2MTokens(srv.Info().Fixture.ClerkMachineID)); n != 4 {
		t.Errorf("%d stored tokens, want 4", n)
	}
}

func TestClerkListPagination(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, key, sk, subject := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey, info.Fixture.ClerkMachineID

	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, clerkCreate(t, srv, key, map[string]any{})["id"].(string))
	}
	list := func(query string) clerkResult {
		t.Helper()
		return clerkCall(t, api, "GET", "/m2m_tokens?subject="+subject+query, sk, nil)
	}
	page := func(query string, wantIDs []string, wantTotal int) {
		t.Helper()
		res := list(query)
		clerkWant(t, res, 200, "")
		if got := clerkListIDs(t, res); !slices.Equal(got, wantIDs) {
			t.Errorf("%s: ids %v, want %v", query, got, wantIDs)
		}
		if total := res.body["total_count"]; total != float64(wantTotal) {
			t.Errorf("%s: total_count %v, want %d", query, total, wantTotal)
		}
		if keys := clerkKeys(res.body); !slices.Equal(keys, []string{"m2m_tokens", "total_count"}) {
			t.Errorf("list fields %v", keys)
		}
	}
	page("", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, 5)
	page("&limit=2", []string{ids[4], ids[3]}, 5)
	page("&limit=2&offset=2", []string{ids[2], ids[1]}, 5)
	page("&offset=4", []string{ids[0]}, 5)
	page("&offset=10", nil, 5)
	first := list("&limit=1").body["m2m_tokens"].([]any)[0].(map[string]any)
	clerkWantFields(t, first, clerkTokenFields)

	for _, q := range []string{"&limit=0", "&limit=101", "&limit=x", "&offset=-1", "&revoked=maybe"} {
		clerkWant(t, list(q), 422, "form_param_value_invalid")
	}
	res := clerkCall(t, api, "GET", "/m2m_tokens", sk, nil)
	clerkWant(t, res, 422, "form_param_missing")
	if meta, _ := res.firstError()["meta"].(map[string]any); meta["param_name"] != "subject" {
		t.Errorf("meta %v", meta)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/m2m_tokens?subject=machine", sk, nil), 400, "bad_request")
	clerkWant(t, clerkCall(t, api, "GET", "/m2m_tokens?subject=mch_"+strings.Repeat("x", 27), sk, nil), 404, "resource_not_found")

	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+ids[0]+"/revoke", sk, map[string]any{}), 200, "")
	short := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 10})["id"].(string)
	srv.Advance(11 * time.Second)
	page("", []string{ids[4], ids[3], ids[2], ids[1]}, 4)
	page("&revoked=true", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, 5)
	page("&expired=true", []string{short, ids[4], ids[3], ids[2], ids[1]}, 5)
	page("&revoked=true&expired=true&limit=3", []string{short, ids[4], ids[3]}, 6)
	page("&revoked=false&expired=false", []string{ids[4], ids[3], ids[2], ids[1]}, 4)
}

func TestClerkRevoke(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, key, sk := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey

	tok := clerkCreate(t, srv, key, map[string]any{})
	path := "/m2m_tokens/" + tok["id"].(string) + "/revoke"
	srv.Advance(time.Second)
	res := clerkCall(t, api, "POST", path, key, map[string]any{"revocation_reason": "rotated"})
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkTokenFields)
	if res.body["revoked"] != true || res.body["revocation_reason"] != "rotated" {
		t.Errorf("revoked token %v", res.body)
	}
	if clerkMs(t, res.body["updated_at"]) <= clerkMs(t, res.body["created_at"]) {
		t.Errorf("updated_at %v not after created_at %v", res.body["updated_at"], res.body["created_at"])
	}

	again := clerkCall(t, api, "POST", path, sk, map[string]any{"revocation_reason": "other"})
	clerkWant(t, again, 200, "")
	if again.body["revoked"] != true || again.body["revocation_reason"] != "rotated" || again.body["updated_at"] != res.body["updated_at"] {
		t.Errorf("re-revoke changed the token: %v", again.body)
	}
	if got, _ := srv.M2MToken(tok["id"].(string)); !got.Revoked || got.RevocationReason == nil || *got.RevocationReason != "rotated" {
		t.Errorf("stored %+v", got)
	}

	other := clerkCreate(t, srv, key, map[string]any{})
	otherPath := "/m2m_tokens/" + other["id"].(string) + "/revoke"
	clerkWant(t, clerkCall(t, api, "POST", otherPath, sk, nil), 400, "request_body_invalid")
	clerkWant(t, clerkCall(t, api, "POST", otherPath, sk, map[string]any{"reason": "x"}), 422, "form_param_unknown")
	res = clerkCall(t, api, "POST", otherPath, sk, map[string]any{})
	clerkWant(t, res, 200, "")
	if res.body["revoked"] != true || res.body["revocation_reason"] != nil {
		t.Errorf("revoked without reason: %v", res.body)
	}

	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/mt_"+strings.Repeat("0", 32)+"/revoke", sk, map[string]any{}), 404, "resource_not_found")
	res = clerkCall(t, api, "POST", "/m2m_tokens/nope/revoke", sk, map[string]any{})
	clerkWant(t, res, 400, "bad_request")
	if lm := res.firstError()["long_message"]; lm != "Invalid 'url_parameter.m2m_token_id': Failed regex check" {
		t.Errorf("long_message %q", lm)
	}
}

func TestClerkVerify(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	fx := info.Fixture
	api, key, sk := info.ClerkAPIURL, fx.ClerkMachineSecretKey, info.ClerkSecretKey
	scopedKey := clerkCall(t, api, "GET", "/machines/"+fx.ClerkScopedMachineID+"/secret_key", sk, nil).body["secret"].(string)

	tok := clerkCreate(t, srv, key, map[string]any{"claims": map[string]any{"k": "v"}})
	verify := func(caller, secret string) clerkResult {
		t.Helper()
		return clerkCall(t, api, "POST", "/m2m_tokens/verify", caller, map[string]any{"token": secret})
	}

	res := verify(sk, tok["token"].(string))
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkTokenFields)
	if res.body["id"] != tok["id"] || res.body["last_used_at"] == nil || !reflect.DeepEqual(res.body["claims"], map[string]any{"k": "v"}) {
		t.Errorf("verified %v", res.body)
	}
	clerkWant(t, verify(scopedKey, tok["token"].(string)), 200, "")
	// The token's own machine is not in its scopes, so its key may not verify it.
	clerkWant(t, verify(key, tok["token"].(string)), 404, "resource_not_found")

	clerkWant(t, verify(sk, "mt_unknown"), 404, "resource_not_found")
	clerkWant(t, verify(sk, tok["id"].(string)), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{}), 422, "form_param_missing")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": "x", "other": 1}), 422, "form_param_unknown")

	revoked := clerkCreate(t, srv, key, map[string]any{})
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+revoked["id"].(string)+"/revoke", sk, map[string]any{}), 200, "")
	clerkWant(t, verify(sk, revoked["token"].(string)), 404, "resource_not_found")

	short := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 5})
	clerkWant(t, verify(sk, short["token"].(string)), 200, "")
	srv.Advance(6 * time.Second)
	clerkWant(t, verify(sk, short["token"].(string)), 404, "resource_not_found")
}

func TestClerkExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, key, sk, subject := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey, info.Fixture.ClerkMachineID

	viaAdvance := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 30})
	srv.Advance(31 * time.Second)
	viaControl := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 60})

	resp, err := http.Post(srv.URL()+"/__emulator/clock", "application/json", strings.NewReader(`{"advance_seconds": 61}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("clock: %d", resp.StatusCode)
	}

	res := clerkCall(t, api, "GET", "/m2m_tokens?expired=true&subject="+subject, sk, nil)
	clerkWant(t, res, 200, "")
	for _, item := range res.body["m2m_tokens"].([]any) {
		if tok := item.(map[string]any); tok["expired"] != true {
			t.Errorf("token %v not expired at the emulator clock", tok["id"])
		}
	}
	if got := clerkListIDs(t, res); !slices.Equal(got, []string{viaControl["id"].(string), viaAdvance["id"].(string)}) {
		t.Errorf("expired ids %v", got)
	}
}

func TestClerkUnversionedPrefix(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	base := srv.URL() + "/clerk"
	res := clerkCall(t, base, "POST", "/m2m_tokens", info.Fixture.ClerkMachineSecretKey, map[string]any{})
	clerkWant(t, res, 201, "")
	clerkWant(t, clerkCall(t, base, "GET", "/m2m_tokens?subject="+info.Fixture.ClerkMachineID, info.ClerkSecretKey, nil), 200, "")
	clerkWant(t, clerkCall(t, base, "POST", "/m2m_tokens/"+res.body["id"].(string)+"/revoke", info.ClerkSecretKey, map[string]any{}), 200, "")

	st := srv.Stats()
	if n := st.Count("POST", "/clerk/v1/m2m_tokens", 201); n != 1 {
		t.Errorf("POST /clerk/v1/m2m_tokens 201 counted %d times, want 1 (%v)", n, st.Requests)
	}
	if n := st.Calls("GET", "/clerk/v1/m2m_tokens"); n != 1 {
		t.Errorf("GET /clerk/v1/m2m_tokens counted %d times, want 1", n)
	}
	if n := st.Count("POST", "/clerk/v1/m2m_tokens/{m2m_token_id}/revoke", 200); n != 1 {
		t.Errorf("revoke counted %d times, want 1 (%v)", n, st.Requests)
	}
}

func TestClerkJWT(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	fx := info.Fixture
	api, key, sk := info.ClerkAPIURL, fx.ClerkMachineSecretKey, info.ClerkSecretKey

	tok := clerkCreate(t, srv, key, map[string]any{"token_format": "jwt", "seconds_until_expiration": 300, "claims": map[string]any{"env": "test"}, "min_remaining_ttl_seconds": 10})
	clerkWantFields(t, tok, clerkTokenFields, "token")
	parts := strings.Split(tok["token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok["token"])
	}
	decode := func(part string) map[string]any {
		raw, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	head, claims := decode(parts[0]), decode(parts[1])

	jwks := clerkCall(t, api, "GET", "/jwks", sk, nil)
	clerkWant(t, jwks, 200, "")
	keys := jwks.body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys %v", keys)
	}
	jwk := keys[0].(map[string]any)
	if !slices.Equal(clerkKeys(jwk), []string{"alg", "e", "kid", "kty", "n", "use"}) || jwk["kty"] != "RSA" || jwk["alg"] != "RS256" || jwk["use"] != "sig" {
		t.Errorf("jwk %v", jwk)
	}
	wantHead := map[string]any{"alg": "RS256", "typ": "JWT", "kid": jwk["kid"], "cat": "cl_B7d4PD333AAA"}
	if !reflect.DeepEqual(head, wantHead) {
		t.Errorf("header %v, want %v", head, wantHead)
	}
	n, _ := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
	e, _ := base64.RawURLEncoding.DecodeString(jwk["e"].(string))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify against GET /jwks: %v", err)
	}

	iat := claims["iat"].(float64)
	if claims["sub"] != fx.ClerkMachineID || claims["jti"] != tok["id"] || claims["env"] != "test" ||
		claims["nbf"] != iat || claims["exp"] != iat+300 || claims["scopes"] != fx.ClerkScopedMachineID {
		t.Errorf("claims %v", claims)
	}
	if now := float64(srv.Now().Unix()); iat > now || iat < now-5 {
		t.Errorf("iat %v not at the emulator clock %v", iat, now)
	}
	if !clerkTokenIDRe.MatchString(tok["id"].(string)) || clerkMs(t, tok["expiration"]) != int64(iat+300)*1000 ||
		!reflect.DeepEqual(tok["claims"], map[string]any{"env": "test"}) || !reflect.DeepEqual(tok["scopes"], []any{fx.ClerkScopedMachineID}) {
		t.Errorf("token object %v", tok)
	}

	// Not stored: not listed, not revocable.
	list := clerkCall(t, api, "GET", "/m2m_tokens?revoked=true&expired=true&subject="+fx.ClerkMachineID, sk, nil)
	if list.body["total_count"] != 0.0 {
		t.Errorf("JWT listed: %s", list.raw)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+tok["id"].(string)+"/revoke", sk, map[string]any{}), 404, "resource_not_found")
	if _, ok := srv.M2MToken(tok["id"].(string)); ok {
		t.Error("JWT stored")
	}
	if st := srv.Stats().M2MTokens; st != (M2MTokenCounts{}) {
		t.Errorf("stats count a JWT: %+v", st)
	}

	// Verified as a local verifier would: signature, category, expiry.
	res := clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]})
	clerkWant(t, res, 200, "")
	if res.body["id"] != tok["id"] || res.body["expiration"] != tok["expiration"] || !reflect.DeepEqual(res.body["claims"], tok["claims"]) {
		t.Errorf("verified %v, created %v", res.body, tok)
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x","jti":"y","iat":1,"exp":9999999999}`)) + "." + parts[2]
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tampered}), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", key, map[string]any{"token": tok["token"]}), 404, "resource_not_found")
	srv.Advance(301 * time.Second)
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]}), 404, "resource_not_found")
}

func TestClerkMachines(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{NoFixture: true})
	api, sk := srv.Info().ClerkAPIURL, srv.Info().ClerkSecretKey

	res := clerkCall(t, api, "POST", "/machines", sk, map[string]any{"name": "svc-a", "default_token_ttl": 120})
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkMachineFields, "secret_key")
	a := res.body
	aID, aKey := a["id"].(string), a["secret_key"].(string)
	if !clerkMachineIDRe.MatchString(aID) || !strings.HasPrefix(aKey, "ak_") || a["object"] != "machine" ||
		a["default_token_ttl"] != 120.0 || !reflect.DeepEqual(a["scoped_machines"], []any{}) ||
		!strings.HasPrefix(a["instance_id"].(string), "ins_") {
		t.Errorf("machine %v", a)
	}

	srv.Advance(time.Second)
	res = clerkCall(t, api, "POST", "/machines", sk, map[string]any{"name": "svc-b", "scoped_machines": []string{aID, aID}})
	clerkWant(t, res, 200, "")
	bID := res.body["id"].(string)
	scoped := res.body["scoped_machines"].([]any)
	if len(scoped) != 1 || res.body["default_token_ttl"] != 3600.0 {
		t.Fatalf("machine %v", res.body)
	}
	clerkWantFields(t, scoped[0].(map[string]any), []string{"created_at", "default_token_ttl", "id", "instance_id", "name", "object", "updated_at"})

	for _, tc := range []struct {
		body any
		code string
	}{
		{map[string]any{}, "form_param_missing"},
		{map[string]any{"name": ""}, "form_param_value_invalid"},
		{map[string]any{"name": strings.Repeat("x", 256)}, "form_param_value_invalid"},
		{map[string]any{"name": "x", "scoped_machines": []string{"mch_missing"}}, "form_param_value_invalid"},
		{map[string]any{"name": "x", "default_token_ttl": 0}, "form_param_value_invalid"},
		{map[string]any{"name": "x", "default_token_ttl": 315360001}, "form_param_value_invalid"},
		{map[string]any{"name": "x", "colour": "red"}, "form_param_unknown"},
	} {
		clerkWant(t, clerkCall(t, api, "POST", "/machines", sk, tc.body), 422, tc.code)
	}

	listNames := func(query string) ([]string, float64) {
		t.Helper()
		res := clerkCall(t, api, "GET", "/machines"+query, sk, nil)
		clerkWant(t, res, 200, "")
		var names []string
		for _, m := range res.body["data"].([]any) {
			names = append(names, m.(map[string]any)["name"].(string))
		}
		return names, res.body["total_count"].(float64)
	}
	if names, total := listNames(""); !slices.Equal(names, []string{"svc-b", "svc-a"}) || total != 2 {
		t.Errorf("default order %v (%v)", names, total)
	}
	if names, _ := listNames("?order_by=%2Bcreated_at"); !slices.Equal(names, []string{"svc-a", "svc-b"}) {
		t.Errorf("+created_at %v", names)
	}
	if names, _ := listNames("?order_by=name"); !slices.Equal(names, []string{"svc-a", "svc-b"}) {
		t.Errorf("name %v", names)
	}
	if names, total := listNames("?limit=1&offset=1"); !slices.Equal(names, []string{"svc-a"}) || total != 2 {
		t.Errorf("page %v (%v)", names, total)
	}
	if names, total := listNames("?query=SVC-B"); !slices.Equal(names, []string{"svc-b"}) || total != 1 {
		t.Errorf("query by name %v (%v)", names, total)
	}
	if names, _ := listNames("?query=" + aID); !slices.Equal(names, []string{"svc-a"}) {
		t.Errorf("query by id %v", names)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/machines?order_by=id", sk, nil), 422, "form_param_value_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/machines?limit=501", sk, nil), 422, "form_param_value_invalid")

	res = clerkCall(t, api, "GET", "/machines/"+aID, sk, nil)
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkMachineFields)
	clerkWant(t, clerkCall(t, api, "GET", "/machines/mch_missing", sk, nil), 404, "resource_not_found")

	srv.Advance(time.Second)
	res = clerkCall(t, api, "PATCH", "/machines/"+aID, sk, map[string]any{"name": "svc-a2"})
	clerkWant(t, res, 200, "")
	if res.body["name"] != "svc-a2" || res.body["default_token_ttl"] != 120.0 || clerkMs(t, res.body["updated_at"]) <= clerkMs(t, a["updated_at"]) {
		t.Errorf("patched %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "PATCH", "/machines/"+aID, sk, map[string]any{"default_token_ttl": -1}), 422, "form_param_value_invalid")

	res = clerkCall(t, api, "GET", "/machines/"+aID+"/secret_key", sk, nil)
	if !reflect.DeepEqual(res.body, map[string]any{"object": "machine_secret_key", "secret": aKey}) {
		t.Errorf("secret key %v", res.body)
	}

	res = clerkCall(t, api, "POST", "/machines/"+bID+"/scopes", sk, map[string]any{"to_machine_id": aID})
	clerkWant(t, res, 409, "duplicate_record")
	res = clerkCall(t, api, "DELETE", "/machines/"+bID+"/scopes/"+aID, sk, nil)
	if !reflect.DeepEqual(res.body, map[string]any{"object": "machine_scope", "from_machine_id": bID, "to_machine_id": aID, "deleted": true}) {
		t.Errorf("scope deleted %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "DELETE", "/machines/"+bID+"/scopes/"+aID, sk, nil), 404, "resource_not_found")
	res = clerkCall(t, api, "POST", "/machines/"+bID+"/scopes", sk, map[string]any{"to_machine_id": aID})
	clerkWant(t, res, 200, "")
	if !slices.Equal(clerkKeys(res.body), []string{"created_at", "from_machine_id", "object", "to_machine_id"}) ||
		res.body["object"] != "machine_scope" || res.body["from_machine_id"] != bID || res.body["to_machine_id"] != aID {
		t.Errorf("scope %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/machines/"+bID+"/scopes", sk, map[string]any{"to_machine_id": "mch_missing"}), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/machines/"+bID+"/scopes", sk, map[string]any{}), 422, "form_param_missing")

	// Rotation: the old key keeps working for previous_token_ttl.
	res = clerkCall(t, api, "POST", "/machines/"+aID+"/secret_key/rotate", sk, map[string]any{"previous_token_ttl": 60})
	clerkWant(t, res, 200, "")
	newKey := res.body["secret"].(string)
	if res.body["object"] != "machine_secret_key" || newKey == aKey || !strings.HasPrefix(newKey, "ak_") {
		t.Errorf("rotated %v", res.body)
	}
	clerkCreate(t, srv, aKey, map[string]any{})
	srv.Advance(61 * time.Second)
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens", aKey, map[string]any{}), 401, "machine_secret_key_invalid")
	live := clerkCreate(t, srv, newKey, map[string]any{})
	clerkWant(t, clerkCall(t, api, "POST", "/machines/"+aID+"/secret_key/rotate", sk, map[string]any{"previous_token_ttl": 28801}), 422, "form_param_value_invalid")

	res = clerkCall(t, api, "DELETE", "/machines/"+aID, sk, nil)
	clerkWant(t, res, 200, "")
	if !reflect.DeepEqual(res.body, map[string]any{"object": "machine", "id": aID, "deleted": true}) {
		t.Errorf("deleted %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/machines/"+aID, sk, nil), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens", newKey, map[string]any{}), 401, "machine_secret_key_invalid")
	if res := clerkCall(t, api, "GET", "/machines/"+bID, sk, nil); !reflect.DeepEqual(res.body["scoped_machines"], []any{}) {
		t.Errorf("deleted machine still scoped: %v", res.body["scoped_machines"])
	}
	tokens := srv.M2MTokens(aID)
	if len(tokens) == 0 {
		t.Error("deleted machine's tokens are gone: they should be kept, revoked")
	}
	for _, tok := range tokens {
		if !tok.Revoked {
			t.Errorf("token %s of the deleted machine is live", tok.ID)
		}
	}
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": live["token"]}), 404, "resource_not_found")
}

func TestClerkCreateMachineGoAPI(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{NoFixture: true})
	target, _, err := srv.CreateMachine("target", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	caller, key, err := srv.CreateMachine("caller", []string{target}, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := clerkCreate(t, srv, key, map[string]any{})
	second := clerkCreate(t, srv, key, map[string]any{"claims": map[string]any{"x": true}})
	toks := srv.M2MTokens(caller)
	if len(toks) != 2 || toks[0].ID != second["id"] || toks[1].ID != first["id"] {
		t.Fatalf("tokens %+v, want newest first", toks)
	}
	if !slices.Equal(toks[0].Scopes, []string{target}) || toks[0].Expiration.Sub(toks[0].CreatedAt) != 90*time.Second ||
		!reflect.DeepEqual(toks[0].Claims, map[string]any{"x": true}) || toks[1].Claims != nil {
		t.Errorf("token %+v", toks[0])
	}
	if len(srv.M2MTokens(target)) != 0 {
		t.Error("tokens listed under the wrong machine")
	}
	for _, tc := range []struct {
		name   string
		scoped []string
		ttl    time.Duration
	}{
		{"", nil, 0},
		{"x", []string{"mch_missing"}, 0},
		{"x", nil, 1500 * time.Millisecond},
		{"x", nil, -time.Second},
	} {
		if _, _, err := srv.CreateMachine(tc.name, tc.scoped, tc.ttl); err == nil {
			t.Errorf("CreateMachine(%q, %v, %s) succeeded", tc.name, tc.scoped, tc.ttl)
		}
	}
}

func TestClerkDateHeaderFollowsClock(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	srv.Advance(48 * time.Hour)
	res := clerkCall(t, srv.Info().ClerkAPIURL, "GET", "/jwks", srv.Info().ClerkSecretKey, nil)
	date, err := http.ParseTime(res.header.Get("Date"))
	if err != nil {
		t.Fatal(err)
	}
	if d := srv.Now().Sub(date); d < -time.Second || d > 2*time.Second {
		t.Errorf("Date %s, emulator clock %s", date, srv.Now())
	}
	if time.Until(date) < 47*time.Hour {
		t.Errorf("Date %s does not follow the advanced clock", date)
	}
}

// Options.ClockOffset sets the clock behind real time, which Advance cannot:
// the Date header and a token's created_at and expiration follow it, and
// Advance moves on from there.
func TestClerkClockStartsAtOffset(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{ClockOffset: -48 * time.Hour})
	info := srv.Info()
	if d := time.Since(srv.Now()); d < 48*time.Hour || d > 48*time.Hour+time.Minute {
		t.Errorf("Now %s is %s behind real time, want 48h", srv.Now(), d)
	}
	res := clerkCall(t, info.ClerkAPIURL, "GET", "/jwks", info.ClerkSecretKey, nil)
	date, err := http.ParseTime(res.header.Get("Date"))
	if err != nil {
		t.Fatal(err)
	}
	if d := srv.Now().Sub(date); d < -time.Second || d > 2*time.Second {
		t.Errorf("Date %s, emulator clock %s", date, srv.Now())
	}
	tok := clerkCreate(t, srv, info.Fixture.ClerkMachineSecretKey, map[string]any{"seconds_until_expiration": 3600})
	created := time.UnixMilli(int64(tok["created_at"].(float64)))
	expires := time.UnixMilli(int64(tok["expiration"].(float64)))
	if d := srv.Now().Sub(created); d < 0 || d > time.Minute {
		t.Errorf("created_at %s, emulator clock %s", created, srv.Now())
	}
	if expires.Sub(created) != time.Hour || !expires.Before(time.Now()) {
		t.Errorf("expiration %s: want an hour after created_at %s, before real time", expires, created)
	}
	srv.Advance(24 * time.Hour)
	if d := time.Since(srv.Now()); d < 24*time.Hour || d > 24*time.Hour+time.Minute {
		t.Errorf("after Advance(24h), Now is %s behind real time, want 24h", d)
	}
}

func TestClerkStatsCounts(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, key, sk := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey

	clerkCreate(t, srv, key, map[string]any{})
	revoked := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 5})
	clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 5})
	clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+revoked["id"].(string)+"/revoke", sk, map[string]any{}), 200, "")
	if got := srv.Stats().M2MTokens; got != (M2MTokenCounts{Live: 2, Revoked: 1}) {
		t.Errorf("before expiry %+v", got)
	}
	srv.Advance(6 * time.Second)
	st := srv.Stats()
	if st.M2MTokens != (M2MTokenCounts{Live: 1, Revoked: 1, Expired: 1}) {
		t.Errorf("after expiry %+v", st.M2MTokens)
	}
	if n := st.Count("POST", "/clerk/v1/m2m_tokens", 201); n != 3 {
		t.Errorf("creates counted %d, want 3", n)
	}

	resp, err := http.Get(srv.URL() + "/__emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var wire Stats
	if err := json.NewDecoder(resp.Body).Decode(&wire); err != nil {
		t.Fatal(err)
	}
	if wire.M2MTokens != st.M2MTokens {
		t.Errorf("GET /__emulator/stats %+v, want %+v", wire.M2MTokens, st.M2MTokens)
	}
}

func TestClerkConcurrentCreates(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, key, subject := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.Fixture.ClerkMachineID

	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				res, err := clerkTry(api, "POST", "/m2m_tokens", key, map[string]any{"claims": map[string]any{"worker": i}})
				if err == nil && res.status != 201 {
					err = fmt.Errorf("create: %d %s", res.status, res.raw)
				}
				if err == nil {
					res, err = clerkTry(api, "GET", "/m2m_tokens?limit=1&subject="+subject, info.ClerkSecretKey, nil)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	toks := srv.M2MTokens(subject)
	seen := map[string]bool{}
	for _, tok := range toks {
		seen[tok.ID] = true
	}
	if len(toks) != workers*each || len(seen) != workers*each {
		t.Errorf("%d tokens, %d distinct ids, want %d", len(toks), len(seen), workers*each)
	}
	res := clerkCall(t, api, "GET", "/m2m_tokens?subject="+subject, info.ClerkSecretKey, nil)
	if res.body["total_count"] != float64(workers*each) {
		t.Errorf("total_count %v", res.body["total_count"])
	}
}

func TestClerkFaults(t *testing.T) {
	t.Parallel()

	t.Run("500 before commit", func(t *testing.T) {
		t.Parallel()
		srv := startClerkEmulator(t, Options{Faults: "500=1"})
		fx := srv.Info().Fixture
		res := clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/m2m_tokens", fx.ClerkMachineSecretKey, map[string]any{})
		clerkWant(t, res, 500, "internal_clerk_error")
		if n := len(srv.M2MTokens(fx.ClerkMachineID)); n != 0 {
			t.Errorf("a 500 stored %d tokens", n)
		}
		if st := srv.Stats(); st.Faults["500"] != 1 || st.Count("POST", "/clerk/v1/m2m_tokens", 500) != 1 {
			t.Errorf("stats %+v", st)
		}
	})

	t.Run("drop after commit", func(t *testing.T) {
		t.Parallel()
		srv := startClerkEmulator(t, Options{Faults: "drop_after_commit=1"})
		fx := srv.Info().Fixture
		if _, err := clerkTry(srv.Info().ClerkAPIURL, "POST", "/m2m_tokens", fx.ClerkMachineSecretKey, map[string]any{}); err == nil {
			t.Fatal("the client got an answer")
		}
		if toks := srv.M2MTokens(fx.ClerkMachineID); len(toks) != 1 || toks[0].Revoked {
			t.Errorf("tokens %+v, want the committed one", toks)
		}
		if st := srv.Stats(); st.Faults["drop_after_commit"] != 1 {
			t.Errorf("faults %v", st.Faults)
		}
	})

	t.Run("429", func(t *testing.T) {
		t.Parallel()
		srv := startClerkEmulator(t, Options{Faults: "429=1"})
		fx := srv.Info().Fixture
		res := clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/m2m_tokens", fx.ClerkMachineSecretKey, map[string]any{})
		clerkWant(t, res, 429, "too_many_requests")
		if ra := res.header.Get("Retry-After"); ra == "" {
			t.Error("no Retry-After")
		}
		if n := len(srv.M2MTokens(fx.ClerkMachineID)); n != 0 {
			t.Errorf("a 429 stored %d tokens", n)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		t.Parallel()
		srv := startClerkEmulator(t, Options{RateLimit: "3/10s"})
		api, sk := srv.Info().ClerkAPIURL, srv.Info().ClerkSecretKey
		for i := 0; i < 3; i++ {
			clerkWant(t, clerkCall(t, api, "GET", "/jwks", sk, nil), 200, "")
		}
		res := clerkCall(t, api, "GET", "/jwks", sk, nil)
		clerkWant(t, res, 429, "too_many_requests")
		if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 || secs > 10 {
			t.Errorf("Retry-After %q", res.header.Get("Retry-After"))
		}
		if st := srv.Stats(); st.Faults["rate_limited"] != 1 {
			t.Errorf("faults %v", st.Faults)
		}
	})
}

func TestClerkFaultAndRateLimitSpecs(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"bogus", "429=2", "500=-0.1", "teapot=0.1", "latency=fast", "latency=-1ms", "429=0.6,500=0.6"} {
		if _, err := parseFaults(spec, 1); err == nil {
			t.Errorf("parseFaults(%q) accepted", spec)
		}
	}
	f, err := parseFaults(" 429=0.1, 500=0.05,drop_after_commit=0.02,latency=5ms ", 1)
	if err != nil || f.p429 != 0.1 || f.p500 != 0.05 || f.pDrop != 0.02 || f.latency != 5*time.Millisecond {
		t.Errorf("parseFaults: %+v, %v", f, err)
	}
	for _, spec := range []string{"100", "0/10s", "x/10s", "5/0s", "5/soon", "5/-1s"} {
		if _, err := parseRateLimit(spec); err == nil {
			t.Errorf("parseRateLimit(%q) accepted", spec)
		}
	}
	if l, err := parseRateLimit(""); l != nil || err != nil {
		t.Errorf("parseRateLimit(\"\") = %v, %v; want no limit", l, err)
	}
	if l, err := parseRateLimit("100/10s"); err != nil || l.n != 100 || l.per != 10*time.Second {
		t.Errorf("parseRateLimit: %+v, %v", l, err)
	}
	if _, err := Start(Options{Faults: "nope"}); err == nil {
		t.Error("Start accepted a bad fault spec")
	}
	if _, err := Start(Options{RateLimit: "nope"}); err == nil {
		t.Error("Start accepted a bad rate limit")
	}
}

// The verify route must not be taken for a token id by the revoke pattern,
// nor the reverse.
func TestClerkRoutesDoNotOverlap(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	tok := clerkCreate(t, srv, info.Fixture.ClerkMachineSecretKey, map[string]any{})
	clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]})
	clerkCall(t, api, "POST", "/m2m_tokens/"+tok["id"].(string)+"/revoke", sk, map[string]any{})
	st := srv.Stats()
	if st.Count("POST", "/clerk/v1/m2m_tokens/verify", 200) != 1 || st.Count("POST", "/clerk/v1/m2m_tokens/{m2m_token_id}/revoke", 200) != 1 {
		t.Errorf("requests %v", st.Requests)
	}
	res := clerkCall(t, api, "GET", "/m2m_tokens/"+tok["id"].(string), sk, nil)
	clerkWant(t, res, 404, "resource_not_found")
}
