package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const (
	memberAppsRoute   = "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps"
	b2bAuthorizeRoute = "/v1/b2b/idp/oauth/authorize"
	memberRevokeRoute = "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke"
)

// requestIDInError is how every Stytch failure must reach the user: with
// the request_id Stytch's support asks for.
var requestIDInError = wrappedText("request_id: request-id-test-")

// wrappedText matches each phrase as terraform prints it, wrapped at any
// space, with anything between one phrase and the next.
func wrappedText(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(strings.Join(quoted, `[\s\S]*`))
}

// authorization is one machineauth_connected_app_authorization block; the
// zero values of optional fields leave them out.
type authorization struct {
	name                        string
	organizationID, memberID    string
	userID                      string
	connectedAppID, redirectURI string
	scopes                      []string
	clientSecret                string
	extra                       []string // further lines, such as `exchange_tokens = false`
}

// fixtureAuthorization is the emulator's fixture member authorizing the
// fixture app with every grantable scope, so all three tokens are issued.
func fixtureAuthorization(srv *emulator.Server) authorization {
	fx := srv.Info().Fixture
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

func (a authorization) with(lines ...string) authorization {
	a.extra = append(slices.Clone(a.extra), lines...)
	return a
}

func (a authorization) hcl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"machineauth_connected_app_authorization\" %q {\n", a.name)
	attr := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %s = %q\n", name, value)
		}
	}
	attr("organization_id", a.organizationID)
	attr("member_id", a.memberID)
	attr("user_id", a.userID)
	attr("connected_app_id", a.connectedAppID)
	attr("redirect_uri", a.redirectURI)
	attr("client_secret", a.clientSecret)
	scopes, _ := json.Marshal(a.scopes)
	if a.scopes == nil {
		scopes = []byte("[]")
	}
	fmt.Fprintf(&b, "  scopes = %s\n", scopes)
	for _, l := range a.extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("}\n")
	return b.String()
}

func authorizationConfig(srv *emulator.Server, auths ...authorization) string {
	cfg := providerConfig(srv)
	for _, a := range auths {
		cfg += a.hcl()
	}
	return cfg
}

// introspect says whether the fixture app's token is active.
func introspect(t *testing.T, srv *emulator.Server, token string) bool {
	t.Helper()
	fx := srv.Info().Fixture
	got, err := stytchClient(t, srv).Introspect(t.Context(), client.IntrospectRequest{
		Token: token, ClientID: fx.StytchConnectedAppID, ClientSecret: fx.StytchConnectedAppClientSecret,
	})
	if err != nil {
		t.Fatalf("introspect: %v", err)
	}
	return got.Active
}

