package provider

import (
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Ephemeral results land nowhere, so the test hands them to the echo
// provider, whose one resource stores what its provider block was given.
func TestAccTokenVerificationEphemeralResource(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	tok := mintM2MToken(t, srv, client.CreateM2MTokenRequest{})
	factories := maps.Clone(testAccProtoV6ProviderFactories)
	factories["echo"] = echoprovider.NewProviderServer()
	vars := config.Variables{"token": config.StringVariable(tok.Token)}
	cfg := providerConfig(srv) + tokenVariables("token") + `
ephemeral "machineauth_token_verification" "t" {
  token = var.token
}

ephemeral "machineauth_token_verification" "garbage" {
  token = "not a token"
}

provider "echo" {
  data = {
    valid          = ephemeral.machineauth_token_verification.t.valid
    reason         = ephemeral.machineauth_token_verification.t.reason
    token_type     = ephemeral.machineauth_token_verification.t.token_type
    id             = ephemeral.machineauth_token_verification.t.id
    subject        = ephemeral.machineauth_token_verification.t.subject
    scopes         = ephemeral.machineauth_token_verification.t.scopes
    garbage_reason = ephemeral.machineauth_token_verification.garbage.reason
  }
}

resource "echo" "t" {}
`
	echoed := func(want map[string]knownvalue.Check) []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.ObjectPartial(want))}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: echoed(map[string]knownvalue.Check{
					"valid":          knownvalue.Bool(true),
					"reason":         knownvalue.StringExact(""),
					"token_type":     knownvalue.StringExact("m2m_token"),
					"id":             knownvalue.StringExact(tok.ID),
					"subject":        knownvalue.StringExact(fx.ClerkMachineID),
					"scopes":         knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)}),
					"garbage_reason": knownvalue.StringExact("malformed"),
				}),
			},
		},
	})
}
