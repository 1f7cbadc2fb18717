package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The live-capable tests' side of acctest.Target: the provider
// configuration for it and the checks every type's tests share, all
// through the services' public APIs, so the same test runs against an
// emulator without control routes (make testacc) and against real Clerk
// and Stytch accounts (make testacc-live).

// target is a test's acctest.Target with the provider tests' helpers.
type target struct {
	*acctest.Target
	t *testing.T
}

// newTarget runs t in parallel and gives it its target (see acctest.New):
// its tests run with resource.Test, since t is parallel already, and make
// their target in the parallel phase, where live requests overlap.
func newTarget(t *testing.T) *target {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	t.Parallel()
	return &target{Target: acctest.New(t), t: t}
}

// newSerialTarget is newTarget for a test that cannot run in parallel,
// one that sets environment variables.
func newSerialTarget(t *testing.T) *target {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	return &target{Target: acctest.New(t), t: t}
}

// providerConfig is a provider block for the target with every
// credential set, the test's own machine key among them.
func (tg *target) providerConfig() string {
	e := tg.Env
	return providerHCL(e.ClerkAPIURL, e.ClerkSecretKey, tg.Fixture.ClerkMachineSecretKey, e.StytchBaseURL, e.StytchProjectID, e.StytchSecret)
}

// providerConfigWithout is providerConfig less the named attributes.
func (tg *target) providerConfigWithout(attrs ...string) string {
	return editProviderConfig(tg.providerConfig(), func(attr string) (string, bool) { return "", !slices.Contains(attrs, attr) })
}

// providerConfigWith is providerConfig with one attribute set to value.
func (tg *target) providerConfigWith(attr, value string) string {
	return editProviderConfig(tg.providerConfig(), func(a string) (string, bool) {
		if a == attr {
			return fmt.Sprintf("%s = %q", attr, value), true
		}
		return "", true
	})
}

// token is what Clerk lists of token id, looked for among the tokens of
// machine, or when machine is "" of every machine made for the test.
func (tg *target) token(machine, id string) (*client.M2MToken, error) {
	machines := []string{machine}
	if machine == "" {
		machines = tg.Machines()
	}
	for _, m := range machines {
		if tok, ok := tg.M2MToken(tg.t, m, id); ok {
			return tok, nil
		}
	}
	return nil, fmt.Errorf("no machine of %v lists token %s", machines, id)
}

// expectToken checks what Clerk lists of a token of the test's machine:
// live, or revoked with exactly reason.
func (tg *target) expectToken(id *string, revokedWith *string) resource.TestCheckFunc {
	return tg.expectTokenOf("", id, revokedWith)
}

// expectTokenOf is expectToken for a token of machine.
func (tg *target) expectTokenOf(machine string, id *string, revokedWith *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tok, err := tg.token(machine, *id)
		switch {
		case err != nil:
			return err
		case revokedWith == nil && tok.Revoked:
			return fmt.Errorf("token %s is revoked, want live", *id)
		case revokedWith == nil && tok.Expired:
			return fmt.Errorf("token %s has expired, want live", *id)
		case revokedWith == nil:
			return nil
		case !tok.Revoked:
			return fmt.Errorf("token %s is live, want revoked with %q", *id, *revokedWith)
		case tok.RevocationReason == nil || *tok.RevocationReason != *revokedWith:
			return fmt.Errorf("token %s revoked with %v, want %q", *id, deref(tok.RevocationReason), *revokedWith)
		}
		return nil
	}
}

// checkRevokedWithReason is a CheckDestroy: every opaque token that was in
// state is revoked with exactly reason.
func (tg *target) checkRevokedWithReason(reason string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_m2m_token" || rs.Primary.Attributes["token_format"] == tokenFormatJWT {
				continue
			}
			n++
			id, machine := rs.Primary.ID, rs.Primary.Attributes["subject"]
			_, exists, err := tg.machine(machine)
			if err != nil {
				return err
			}
			if !exists {
				// Destroy deleted the machine too, and its listing with
				// it: the token must at least no longer verify.
				if err := tg.expectNotValid(rs.Primary.Attributes["token"]); err != nil {
					return fmt.Errorf("token %s of deleted machine %s: %w", id, machine, err)
				}
				continue
			}
			if err := tg.expectTokenOf(machine, &id, &reason)(s); err != nil {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("no opaque token in state to check")
		}
		return nil
	}
}