func TestAccConnectedAppAuthorization_lifecycle(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	if !tg.Live {
		// Stytch's clock a day ahead of ours: expires_at must follow
		// Stytch's.
		tg.Wait(t, 24*time.Hour)
	}
	fx := tg.Fixture
	auth := tg.fixtureAuthorization()
	var accessToken, refreshToken string
	active := func(token string) bool {
		ok, err := tg.introspect(token)
		if err != nil {
			t.Error(err)
		}
		return ok
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(tg.checkFixtureAuthorizationRevoked(nil), func(*terraform.State) error {
			for name, tok := range map[string]string{"access": accessToken, "refresh": refreshToken} {
				if active(tok) {
					return fmt.Errorf("the %s token issued at create is still active after destroy", name)
				}
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: tg.authorizationConfig(auth),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("id"),
						knownvalue.StringExact(fx.StytchOrganizationID+"/"+fx.StytchMemberID+"/"+fx.StytchConnectedAppID)),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("granted_scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("offline_access"), knownvalue.StringExact("openid"), knownvalue.StringExact("read:reports"),
					})),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("token_type"), knownvalue.StringExact("bearer")),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("expires_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("access_token"), knownvalue.StringRegexp(regexp.MustCompile(`^eyJ`))),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("refresh_token"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("id_token"), knownvalue.StringRegexp(regexp.MustCompile(`^eyJ`))),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("exchange_tokens"), knownvalue.Bool(true)),
					statecheck.ExpectSensitiveValue(authAddr, tfjsonpath.New("access_token")),
					statecheck.ExpectSensitiveValue(authAddr, tfjsonpath.New("client_secret")),
				},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(authAddr, "access_token", &accessToken),
					captureAttr(authAddr, "refresh_token", &refreshToken),
					resource.TestCheckResourceAttrWith(authAddr, "expires_at", func(v string) error {
						at, err := time.Parse(time.RFC3339, v)
						if want := tg.StytchNow(t).Add(time.Hour); err != nil || at.Sub(want).Abs() > time.Minute {
							return fmt.Errorf("expires_at = %s, want about %s: an hour from now by Stytch's clock", v, want.UTC().Format(time.RFC3339))
						}
						return nil
					}),
					func(*terraform.State) error {
						app, err := tg.Client.OrganizationConnectedApp(t.Context(), fx.StytchOrganizationID, fx.StytchConnectedAppID)
						if err != nil {
							return err
						}
						if !slices.ContainsFunc(app.ActiveMembers, func(m client.ActiveMember) bool { return m.MemberID == fx.StytchMemberID }) {
							return fmt.Errorf("member %s is not among the app's active members %+v", fx.StytchMemberID, app.ActiveMembers)
						}
						if !active(accessToken) || !active(refreshToken) {
							return fmt.Errorf("tokens issued at create do not introspect active")
						}
						return nil
					},
				),
			},
			{
				// The revoke-time settings change in place: the same
				// authorization and tokens remain. (With a member session
				// too: TestAccConnectedAppAuthorization_sessionWithoutPermission.)
				Config: tg.authorizationConfig(auth.with(`revocation_reason = "offboarding"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(authAddr, "access_token", &accessToken),
					resource.TestCheckResourceAttr(authAddr, "revocation_reason", "offboarding"),
				),
			},
		},
	})
}

func TestAccConnectedAppAuthorization_revokedOutsideTerraform(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	cfg := tg.authorizationConfig(tg.fixtureAuthorization())
	var first string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureAttr(authAddr, "access_token", &first)},
			{
				PreConfig: func() {
					err := tg.Client.RevokeMemberConnectedApp(t.Context(), client.RevokeMemberConnectedAppRequest{
						OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: fx.StytchConnectedAppID,
					})
					if err != nil {
						t.Fatalf("revoking outside Terraform: %v", err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.TestCheckResourceAttrWith(authAddr, "access_token", func(v string) error {
					if active, err := tg.introspect(v); v == first || err != nil || !active {
						return fmt.Errorf("want a new, active access token after re-authorizing")
					}
					if active, err := tg.fixtureAuthorizationActive(""); err != nil || !active {
						return fmt.Errorf("authorization not active again (%v)", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccConnectedAppAuthorization_importRoundTrip(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
		Steps: []resource.TestStep{
			{Config: tg.authorizationConfig(tg.fixtureAuthorization())},
			{
				ResourceName:      authAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Stytch never shows tokens again, and cannot tell the
				// redirect URI, secret or exchange mode of the grant.
				ImportStateVerifyIgnore: []string{"access_token", "refresh_token", "id_token", "token_type", "expires_at",
					"client_secret", "redirect_uri", "exchange_tokens"},
			},
		},
	})
}

// An authorization made outside Terraform can be adopted: the import takes
// its scopes, and the first apply records the rest without re-authorizing.
func TestAccConnectedAppAuthorization_importAdoptsExistingGrant(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	auth := tg.fixtureAuthorization()
	auth.scopes = []string{"openid", "read:reports"}
	id := fx.StytchOrganizationID + "/" + fx.StytchMemberID + "/" + fx.StytchConnectedAppID

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					_, err := tg.Client.Authorize(t.Context(), client.AuthorizeRequest{
						ConsentGranted: true, Scopes: auth.scopes, ClientID: fx.StytchConnectedAppID, RedirectURI: fx.StytchRedirectURI,
						OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
					})
					if err != nil {
						t.Fatalf("authorizing outside Terraform: %v", err)
					}
				},
				Config:             tg.authorizationConfig(auth),
				ResourceName:       authAddr,
				ImportState:        true,
				ImportStateId:      id,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["scopes.#"] != "2" || states[0].Attributes["access_token"] != "" {
						return fmt.Errorf("imported state = %v; want the granted scopes and no tokens", states)
					}
					return nil
				},
			},
			{
				Config: tg.authorizationConfig(auth),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("access_token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("redirect_uri"), knownvalue.StringExact(fx.StytchRedirectURI)),
				},
			},
		},
	})
}

func TestAccConnectedAppAuthorization_writeOnlySecret(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	auth := tg.fixtureAuthorization()
	secret := auth.clientSecret
	auth.clientSecret = ""
	auth = auth.with(fmt.Sprintf("client_secret_wo = %q", secret))

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
		Steps: []resource.TestStep{{
			Config: tg.authorizationConfig(auth),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("client_secret_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[authAddr].Primary.Attributes
				for k, v := range attrs {
					if strings.Contains(v, secret) {
						return fmt.Errorf("state attribute %s holds the client secret", k)
					}
				}
				// The secret did reach the token endpoint.
				if active, err := tg.introspect(attrs["access_token"]); err != nil || !active {
					return fmt.Errorf("access token exchanged with the write-only secret is not active")
				}
				return nil
			},
		}},
	})
}

func TestAccConnectedAppAuthorization_consentOnly(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	auth := tg.fixtureAuthorization().with("exchange_tokens = false")
	auth.scopes = []string{"read:reports"}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
		Steps: []resource.TestStep{{
			Config: tg.authorizationConfig(auth),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("access_token"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("refresh_token"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("id_token"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("token_type"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("granted_scopes"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read:reports")})),
			},
			// No token is asked for: the state holds none.
			Check: func(*terraform.State) error {
				scopes, active, err := tg.authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID)
				if err != nil || !active || !slices.Equal(scopes, []string{"read:reports"}) {
					return fmt.Errorf("authorization active %v with %v (%v); want active with read:reports", active, scopes, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
				}
				return nil
			},
		}},
	})
}

// Each refusal by Stytch reaches the user with its request_id, and leaves
// nothing active: a wrong secret is only found after consent was recorded,
// so that consent must have been revoked.
func TestAccConnectedAppAuthorization_stytchErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*authorization)
		match []string
	}{
		{"invalid scope", func(a *authorization) { a.scopes = []string{"openid", "delete:everything"} }, []string{"400 invalid_scope"}},
		{"unknown app", func(a *authorization) { a.connectedAppID = "connected-app-test-00000000-0000-4000-8000-000000000000" }, []string{"404 connected_app_not_found"}},
		{"unregistered redirect URI", func(a *authorization) { a.redirectURI = "https://attacker.example.test/callback" }, []string{"400 invalid_redirect_uri"}},
		{"wrong client secret", func(a *authorization) { a.clientSecret = "not-the-secret-of-this-app" }, []string{"401 invalid_client", "consent this apply recorded has been revoked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t)
			tg.Lock(t, acctest.FixtureAuthorization)
			auth := tg.fixtureAuthorization()
			tt.edit(&auth)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             tg.checkFixtureAuthorizationRevoked(nil),
				Steps: []resource.TestStep{
					{Config: tg.authorizationConfig(auth), ExpectError: requestIDInError},
					{Config: tg.authorizationConfig(auth), ExpectError: wrappedText(tt.match...)},
				},
			})
		})
	}
}

func TestAccConnectedAppAuthorization_sessionWithoutPermission(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	member, err := srv.CreateMember(fx.StytchOrganizationID, "viewer@fixture-org.example.test", false)
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := srv.CreateMemberSession(fx.StytchOrganizationID, member)
	if err != nil {
		t.Fatal(err)
	}
	auth := fixtureAuthorization(srv)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNothingActive(srv),
		Steps: []resource.TestStep{
			{Config: authorizationConfig(srv, auth.with(fmt.Sprintf("session_token = %q", session)))},
			{
				// Removing the resource revokes it with that session.
				Config:      providerConfig(srv),
				ExpectError: wrappedText("Member session may not revoke", "session_token lacks the `revoke.connected-app` permission on `stytch.member`", "request_id:"),
			},
			{
				// Refused, so still active and still in state; without the
				// session the project secret alone revokes it on destroy.
				PreConfig: func() {
					if a, _ := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !a.Active {
						t.Error("the refused revoke revoked the authorization")
					}
				},
				Config: authorizationConfig(srv, auth),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

// One member's listing serves all of that member's authorizations: a plan
// over five of them lists the member's apps once, and so does destroy
// before its five revokes; apply, which exchanges codes, lists none.
func TestAccConnectedAppAuthorization_oneListingPerMember(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	base := fixtureAuthorization(srv)
	var auths []authorization
	for i := range 5 {
		id, secret, err := srv.CreateConnectedApp("third_party", fmt.Sprintf("app-%d", i), []string{base.redirectURI}, []string{"read:reports"})
		if err != nil {
			t.Fatal(err)
		}
		a := base
		a.name, a.connectedAppID, a.clientSecret, a.scopes = fmt.Sprintf("app%d", i), id, secret, []string{"read:reports"}
		auths = append(auths, a)
	}
	cfg := authorizationConfig(srv, auths...)
	var before, revokesBefore int

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNothingActive(srv),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					// One listing, shared by the five creates: whether the
					// member had authorized each app before.
					st := srv.Stats()
					if st.Authorizations.Active != 5 || st.Calls("POST", b2bAuthorizeRoute) != 5 || st.Calls("POST", tokenRoute) != 5 || st.Calls("GET", memberAppsRoute) != 1 {
						return fmt.Errorf("after apply: %d active, %v", st.Authorizations.Active, st.Requests)
					}
					return nil
				},
			},
			{
				PreConfig: func() { before = srv.Stats().Calls("GET", memberAppsRoute) },
				Config:    cfg,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// A plan-only step runs a plan without refresh (no
					// reads), then this refreshing one.
					PostApplyPostRefresh: []plancheck.PlanCheck{callBudget(srv, &before, 1)},
				},
			},
			{
				PreConfig: func() {
					before = srv.Stats().Calls("GET", memberAppsRoute)
					revokesBefore = srv.Stats().Calls("POST", memberRevokeRoute)
				},
				Config:  cfg,
				Destroy: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callBudget(srv, &before, 1),
					callCount{what: "destroy's revokes", calls: func() int { return srv.Stats().Calls("POST", memberRevokeRoute) - revokesBefore }, want: 5},
				}},
			},
		},
	})
}

// callBudget is a plan check that the member listing was called exactly
// want times since *before.
type callBudgetCheck struct {
	srv    *emulator.Server
	before *int
	want   int
}

func callBudget(srv *emulator.Server, before *int, want int) plancheck.PlanCheck {
	return callBudgetCheck{srv, before, want}
}

func (c callBudgetCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := c.srv.Stats().Calls("GET", memberAppsRoute) - *c.before; got != c.want {
		resp.Error = fmt.Errorf("plan made %d member connected-apps list calls, want %d", got, c.want)
	}
}

// createUser adds a consumer user through the emulator's API.
func createUser(t *testing.T, srv *emulator.Server, email string) string {
	t.Helper()
	info := srv.Info()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, info.StytchBaseURL+"/v1/users", strings.NewReader(`{"email":"`+email+`"}`))
	req.SetBasicAuth(info.StytchProjectID, info.StytchSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		UserID string `json:"user_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.UserID == "" {
		t.Fatalf("creating user: status %d, %v", resp.StatusCode, err)
	}
	return out.UserID
}

func TestAccConnectedAppAuthorization_consumerUser(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	user := createUser(t, srv, "someone@example.test")
	auth := fixtureAuthorization(srv)
	auth.organizationID, auth.memberID, auth.userID = "", "", user
	var accessToken string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(checkNothingActive(srv), func(*terraform.State) error {
			if introspect(t, srv, accessToken) {
				return fmt.Errorf("the user's access token is still active after destroy")
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: authorizationConfig(srv, auth),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("id"), knownvalue.StringExact(user+"/"+fx.StytchConnectedAppID)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(authAddr, "access_token", &accessToken),
					func(*terraform.State) error {
						apps, err := stytchClient(t, srv).UserConnectedApps(t.Context(), user)
						if err != nil {
							return err
						}
						if len(apps.ConnectedApps) != 1 || apps.ConnectedApps[0].ConnectedAppID != fx.StytchConnectedAppID || !introspect(t, srv, accessToken) {
							return fmt.Errorf("user's apps = %+v; want the fixture app, with an active token", apps.ConnectedApps)
						}
						return nil
					},
				),
			},
			{
				ResourceName:            authAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_token", "refresh_token", "id_token", "token_type", "expires_at", "client_secret", "redirect_uri", "exchange_tokens"},
			},
		},
	})
}

