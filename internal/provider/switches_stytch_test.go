package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The Stytch scenarios of TestAccSwitches: M2M clients and connected-app
// clients with their two-phase secret rotation, and connected-app
// authorizations.

// m2mClientSwitchScenario runs machineauth_m2m_client (see
// stytchClientSwitchScenario), with its status and its token.
func m2mClientSwitchScenario(t *testing.T, srv *emulator.Server) {
	stytchClientSwitchScenario(t, srv, rotatingClientKinds[1])
}

// connectedAppSwitchScenario runs machineauth_connected_app (see
// stytchClientSwitchScenario).
func connectedAppSwitchScenario(t *testing.T, srv *emulator.Server) {
	stytchClientSwitchScenario(t, srv, rotatingClientKinds[0])
}

// stytchClientSwitchScenario runs one kind of Stytch client: created (an
// M2M client with its create refused before Stytch acted, so the provider
// looks it up, and Stytch answers that it does not exist); for an M2M
// client, changed in place to inactive, then its token refused with the
// kill switch hint, then active again; a rotation started while one
// started outside Terraform is pending; its completion sent after the
// rotation was cancelled outside Terraform, out of turn; import; deleted
// outside Terraform; destroyed with the delete's answer lost, so that the
// client's retry finds it gone.
func stytchClientSwitchScenario(t *testing.T, srv *emulator.Server, kind rotatingClientKind) {
	ctx := t.Context()
	c := stytchClient(t, srv)
	p := newScriptedProxy(t, srv)
	m2m := kind.name == "m2m_client"
	addr := kind.addr
	config := func(rotation string, lines ...string) string {
		return proxied(srv, p.URL) + kind.config(append([]string{
			`secret_rotation_triggers = { rotation = "` + rotation + `" }`, `secret_rotation_overlap_seconds = 600`,
		}, lines...)...)
	}
	startOutside := func(id string) error {
		if m2m {
			_, err := c.RotateM2MClientSecret(ctx, id, client.RotationStart)
			return err
		}
		_, err := c.StartConnectedAppSecretRotation(ctx, id)
		return err
	}
	cancelOutside := func(id string) error {
		if m2m {
			_, err := c.RotateM2MClientSecret(ctx, id, client.RotationCancel)
			return err
		}
		_, err := c.CancelConnectedAppSecretRotation(ctx, id)
		return err
	}
	deleteOutside := func(id string) error {
		if m2m {
			return c.DeleteM2MClient(ctx, id)
		}
		return c.DeleteConnectedAppClient(ctx, id)
	}
	var id, current, next string
	rec := &warningRecorder{}
	steps := []resource.TestStep{{
		PreConfig: func() {
			if m2m {
				p.setRules(&scriptRule{method: "POST", pathSuffix: "/v1/m2m/clients", times: 1, act: stytchAnswer(http.StatusBadGateway, "bad_gateway")})
			}
		},
		Config: config("1"),
		Check: resource.ComposeTestCheckFunc(
			captureAttr(addr, "client_id", &id), captureAttr(addr, "client_secret", &current),
			kind.secretsWork(t, srv, &id, []*string{&current}, nil),
		),
	}}
	if m2m {
		steps = append(steps,
			resource.TestStep{
				// Every field is sent with the change, so none is reset.
				PreConfig: func() { p.setRules() },
				Config:    config("1", `client_description = "switched off"`, `status = "inactive"`),
				Check: func(*terraform.State) error {
					got, _ := srv.M2MClient(id)
					if got.Status != m2mStatusInactive || got.Name != "billing" || !slices.Equal(got.Scopes, []string{"read:reports", "write:reports"}) || got.Description != "switched off" {
						return fmt.Errorf("after the update the emulator holds %+v", got)
					}
					return nil
				},
			},
			resource.TestStep{
				// An inactive client's token is refused, and the error says
				// how to keep the kill switch and the token in one
				// configuration, however Stytch words the refusal.
				Config: config("1", `client_description = "switched off"`, `status = "inactive"`) + `
ephemeral "machineauth_m2m_client_token" "t" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
}

provider "echo" {
  data = ephemeral.machineauth_m2m_client_token.t.access_token
}

resource "echo" "t" {}
`,
				ExpectError: wrappedText("Stytch refused the client", "An inactive client gets no token"),
			},
		)
	}
	steps = append(steps,
		resource.TestStep{
			// A rotation started outside Terraform is pending when this
			// one starts: out of turn.
			PreConfig: func() {
				p.setRules()
				if err := startOutside(id); err != nil {
					t.Errorf("starting a rotation outside Terraform: %v", err)
				}
			},
			Config: config("2"),
			Check: resource.ComposeTestCheckFunc(
				warningLike(rec, "started outside Terraform"),
				resource.TestCheckResourceAttrPtr(addr, "client_secret", &current),
				captureAttr(addr, "next_client_secret", &next),
				kind.secretsWork(t, srv, &id, []*string{&current, &next}, nil),
			),
		},
		resource.TestStep{
			// Due, but cancelled outside Terraform an instant before the
			// provider completes it: out of turn again, and never taken
			// for a completed rotation.
			PreConfig: func() {
				srv.Advance(610 * time.Second)
				p.setRules(&scriptRule{method: "POST", pathSuffix: "/secrets/rotate", times: 1, act: first(func() {
					if err := cancelOutside(id); err != nil {
						t.Errorf("cancelling the rotation outside Terraform: %v", err)
					}
				})})
			},
			Config:      config("2"),
			ExpectError: regexp.MustCompile(`cancelled or redone outside Terraform`),
		},
		resource.TestStep{
			// The refresh records the cancellation: the current secret
			// is the one that works.
			PreConfig: func() { p.setRules() },
			Config:    config("2"),
			Check: resource.ComposeTestCheckFunc(
				warningLike(rec, "was cancelled outside Terraform"),
				resource.TestCheckResourceAttrPtr(addr, "client_secret", &current),
				resource.TestCheckNoResourceAttr(addr, "next_client_secret"),
				kind.secretsWork(t, srv, &id, []*string{&current}, []*string{&next}),
			),
		},
		resource.TestStep{
			ResourceName:            addr,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"client_secret", "secret_rotation_triggers", "secret_rotation_overlap_seconds"},
		},
		resource.TestStep{
			// Deleted outside Terraform: seen as gone, however Stytch
			// says so, and made anew.
			PreConfig: func() {
				if err := deleteOutside(id); err != nil {
					t.Errorf("deleting outside Terraform: %v", err)
				}
			},
			Config: config("2"),
			Check: resource.ComposeTestCheckFunc(
				warningLike(rec, "deleted outside Terraform"),
				changed(addr, "client_id", &id),
				captureAttr(addr, "client_id", &id), captureAttr(addr, "client_secret", &current),
				kind.secretsWork(t, srv, &id, []*string{&current}, nil),
			),
		},
		resource.TestStep{
			// The delete's answer lost: the client sends it again, and
			// Stytch answers that the client does not exist.
			PreConfig: func() {
				p.setRules(&scriptRule{method: "DELETE", pathSuffix: "/clients/" + id, times: 1, act: p.loseAnswer})
			},
			Config:  config("2"),
			Destroy: true,
		},
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: withEchoProvider(recordingFactories(rec)),
		CheckDestroy:             kind.gone(srv),
		Steps:                    steps,
	})
}

