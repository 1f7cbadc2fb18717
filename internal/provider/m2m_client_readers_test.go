package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The data source reads a client by id.
func TestAccM2MClientDataSource(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	const ds = "data.machineauth_m2m_client.c"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkM2MClientsGone(srv),
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + m2mClientConfig(`trusted_metadata = jsonencode({ team = "payments" })`) + `
data "machineauth_m2m_client" "c" {
  client_id  = machineauth_m2m_client.c.client_id
  depends_on = [machineauth_m2m_client.c]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("client_name"), knownvalue.StringExact("billing")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("trusted_metadata"), knownvalue.StringExact(`{"team":"payments"}`)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("read:reports"), knownvalue.StringExact("write:reports"),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("secret_rotation_pending"), knownvalue.Bool(false)),
			},
		}},
	})
}

// A client carries its identity, and an import block naming only that
// identity adopts it without a change.
func TestAccM2MClient_identity(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkM2MClientsGone(srv),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(srv) + m2mClientConfig(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(m2mClientAddr, map[string]knownvalue.Check{"client_id": knownvalue.StringRegexp(m2mClientIDRe)}),
				},
			},
			{ResourceName: m2mClientAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// The project's clients are listed whoever made them, filtered by scope.
func TestAccM2MClientList_query(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	var outside string
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: providerConfig(srv) + m2mClientConfig()},
			{
				PreConfig: func() {
					c, err := stytchClient(t, srv).CreateM2MClient(t.Context(), client.CreateM2MClientRequest{ClientName: "made outside", Scopes: []string{"admin"}})
					if err != nil {
						t.Fatal(err)
					}
					outside = c.ClientID
				},
				Query: true,
				Config: `
list "machineauth_m2m_client" "all" {
  provider         = machineauth
  include_resource = true
}
list "machineauth_m2m_client" "admins" {
  provider = machineauth
  config {
    scope = "admin"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_m2m_client.all", 2),
					querycheck.ExpectLength("machineauth_m2m_client.admins", 1),
					querycheck.ExpectResourceKnownValues("machineauth_m2m_client.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"client_id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("client_name"), KnownValue: knownvalue.StringExact("made outside")},
							{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}

// Break-glass: the action turns a client off with no configuration edited,
// leaves an inactive one alone, and refuses an unknown one.
func TestAccDeactivateM2MClientAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	c, err := stytchClient(t, srv).CreateM2MClient(t.Context(), client.CreateM2MClientRequest{ClientName: "leaky", Scopes: []string{"read"}, TrustedMetadata: []byte(`{"team":"payments"}`)})
	if err != nil {
		t.Fatal(err)
	}
	w := cliWorkspace(t, bin, srv, fmt.Sprintf(`
action "machineauth_deactivate_m2m_client" "leaky" {
  config {
    client_id = %q
  }
}
action "machineauth_deactivate_m2m_client" "unknown" {
  config {
    client_id = "m2m-client-test-00000000-0000-4000-8000-000000000000"
  }
}
`, c.ClientID))
	ctx := context.Background()
	invoke := func(name string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_deactivate_m2m_client."+name)
		return res.Stdout + res.Stderr, err
	}
	out, err := invoke("leaky")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Deactivating M2M client "+c.ClientID, "Deactivated M2M client "+c.ClientID)
	if got, _ := srv.M2MClient(c.ClientID); got.Status != "inactive" || got.Name != "leaky" || got.TrustedMetadata["team"] != "payments" {
		t.Fatalf("after the action: %+v; want inactive and otherwise unchanged", got)
	}
	if err := clientToken(t, srv, c.ClientID, c.ClientSecret); client.ErrorCode(err) != "invalid_client" {
		t.Errorf("a deactivated client's token request: %v, want invalid_client", err)
	}
	out, err = invoke("leaky")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "already inactive", "Warning: M2M client already inactive")
	if out, err = invoke("unknown"); err == nil {
		t.Fatalf("deactivating an unknown client succeeded:\n%s", out)
	}
	expectOutput(t, err.Error(), "M2M client not found")
}