// proxiedConfig points the provider's Stytch calls at the proxy.
func proxiedConfig(srv *emulator.Server, p *faultProxy, auth authorization) string {
	info := srv.Info()
	return fmt.Sprintf(`
provider "machineauth" {
  max_retry_wait = "20ms"
  stytch {
    base_url   = %q
    project_id = %q
    secret     = %q
  }
}
`, p.URL, info.StytchProjectID, info.StytchSecret) + auth.hcl()
}

func TestAccConnectedAppAuthorization_lostAuthorizeAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := newFaultProxy(t, srv)
	p.set(&faultRule{method: "POST", pathSuffix: "/idp/oauth/authorize", times: 1})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNothingActive(srv),
		Steps: []resource.TestStep{{
			Config: proxiedConfig(srv, p, fixtureAuthorization(srv)),
			Check: resource.TestCheckResourceAttrWith(authAddr, "access_token", func(v string) error {
				st := srv.Stats()
				if len(p.lostAnswers()) != 1 || st.Calls("POST", b2bAuthorizeRoute) != 2 || st.Calls("POST", memberRevokeRoute) != 0 {
					return fmt.Errorf("want one lost authorize answer, then one more authorize and no revoke; got %v", st.Requests)
				}
				if st.Authorizations.Active != 1 || !introspect(t, srv, v) {
					return fmt.Errorf("want the authorization active with a working token")
				}
				return nil
			}),
		}},
	})
}