// authorizationSwitchScenario runs machineauth_connected_app_authorization
// for an app Terraform makes: created with the exchange's answer lost;
// revoked outside Terraform; replaced when it was revoked outside
// Terraform an instant before the provider's revoke; replaced with a dead
// member session, which must fail and leave it active; imported; the app
// deleted outside Terraform; an import of a member that does not exist.
func authorizationSwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	fx := srv.Info().Fixture
	c := stytchClient(t, srv)
	p := newScriptedProxy(t, srv)
	const addr = "machineauth_connected_app_authorization.a"
	config := func(scopes string, lines ...string) string {
		extra := ""
		for _, l := range lines {
			extra += "\n  " + l
		}
		return proxied(srv, p.URL) + thirdPartyApp() + fmt.Sprintf(`
resource "machineauth_connected_app_authorization" "a" {
  organization_id  = %q
  member_id        = %q
  connected_app_id = machineauth_connected_app.app.client_id
  redirect_uri     = %q
  client_secret    = machineauth_connected_app.app.client_secret
  scopes           = [%s]%s
}
`, fx.StytchOrganizationID, fx.StytchMemberID, appRedirect, scopes, extra)
	}
	var appID, appSecret, access, oldAccess string
	// active says whether a token is active for the app.
	active := func(token string) bool {
		got, err := c.Introspect(ctx, client.IntrospectRequest{Token: token, ClientID: appID, ClientSecret: appSecret})
		if err != nil {
			t.Errorf("introspect: %v", err)
			return false
		}
		return got.Active
	}
	// authorized checks that the member's authorization of the app is
	// active with the token in state, and that oldAccess, if any, is not.
	authorized := resource.ComposeTestCheckFunc(
		captureAttr(appAddr, "client_id", &appID), captureAttr(appAddr, "client_secret", &appSecret),
		captureAttr(addr, "access_token", &access),
		func(*terraform.State) error {
			if a, _ := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, appID); !a.Active {
				return fmt.Errorf("the authorization of %s is not active", appID)
			}
			if !active(access) {
				return fmt.Errorf("the access token in state is not active")
			}
			if oldAccess != "" && active(oldAccess) {
				return fmt.Errorf("the access token of the authorization replaced is still active")
			}
			return nil
		},
	)
	keepAccess := func(*terraform.State) error { oldAccess = access; return nil }
	rec := &warningRecorder{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkAppsGone(srv),
			func(*terraform.State) error {
				// Whatever Stytch keeps of an app deleted outside
				// Terraform (connected_app_delete_authorizations), no
				// authorization of an app that exists is left active.
				for _, a := range srv.ConnectedApps() {
					if g, _ := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, a.ClientID); g.Active {
						return fmt.Errorf("the authorization of %s is still active", a.ClientID)
					}
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				// The exchange's answer lost: its tokens, which nobody
				// received, end, whatever Stytch does on the replay.
				PreConfig: func() {
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/oauth2/token", times: 1, act: p.loseAnswer})
				},
				Config: config(`"openid", "offline_access"`),
				Check: resource.ComposeTestCheckFunc(
					authorized,
					func(*terraform.State) error {
						lost := p.lostAnswers()
						if len(lost) != 1 {
							return fmt.Errorf("%d answers lost, want the exchange's", len(lost))
						}
						var tok client.TokenResponse
						if err := json.Unmarshal([]byte(lost[0]), &tok); err != nil || tok.AccessToken == "" {
							return fmt.Errorf("the lost answer held no token")
						}
						if active(tok.AccessToken) || active(tok.RefreshToken) {
							return fmt.Errorf("the tokens of the lost exchange answer are still active")
						}
						return nil
					},
					keepAccess,
				),
			},
			{
				// Revoked outside Terraform: authorized anew.
				PreConfig: func() {
					p.setRules()
					if err := c.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
						OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: appID,
					}); err != nil {
						t.Errorf("revoking outside Terraform: %v", err)
					}
				},
				Config: config(`"openid", "offline_access"`),
				Check:  resource.ComposeTestCheckFunc(warningLike(rec, "revoked outside Terraform"), authorized, keepAccess),
			},
			{
				// Replaced when it was revoked outside Terraform an instant
				// before the provider's own revoke: destroyed all the same.
				PreConfig: func() {
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/revoke", times: 1, act: first(func() {
						if err := c.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
							OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: appID,
						}); err != nil {
							t.Errorf("revoking outside Terraform: %v", err)
						}
					})})
				},
				Config: config(`"openid"`),
				Check:  resource.ComposeTestCheckFunc(authorized, keepAccess),
			},
			{
				// A dead member session recorded for the revoke...
				PreConfig: func() { p.setRules() },
				Config:    config(`"openid"`, `session_token = "no-such-session"`),
			},
			{
				// ...refuses it: the replacement fails and the
				// authorization stays, active and in state.
				Config:      config(`"openid", "offline_access"`, `session_token = "no-such-session"`),
				ExpectError: wrappedText("Member session not found", "The authorization is still active"),
			},
			{
				Config: config(`"openid"`),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(addr, "access_token", &oldAccess),
					func(*terraform.State) error { oldAccess = ""; return nil },
					authorized, keepAccess,
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"client_secret", "redirect_uri", "exchange_tokens", "access_token", "refresh_token", "id_token", "token_type", "expires_at",
				},
			},
			{
				// A member that does not exist, however Stytch says so.
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return fx.StytchOrganizationID + "/member-test-00000000-0000-4000-8000-000000000000/" + appID, nil
				},
				ExpectError: regexp.MustCompile(`Cannot import non-existent remote object`),
			},
			{
				// The app deleted outside Terraform: reported as such,
				// never as a revoke, and both made anew.
				PreConfig: func() {
					if err := c.DeleteConnectedAppClient(ctx, appID); err != nil {
						t.Errorf("deleting the app outside Terraform: %v", err)
					}
					oldAccess = ""
				},
				Config: config(`"openid"`),
				Check: resource.ComposeTestCheckFunc(
					warningLike(rec, "Connected app of an authorization deleted outside Terraform"),
					changed(appAddr, "client_id", &appID),
					authorized,
				),
			},
		},
	})
}
