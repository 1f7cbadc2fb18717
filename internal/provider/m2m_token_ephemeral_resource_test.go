package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The ephemeral token reaches another provider (echo stores what it is
// given, so the test can see it) and every token opened in the run, the
// plan's included, is revoked with the configured reason by the end.
func TestAccM2MTokenEphemeral_passedOnAndRevoked(t *testing.T) {
	for name, ownKeyNoInstanceKey := range map[string]bool{
		"provider keys":               false,
		"own machine key, no sk_ key": true,
	} {
		t.Run(name, func(t *testing.T) {
			tg := newTarget(t)
			fx := tg.Fixture
			provider, keyLine := tg.providerConfig(), ""
			if ownKeyNoInstanceKey {
				// Close then revokes with the key kept in private data.
				provider = tg.providerConfigWithout("secret_key", "machine_secret_key")
				keyLine = fmt.Sprintf("machine_secret_key = %q", fx.ClerkMachineSecretKey)
			}
			config := provider + fmt.Sprintf(`
ephemeral "machineauth_m2m_token" "t" {
  %s
  seconds_until_expiration = 600
  claims                   = jsonencode({ purpose = "ci" })
  revocation_reason        = "run over"
}

provider "echo" {
  data = ephemeral.machineauth_m2m_token.t.token
}

resource "echo" "t" {}
`, keyLine)
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"machineauth": testAccProtoV6ProviderFactories["machineauth"],
					"echo":        echoprovider.NewProviderServer(),
				},
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.StringRegexp(regexp.MustCompile(`^mt_[A-Za-z0-9]+$`))),
					},
				}},
			})
			tokens := tg.M2MTokens(t, fx.ClerkMachineID)
			if len(tokens) == 0 {
				t.Fatal("no token was issued")
			}
			for _, tok := range tokens {
				if !tok.Revoked || tok.RevocationReason == nil || *tok.RevocationReason != "run over" {
					t.Errorf("token %s: revoked %v with %s, want revoked with \"run over\"", tok.ID, tok.Revoked, deref(tok.RevocationReason))
				}
			}
			if live := tg.liveTokens(""); len(live) != 0 {
				t.Fatalf("tokens %v still live after the run", live)
			}
		})
	}
}
