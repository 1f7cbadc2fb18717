package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
)

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
	tg := newTarget(t)
	fx := tg.Fixture
	leaked := tg.IssueM2MToken(t, fx.ClerkMachineSecretKey).ID
	other, otherKey := tg.CreateMachine(t, "other-service", nil)
	others := tg.IssueM2MToken(t, otherKey).ID

	w := cliWorkspace(t, bin, tg.providerConfig()+fmt.Sprintf(`
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
	if err := tg.expectToken(&leaked, str("leaked in a CI log"))(nil); err != nil {
		t.Fatalf("after the action: %v", err)
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
	if err := tg.expectTokenOf(other, &others, nil)(nil); err != nil {
		t.Fatalf("the other machine's token: %v", err)
	}
}

// Break-glass revocation of a connected app authorization made outside
// Terraform, then of one that no longer exists.
func TestAccRevokeConnectedAppAuthorizationAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	tg.authorizeFixture("openid")
	if active, err := tg.fixtureAuthorizationActive(""); err != nil || !active {
		t.Fatalf("the fixture member's authorization before the action: active %v (%v), want active", active, err)
	}

	w := cliWorkspace(t, bin, tg.providerConfig()+fmt.Sprintf(`
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
	if active, err := tg.fixtureAuthorizationActive(""); err != nil || active {
		t.Fatalf("the fixture member's authorization after the action: active %v (%v), want revoked", active, err)
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
	tg := newTarget(t)
	fx := tg.Fixture
	leaked := tg.IssueM2MToken(t, fx.ClerkMachineSecretKey).ID
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + fmt.Sprintf(`
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
			Check: tg.expectToken(&leaked, str("incident 42")),
		}},
	})
}

// Bad arguments are refused at validate, before any request.
func TestAccRevokeActions_badConfig(t *testing.T) {
	tg := newTarget(t)
	provider, calls := tg.countingConfig()
	fx := tg.Fixture
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
					Config: provider + tc.config + `
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
	expectNoCalls(t, calls)
}
