package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// issueOutside issues an opaque token with a machine key, as a service
// holding that key would, outside Terraform.
func issueOutside(t *testing.T, srv *emulator.Server, machineKey string) string {
	t.Helper()
	c, err := client.New(client.Config{ClerkAPIURL: srv.Info().ClerkAPIURL})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateM2MToken(context.Background(), machineKey, client.CreateM2MTokenRequest{TokenFormat: tokenFormatOpaque})
	if err != nil {
		t.Fatalf("issuing a token outside Terraform: %v", err)
	}
	return tok.ID
}

// expectOutput fails unless out holds every one of parts.
func expectOutput(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !diagMatching(p).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
}

// Break-glass revocation: `terraform apply -invoke` revokes a token no
// state holds, with the reason given, reporting progress as it goes; a
// second run finds it revoked and leaves it; a token of another machine is
// refused, not revoked.
func TestAccRevokeM2MTokenAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	leaked := issueOutside(t, srv, fx.ClerkMachineSecretKey)
	_, otherKey, err := srv.CreateMachine("other-service", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	others := issueOutside(t, srv, otherKey)

	w := cliWorkspace(t, bin, srv, fmt.Sprintf(`
action "machineauth_revoke_m2m_token" "leak" {
  config {
    machine_id = %[1]q
    token_id   = %[2]q
    reason     = "leaked in a CI log"
  }
}
action "machineauth_revoke_m2m_token" "wrong_machine" {
  config {
    machine_id = %[1]q
    token_id   = %[3]q
  }
}
`, fx.ClerkMachineID, leaked, others))
	ctx := context.Background()
	invoke := func(name string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_revoke_m2m_token."+name)
		return res.Stdout + res.Stderr, err
	}

	out, err := invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Revoking M2M token "+leaked, "Revoked M2M token "+leaked)
	if tok, _ := srv.M2MToken(leaked); !tok.Revoked || deref(tok.RevocationReason) != `"leaked in a CI log"` {
		t.Fatalf("after the action: revoked %v with reason %s; want revoked with the action's reason", tok.Revoked, deref(tok.RevocationReason))
	}

	out, err = invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "already revoked", `"leaked in a CI log"`, "Warning: M2M token already revoked")

	out, err = invoke("wrong_machine")
	if err == nil {
		t.Fatalf("revoking another machine's token succeeded:\n%s", out)
	}
	expectOutput(t, err.Error(), "M2M token not found", "Nothing was revoked")
	if tok, _ := srv.M2MToken(others); tok.Revoked {
		t.Fatal("the other machine's token was revoked")
	}
}

// Break-glass revocation of a connected app authorization made outside
// Terraform, then of one that no longer exists.
func TestAccRevokeConnectedAppAuthorizationAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	if _, err := stytchClient(t, srv).Authorize(t.Context(), client.AuthorizeRequest{
		ConsentGranted: true, Scopes: []string{"openid"}, ClientID: fx.StytchConnectedAppID, RedirectURI: fx.StytchRedirectURI,
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
	}); err != nil {
		t.Fatalf("authorizing outside Terraform: %v", err)
	}
	if n := srv.Stats().Authorizations.Active; n != 1 {
		t.Fatalf("%d active authorizations before the action, want 1", n)
	}

	w := cliWorkspace(t, bin, srv, fmt.Sprintf(`
action "machineauth_revoke_connected_app_authorization" "incident" {
  config {
    organization_id  = %q
    member_id        = %q
    connected_app_id = %q
    reason           = "incident 42"
  }
}
`, fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID))
	ctx := context.Background()
	res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_revoke_connected_app_authorization.incident")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, res.Stdout+res.Stderr, "Revoking the authorization of connected app "+fx.StytchConnectedAppID, "Revoked the authorization")
	if n := srv.Stats().Authorizations.Active; n != 0 {
		t.Fatalf("%d active authorizations after the action, want 0", n)
	}

	res, err = w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_revoke_connected_app_authorization.incident")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, res.Stdout+res.Stderr, "nothing to revoke", "not among the apps", "Warning: Nothing to revoke")
}

// An action also runs from a resource's lifecycle: here a terraform_data
// standing for an incident revokes a token when it is created.
func TestAccRevokeM2MTokenAction_trigger(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	leaked := issueOutside(t, srv, fx.ClerkMachineSecretKey)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   terraform114,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(`
action "machineauth_revoke_m2m_token" "leak" {
  config {
    machine_id = %q
    token_id   = %q
    reason     = "incident 42"
  }
}
resource "terraform_data" "incident" {
  input = "incident 42"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.machineauth_revoke_m2m_token.leak]
    }
  }
}
`, fx.ClerkMachineID, leaked),
			Check: func(*terraform.State) error {
				if tok, _ := srv.M2MToken(leaked); !tok.Revoked || deref(tok.RevocationReason) != `"incident 42"` {
					return fmt.Errorf("token revoked %v with reason %s; want revoked for incident 42", tok.Revoked, deref(tok.RevocationReason))
				}
				return nil
			},
		}},
	})
}

// Bad arguments are refused at validate, before any request.
func TestAccRevokeActions_badConfig(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	for name, tc := range map[string]struct{ config, want string }{
		"token instead of token id": {fmt.Sprintf(`
action "machineauth_revoke_m2m_token" "x" {
  config {
    machine_id = %q
    token_id   = "mt_secretsecretsecret"
  }
}`, fx.ClerkMachineID), "give the token's id, not the token"},
		"member and user": {fmt.Sprintf(`
action "machineauth_revoke_connected_app_authorization" "x" {
  config {
    organization_id  = %q
    member_id        = %q
    user_id          = "user-test-0d9c5a3e-1f5b-4e0c-9b7e-2f6f0c1d2e3f"
    connected_app_id = %q
  }
}`, fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID), "Invalid Attribute Combination"},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   terraform114,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(srv) + tc.config + `
resource "terraform_data" "x" {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.` + strings.Fields(tc.config)[1][1:len(strings.Fields(tc.config)[1])-1] + `.x]
    }
  }
}
`,
					ExpectError: diagMatching(tc.want),
				}},
			})
		})
	}
	expectNoRequests(t, srv)
}
