package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	clerkAPIKeyIDRe = regexp.MustCompile(`^ak_[0-9A-Fa-f]{32}$`)
	// The exact field set of the description's API key object.
	clerkAPIKeyFields = []string{"claims", "created_at", "created_by", "description", "expiration", "expired", "id", "last_used_at",
		"name", "object", "revocation_reason", "revoked", "scopes", "subject", "type", "updated_at"}
)

func apiKeyCreate(t *testing.T, srv *Server, body map[string]any) map[string]any {
	t.Helper()
	res := clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/api_keys", srv.Info().ClerkSecretKey, body)
	clerkWant(t, res, http.StatusOK, "")
	return res.body
}

func TestClerkAPIKeyCreate(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	fx := info.Fixture
	if !strings.HasPrefix(fx.ClerkUserID, "user_") || !strings.HasPrefix(fx.ClerkOrganizationID, "org_") {
		t.Fatalf("fixture subjects %q, %q", fx.ClerkUserID, fx.ClerkOrganizationID)
	}
	for _, subject := range []string{fx.ClerkUserID, fx.ClerkOrganizationID, fx.ClerkMachineID} {
		k := apiKeyCreate(t, srv, map[string]any{
			"name": "ci key", "subject": subject, "description": "for CI", "scopes": []string{"read", "write"},
			"claims": map[string]any{"b": 1, "a": "x"}, "seconds_until_expiration": 600,
		})
		clerkWantFields(t, k, clerkAPIKeyFields, "secret")
		secret, _ := k["secret"].(string)
		if !clerkAPIKeyIDRe.MatchString(k["id"].(string)) || !strings.HasPrefix(secret, "ak_") || secret == k["id"] {
			t.Errorf("id %v, secret %v", k["id"], k["secret"])
		}
		if k["subject"] != subject || k["type"] != "api_key" || k["revoked"] != false || k["last_used_at"] != nil {
			t.Errorf("key %v", k)
		}
		if life := clerkMs(t, k["expiration"]) - clerkMs(t, k["created_at"]); life != 600_000 {
			t.Errorf("lifetime %d ms, want 600000", life)
		}
		if fmt.Sprint(k["scopes"]) != "[read write]" || fmt.Sprint(k["claims"]) != "map[a:x b:1]" {
			t.Errorf("scopes %v, claims %v", k["scopes"], k["claims"])
		}
	}
	// Unset seconds_until_expiration: the key never expires.
	k := apiKeyCreate(t, srv, map[string]any{"name": "forever", "subject": fx.ClerkUserID, "claims": nil})
	if k["expiration"] != nil || k["claims"] != nil || fmt.Sprint(k["scopes"]) != "[]" || k["description"] != nil {
		t.Errorf("defaults: %v", k)
	}
	if st := srv.Stats(); st.APIKeys.Live != 4 {
		t.Errorf("counts %+v", st.APIKeys)
	}
}

func TestClerkAPIKeyCreateRefusals(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk, fx := info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture
	for name, tc := range map[string]struct {
		body   any
		status int
		code   string
	}{
		"short name":         {map[string]any{"name": "ab", "subject": fx.ClerkUserID}, 400, "bad_request"},
		"padded name":        {map[string]any{"name": " abc", "subject": fx.ClerkUserID}, 400, "bad_request"},
		"no name":            {map[string]any{"subject": fx.ClerkUserID}, 400, "bad_request"},
		"no subject":         {map[string]any{"name": "abc"}, 400, "bad_request"},
		"subject shape":      {map[string]any{"name": "abc", "subject": "usr_123"}, 400, "bad_request"},
		"unknown subject":    {map[string]any{"name": "abc", "subject": "user_" + strings.Repeat("0", 27)}, 404, "resource_not_found"},
		"unknown field":      {map[string]any{"name": "abc", "subject": fx.ClerkUserID, "ttl": 5}, 400, "bad_request"},
		"zero lifetime":      {map[string]any{"name": "abc", "subject": fx.ClerkUserID, "seconds_until_expiration": 0}, 400, "bad_request"},
		"long description":   {map[string]any{"name": "abc", "subject": fx.ClerkUserID, "description": strings.Repeat("d", 256)}, 400, "bad_request"},
		"scopes not strings": {map[string]any{"name": "abc", "subject": fx.ClerkUserID, "scopes": []int{1}}, 400, "bad_request"},
		"created_by shape":   {map[string]any{"name": "abc", "subject": fx.ClerkUserID, "created_by": "someone"}, 400, "bad_request"},
		"not JSON":           {"{", 400, "request_body_invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			clerkWant(t, clerkCall(t, api, "POST", "/api_keys", sk, tc.body), tc.status, tc.code)
		})
	}
	// API keys are the instance's: a machine key may not manage them.
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys", fx.ClerkMachineSecretKey, map[string]any{"name": "abc", "subject": fx.ClerkUserID}), 401, "clerk_key_invalid")
	if n := len(srv.APIKeys(fx.ClerkUserID)); n != 0 {
		t.Errorf("refused creates stored %d keys", n)
	}
}