// expectNotValid fails unless Clerk's verification refuses token, or calls
// it revoked or expired.
func (tg *target) expectNotValid(token string) error {
	tok, err := tg.Client.VerifyM2MToken(context.Background(), tg.Env.ClerkSecretKey, token)
	switch {
	case apiStatus(err) == http.StatusNotFound || apiStatus(err) == http.StatusBadRequest:
		return nil
	case err != nil:
		return err
	case tok.Revoked || tok.Expired:
		return nil
	}
	return fmt.Errorf("it still verifies")
}

// liveTokens are the ids of the live tokens of machine ("" for the test's
// own).
func (tg *target) liveTokens(machine string) []string {
	if machine == "" {
		machine = tg.Fixture.ClerkMachineID
	}
	var ids []string
	for _, tok := range tg.M2MTokens(tg.t, machine) {
		if !tok.Revoked && !tok.Expired {
			ids = append(ids, tok.ID)
		}
	}
	return ids
}

// issued counts the tokens the test's machine ever issued.
func (tg *target) issued() int { return len(tg.M2MTokens(tg.t, tg.Fixture.ClerkMachineID)) }

// expectIssued is a check that the test's machine issued exactly n tokens
// so far: an update that must not replace a token issues none.
func (tg *target) expectIssued(n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := tg.issued(); got != n {
			return fmt.Errorf("the machine issued %d tokens, want %d", got, n)
		}
		return nil
	}
}

// machine is what Clerk shows of machine id, and whether it exists.
func (tg *target) machine(id string) (*client.Machine, bool, error) {
	m, err := tg.Client.GetMachine(context.Background(), id)
	if client.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return m, true, nil
}

// scopedIDs are the ids of the machines m may call, sorted.
func scopedIDs(m *client.Machine) []string {
	var ids []string
	for _, s := range m.ScopedMachines {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return ids
}

// checkMachinesDeleted is a CheckDestroy: no machine that was in state
// exists any more.
func (tg *target) checkMachinesDeleted() resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_machine" {
				continue
			}
			n++
			m, ok, err := tg.machine(rs.Primary.ID)
			if err != nil {
				return err
			}
			if ok {
				return fmt.Errorf("machine %s (%s) still exists after destroy", m.ID, m.Name)
			}
		}
		if n == 0 {
			return fmt.Errorf("no machine in state to check")
		}
		return nil
	}
}

// apiKey is what Clerk shows of API key id.
func (tg *target) apiKey(id string) (*client.APIKey, error) {
	return tg.Client.GetAPIKey(context.Background(), id)
}

// expectAPIKey checks what Clerk shows of a key: live, or revoked with
// exactly reason.
func (tg *target) expectAPIKey(id *string, revokedWith *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		k, err := tg.apiKey(*id)
		switch {
		case err != nil:
			return fmt.Errorf("reading API key %s: %w", *id, err)
		case revokedWith == nil && k.Revoked:
			return fmt.Errorf("API key %s is revoked, want live", *id)
		case revokedWith == nil:
			return nil
		case !k.Revoked:
			return fmt.Errorf("API key %s is live, want revoked with %q", *id, *revokedWith)
		case k.RevocationReason == nil || *k.RevocationReason != *revokedWith:
			return fmt.Errorf("API key %s revoked with %v, want %q", *id, deref(k.RevocationReason), *revokedWith)
		}
		return nil
	}
}

// checkAPIKeysRevokedWith is a CheckDestroy: every API key that was in
// state is revoked with exactly reason, and still there: revoked, never
// deleted.
func (tg *target) checkAPIKeysRevokedWith(reason string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_api_key" {
				continue
			}
			n++
			id := rs.Primary.ID
			if err := tg.expectAPIKey(&id, &reason)(s); err != nil {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("no API key in state to check")
		}
		return nil
	}
}

