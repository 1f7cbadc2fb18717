package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Resource identity needs Terraform 1.12: on older CLIs these tests skip,
// and the import by id tests cover import.
var identityVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// A created token carries its identity, and an import block with only
// that identity adopts the token without a change.
func TestAccM2MToken_identity(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + tokenResource,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(tokenName, map[string]knownvalue.Check{
						"machine_id": knownvalue.StringExact(fx.ClerkMachineID),
						"token_id":   knownvalue.StringRegexp(tokenIDPattern),
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(tokenName, tfjsonpath.New("token_id"), tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesStateAtPath(tokenName, tfjsonpath.New("machine_id"), tfjsonpath.New("subject")),
				},
			},
			{
				ResourceName:    tokenName,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// Both forms of grantor carry their identity, and an import block with
// only the identity adopts the authorization: the arguments Stytch cannot
// report are then recorded in place, never by authorizing again.
func TestAccConnectedAppAuthorization_identity(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	userID := createUser(t, srv, "identity@example.com")
	user := fixtureAuthorization(srv)
	user.name, user.organizationID, user.memberID, user.userID = "user", "", "", userID
	userAddr := "machineauth_connected_app_authorization.user"
	config := authorizationConfig(srv, fixtureAuthorization(srv), user)

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNothingActive(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(authAddr, map[string]knownvalue.Check{
						"organization_id":  knownvalue.StringExact(fx.StytchOrganizationID),
						"member_id":        knownvalue.StringExact(fx.StytchMemberID),
						"user_id":          knownvalue.Null(),
						"connected_app_id": knownvalue.StringExact(fx.StytchConnectedAppID),
					}),
					statecheck.ExpectIdentity(userAddr, map[string]knownvalue.Check{
						"organization_id":  knownvalue.Null(),
						"member_id":        knownvalue.Null(),
						"user_id":          knownvalue.StringExact(userID),
						"connected_app_id": knownvalue.StringExact(fx.StytchConnectedAppID),
					}),
				},
			},
			{
				ResourceName:       authAddr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithResourceIdentity,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(authAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				ResourceName:       userAddr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithResourceIdentity,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
	if n := srv.Stats().Calls("POST", b2bAuthorizeRoute); n != 1 {
		t.Errorf("%d member authorize calls, want the create's one only", n)
	}
}

// An identity that is not one is refused before any request, naming the
// identity attribute at fault.
func TestAccIdentity_badImportIdentity(t *testing.T) {
	tg := newTarget(t)
	provider, calls := tg.countingConfig()
	fx := tg.Fixture
	for name, tc := range map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"token id that is a token": {
			config: fmt.Sprintf(`
import {
  to       = machineauth_m2m_token.t
  identity = { machine_id = %q, token_id = "mt_secret_not_an_id" }
}
resource "machineauth_m2m_token" "t" {}
`, fx.ClerkMachineID),
			want: diagMatching("Invalid import identity", "token_id is not mt_ followed by 32 hexadecimal digits"),
		},
		"member and user at once": {
			config: fmt.Sprintf(`
import {
  to = machineauth_connected_app_authorization.test
  identity = {
    organization_id  = %q
    member_id        = %q
    user_id          = "user-test-0d9c5a3e-1f5b-4e0c-9b7e-2f6f0c1d2e3f"
    connected_app_id = %q
  }
}
`, fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID) + tg.fixtureAuthorization().hcl(),
			want: diagMatching("Invalid import identity", "organization_id, member_id and connected_app_id for a member, or user_id and connected_app_id"),
		},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   identityVersions,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      provider + tc.config,
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
	expectNoCalls(t, calls)
}
