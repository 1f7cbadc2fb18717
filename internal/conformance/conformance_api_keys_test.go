package conformance

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Clerk API keys, through the client: every route the emulator serves.

// unknownAPIKeyID has the shape of an API key id and names none.
const unknownAPIKeyID = "ak_00000000000000000000000000000000"

// unknownUserID has the shape of a user id and names none.
const unknownUserID = "user_000000000000000000000000000"

func init() {
	cases = append(cases, apiKeyCases...)
	knownDeviations = append(knownDeviations, []struct {
		deviation
		why string
	}{
		// The description lists 400 and 409 for a create; an unknown subject
		// is answered as Clerk answers an unknown object elsewhere
		// (unconfirmed for this route).
		{deviation{"clerk createApiKey", phaseResponse, 404, "status"},
			"Clerk: an unknown subject is 404 resource_not_found, as the listing of an unknown subject is"},
		{deviation{"clerk getApiKeys", phaseResponse, 401, "status"},
			"Clerk: a wrong secret key is 401 clerk_key_invalid on every Clerk call"},
	}...)
}

// newAPIKey creates a key for subject through the client.
func (h *harness) newAPIKey(subject string, req client.CreateAPIKeyRequest) *client.APIKeyWithSecret {
	h.t.Helper()
	req.Subject = subject
	if req.Name == "" {
		req.Name = "conformance-" + h.env.unique()
	}
	k, err := h.client.CreateAPIKey(h.ctx, req)
	h.must(err)
	return k
}

