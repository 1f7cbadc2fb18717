package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// What Terraform 1.14 brought, for OAuth applications: the managed
// application's grant is revoked by the action (its token then verifies as
// invalid); the list resource tells the clients that registered themselves
// from the others; one of them, an MCP client say, is imported by its
// identity without its secret, gets one by a trigger change, and is
// deleted with the rest on destroy.
func TestAccOAuthApplication_actionListImport(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	mcp := srv.RegisterOAuthClient("tf-acc-mcp-client", []string{oauthAppRedirect}, false)
	var id, clientID, secret, access string
	app := oauthAppConfig(srv, "tf-acc-reports", "  "+oauthAppRedirects, "")
	revoke := `
action "machineauth_revoke_oauth_token" "incident" {
  config {
    oauth_application_id = machineauth_oauth_application.app.id
    token                = ` + tokenHCL(dir, "refresh") + `
  }
}
resource "terraform_data" "incident" {
  input = "incident 42"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.machineauth_revoke_oauth_token.incident]
    }
  }
}
`
	verification := `
data "machineauth_token_verification" "after" {
  token = ` + tokenHCL(dir, "access") + `
}
`
	imported := func(trigger string) string {
		return fmt.Sprintf(`
import {
  to       = machineauth_oauth_application.mcp
  identity = { id = %q }
}
resource "machineauth_oauth_application" "mcp" {
  name          = "tf-acc-mcp-client"
  redirect_uris = [%q]
  secret_rotation_triggers = { rotation = %q }
}
`, mcp, oauthAppRedirect, trigger)
	}
	const mcpAddr = "machineauth_oauth_application.mcp"
	byID := func(want *string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringFunc(func(v string) error { return equal(v, *want) })})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   terraform114,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if apps := srv.OAuthApplications(); len(apps) != 0 {
				return fmt.Errorf("applications left after destroy: %+v", apps)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: app,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(oauthAppAddr, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(oauthAppIDPattern)}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(oauthAppAddr, tfjsonpath.New("id"), tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(captureID(oauthAppAddr, &id), captureAttr(oauthAppAddr, "client_id", &clientID),
					captureAttr(oauthAppAddr, "client_secret", &secret)),
			},
			{
				// Break-glass: the grant of a leaked refresh token revoked.
				PreConfig: func() {
					var refresh string
					access, refresh = oauthGrant(t, srv, clientID, secret)
					writeToken(t, dir, "refresh", refresh)
					writeToken(t, dir, "access", access)
				},
				Config: app + revoke,
				Check: func(*terraform.State) error {
					if _, err := adminClient(t, srv).VerifyOAuthAccessToken(t.Context(), access); !client.IsNotFound(err) {
						return fmt.Errorf("the grant's access token still verifies after the action: %w", err)
					}
					return nil
				},
			},
			{
				// The token then verifies as invalid.
				Config: app + revoke + verification,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.machineauth_token_verification.after", tfjsonpath.New("valid"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.after", tfjsonpath.New("reason"), knownvalue.StringExact(reasonInvalid)),
				},
			},
			{
				Query: true,
				Config: `
list "machineauth_oauth_application" "registered" {
  provider         = machineauth
  include_resource = true
  config {
    dynamically_registered = true
  }
}
list "machineauth_oauth_application" "by_hand" {
  provider = machineauth
  config {
    dynamically_registered = false
  }
}
list "machineauth_oauth_application" "all" {
  provider = machineauth
  config {
    name_query = "TF-ACC"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_oauth_application.registered", 1),
					querycheck.ExpectIdentity("machineauth_oauth_application.registered", map[string]knownvalue.Check{"id": knownvalue.StringExact(mcp)}),
					querycheck.ExpectResourceKnownValues("machineauth_oauth_application.registered", byID(&mcp), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("tf-acc-mcp-client")},
						{Path: tfjsonpath.New("dynamically_registered"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
					}),
					querycheck.ExpectResourceDisplayName("machineauth_oauth_application.registered", byID(&mcp),
						knownvalue.StringRegexp(regexp.MustCompile(`^tf-acc-mcp-client \(oa_\w+, client_id \w+\), registered itself$`))),
					querycheck.ExpectLength("machineauth_oauth_application.by_hand", 1),
					querycheck.ExpectIdentity("machineauth_oauth_application.by_hand", map[string]knownvalue.Check{
						"id": knownvalue.StringFunc(func(v string) error { return equal(v, id) }),
					}),
					querycheck.ExpectLength("machineauth_oauth_application.all", 2),
				},
			},
			{
				// Imported by its identity: no secret, as Clerk never shows it
				// again; the triggers are recorded without a rotation.
				Config: app + imported("one"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mcpAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(mcpAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mcpAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(mcpAddr, tfjsonpath.New("dynamically_registered"), knownvalue.Bool(true)),
					statecheck.ExpectIdentity(mcpAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(mcp)}),
				},
			},
			{
				// The one-line way to get a secret after an import.
				Config: app + imported("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mcpAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(mcpAddr, tfjsonpath.New("client_secret")),
				}},
				Check: resource.ComposeTestCheckFunc(expectOAuthSecret(srv, mcpAddr), func(s *terraform.State) error {
					a, _ := srv.OAuthApplication(mcp)
					if tok, _ := oauthGrant(t, srv, a.ClientID, oauthStateAttr(s, mcpAddr, "client_secret")); tok == "" {
						return fmt.Errorf("no token with the new secret")
					}
					return nil
				}),
			},
		},
	})
}

// Break-glass with `terraform apply -invoke`: the grant of an opaque token
// is revoked, reporting progress; a JWT access token is refused at validate with the reason, no
// request sent; the token never shows in terraform's output. A token of no
// grant of the application is reported, and nothing revoked.
func TestAccRevokeOAuthTokenAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	c := adminClient(t, srv)
	app, err := c.CreateOAuthApplication(t.Context(), client.CreateOAuthApplicationRequest{Name: "tf-acc-invoke", RedirectURIs: []string{oauthAppRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := oauthGrant(t, srv, app.ClientID, app.ClientSecret)
	setOAuthJWTAccessTokens(t, srv, true)
	jwt, _ := oauthGrant(t, srv, app.ClientID, app.ClientSecret)

	w := cliWorkspace(t, bin, providerConfig(srv)+fmt.Sprintf(`
variable "leaked" {
  type      = string
  sensitive = true
}
action "machineauth_revoke_oauth_token" "leak" {
  config {
    oauth_application_id = %q
    token                = var.leaked
  }
}
`, app.ID))
	ctx := context.Background()
	invoke := func(token string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-var", "leaked="+token, "-invoke=action.machineauth_revoke_oauth_token.leak")
		out := res.Stdout + res.Stderr
		if strings.Contains(out, token) {
			t.Errorf("the token shows in terraform's output:\n%s", out)
		}
		return out, err
	}

	before := srv.Stats().TotalRequests
	out, err := invoke(jwt)
	if err == nil {
		t.Fatalf("a JWT was revoked:\n%s", out)
	}
	expectOutput(t, out, "is a JWT access token, which cannot be revoked", "Clerk keeps no record of JWT access tokens")
	if n := srv.Stats().Count(http.MethodPost, "/clerk/v1/oauth_applications/{oauth_application_id}/revoke_token", http.StatusNoContent) +
		srv.Stats().Count(http.MethodPost, "/clerk/v1/oauth_applications/{oauth_application_id}/revoke_token", http.StatusBadRequest); n != 0 || srv.Stats().TotalRequests != before {
		t.Errorf("the refused JWT sent %d requests", srv.Stats().TotalRequests-before)
	}

	out, err = invoke(refresh)
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, `Revoking the grant of the given token of OAuth application "tf-acc-invoke"`, "Revoked the grant")
	if _, err := c.VerifyOAuthAccessToken(t.Context(), access); !client.IsNotFound(err) {
		t.Fatalf("the grant's access token still verifies: %v", err)
	}

	out, err = invoke("oat_" + strings.Repeat("0", 32))
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Warning: No grant to revoke", "Nothing was revoked")
}

// A JWT written in the action's configuration, or an application id that
// is none, is refused at validate, with no request sent.
func TestAccRevokeOAuthTokenAction_badConfig(t *testing.T) {
	tg := newTarget(t)
	provider, calls := tg.countingConfig()
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"
	for name, tc := range map[string]struct{ appID, token, want string }{
		"JWT access token":      {"oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk", jwt, "is a JWT access token, which cannot be revoked"},
		"empty token":           {"oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "", "must not be empty"},
		"application id a path": {"oa_1/../oa_2", "oat_0", "is not an OAuth application id"},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   terraform114,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: provider + fmt.Sprintf(`
action "machineauth_revoke_oauth_token" "x" {
  config {
    oauth_application_id = %q
    token                = %q
  }
}
resource "terraform_data" "x" {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.machineauth_revoke_oauth_token.x]
    }
  }
}
`, tc.appID, tc.token),
					ExpectError: diagMatching(tc.want),
				}},
			})
		})
	}
	expectNoCalls(t, calls)
}
