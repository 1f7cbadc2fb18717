package conformance

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/apikey"
	"github.com/clerk/clerk-sdk-go/v2/jwks"
	"github.com/clerk/clerk-sdk-go/v2/m2m_token"
	"github.com/clerk/clerk-sdk-go/v2/machine"
	"github.com/clerk/clerk-sdk-go/v2/machinescope"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/user"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Clerk's official Go client (github.com/clerk/clerk-sdk-go/v2, a test-only
// dependency) calls every Clerk route the provider uses, and the user and
// organization directory, through the subtest's validator: each answer is
// checked against Clerk's description, decoded by the client into its own
// types, and the case checks what the decoded value means. Where the
// client and the description disagree, the client wins (it is what runs
// in production), and the allow-list below says where.

func init() {
	cases = append(cases, officialClerkCases...)
	knownDeviations = append(knownDeviations, []struct {
		deviation
		why string
	}{
		// clerk-sdk-go's user.List passes its whole ListParams to
		// user.Count, so GET /users/count carries the page's limit and
		// offset (and order_by when set), which the description does not
		// declare there. The emulator ignores them.
		{deviation{"clerk GetUsersCount", phaseRequest, 0, "query limit"},
			"clerk-sdk-go v2.7.0 user.List sends the listing's limit to GET /users/count"},
		{deviation{"clerk GetUsersCount", phaseRequest, 0, "query offset"},
			"clerk-sdk-go v2.7.0 user.List sends the listing's offset to GET /users/count"},
		{deviation{"clerk GetUsersCount", phaseRequest, 0, "query order_by"},
			"clerk-sdk-go v2.7.0 user.List sends the listing's order_by to GET /users/count"},
		// clerk-sdk-go sends a JSON body on every request but a GET: a
		// DELETE without parameters carries "null", where the description
		// has no request body.
		{deviation{"clerk DeleteMachine", phaseRequest, 0, "body"},
			"clerk-sdk-go v2.7.0 sends the body null with DELETE /machines/{machine_id}"},
		{deviation{"clerk DeleteMachineScope", phaseRequest, 0, "body"},
			"clerk-sdk-go v2.7.0 sends the body null with DELETE /machines/{machine_id}/scopes/{other_machine_id}"},
		{deviation{"clerk deleteApiKey", phaseRequest, 0, "body"},
			"clerk-sdk-go v2.7.0 sends the body null with DELETE /api_keys/{apiKeyID}"},
	}...)
}

// clerkConfig configures an official client for this subtest: the
// emulator's Clerk URL (the Go client keeps /v1 in its base URL), key as
// the bearer, and the validating transport.
func (h *harness) clerkConfig(key string) *clerk.ClientConfig {
	return h.clerkConfigAt(h.env.info.ClerkAPIURL, key)
}

func (h *harness) clerkConfigAt(base, key string) *clerk.ClientConfig {
	return &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{
		HTTPClient: h.raw,
		URL:        clerk.String(base),
		Key:        clerk.String(key),
	}}
}

// sk is the instance secret key's configuration, for the instance-only
// routes.
func (h *harness) sk() *clerk.ClientConfig { return h.clerkConfig(h.env.info.ClerkSecretKey) }

// clerkErr checks that the official client returned the API error status
// and code, decoded into its own error type.
func (h *harness) clerkErr(err error, status int, code string) {
	h.t.Helper()
	var apiErr *clerk.APIErrorResponse
	switch {
	case err == nil:
		h.t.Fatalf("want a %d %s error, got success", status, code)
	case !errors.As(err, &apiErr):
		h.t.Fatalf("want the client's APIErrorResponse %d %s, got %T %v", status, code, err, err)
	case apiErr.HTTPStatusCode != status || len(apiErr.Errors) == 0 || apiErr.Errors[0].Code != code:
		h.t.Fatalf("want %d %s, got %v", status, code, apiErr)
	case apiErr.TraceID == "":
		h.t.Errorf("the error carries no clerk_trace_id: %v", apiErr)
	}
}