// authorization reports the scopes the member granted the app, and
// whether the authorization is active: what the member's listing shows.
func (tg *target) authorization(organizationID, memberID, appID string) ([]string, bool, error) {
	apps, err := tg.Client.MemberConnectedApps(context.Background(), organizationID, memberID)
	if err != nil {
		return nil, false, err
	}
	for _, a := range apps.ConnectedApps {
		if a.ConnectedAppID == appID {
			scopes := strings.Fields(a.ScopesGranted)
			slices.Sort(scopes)
			return scopes, true, nil
		}
	}
	return nil, false, nil
}

// fixtureAuthorizationActive reports whether the fixture member has an
// active authorization of app ("" for the fixture app).
func (tg *target) fixtureAuthorizationActive(app string) (bool, error) {
	if app == "" {
		app = tg.Fixture.StytchConnectedAppID
	}
	_, active, err := tg.authorization(tg.Fixture.StytchOrganizationID, tg.Fixture.StytchMemberID, app)
	return active, err
}

// checkFixtureAuthorizationRevoked is a CheckDestroy: the fixture member
// no longer authorizes app ("" for the fixture app).
func (tg *target) checkFixtureAuthorizationRevoked(app *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		id := ""
		if app != nil {
			id = *app
		}
		active, err := tg.fixtureAuthorizationActive(id)
		if err != nil {
			return err
		}
		if active {
			return fmt.Errorf("the fixture member still authorizes %q after destroy", id)
		}
		return nil
	}
}

// introspect says whether token is active, asked as the fixture app.
func (tg *target) introspect(token string) (bool, error) {
	got, err := tg.Client.Introspect(context.Background(), client.IntrospectRequest{
		Token: token, ClientID: tg.Fixture.StytchConnectedAppID, ClientSecret: tg.Fixture.StytchConnectedAppClientSecret,
	})
	if err != nil {
		return false, fmt.Errorf("introspect: %w", err)
	}
	return got.Active, nil
}

// fixtureAuthorization is the fixture member authorizing the fixture app
// with every grantable scope, so all three tokens are issued.
func (tg *target) fixtureAuthorization() authorization {
	fx := tg.Fixture
	return authorization{
		name:           "test",
		organizationID: fx.StytchOrganizationID,
		memberID:       fx.StytchMemberID,
		connectedAppID: fx.StytchConnectedAppID,
		redirectURI:    fx.StytchRedirectURI,
		scopes:         []string{"openid", "offline_access", "read:reports"},
		clientSecret:   fx.StytchConnectedAppClientSecret,
	}
}

// authorizationConfig is the provider block and auths.
func (tg *target) authorizationConfig(auths ...authorization) string {
	cfg := tg.providerConfig()
	for _, a := range auths {
		cfg += a.hcl()
	}
	return cfg
}

// authorizeFixture has the fixture member authorize the fixture app with
// scopes outside Terraform, and revokes the authorization when the test
// ends, whatever became of it. Hold acctest.FixtureAuthorization first.
func (tg *target) authorizeFixture(scopes ...string) {
	t, fx := tg.t, tg.Fixture
	if _, err := tg.Client.Authorize(t.Context(), client.AuthorizeRequest{
		ConsentGranted: true, Scopes: scopes, ClientID: fx.StytchConnectedAppID, RedirectURI: fx.StytchRedirectURI,
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
	}); err != nil {
		t.Fatalf("authorizing outside Terraform: %v", err)
	}
	t.Cleanup(func() {
		if active, err := tg.fixtureAuthorizationActive(""); err == nil && active {
			_ = tg.Client.RevokeMemberConnectedApp(context.Background(), client.RevokeMemberConnectedAppRequest{
				OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: fx.StytchConnectedAppID,
			})
		}
	})
}