var apiKeyCases = []opCase{
	{op: "clerk createApiKey", name: "for_user_with_everything", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{
			Description: ptr("conformance"), Claims: json.RawMessage(`{"team":"payments"}`), Scopes: []string{"read", "write"},
			SecondsUntilExpiration: ptr[int64](600),
		})
		if !strings.HasPrefix(k.Secret, "ak_") || k.ExpiresAt() == nil || len(k.Scopes) != 2 {
			h.t.Errorf("created key: %+v", k)
		}
	}},
	{op: "clerk createApiKey", name: "for_organization_and_machine_never_expiring", status: http.StatusOK, run: func(h *harness) {
		for _, subject := range []string{h.fx.ClerkOrganizationID, h.fx.ClerkMachineID} {
			if k := h.newAPIKey(subject, client.CreateAPIKeyRequest{}); k.ExpiresAt() != nil || k.Subject != subject {
				h.t.Errorf("created key: %+v", k)
			}
		}
	}},
	{op: "clerk createApiKey", name: "unknown_subject", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.CreateAPIKey(h.ctx, client.CreateAPIKeyRequest{Name: "conformance", Subject: unknownUserID})
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk createApiKey", name: "name_too_short", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.CreateAPIKey(withInvalidRequest(h.ctx, "body/name"), client.CreateAPIKeyRequest{Name: "ab", Subject: h.fx.ClerkUserID})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},

	{op: "clerk getApiKeys", name: "invalid_included_and_pagination", status: http.StatusOK, run: func(h *harness) {
		org := h.env.srv.CreateClerkOrganization()
		var ids []string
		for range 3 {
			ids = append(ids, h.newAPIKey(org, client.CreateAPIKeyRequest{}).ID)
		}
		_, err := h.client.RevokeAPIKey(h.ctx, ids[1], nil)
		h.must(err)
		live, err := h.client.ListAPIKeys(h.ctx, client.ListAPIKeysRequest{Subject: org, Limit: 1, Offset: 1})
		h.must(err)
		if live.TotalCount != 2 || len(live.Keys) != 1 || live.Keys[0].ID != ids[0] {
			h.t.Errorf("live keys, second page of one: %+v", live)
		}
		all, err := h.client.ListAPIKeys(h.ctx, client.ListAPIKeysRequest{Subject: org, IncludeInvalid: true, Limit: 100})
		h.must(err)
		if all.TotalCount != 3 || len(all.Keys) != 3 || all.Keys[0].ID != ids[2] || !all.Keys[1].Revoked {
			h.t.Errorf("all keys, newest first: %+v", all)
		}
	}},
	{op: "clerk getApiKeys", name: "unknown_subject", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.ListAPIKeys(h.ctx, client.ListAPIKeysRequest{Subject: unknownUserID})
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk getApiKeys", name: "subject_pattern_refused", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.ListAPIKeys(withInvalidRequest(h.ctx, "query subject"), client.ListAPIKeysRequest{Subject: "user_short"})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: "clerk getApiKeys", name: "wrong_secret_key", status: http.StatusUnauthorized,
		config: []func(*client.Config){func(c *client.Config) { c.ClerkSecretKey = "sk_test_NotTheInstanceKey000000000000000000" }},
		run: func(h *harness) {
			_, err := h.client.ListAPIKeys(h.ctx, client.ListAPIKeysRequest{Subject: h.fx.ClerkUserID})
			h.wantErr(err, http.StatusUnauthorized, "clerk_key_invalid")
		}},

	{op: "clerk getApiKey", name: "revoked_key_still_readable", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{})
		_, err := h.client.RevokeAPIKey(h.ctx, k.ID, ptr("conformance"))
		h.must(err)
		got, err := h.client.GetAPIKey(h.ctx, k.ID)
		h.must(err)
		if !got.Revoked || got.Subject != h.fx.ClerkUserID {
			h.t.Errorf("read key: %+v", got)
		}
	}},
	{op: "clerk getApiKey", name: "unknown_key", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetAPIKey(h.ctx, unknownAPIKeyID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk updateApiKey", name: "renewal_and_fields_in_place", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{Description: ptr("before"), SecondsUntilExpiration: ptr[int64](60)})
		got, err := h.client.UpdateAPIKey(h.ctx, k.ID, client.UpdateAPIKeyRequest{
			Scopes: []string{"read"}, Claims: json.RawMessage(`{"k":"v"}`), SecondsUntilExpiration: ptr[int64](3600),
		})
		h.must(err)
		if got.ID != k.ID || got.ExpiresAt() == nil || !got.ExpiresAt().After(*k.ExpiresAt()) || *got.Description != "before" {
			h.t.Errorf("updated key: %+v", got)
		}
		got, err = h.client.UpdateAPIKey(h.ctx, k.ID, client.UpdateAPIKeyRequest{ClearDescription: true, Claims: json.RawMessage("null")})
		h.must(err)
		if got.Description != nil || got.Claims != nil {
			h.t.Errorf("cleared key: %+v", got)
		}
	}},
	{op: "clerk updateApiKey", name: "unknown_key", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.UpdateAPIKey(h.ctx, unknownAPIKeyID, client.UpdateAPIKeyRequest{Scopes: []string{}})
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk deleteApiKey", name: "then_get_is_not_found", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{})
		h.must(h.client.DeleteAPIKey(h.ctx, k.ID))
		_, err := h.client.GetAPIKey(h.ctx, k.ID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk getApiKeySecret", name: "the_secret_issued", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkOrganizationID, client.CreateAPIKeyRequest{})
		secret, err := h.client.GetAPIKeySecret(h.ctx, k.ID)
		h.must(err)
		if secret != k.Secret {
			h.t.Error("the secret read again is not the one issued")
		}
	}},
	{op: "clerk getApiKeySecret", name: "unknown_key", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetAPIKeySecret(h.ctx, unknownAPIKeyID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk revokeApiKey", name: "with_reason_twice", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkMachineID, client.CreateAPIKeyRequest{})
		_, err := h.client.RevokeAPIKey(h.ctx, k.ID, ptr("leaked"))
		h.must(err)
		got, err := h.client.RevokeAPIKey(h.ctx, k.ID, ptr("again"))
		h.must(err)
		if !got.Revoked || got.RevocationReason == nil || *got.RevocationReason != "leaked" {
			h.t.Errorf("revoked key: %+v", got)
		}
	}},
	{op: "clerk revokeApiKey", name: "unknown_key", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.RevokeAPIKey(h.ctx, unknownAPIKeyID, nil)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk verifyApiKey", name: "live_key_sets_last_used", status: http.StatusOK, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{Claims: json.RawMessage(`{"k":"v"}`)})
		got, err := h.client.VerifyAPIKey(h.ctx, k.Secret)
		h.must(err)
		if got.ID != k.ID || got.LastUsed() == nil {
			h.t.Errorf("verified key: %+v", got)
		}
	}},
	{op: "clerk verifyApiKey", name: "revoked_key", status: http.StatusNotFound, run: func(h *harness) {
		k := h.newAPIKey(h.fx.ClerkUserID, client.CreateAPIKeyRequest{})
		_, err := h.client.RevokeAPIKey(h.ctx, k.ID, nil)
		h.must(err)
		_, err = h.client.VerifyAPIKey(h.ctx, k.Secret)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
}
