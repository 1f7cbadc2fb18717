package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// clerkSwitchChecks say, for each choice of each Clerk switch, what the
// wire answers under it (see TestSwitchChoices).
var clerkSwitchChecks = map[string]map[string]switchCheck{
	"m2m_token_default_ttl": {
		"machine_ttl": checkDefaultTTL(false),
		"never":       checkDefaultTTL(true),
	},
	"foreign_machine_token_listing": {
		"403": checkForeignListing(http.StatusForbidden, "authorization_invalid"),
		"404": checkForeignListing(http.StatusNotFound, "resource_not_found"),
	},
	"revoked_m2m_token_revoke": {
		"200": checkRevokeAgain("m2m_token", http.StatusOK, ""),
		"400": checkRevokeAgain("m2m_token", http.StatusBadRequest, "bad_request"),
		"404": checkRevokeAgain("m2m_token", http.StatusNotFound, "resource_not_found"),
		"409": checkRevokeAgain("m2m_token", http.StatusConflict, "conflict"),
	},
	"revoked_api_key_revoke": {
		"200": checkRevokeAgain("api_key", http.StatusOK, ""),
		"400": checkRevokeAgain("api_key", http.StatusBadRequest, "bad_request"),
		"404": checkRevokeAgain("api_key", http.StatusNotFound, "resource_not_found"),
		"409": checkRevokeAgain("api_key", http.StatusConflict, "conflict"),
	},
	"clerk_verify_refusal": {
		"404":         checkVerifyRefusal(http.StatusNotFound, "resource_not_found"),
		"400":         checkVerifyRefusal(http.StatusBadRequest, "bad_request"),
		"flagged_200": checkVerifyRefusal(http.StatusOK, ""),
	},
	"m2m_jwt_scopes_claim": {
		"scopes": checkJWTScopesClaim("scopes"),
		"aud":    checkJWTScopesClaim("aud"),
	},
	"api_key_unknown_subject": {
		"404":   checkUnknownSubject(false),
		"empty": checkUnknownSubject(true),
	},
	"api_key_update_null": {
		"clears":  checkUpdateNull(true),
		"ignored": checkUpdateNull(false),
	},
	"api_key_expiry_update": {
		"from_update":   checkExpiryUpdate(false),
		"from_creation": checkExpiryUpdate(true),
	},
	"machine_delete_tokens": {
		"revoked": checkMachineDeleteTokens("revoked"),
		"valid":   checkMachineDeleteTokens("valid"),
		"deleted": checkMachineDeleteTokens("deleted"),
	},
	"machine_delete_api_keys": {
		"kept":    checkMachineDeleteAPIKeys("kept"),
		"revoked": checkMachineDeleteAPIKeys("revoked"),
		"deleted": checkMachineDeleteAPIKeys("deleted"),
	},
	"previous_machine_keys": {
		"every":  checkPreviousMachineKeys(false),
		"latest": checkPreviousMachineKeys(true),
	},
}

// checkDefaultTTL: a token created without seconds_until_expiration gets the
// machine's TTL, or with never, when opaque, no expiry at all; a JWT always
// has one, and so does a token that asks for one.
func checkDefaultTTL(never bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, key, sk := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey
		tok := clerkCreate(t, srv, key, map[string]any{})
		if never {
			if tok["expiration"] != nil || tok["expired"] != false {
				t.Fatalf("expiration %v, expired %v, want null and false", tok["expiration"], tok["expired"])
			}
			if got, _ := srv.M2MToken(tok["id"].(string)); got.Expiration != nil {
				t.Errorf("stored expiration %v", got.Expiration)
			}
		} else if got, want := clerkMs(t, tok["expiration"]), clerkMs(t, tok["created_at"])+3600*1000; got != want {
			t.Fatalf("expiration %d, want created_at + 1h = %d", got, want)
		}
		srv.Advance(2 * time.Hour)
		verified := clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]})
		if never {
			clerkWant(t, verified, http.StatusOK, "")
		} else {
			clerkWant(t, verified, http.StatusNotFound, "resource_not_found")
		}
		asked := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 60})
		jwt := clerkCreate(t, srv, key, map[string]any{"token_format": "jwt"})
		for _, tk := range []map[string]any{asked, jwt} {
			if tk["expiration"] == nil {
				t.Errorf("%v: no expiration", tk["id"])
			}
		}
	}
}

func checkForeignListing(status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		_, otherKey, err := srv.CreateMachine("other", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		list := "/m2m_tokens?subject=" + info.Fixture.ClerkMachineID
		clerkWant(t, clerkCall(t, info.ClerkAPIURL, "GET", list, otherKey, nil), status, code)
		// A machine's own tokens and an unknown machine answer as before.
		clerkWant(t, clerkCall(t, info.ClerkAPIURL, "GET", list, info.Fixture.ClerkMachineSecretKey, nil), http.StatusOK, "")
		clerkWant(t, clerkCall(t, info.ClerkAPIURL, "GET", "/m2m_tokens?subject=mch_"+strings.Repeat("0", 27), info.ClerkSecretKey, nil),
			http.StatusNotFound, "resource_not_found")
	}
}