// expectListLength checks a list's length: exactly n against the test's
// own emulator, at least n against live services, which other tests and
// people use at the same time.
func (tg *target) expectListLength(addr string, n int) querycheck.QueryResultCheck {
	if tg.Live {
		return querycheck.ExpectLengthAtLeast(addr, n)
	}
	return querycheck.ExpectLength(addr, n)
}

// apiStatus is the status of the API error in err's chain, or 0.
func apiStatus(err error) int {
	var a *client.APIError
	if errors.As(err, &a) {
		return a.StatusCode
	}
	return 0
}

// apiKeysNamed are subject's keys named name, revoked ones included.
func (tg *target) apiKeysNamed(subject, name string) []client.APIKey {
	tg.t.Helper()
	var out []client.APIKey
	for offset := 0; ; {
		page, err := tg.Client.ListAPIKeys(context.Background(), client.ListAPIKeysRequest{Subject: subject, IncludeInvalid: true, Limit: 100, Offset: offset})
		if err != nil {
			tg.t.Fatalf("listing the API keys of %s: %v", subject, err)
		}
		for _, k := range page.Keys {
			if k.Name == name {
				out = append(out, k)
			}
		}
		offset += len(page.Keys)
		if len(page.Keys) == 0 || offset >= page.TotalCount {
			return out
		}
	}
}

// expectAPIKeysNamed fails unless subject has exactly n keys named name.
func (tg *target) expectAPIKeysNamed(subject, name string, n int) error {
	if got := len(tg.apiKeysNamed(subject, name)); got != n {
		return fmt.Errorf("%s has %d keys named %q, want %d", subject, got, name, n)
	}
	return nil
}

// makeAPIKey makes a key as a script with the instance key would.
func (tg *target) makeAPIKey(subject, name string) string {
	tg.t.Helper()
	k, err := tg.Client.CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{Name: name, Subject: subject})
	if err != nil {
		tg.t.Fatalf("making an API key outside Terraform: %v", err)
	}
	if subject != tg.Fixture.ClerkMachineID && subject != tg.Fixture.ClerkScopedMachineID {
		// The machines' keys go with them; others are revoked here.
		tg.t.Cleanup(func() {
			if got, err := tg.apiKey(k.ID); err == nil && !got.Revoked {
				reason := "tf-acc cleanup"
				_, _ = tg.Client.RevokeAPIKey(context.Background(), k.ID, &reason)
			}
		})
	}
	return k.ID
}

// revokeAPIKey revokes a key as someone in Clerk's dashboard would.
func (tg *target) revokeAPIKey(id, reason string) {
	tg.t.Helper()
	if _, err := tg.Client.RevokeAPIKey(context.Background(), id, &reason); err != nil {
		tg.t.Fatalf("revoking %s outside Terraform: %v", id, err)
	}
}

// emulatorSteps are steps only emulator mode runs, where they need
// what a live run cannot give them (why); live mode logs that it leaves
// them out.
func (tg *target) emulatorSteps(t *testing.T, why string, steps ...resource.TestStep) []resource.TestStep {
	if tg.Live {
		t.Logf("live mode leaves out %d steps: %s", len(steps), why)
		return nil
	}
	return steps
}

// m2mClientConfig is a machineauth_m2m_client "c" named for the test, with
// the scopes read:reports and write:reports, and more lines.
func (tg *target) m2mClientConfig(lines ...string) string {
	return fmt.Sprintf(`resource "machineauth_m2m_client" "c" {
  client_name = %q
  scopes      = ["read:reports", "write:reports"]
  `, tg.Name("billing")) + strings.Join(lines, "\n  ") + "\n}\n"
}

// thirdPartyApp is a confidential app named for the test, registered for
// appRedirect, with more lines.
func (tg *target) thirdPartyApp(lines ...string) string {
	return connectedApp(`  client_type   = "third_party"
  client_name   = "` + tg.Name("reports") + `"
  redirect_urls = [` + fmt.Sprintf("%q", appRedirect) + `]
  ` + strings.Join(lines, "\n  "))
}