func TestClerkAPIKeyListing(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	user := srv.CreateClerkUser()
	var ids []string
	for i := range 5 {
		body := map[string]any{"name": fmt.Sprintf("key-%d", i), "subject": user}
		if i == 4 {
			body["seconds_until_expiration"] = 10
		}
		ids = append(ids, apiKeyCreate(t, srv, body)["id"].(string))
	}
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/"+ids[1]+"/revoke", sk, map[string]any{"revocation_reason": "gone"}), 200, "")
	srv.Advance(11 * time.Second)
	list := func(query string) ([]string, int) {
		t.Helper()
		res := clerkCall(t, api, "GET", "/api_keys?subject="+user+query, sk, nil)
		clerkWant(t, res, 200, "")
		var got []string
		for _, item := range res.body["data"].([]any) {
			clerkWantFields(t, item.(map[string]any), clerkAPIKeyFields)
			got = append(got, item.(map[string]any)["id"].(string))
		}
		return got, int(res.body["total_count"].(float64))
	}
	// Newest first; live only unless include_invalid.
	if got, total := list(""); total != 3 || !slices.Equal(got, []string{ids[3], ids[2], ids[0]}) {
		t.Errorf("live keys %v (total %d)", got, total)
	}
	if got, total := list("&include_invalid=true&limit=2&offset=1"); total != 5 || !slices.Equal(got, []string{ids[3], ids[2]}) {
		t.Errorf("page of all keys %v (total %d)", got, total)
	}
	if got, _ := list("&include_invalid=true&query=KEY-1"); !slices.Equal(got, []string{ids[1]}) {
		t.Errorf("search %v", got)
	}
	for _, q := range []string{"&limit=0", "&limit=101", "&offset=-1", "&include_invalid=yes"} {
		clerkWant(t, clerkCall(t, api, "GET", "/api_keys?subject="+user+q, sk, nil), 400, "bad_request")
	}
	clerkWant(t, clerkCall(t, api, "GET", "/api_keys", sk, nil), 400, "bad_request")
	clerkWant(t, clerkCall(t, api, "GET", "/api_keys?subject=org_"+strings.Repeat("0", 27), sk, nil), 404, "resource_not_found")
	srv.DeleteClerkSubject(user)
	clerkWant(t, clerkCall(t, api, "GET", "/api_keys?subject="+user, sk, nil), 404, "resource_not_found")
}