// sdkMachine creates a machine of the subtest's own through the official
// client.
func (h *harness) sdkMachine(scoped ...string) *clerk.MachineWithScopedMachinesAndSecretKey {
	h.t.Helper()
	m, err := machine.NewClient(h.sk()).Create(h.ctx, &machine.CreateParams{Name: "official-" + h.env.unique(), ScopedMachines: scoped})
	h.must(err)
	return m
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

const fixtureUserEmail = "user@fixture.example.test"

var officialClerkCases = []opCase{
	// Machines, their scopes and secret keys.
	{op: "clerk CreateMachine", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		m, err := machine.NewClient(h.sk()).Create(h.ctx, &machine.CreateParams{
			Name: "official-" + h.env.unique(), ScopedMachines: []string{h.fx.ClerkScopedMachineID}, DefaultTokenTTL: clerk.Int64(900),
		})
		h.must(err)
		if m.Object != "machine" || !strings.HasPrefix(m.ID, "mch_") || !strings.HasPrefix(m.SecretKey, "ak_") || m.DefaultTokenTTL != 900 ||
			len(m.ScopedMachines) != 1 || m.ScopedMachines[0].ID != h.fx.ClerkScopedMachineID || m.InstanceID == "" {
			h.t.Errorf("created machine: %+v", m)
		}
	}},
	{op: "clerk ListMachines", name: "official_go_client_query_and_page", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		list, err := machine.NewClient(h.sk()).List(h.ctx, &machine.ListParams{Query: clerk.String(m.Name), ListParams: clerk.ListParams{Limit: clerk.Int64(5)}})
		h.must(err)
		if list.TotalCount != 1 || len(list.Machines) != 1 || list.Machines[0].ID != m.ID || list.Machines[0].ScopedMachines == nil {
			h.t.Errorf("machines named %s: %+v", m.Name, list)
		}
	}},
	{op: "clerk GetMachine", name: "official_go_client_fixture", status: http.StatusOK, run: func(h *harness) {
		m, err := machine.NewClient(h.sk()).Get(h.ctx, h.fx.ClerkMachineID)
		h.must(err)
		if m.ID != h.fx.ClerkMachineID || len(m.ScopedMachines) != 1 || m.ScopedMachines[0].ID != h.fx.ClerkScopedMachineID {
			h.t.Errorf("fixture machine: %+v", m)
		}
	}},
	{op: "clerk GetMachine", name: "official_go_client_unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := machine.NewClient(h.sk()).Get(h.ctx, unknownMachineID)
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk UpdateMachine", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		got, err := machine.NewClient(h.sk()).Update(h.ctx, m.ID, &machine.UpdateParams{Name: clerk.String(m.Name + "-renamed"), DefaultTokenTTL: clerk.Int64(60)})
		h.must(err)
		if got.ID != m.ID || got.Name != m.Name+"-renamed" || got.DefaultTokenTTL != 60 {
			h.t.Errorf("updated machine: %+v", got)
		}
	}},
	{op: "clerk DeleteMachine", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		c := machine.NewClient(h.sk())
		gone, err := c.Delete(h.ctx, m.ID)
		h.must(err)
		if !gone.Deleted || gone.ID != m.ID || gone.Object != "machine" {
			h.t.Errorf("deleted: %+v", gone)
		}
		_, err = c.Get(h.ctx, m.ID)
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk GetMachineSecretKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		key, err := machine.NewClient(h.sk()).GetSecretKey(h.ctx, m.ID)
		h.must(err)
		if key.Object != "machine_secret_key" || key.Secret != m.SecretKey {
			h.t.Errorf("secret key %+v, created with %s", key, m.SecretKey)
		}
	}},
	{op: "clerk RotateMachineSecretKey", name: "official_go_client_old_key_in_overlap", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		rotated, err := machine.NewClient(h.sk()).RotateSecretKey(h.ctx, m.ID, &machine.RotateSecretKeyParams{PreviousTokenTTL: 600})
		h.must(err)
		if !strings.HasPrefix(rotated.Secret, "ak_") || rotated.Secret == m.SecretKey {
			h.t.Fatalf("rotated key: %+v", rotated)
		}
		for _, key := range []string{m.SecretKey, rotated.Secret} {
			tok, err := m2m_token.NewClient(h.clerkConfig(key)).Create(h.ctx, &m2m_token.CreateParams{})
			h.must(err)
			if tok.Subject != m.ID {
				h.t.Errorf("a token minted with %s… is for %s", key[:8], tok.Subject)
			}
		}
	}},
	{op: "clerk CreateMachineScope", name: "official_go_client_then_tokens_carry_it", status: http.StatusOK, run: func(h *harness) {
		from, to := h.sdkMachine(), h.sdkMachine()
		scope, err := machinescope.NewClient(h.sk()).CreateScope(h.ctx, from.ID, &machinescope.CreateScopeParams{ToMachineID: to.ID})
		h.must(err)
		if scope.Object != "machine_scope" || scope.FromMachineID != from.ID || scope.ToMachineID != to.ID || scope.CreatedAt == 0 {
			h.t.Errorf("scope: %+v", scope)
		}
		tok, err := m2m_token.NewClient(h.clerkConfig(from.SecretKey)).Create(h.ctx, &m2m_token.CreateParams{})
		h.must(err)
		if !slices.Contains(tok.Scopes, to.ID) {
			h.t.Errorf("a token minted after the scope has scopes %v", tok.Scopes)
		}
	}},
	{op: "clerk DeleteMachineScope", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		to := h.sdkMachine()
		from := h.sdkMachine(to.ID)
		gone, err := machinescope.NewClient(h.sk()).DeleteScope(h.ctx, from.ID, to.ID)
		h.must(err)
		if !gone.Deleted || gone.FromMachineID != from.ID || gone.ToMachineID != to.ID {
			h.t.Errorf("deleted scope: %+v", gone)
		}
	}},

	// M2M tokens: minted with the machine's key, listed, revoked and
	// verified with the instance's.
	{op: "clerk createM2MToken", name: "official_go_client", status: http.StatusCreated, run: func(h *harness) {
		claims := json.RawMessage(`{"team":"payments"}`)
		tok, err := m2m_token.NewClient(h.clerkConfig(h.fx.ClerkMachineSecretKey)).Create(h.ctx, &m2m_token.CreateParams{
			SecondsUntilExpiration: clerk.Int64(600), Claims: &claims,
		})
		h.must(err)
		if tok.Object != "machine_to_machine_token" || !strings.HasPrefix(tok.Token, "mt_") || tok.Subject != h.fx.ClerkMachineID ||
			!slices.Contains(tok.Scopes, h.fx.ClerkScopedMachineID) || tok.Expiration == nil || *tok.Expiration-tok.CreatedAt != 600_000 ||
			!strings.Contains(string(tok.Claims), `"payments"`) {
			h.t.Errorf("created token: %+v", tok)
		}
	}},
	{op: "clerk getM2MTokens", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		m := h.sdkMachine()
		mint := m2m_token.NewClient(h.clerkConfig(m.SecretKey))
		var made []string
		for range 3 {
			tok, err := mint.Create(h.ctx, &m2m_token.CreateParams{})
			h.must(err)
			made = append(made, tok.ID)
		}
		list, err := m2m_token.NewClient(h.sk()).List(h.ctx, &m2m_token.ListParams{Subject: clerk.String(m.ID), ListParams: clerk.ListParams{Limit: clerk.Int64(2)}})
		h.must(err)
		got := ids(list.M2MTokens, func(t *clerk.M2MToken) string { return t.ID })
		if list.TotalCount != 3 || !slices.Equal(got, []string{made[2], made[1]}) {
			h.t.Errorf("first page of two, newest first: %v of %d, made %v", got, list.TotalCount, made)
		}
	}},
	{op: "clerk revokeM2MToken", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		tok, err := m2m_token.NewClient(h.clerkConfig(h.fx.ClerkMachineSecretKey)).Create(h.ctx, &m2m_token.CreateParams{})
		h.must(err)
		got, err := m2m_token.NewClient(h.sk()).Revoke(h.ctx, tok.ID, &m2m_token.RevokeParams{RevocationReason: clerk.String("official")})
		h.must(err)
		if !got.Revoked || got.RevocationReason == nil || *got.RevocationReason != "official" || got.ID != tok.ID {
			h.t.Errorf("revoked: %+v", got)
		}
	}},
	{op: "clerk verifyM2MToken", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		tok, err := m2m_token.NewClient(h.clerkConfig(h.fx.ClerkMachineSecretKey)).Create(h.ctx, &m2m_token.CreateParams{})
		h.must(err)
		got, err := m2m_token.NewClient(h.sk()).Verify(h.ctx, &m2m_token.VerifyParams{Token: tok.Token})
		h.must(err)
		if got.ID != tok.ID || got.Revoked || got.Expired || got.Subject != h.fx.ClerkMachineID {
			h.t.Errorf("verified: %+v", got)
		}
	}},
	{op: "clerk verifyM2MToken", name: "official_go_client_revoked", status: http.StatusNotFound, run: func(h *harness) {
		tok, err := m2m_token.NewClient(h.clerkConfig(h.fx.ClerkMachineSecretKey)).Create(h.ctx, &m2m_token.CreateParams{})
		h.must(err)
		c := m2m_token.NewClient(h.sk())
		_, err = c.Revoke(h.ctx, tok.ID, &m2m_token.RevokeParams{})
		h.must(err)
		_, err = c.Verify(h.ctx, &m2m_token.VerifyParams{Token: tok.Token})
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk GetJWKS", name: "official_go_client_key_verifies_a_jwt", status: http.StatusOK, run: func(h *harness) {
		set, err := jwks.NewClient(h.sk()).Get(h.ctx, &jwks.GetParams{})
		h.must(err)
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{TokenFormat: "jwt"})
		h.must(err)
		h.verifyWithClerkKey(set, tok.Token)
	}},

	// API keys.
	{op: "clerk createApiKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k, err := apikey.NewClient(h.sk()).Create(h.ctx, &apikey.CreateParams{
			Name: clerk.String("official-" + h.env.unique()), Subject: clerk.String(h.fx.ClerkUserID), Scopes: []string{"read"},
			Description: clerk.String("made by the official client"), Claims: json.RawMessage(`{"team":"payments"}`), SecondsUntilExpiration: clerk.Int64(600),
		})
		h.must(err)
		if k.Object != "api_key" || !strings.HasPrefix(k.Secret, "ak_") || k.Subject != h.fx.ClerkUserID || k.Type != "api_key" ||
			!slices.Equal(k.Scopes, []string{"read"}) || k.Expiration == nil || k.Revoked {
			h.t.Errorf("created key: %+v", k)
		}
	}},
	{op: "clerk getApiKeys", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		org := h.env.srv.CreateClerkOrganization()
		c := apikey.NewClient(h.sk())
		var made []string
		for range 2 {
			k, err := c.Create(h.ctx, &apikey.CreateParams{Name: clerk.String("official-" + h.env.unique()), Subject: clerk.String(org)})
			h.must(err)
			made = append(made, k.ID)
		}
		list, err := c.List(h.ctx, &apikey.ListParams{Subject: clerk.String(org), IncludeInvalid: clerk.String("true")})
		h.must(err)
		if got := ids(list.APIKeys, func(k *clerk.APIKey) string { return k.ID }); list.TotalCount != 2 || !slices.Equal(got, []string{made[1], made[0]}) {
			h.t.Errorf("keys of %s: %v of %d", org, got, list.TotalCount)
		}
	}},
	{op: "clerk getApiKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		got, err := apikey.NewClient(h.sk()).Get(h.ctx, k.ID)
		h.must(err)
		if got.ID != k.ID || got.Name != k.Name || got.Subject != k.Subject {
			h.t.Errorf("read %+v, created %+v", got, k.APIKey)
		}
	}},
	{op: "clerk updateApiKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		got, err := apikey.NewClient(h.sk()).Update(h.ctx, k.ID, &apikey.UpdateParams{Scopes: []string{"read", "write"}, Description: clerk.String("updated")})
		h.must(err)
		if got.ID != k.ID || !slices.Equal(got.Scopes, []string{"read", "write"}) || got.Description == nil || *got.Description != "updated" {
			h.t.Errorf("updated: %+v", got)
		}
	}},
	{op: "clerk revokeApiKey", name: "official_go_client_then_verify_refuses", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		c := apikey.NewClient(h.sk())
		got, err := c.Revoke(h.ctx, k.ID, &apikey.RevokeParams{RevocationReason: clerk.String("official")})
		h.must(err)
		if !got.Revoked || got.RevocationReason == nil || *got.RevocationReason != "official" {
			h.t.Errorf("revoked: %+v", got)
		}
		_, err = c.Verify(h.ctx, &apikey.VerifyParams{Secret: k.Secret})
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk verifyApiKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		got, err := apikey.NewClient(h.sk()).Verify(h.ctx, &apikey.VerifyParams{Secret: k.Secret})
		h.must(err)
		if got.ID != k.ID || got.Subject != h.fx.ClerkUserID || got.Revoked || got.Expired {
			h.t.Errorf("verified: %+v", got)
		}
	}},
	{op: "clerk getApiKeySecret", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		got, err := apikey.NewClient(h.sk()).GetSecret(h.ctx, k.ID)
		h.must(err)
		if got.Secret != k.Secret {
			h.t.Errorf("secret read back %q, issued %q", got.Secret, k.Secret)
		}
	}},
	{op: "clerk deleteApiKey", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		k := h.sdkAPIKey()
		c := apikey.NewClient(h.sk())
		gone, err := c.Delete(h.ctx, k.ID)
		h.must(err)
		if !gone.Deleted || gone.ID != k.ID {
			h.t.Errorf("deleted: %+v", gone)
		}
		_, err = c.Get(h.ctx, k.ID)
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},

	// The directory: users and organizations, the subjects of API keys.
	{op: "clerk GetUserList", name: "official_go_client_fixture_by_email", status: http.StatusOK, run: func(h *harness) {
		list, err := user.NewClient(h.sk()).List(h.ctx, &user.ListParams{EmailAddresses: []string{fixtureUserEmail}})
		h.must(err)
		if list.TotalCount != 1 || len(list.Users) != 1 || list.Users[0].ID != h.fx.ClerkUserID {
			h.t.Errorf("users with the fixture's email: %+v", list)
		}
		if !h.v.saw("clerk GetUsersCount", http.StatusOK) {
			h.t.Error("user.List did not count beside the listing")
		}
	}},
	{op: "clerk GetUserList", name: "official_go_client_page_and_count", status: http.StatusOK, run: func(h *harness) {
		tag := "page" + h.env.unique()
		var made []string
		for i := range 3 {
			id, err := h.env.srv.AddClerkUser(emulatorUser(tag, i))
			h.must(err)
			made = append(made, id)
		}
		list, err := user.NewClient(h.sk()).List(h.ctx, &user.ListParams{
			Query: clerk.String(tag), OrderBy: clerk.String("+created_at"), ListParams: clerk.ListParams{Limit: clerk.Int64(2), Offset: clerk.Int64(1)},
		})
		h.must(err)
		if got := ids(list.Users, func(u *clerk.User) string { return u.ID }); list.TotalCount != 3 || !slices.Equal(got, made[1:]) {
			h.t.Errorf("second page of users tagged %s, oldest first: %v of %d, made %v", tag, got, list.TotalCount, made)
		}
	}},
	{op: "clerk GetUserList", name: "official_go_client_at_the_js_path", status: http.StatusOK, run: func(h *harness) {
		list, err := user.NewClient(h.clerkConfigAt(h.env.info.URL+"/clerk", h.env.info.ClerkSecretKey)).List(h.ctx, &user.ListParams{UserIDs: []string{h.fx.ClerkUserID}})
		h.must(err)
		if list.TotalCount != 1 || len(list.Users) != 1 || list.Users[0].ID != h.fx.ClerkUserID {
			h.t.Errorf("users by id at /clerk/users: %+v", list)
		}
	}},
	{op: "clerk GetUsersCount", name: "official_go_client_organization_members", status: http.StatusOK, run: func(h *harness) {
		count, err := user.NewClient(h.sk()).Count(h.ctx, &user.ListParams{OrganizationIDs: []string{h.fx.ClerkOrganizationID}})
		h.must(err)
		if count.Object != "total_count" || count.TotalCount != 1 {
			h.t.Errorf("members of the fixture organization: %+v", count)
		}
	}},
	{op: "clerk GetUser", name: "official_go_client_fixture", status: http.StatusOK, run: func(h *harness) {
		u, err := user.NewClient(h.sk()).Get(h.ctx, h.fx.ClerkUserID)
		h.must(err)
		if u.Object != "user" || u.ID != h.fx.ClerkUserID || len(u.EmailAddresses) != 1 || u.EmailAddresses[0].EmailAddress != fixtureUserEmail ||
			u.PrimaryEmailAddressID == nil || *u.PrimaryEmailAddressID != u.EmailAddresses[0].ID ||
			u.EmailAddresses[0].Verification == nil || u.EmailAddresses[0].Verification.Status != "verified" ||
			u.FirstName == nil || *u.FirstName != "Fixture" {
			h.t.Errorf("fixture user: %+v", u)
		}
	}},
	{op: "clerk GetUser", name: "official_go_client_unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := user.NewClient(h.sk()).Get(h.ctx, unknownUserID)
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk CreateUser", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		email := "created-" + h.env.unique() + "@official.example.test"
		meta := json.RawMessage(`{"team":"payments"}`)
		u, err := user.NewClient(h.sk()).Create(h.ctx, &user.CreateParams{
			EmailAddresses: &[]string{email}, FirstName: clerk.String("Created"), LastName: clerk.String("Official"),
			ExternalID: clerk.String("ext-" + h.env.unique()), PublicMetadata: &meta, SkipPasswordRequirement: clerk.Bool(true),
		})
		h.must(err)
		if !strings.HasPrefix(u.ID, "user_") || len(u.EmailAddresses) != 1 || u.EmailAddresses[0].EmailAddress != email ||
			u.LastName == nil || *u.LastName != "Official" || u.ExternalID == nil || !strings.Contains(string(u.PublicMetadata), "payments") {
			h.t.Errorf("created user: %+v", u)
		}
		// The new user can own an API key.
		_, err = apikey.NewClient(h.sk()).Create(h.ctx, &apikey.CreateParams{Name: clerk.String("for the new user"), Subject: clerk.String(u.ID)})
		h.must(err)
	}},
	{op: "clerk CreateUser", name: "official_go_client_email_taken", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		_, err := user.NewClient(h.sk()).Create(h.ctx, &user.CreateParams{EmailAddresses: &[]string{fixtureUserEmail}})
		h.clerkErr(err, http.StatusUnprocessableEntity, "form_identifier_exists")
	}},
	{op: "clerk ListOrganizations", name: "official_go_client_with_members_count", status: http.StatusOK, run: func(h *harness) {
		list, err := organization.NewClient(h.sk()).List(h.ctx, &organization.ListParams{
			Query: clerk.String("fixture-org"), IncludeMembersCount: clerk.Bool(true), ListParams: clerk.ListParams{Limit: clerk.Int64(10)},
		})
		h.must(err)
		if list.TotalCount != 1 || len(list.Organizations) != 1 || list.Organizations[0].ID != h.fx.ClerkOrganizationID ||
			list.Organizations[0].MembersCount == nil || *list.Organizations[0].MembersCount != 1 {
			h.t.Errorf("organizations matching fixture-org: %+v", list)
		}
	}},
	{op: "clerk ListOrganizations", name: "official_go_client_by_member", status: http.StatusOK, run: func(h *harness) {
		list, err := organization.NewClient(h.sk()).List(h.ctx, &organization.ListParams{UserIDs: []string{h.fx.ClerkUserID}})
		h.must(err)
		if got := ids(list.Organizations, func(o *clerk.Organization) string { return o.ID }); !slices.Contains(got, h.fx.ClerkOrganizationID) {
			h.t.Errorf("the fixture user's organizations: %v", got)
		}
	}},
	{op: "clerk GetOrganization", name: "official_go_client_by_slug", status: http.StatusOK, run: func(h *harness) {
		o, err := organization.NewClient(h.sk()).Get(h.ctx, "fixture-org")
		h.must(err)
		if o.Object != "organization" || o.ID != h.fx.ClerkOrganizationID || o.Slug != "fixture-org" || o.CreatedBy != h.fx.ClerkUserID {
			h.t.Errorf("fixture organization: %+v", o)
		}
	}},
	{op: "clerk GetOrganization", name: "official_go_client_unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := organization.NewClient(h.sk()).Get(h.ctx, "org_000000000000000000000000000")
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk CreateOrganization", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		slug := "official-" + h.env.unique()
		o, err := organization.NewClient(h.sk()).Create(h.ctx, &organization.CreateParams{
			Name: clerk.String("Official " + slug), Slug: clerk.String(slug), CreatedBy: clerk.String(h.fx.ClerkUserID), MaxAllowedMemberships: clerk.Int64(3),
		})
		h.must(err)
		if !strings.HasPrefix(o.ID, "org_") || o.Slug != slug || o.CreatedBy != h.fx.ClerkUserID || o.MaxAllowedMemberships != 3 {
			h.t.Errorf("created organization: %+v", o)
		}
		count, err := user.NewClient(h.sk()).Count(h.ctx, &user.ListParams{OrganizationIDs: []string{o.ID}})
		h.must(err)
		if count.TotalCount != 1 {
			h.t.Errorf("the creator is not the new organization's member: %d members", count.TotalCount)
		}
	}},
}

