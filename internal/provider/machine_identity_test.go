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

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// A machine and a scope carry their identities, and import blocks naming
// only those identities adopt them without a change.
func TestAccMachine_identity(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	cfg := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = "identified"
}

resource "machineauth_machine_scope" "s" {
  machine_id        = machineauth_machine.m.id
  scoped_machine_id = %q
}
`, fx.ClerkScopedMachineID)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkMachinesDeleted(srv),
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
// Clerk's query; a listed machine comes as its identity and, with
// include_resource, as a machineauth_machine without its secret key.
func TestAccMachineList_query(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	var outside string
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: providerConfig(srv) + tokenResource},
			{
				PreConfig: func() {
					var err error
					if outside, _, err = srv.CreateMachine("made-in-the-dashboard", nil, 0); err != nil {
						t.Fatal(err)
					}
				},
				Query: true,
				Config: `
list "machineauth_machine" "all" {
  provider = machineauth
}
list "machineauth_machine" "dashboard" {
  provider         = machineauth
  include_resource = true
  config {
    query = "dashboard"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The fixture's two machines and the one made outside.
					querycheck.ExpectLength("machineauth_machine.all", 3),
					querycheck.ExpectLength("machineauth_machine.dashboard", 1),
					querycheck.ExpectResourceKnownValues("machineauth_machine.dashboard",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("made-in-the-dashboard")},
							{Path: tfjsonpath.New("secret_key"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("default_token_ttl"), KnownValue: knownvalue.Int64Exact(defaultMachineTokenTTL)},
						}),
					querycheck.ExpectResourceDisplayName("machineauth_machine.dashboard",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						knownvalue.StringRegexp(regexp.MustCompile(`^made-in-the-dashboard \(mch_\w{27}\)$`))),
				},
			},
		},
	})
}