// checkRevokeAgain: revoking a revoked M2M token or API key answers as the
// choice says, and whatever it answers the credential stays revoked with
// its first reason.
func checkRevokeAgain(kind string, status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, sk := info.ClerkAPIURL, info.ClerkSecretKey
		var path string
		var stored func() (bool, *string)
		if kind == "m2m_token" {
			tok := clerkCreate(t, srv, info.Fixture.ClerkMachineSecretKey, map[string]any{})
			path = "/m2m_tokens/" + tok["id"].(string) + "/revoke"
			stored = func() (bool, *string) {
				got, _ := srv.M2MToken(tok["id"].(string))
				return got.Revoked, got.RevocationReason
			}
		} else {
			k := apiKeyCreate(t, srv, map[string]any{"name": "twice", "subject": info.Fixture.ClerkUserID})
			path = "/api_keys/" + k["id"].(string) + "/revoke"
			stored = func() (bool, *string) {
				got, _ := srv.APIKey(k["id"].(string))
				return got.Revoked, got.RevocationReason
			}
		}
		clerkWant(t, clerkCall(t, api, "POST", path, sk, map[string]any{"revocation_reason": "first"}), http.StatusOK, "")
		again := clerkCall(t, api, "POST", path, sk, map[string]any{"revocation_reason": "second"})
		clerkWant(t, again, status, code)
		if status == http.StatusOK && (again.body["revoked"] != true || again.body["revocation_reason"] != "first") {
			t.Errorf("second revoke answered %v", again.body)
		}
		if revoked, reason := stored(); !revoked || reason == nil || *reason != "first" {
			t.Errorf("stored revoked=%v reason=%v, want the first revocation", revoked, reason)
		}
	}
}

// checkVerifyRefusal: verifying a revoked or an expired M2M token or API
// key answers as the choice says; an unknown one is 404 whatever it is.
func checkVerifyRefusal(status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, key, sk := info.ClerkAPIURL, info.Fixture.ClerkMachineSecretKey, info.ClerkSecretKey
		revokedTok := clerkCreate(t, srv, key, map[string]any{})
		clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/"+revokedTok["id"].(string)+"/revoke", sk, map[string]any{}), http.StatusOK, "")
		shortTok := clerkCreate(t, srv, key, map[string]any{"seconds_until_expiration": 5})
		revokedKey := apiKeyCreate(t, srv, map[string]any{"name": "revoked", "subject": info.Fixture.ClerkUserID})
		clerkWant(t, clerkCall(t, api, "POST", "/api_keys/"+revokedKey["id"].(string)+"/revoke", sk, map[string]any{}), http.StatusOK, "")
		shortKey := apiKeyCreate(t, srv, map[string]any{"name": "short", "subject": info.Fixture.ClerkUserID, "seconds_until_expiration": 5})
		srv.Advance(6 * time.Second)

		for _, tc := range []struct {
			route, field, secret, flag string
		}{
			{"/m2m_tokens/verify", "token", revokedTok["token"].(string), "revoked"},
			{"/m2m_tokens/verify", "token", shortTok["token"].(string), "expired"},
			{"/api_keys/verify", "secret", revokedKey["secret"].(string), "revoked"},
			{"/api_keys/verify", "secret", shortKey["secret"].(string), "expired"},
		} {
			res := clerkCall(t, api, "POST", tc.route, sk, map[string]any{tc.field: tc.secret})
			clerkWant(t, res, status, code)
			switch status {
			case http.StatusOK:
				if res.body[tc.flag] != true {
					t.Errorf("%s of a %s credential: %s is %v", tc.route, tc.flag, tc.flag, res.body[tc.flag])
				}
			case http.StatusBadRequest:
				if lm, _ := res.firstError()["long_message"].(string); !strings.Contains(lm, tc.flag) {
					t.Errorf("%s of a %s credential: long_message %q", tc.route, tc.flag, lm)
				}
			}
			unknown := clerkCall(t, api, "POST", tc.route, sk, map[string]any{tc.field: tc.secret + "x"})
			clerkWant(t, unknown, http.StatusNotFound, "resource_not_found")
		}
	}
}