func TestAccConnectedAppAuthorization_lostExchangeAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := newFaultProxy(t, srv)
	p.set(&faultRule{method: "POST", pathSuffix: "/oauth2/token", times: 1})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNothingActive(srv),
		Steps: []resource.TestStep{{
			Config: proxiedConfig(srv, p, fixtureAuthorization(srv)),
			Check: resource.TestCheckResourceAttrWith(authAddr, "access_token", func(v string) error {
				lost := p.lostAnswers()
				if len(lost) != 1 {
					return fmt.Errorf("%d lost answers, want 1", len(lost))
				}
				var tok client.TokenResponse
				if err := json.Unmarshal([]byte(lost[0]), &tok); err != nil || tok.AccessToken == "" {
					return fmt.Errorf("lost answer held no token: %w", err)
				}
				// The tokens nobody received were ended when the same
				// code came back; the ones in state work.
				if introspect(t, srv, tok.AccessToken) || introspect(t, srv, tok.RefreshToken) {
					return fmt.Errorf("tokens from the lost exchange answer are still active")
				}
				if !introspect(t, srv, v) {
					return fmt.Errorf("the access token in state is not active")
				}
				// The lost exchange, its replay refused as spent, and the
				// exchange of a second authorize's code. The authorization
				// was this create's own (the listing before it says so),
				// so it was revoked before the second authorize, which
				// ends the lost tokens whatever Stytch does on a replay;
				// one that others may share is kept (see
				// TestLostExchangeKeepsAnotherRunsTokens).
				if st := srv.Stats(); st.Calls("POST", memberRevokeRoute) != 1 || st.Calls("POST", b2bAuthorizeRoute) != 2 || st.Calls("POST", tokenRoute) != 3 {
					return fmt.Errorf("want three exchanges, a second authorize and one revoke; got %v", st.Requests)
				}
				return nil
			}),
		}},
	})
}