// clientToken asks for a token as the M2M client: nil when Stytch gives one.
func (tg *target) clientToken(id, secret string) error {
	_, err := tg.Client.ClientCredentialsToken(tg.t.Context(), client.CredentialsRequest{ClientID: id, ClientSecret: secret})
	return err
}

// clientSecretsWork checks that each secret gets a token for *id, and each
// of refused gets invalid_client.
func (tg *target) clientSecretsWork(id *string, work, refused []*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, s := range work {
			if err := tg.clientToken(*id, *s); err != nil {
				return fmt.Errorf("secret %d should get a token: %w", i, err)
			}
		}
		for i, s := range refused {
			if err := tg.clientToken(*id, *s); client.ErrorCode(err) != "invalid_client" {
				return fmt.Errorf("secret %d should get invalid_client, got %v", i, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
			}
		}
		return nil
	}
}

// exchangeCode has the fixture member authorize app and trades the code
// with secret: nil when Stytch accepts the secret. The authorization is
// revoked when the test ends.
func (tg *target) exchangeCode(app, secret string) error {
	t, fx := tg.t, tg.Fixture
	auth, err := tg.Client.Authorize(t.Context(), client.AuthorizeRequest{
		ConsentGranted: true, Scopes: []string{"openid"}, ClientID: app, RedirectURI: appRedirect,
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
	})
	if err != nil {
		return fmt.Errorf("authorizing %s: %w", app, err)
	}
	t.Cleanup(func() {
		_ = tg.Client.RevokeMemberConnectedApp(context.Background(), client.RevokeMemberConnectedAppRequest{
			OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: app,
		})
	})
	_, err = tg.Client.ExchangeAuthorizationCode(t.Context(), client.TokenRequest{ClientID: app, ClientSecret: secret, Code: auth.AuthorizationCode, RedirectURI: appRedirect})
	return err
}

// appSecretsWork checks that each secret exchanges a code for app (*appID),
// and each of refused gets invalid_client.
func (tg *target) appSecretsWork(appID *string, work, refused []*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, s := range work {
			if err := tg.exchangeCode(*appID, *s); err != nil {
				return fmt.Errorf("secret %d should work: %w", i, err)
			}
		}
		for i, s := range refused {
			if err := tg.exchangeCode(*appID, *s); client.ErrorCode(err) != "invalid_client" {
				return fmt.Errorf("secret %d should get invalid_client, got %v", i, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
			}
		}
		return nil
	}
}

// checkAppsGone is a CheckDestroy: no connected app that was in state is
// left.
func (tg *target) checkAppsGone() resource.TestCheckFunc {
	return tg.checkGone("machineauth_connected_app", "client_id", func(id string) error {
		_, err := tg.Client.GetConnectedAppClient(context.Background(), id)
		return err
	})
}

// checkM2MClientsGone is a CheckDestroy: no M2M client that was in state is
// left.
func (tg *target) checkM2MClientsGone() resource.TestCheckFunc {
	return tg.checkGone("machineauth_m2m_client", "client_id", func(id string) error {
		_, err := tg.Client.GetM2MClient(context.Background(), id)
		return err
	})
}

// checkGone fails unless get answers 404 for every resource of typ in
// state, by its attribute attr.
func (tg *target) checkGone(typ, attr string, get func(id string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typ {
				continue
			}
			n++
			id := rs.Primary.Attributes[attr]
			switch err := get(id); {
			case err == nil:
				return fmt.Errorf("%s %s is still there after destroy", typ, id)
			case !client.IsNotFound(err):
				return fmt.Errorf("reading %s %s: %w", typ, id, err)
			}
		}
		if n == 0 {
			return fmt.Errorf("no %s in state to check", typ)
		}
		return nil
	}
}