func TestClerkAPIKeyUpdateRevealRevokeVerify(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk, fx := info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture
	k := apiKeyCreate(t, srv, map[string]any{"name": "renewable", "subject": fx.ClerkOrganizationID, "description": "d",
		"claims": map[string]any{"a": 1}, "seconds_until_expiration": 600})
	id, secret := k["id"].(string), k["secret"].(string)

	// In place: the id and the secret stay, the expiry counts from now.
	srv.Advance(500 * time.Second)
	before := srv.Now().UnixMilli()
	res := clerkCall(t, api, "PATCH", "/api_keys/"+id, sk, map[string]any{"scopes": []string{"read"}, "seconds_until_expiration": 600})
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkAPIKeyFields)
	if got := clerkMs(t, res.body["expiration"]) - 600_000; got < before || got > srv.Now().UnixMilli() {
		t.Errorf("expiration %d ms after the update's 600s, want it counted from the update", got-before)
	}
	if res.body["description"] != "d" || fmt.Sprint(res.body["scopes"]) != "[read]" || fmt.Sprint(res.body["claims"]) != "map[a:1]" {
		t.Errorf("fields not sent changed: %v", res.body)
	}
	// null clears.
	res = clerkCall(t, api, "PATCH", "/api_keys/"+id, sk, map[string]any{"description": nil, "claims": nil})
	clerkWant(t, res, 200, "")
	if res.body["description"] != nil || res.body["claims"] != nil || res.body["expiration"] == nil {
		t.Errorf("after clearing: %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "PATCH", "/api_keys/"+id, sk, map[string]any{"name": "renamed"}), 400, "bad_request")

	res = clerkCall(t, api, "GET", "/api_keys/"+id+"/secret", sk, nil)
	clerkWant(t, res, 200, "")
	if res.body["secret"] != secret {
		t.Errorf("secret %v, want the one issued", res.body["secret"])
	}
	res = clerkCall(t, api, "GET", "/api_keys/"+id, sk, nil)
	clerkWant(t, res, 200, "")
	clerkWantFields(t, res.body, clerkAPIKeyFields)

	res = clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{"secret": secret})
	clerkWant(t, res, 200, "")
	if res.body["last_used_at"] == nil {
		t.Errorf("verify did not set last_used_at: %v", res.body)
	}
	if got, _ := srv.APIKey(id); got.LastUsedAt == nil {
		t.Error("last_used_at not stored")
	}
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{"secret": "ak_unknown0000"}), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{}), 400, "bad_request")

	res = clerkCall(t, api, "POST", "/api_keys/"+id+"/revoke", sk, map[string]any{"revocation_reason": "first"})
	clerkWant(t, res, 200, "")
	res = clerkCall(t, api, "POST", "/api_keys/"+id+"/revoke", sk, map[string]any{"revocation_reason": "second"})
	clerkWant(t, res, 200, "")
	if res.body["revoked"] != true || res.body["revocation_reason"] != "first" {
		t.Errorf("revoked twice: %v", res.body)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{"secret": secret}), 404, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "PATCH", "/api_keys/"+id, sk, map[string]any{"scopes": []string{}}), 400, "bad_request")

	// Expired keys fail verification too.
	short := apiKeyCreate(t, srv, map[string]any{"name": "short", "subject": fx.ClerkUserID, "seconds_until_expiration": 5})
	srv.Advance(5 * time.Second)
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{"secret": short["secret"]}), 404, "resource_not_found")
	if st := srv.Stats(); st.APIKeys.Revoked != 1 || st.APIKeys.Expired != 1 || st.APIKeys.Live != 0 {
		t.Errorf("counts %+v", st.APIKeys)
	}

	res = clerkCall(t, api, "DELETE", "/api_keys/"+short["id"].(string), sk, nil)
	clerkWant(t, res, 200, "")
	if res.body["deleted"] != true {
		t.Errorf("delete answered %v", res.body)
	}
	if _, ok := srv.APIKey(short["id"].(string)); ok {
		t.Error("a deleted key is still stored")
	}
	for _, path := range []string{"/api_keys/ak_" + strings.Repeat("0", 32), "/api_keys/ak_" + strings.Repeat("0", 32) + "/secret"} {
		clerkWant(t, clerkCall(t, api, "GET", path, sk, nil), 404, "resource_not_found")
	}
	clerkWant(t, clerkCall(t, api, "GET", "/api_keys/mt_"+strings.Repeat("0", 32), sk, nil), 400, "bad_request")
	clerkWant(t, clerkCall(t, api, "POST", "/api_keys/ak_"+strings.Repeat("0", 32)+"/revoke", sk, map[string]any{}), 404, "resource_not_found")
}

// The request wrapper applies to API keys as to everything else: a 500 is
// answered before anything is stored, a dropped answer after.
func TestClerkAPIKeyFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		faults string
		stored int
	}{{"500=1", 0}, {"drop_after_commit=1", 1}, {"429=1", 0}} {
		t.Run(tc.faults, func(t *testing.T) {
			t.Parallel()
			srv := startClerkEmulator(t, Options{Faults: tc.faults})
			info := srv.Info()
			_, _ = clerkTry(info.ClerkAPIURL, "POST", "/api_keys", info.ClerkSecretKey, map[string]any{"name": "abc", "subject": info.Fixture.ClerkUserID})
			if n := len(srv.APIKeys(info.Fixture.ClerkUserID)); n != tc.stored {
				t.Errorf("%d keys stored, want %d", n, tc.stored)
			}
			if st := srv.Stats(); st.Calls("POST", "/clerk/v1/api_keys") != 1 {
				t.Errorf("requests %v", st.Requests)
			}
		})
	}
}