func (h *harness) sdkAPIKey() *clerk.APIKeyWithSecret {
	h.t.Helper()
	k, err := apikey.NewClient(h.sk()).Create(h.ctx, &apikey.CreateParams{Name: clerk.String("official-" + h.env.unique()), Subject: clerk.String(h.fx.ClerkUserID)})
	h.must(err)
	return k
}

// verifyWithClerkKey checks a JWT's RS256 signature with the key the
// official client decoded from the key set: the key set means what the
// client expects only if it verifies what the instance signs.
func (h *harness) verifyWithClerkKey(set *clerk.JSONWebKeySet, token string) {
	h.t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		h.t.Fatalf("not a JWT: %q", token)
	}
	var head struct{ Kid, Alg string }
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	h.must(err)
	h.must(json.Unmarshal(raw, &head))
	i := slices.IndexFunc(set.Keys, func(k *clerk.JSONWebKey) bool { return k.KeyID == head.Kid })
	if i < 0 {
		h.t.Fatalf("no key %q in %+v", head.Kid, set.Keys)
	}
	key, ok := set.Keys[i].Key.(*rsa.PublicKey)
	if !ok || set.Keys[i].Algorithm != "RS256" || head.Alg != "RS256" {
		h.t.Fatalf("key %+v (%T) for a %s token", set.Keys[i], set.Keys[i].Key, head.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	h.must(err)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		h.t.Errorf("the key the official client decoded does not verify the instance's token: %v", err)
	}
}

// emulatorUser is the i-th user tagged tag: its first name is the tag, so
// query=tag finds exactly these.
func emulatorUser(tag string, i int) emulator.ClerkUser {
	return emulator.ClerkUser{FirstName: tag, EmailAddresses: []string{fmt.Sprintf("%s-%d@official.example.test", tag, i)}}
}