// When every authorize answer is lost, the create gives up and revokes; when
// that revoke fails too, the authorization is kept in state as tainted, and
// the next apply replaces it.
func TestAccConnectedAppAuthorization_unrecoverableCreate(t *testing.T) {
	t.Run("revoked", func(t *testing.T) {
		srv := startEmulator(t, emulator.Options{})
		p := newFaultProxy(t, srv)
		p.set(&faultRule{method: "POST", pathSuffix: "/idp/oauth/authorize", times: -1})
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy: resource.ComposeTestCheckFunc(checkNothingActive(srv), func(*terraform.State) error {
				if n := srv.Stats().Calls("POST", b2bAuthorizeRoute); n != grantRounds {
					return fmt.Errorf("%d authorize calls, want %d", n, grantRounds)
				}
				return nil
			}),
			Steps: []resource.TestStep{{
				Config:      proxiedConfig(srv, p, fixtureAuthorization(srv)),
				ExpectError: wrappedText("outcome unknown", "consent this apply recorded has been revoked, so no authorization is left"),
			}},
		})
	})
	t.Run("tainted", func(t *testing.T) {
		srv := startEmulator(t, emulator.Options{})
		p := newFaultProxy(t, srv)
		p.set(&faultRule{method: "POST", pathSuffix: "/idp/oauth/authorize", times: -1},
			&faultRule{method: "POST", pathSuffix: "/revoke", times: -1, fail: true})
		cfg := proxiedConfig(srv, p, fixtureAuthorization(srv))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             checkNothingActive(srv),
			Steps: []resource.TestStep{
				{
					Config:      cfg,
					ExpectError: wrappedText("Revoking the consent this apply recorded failed too", "saved in the state as tainted"),
				},
				{
					PreConfig: func() {
						if srv.Stats().Authorizations.Active != 1 {
							t.Error("want the consent left active by the failed revoke")
						}
						p.set()
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionReplace)},
					},
					Check: resource.TestCheckResourceAttrWith(authAddr, "access_token", func(v string) error {
						if !introspect(t, srv, v) {
							return fmt.Errorf("access token after the replacement is not active")
						}
						return nil
					}),
				},
			},
		})
	})
}
