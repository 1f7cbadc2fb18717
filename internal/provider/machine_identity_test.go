package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A machine and a scope carry their identities, and import blocks naming
// only those identities adopt them without a change.
func TestAccMachine_identity(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	cfg := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = %q
}

resource "machineauth_machine_scope" "s" {
  machine_id        = machineauth_machine.m.id
  scoped_machine_id = %q
}
`, tg.Name("identified"), fx.ClerkScopedMachineID)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkMachinesDeleted(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(machineAddr, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(machineIDPattern)}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(machineAddr, tfjsonpath.New("id"), tfjsonpath.New("id")),
					statecheck.ExpectIdentity("machineauth_machine_scope.s", map[string]knownvalue.Check{
						"machine_id":        knownvalue.StringRegexp(machineIDPattern),
						"scoped_machine_id": knownvalue.StringExact(fx.ClerkScopedMachineID),
					}),
				},
			},
			{ResourceName: machineAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: "machineauth_machine_scope.s", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// The instance's machines are listed whoever made them, narrowed by
// Clerk's query (here to the test's own: its machine pair and one made
// outside Terraform); a listed machine comes as its identity and, with
// include_resource, as a machineauth_machine without its secret key.
func TestAccMachineList_query(t *testing.T) {
	tg := newTarget(t)
	dashboard := tg.Name("made-in-the-dashboard")
	var outside string
	byID := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + tokenResource},
			{
				PreConfig: func() { outside, _ = tg.CreateMachine(t, "made-in-the-dashboard", nil) },
				Query:     true,
				Config: fmt.Sprintf(`
list "machineauth_machine" "test" {
  provider = machineauth
  config {
    query = %q
  }
}
list "machineauth_machine" "dashboard" {
  provider         = machineauth
  include_resource = true
  config {
    query = %q
  }
}
`, tg.Run(), dashboard),
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The test's machine pair and the one made outside.
					querycheck.ExpectLength("machineauth_machine.test", 3),
					querycheck.ExpectLength("machineauth_machine.dashboard", 1),
					querycheck.ExpectResourceKnownValues("machineauth_machine.dashboard", byID,
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(dashboard)},
							{Path: tfjsonpath.New("secret_key"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("default_token_ttl"), KnownValue: knownvalue.Int64Exact(defaultMachineTokenTTL)},
						}),
					querycheck.ExpectResourceDisplayName("machineauth_machine.dashboard", byID,
						knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(dashboard)+` \(mch_\w{27}\)$`))),
				},
			},
		},
	})
}