// createM2MClient makes a client outside Terraform, named for the test,
// and deletes it when the test ends.
func (tg *target) createM2MClient(what string, scopes []string, metadata string) *client.M2MClientWithSecrets {
	t := tg.t
	req := client.CreateM2MClientRequest{ClientName: tg.Name(what), Scopes: scopes}
	if metadata != "" {
		req.TrustedMetadata = []byte(metadata)
	}
	c, err := tg.Client.CreateM2MClient(t.Context(), req)
	if err != nil {
		t.Fatalf("making an M2M client outside Terraform: %v", err)
	}
	t.Cleanup(func() {
		if err := tg.Client.DeleteM2MClient(context.Background(), c.ClientID); err != nil && !client.IsNotFound(err) {
			t.Errorf("deleting M2M client %s: %v", c.ClientID, err)
		}
	})
	return c
}

// createConnectedApp makes a connected app outside Terraform, named for
// the test, and deletes it when the test ends.
func (tg *target) createConnectedApp(clientType, what string, redirectURLs ...string) *client.ConnectedAppClientWithSecrets {
	t := tg.t
	app, err := tg.Client.CreateConnectedAppClient(t.Context(), client.CreateConnectedAppClientRequest{
		ClientType: clientType, ConnectedAppClientFields: client.ConnectedAppClientFields{ClientName: tg.Name(what), RedirectURLs: redirectURLs},
	})
	if err != nil {
		t.Fatalf("making a connected app outside Terraform: %v", err)
	}
	t.Cleanup(func() {
		if err := tg.Client.DeleteConnectedAppClient(context.Background(), app.ClientID); err != nil && !client.IsNotFound(err) {
			t.Errorf("deleting connected app %s: %v", app.ClientID, err)
		}
	})
	return app
}

// metadataOf decodes an M2M client's trusted metadata.
func metadataOf(c *client.M2MClient) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(c.TrustedMetadata, &m)
	return m
}

// countingConfig is providerConfig through a counting proxy: the counter
// sees every request the provider sends, as the emulator's counters would,
// at real services too.
func (tg *target) countingConfig() (string, *acctest.Counter) {
	clerkURL, stytchURL, c := tg.CountingURLs(tg.t)
	e := tg.Env
	return providerHCL(clerkURL, e.ClerkSecretKey, tg.Fixture.ClerkMachineSecretKey, stytchURL, e.StytchProjectID, e.StytchSecret), c
}

// mint issues a token with the test's machine key, outside Terraform.
func (tg *target) mint(req client.CreateM2MTokenRequest) *client.M2MTokenWithSecret {
	tg.t.Helper()
	tok, err := tg.Client.CreateM2MToken(tg.t.Context(), tg.Fixture.ClerkMachineSecretKey, req)
	if err != nil {
		tg.t.Fatalf("creating M2M token: %v", err)
	}
	return tok
}

// mintAccessToken runs the fixture app's authorization code flow with PKCE
// for the fixture member and returns the access token. Hold
// acctest.FixtureAuthorization first; the authorization is revoked when
// the test ends.
func (tg *target) mintAccessToken() string {
	tg.t.Helper()
	fx := tg.Fixture
	tg.t.Cleanup(func() {
		_ = tg.Client.RevokeMemberConnectedApp(context.Background(), client.RevokeMemberConnectedAppRequest{
			OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: fx.StytchConnectedAppID,
		})
	})
	return mintAccessTokenFor(tg.t, tg.Client, fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, fx.StytchRedirectURI, fx.StytchOrganizationID, fx.StytchMemberID)
}

// createOAuthApp makes an OAuth application outside Terraform, named for
// the test, and deletes it when the test ends.
func (tg *target) createOAuthApp(what string, redirectURIs ...string) *client.OAuthApplicationWithSecret {
	t := tg.t
	a, err := tg.Client.CreateOAuthApplication(t.Context(), client.CreateOAuthApplicationRequest{Name: tg.Name(what), RedirectURIs: redirectURIs})
	if err != nil {
		t.Fatalf("making an OAuth application outside Terraform: %v", err)
	}
	t.Cleanup(func() {
		if err := tg.Client.DeleteOAuthApplication(context.Background(), a.ID); err != nil && !client.IsNotFound(err) {
			t.Errorf("deleting OAuth application %s: %v", a.ID, err)
		}
	})
	return a
}