// checkJWTScopesClaim: a JWT-format token carries its scopes in the claim
// the choice names, and verify reads them from either.
func checkJWTScopesClaim(claim string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		fx := info.Fixture
		tok := clerkCreate(t, srv, fx.ClerkMachineSecretKey, map[string]any{"token_format": "jwt"})
		parts := strings.Split(tok["token"].(string), ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var payload map[string]any
		if err := json.Unmarshal(raw, &payload); err != nil {
			t.Fatal(err)
		}
		switch claim {
		case "scopes":
			if payload["scopes"] != fx.ClerkScopedMachineID || payload["aud"] != nil {
				t.Errorf("payload %v: want scopes %q and no aud", payload, fx.ClerkScopedMachineID)
			}
		case "aud":
			if payload["scopes"] != nil || !reflect.DeepEqual(payload["aud"], []any{fx.ClerkScopedMachineID}) {
				t.Errorf("payload %v: want aud [%q] and no scopes", payload, fx.ClerkScopedMachineID)
			}
		}
		for _, answer := range []map[string]any{tok, clerkCall(t, info.ClerkAPIURL, "POST", "/m2m_tokens/verify", info.ClerkSecretKey, map[string]any{"token": tok["token"]}).body} {
			if !reflect.DeepEqual(answer["scopes"], []any{fx.ClerkScopedMachineID}) {
				t.Errorf("scopes %v, want [%s]", answer["scopes"], fx.ClerkScopedMachineID)
			}
		}
	}
}

// checkUnknownSubject: listing the keys of a subject that does not exist
// is a 404 or an empty page; creating a key for one is 404 either way.
func checkUnknownSubject(empty bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, sk := info.ClerkAPIURL, info.ClerkSecretKey
		nobody := "user_" + strings.Repeat("0", 27)
		res := clerkCall(t, api, "GET", "/api_keys?subject="+nobody, sk, nil)
		if empty {
			clerkWant(t, res, http.StatusOK, "")
			if data, _ := res.body["data"].([]any); data == nil || len(data) != 0 || res.body["total_count"] != float64(0) {
				t.Errorf("listing %v, want an empty page", res.body)
			}
		} else {
			clerkWant(t, res, http.StatusNotFound, "resource_not_found")
		}
		clerkWant(t, clerkCall(t, api, "POST", "/api_keys", sk, map[string]any{"name": "orphan", "subject": nobody}), http.StatusNotFound, "resource_not_found")
		clerkWant(t, clerkCall(t, api, "GET", "/api_keys?subject=nobody", sk, nil), http.StatusBadRequest, "bad_request")
	}
}

// checkUpdateNull: a null description, claims or seconds_until_expiration
// clears the field, or is read as not sent.
func checkUpdateNull(clears bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		k := apiKeyCreate(t, srv, map[string]any{"name": "nulls", "subject": info.Fixture.ClerkUserID,
			"description": "kept?", "claims": map[string]any{"team": "a"}, "seconds_until_expiration": 3600})
		res := clerkCall(t, info.ClerkAPIURL, "PATCH", "/api_keys/"+k["id"].(string), info.ClerkSecretKey,
			map[string]any{"description": nil, "claims": nil, "seconds_until_expiration": nil})
		clerkWant(t, res, http.StatusOK, "")
		got := map[string]any{"description": res.body["description"], "claims": res.body["claims"], "expiration": res.body["expiration"]}
		want := map[string]any{"description": nil, "claims": nil, "expiration": nil}
		if !clears {
			want = map[string]any{"description": "kept?", "claims": map[string]any{"team": "a"}, "expiration": k["expiration"]}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after nulls: %v, want %v", got, want)
		}
	}
}

// checkExpiryUpdate: a new seconds_until_expiration counts from the update
// or from the key's creation.
func checkExpiryUpdate(fromCreation bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		k := apiKeyCreate(t, srv, map[string]any{"name": "renewed", "subject": info.Fixture.ClerkUserID, "seconds_until_expiration": 3600})
		srv.Advance(30 * time.Minute)
		res := clerkCall(t, info.ClerkAPIURL, "PATCH", "/api_keys/"+k["id"].(string), info.ClerkSecretKey, map[string]any{"seconds_until_expiration": 3600})
		clerkWant(t, res, http.StatusOK, "")
		from := clerkMs(t, res.body["updated_at"])
		if fromCreation {
			from = clerkMs(t, k["created_at"])
		}
		if got := clerkMs(t, res.body["expiration"]); got != from+3600*1000 {
			t.Errorf("expiration %d, want %d", got, from+3600*1000)
		}
	}
}

// checkMachineDeleteTokens: after its machine is deleted, a token is
// revoked, still valid, or gone.
func checkMachineDeleteTokens(choice string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		fx := info.Fixture
		api, sk := info.ClerkAPIURL, info.ClerkSecretKey
		tok := clerkCreate(t, srv, fx.ClerkMachineSecretKey, map[string]any{})
		clerkWant(t, clerkCall(t, api, "DELETE", "/machines/"+fx.ClerkMachineID, sk, nil), http.StatusOK, "")
		clerkWant(t, clerkCall(t, api, "GET", "/m2m_tokens?subject="+fx.ClerkMachineID, sk, nil), http.StatusNotFound, "resource_not_found")

		verified := clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]})
		stored, found := srv.M2MToken(tok["id"].(string))
		switch choice {
		case "revoked":
			clerkWant(t, verified, http.StatusNotFound, "resource_not_found")
			if !found || !stored.Revoked || stored.RevocationReason != nil {
				t.Errorf("stored %+v (found %v), want revoked without a reason", stored, found)
			}
		case "valid":
			clerkWant(t, verified, http.StatusOK, "")
			if !found || stored.Revoked {
				t.Errorf("stored %+v (found %v), want it live", stored, found)
			}
		case "deleted":
			clerkWant(t, verified, http.StatusNotFound, "resource_not_found")
			if found {
				t.Errorf("stored %+v, want it gone", stored)
			}
		}
		revoked := clerkCall(t, api, "POST", "/m2m_tokens/"+tok["id"].(string)+"/revoke", sk, map[string]any{})
		if choice == "deleted" {
			clerkWant(t, revoked, http.StatusNotFound, "resource_not_found")
		} else {
			clerkWant(t, revoked, http.StatusOK, "")
			clerkWant(t, clerkCall(t, api, "POST", "/m2m_tokens/verify", sk, map[string]any{"token": tok["token"]}), http.StatusNotFound, "resource_not_found")
		}
	}
}

// checkMachineDeleteAPIKeys: after its machine is deleted, a key is left
// alone, revoked, or gone.
func checkMachineDeleteAPIKeys(choice string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, sk := info.ClerkAPIURL, info.ClerkSecretKey
		machineID, _, err := srv.CreateMachine("keyed", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		k := apiKeyCreate(t, srv, map[string]any{"name": "machine key", "subject": machineID})
		clerkWant(t, clerkCall(t, api, "DELETE", "/machines/"+machineID, sk, nil), http.StatusOK, "")
		clerkWant(t, clerkCall(t, api, "GET", "/api_keys?subject="+machineID, sk, nil), http.StatusNotFound, "resource_not_found")

		verified := clerkCall(t, api, "POST", "/api_keys/verify", sk, map[string]any{"secret": k["secret"]})
		byID := clerkCall(t, api, "GET", "/api_keys/"+k["id"].(string), sk, nil)
		switch choice {
		case "kept":
			clerkWant(t, verified, http.StatusOK, "")
			clerkWant(t, byID, http.StatusOK, "")
			if byID.body["revoked"] != false {
				t.Errorf("read %v, want it live", byID.body)
			}
		case "revoked":
			clerkWant(t, verified, http.StatusNotFound, "resource_not_found")
			clerkWant(t, byID, http.StatusOK, "")
			if byID.body["revoked"] != true || byID.body["revocation_reason"] != nil {
				t.Errorf("read %v, want it revoked without a reason", byID.body)
			}
		case "deleted":
			clerkWant(t, verified, http.StatusNotFound, "resource_not_found")
			clerkWant(t, byID, http.StatusNotFound, "resource_not_found")
			clerkWant(t, clerkCall(t, api, "POST", "/api_keys/"+k["id"].(string)+"/revoke", sk, map[string]any{}), http.StatusNotFound, "resource_not_found")
		}
	}
}

// checkPreviousMachineKeys: after two rotations with an overlap, the first
// key works on until its own overlap ends, or stops at the second
// rotation.
func checkPreviousMachineKeys(latest bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		api, sk := info.ClerkAPIURL, info.ClerkSecretKey
		created := clerkCall(t, api, "POST", "/machines", sk, map[string]any{"name": "rotating"})
		clerkWant(t, created, http.StatusOK, "")
		id := created.body["id"].(string)
		keys := []string{created.body["secret_key"].(string)}
		for range 2 {
			rotated := clerkCall(t, api, "POST", "/machines/"+id+"/secret_key/rotate", sk, map[string]any{"previous_token_ttl": 3600})
			clerkWant(t, rotated, http.StatusOK, "")
			keys = append(keys, rotated.body["secret"].(string))
		}
		works := func(key string) bool {
			t.Helper()
			return clerkCall(t, api, "GET", "/m2m_tokens?subject="+id, key, nil).status == http.StatusOK
		}
		if got, want := works(keys[0]), !latest; got != want {
			t.Errorf("the first key works: %v, want %v", got, want)
		}
		if !works(keys[1]) || !works(keys[2]) {
			t.Error("the key the latest rotation replaced, or the current one, stopped working")
		}
		srv.Advance(time.Hour)
		if works(keys[0]) || works(keys[1]) || !works(keys[2]) {
			t.Error("past the overlap, only the current key works")
		}
	}
}
