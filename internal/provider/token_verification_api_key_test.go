package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// API keys are verified by Clerk: a live key is valid with what Clerk
// says of it, a revoked and an expired one are invalid, never an error;
// a machine secret key, which shares the ak_ prefix, is asked about and
// found to be no API key; a value of the wrong shape for the type given
// is malformed without a request.
func TestAccTokenVerificationDataSource_apiKeys(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	admin := adminClient(t, srv)
	ctx := context.Background()
	mk := func(req client.CreateAPIKeyRequest) *client.APIKeyWithSecret {
		t.Helper()
		k, err := admin.CreateAPIKey(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	ttl := int64(60)
	live := mk(client.CreateAPIKeyRequest{Name: "live key", Subject: fx.ClerkOrganizationID, Scopes: []string{"read", "write"}, Claims: []byte(`{"team":"billing"}`)})
	revoked := mk(client.CreateAPIKeyRequest{Name: "revoked key", Subject: fx.ClerkUserID})
	expired := mk(client.CreateAPIKeyRequest{Name: "expired key", Subject: fx.ClerkMachineID, SecondsUntilExpiration: &ttl})
	if _, err := admin.RevokeAPIKey(ctx, revoked.ID, nil); err != nil {
		t.Fatal(err)
	}
	srv.Advance(61 * time.Second)
	vars := config.Variables{
		"live":        config.StringVariable(live.Secret),
		"revoked":     config.StringVariable(revoked.Secret),
		"expired":     config.StringVariable(expired.Secret),
		"machine_key": config.StringVariable(fx.ClerkMachineSecretKey),
	}
	cfg := providerConfig(srv) + tokenVariables("live", "revoked", "expired", "machine_key") + `
data "machineauth_token_verification" "live" {
  token = var.live
}
data "machineauth_token_verification" "revoked" {
  token = var.revoked
  type  = "api_key"
}
data "machineauth_token_verification" "expired" {
  token = var.expired
}
data "machineauth_token_verification" "machine_key" {
  token = var.machine_key
}
data "machineauth_token_verification" "m2m_token_as_api_key" {
  token = "mt_0123456789abcdef0123456789abcdef"
  type  = "api_key"
}
`
	var before int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:       func() { before = srv.Stats().Calls("POST", "/clerk/v1/api_keys/verify") },
			Config:          cfg,
			ConfigVariables: vars,
			ConfigStateChecks: slices.Concat(
				expectVerification("live", map[string]knownvalue.Check{
					"valid":      knownvalue.Bool(true),
					"reason":     knownvalue.StringExact(""),
					"token_type": knownvalue.StringExact("api_key"),
					"id":         knownvalue.StringExact(live.ID),
					"subject":    knownvalue.StringExact(fx.ClerkOrganizationID),
					"scopes":     knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read"), knownvalue.StringExact("write")}),
					"claims":     knownvalue.StringExact(`{"team":"billing"}`),
					"expires_at": knownvalue.Null(),
				}),
				expectVerification("revoked", notValid("invalid", "api_key")),
				expectVerification("expired", notValid("invalid", "api_key")),
				expectVerification("machine_key", notValid("invalid", "api_key")),
				expectVerification("m2m_token_as_api_key", notValid("malformed", "api_key")),
			),
			Check: func(*terraform.State) error {
				// Four asked Clerk, on each of the plan's and apply's
				// reads; the malformed one never did.
				if n := srv.Stats().Calls("POST", "/clerk/v1/api_keys/verify") - before; n == 0 || n%4 != 0 {
					return fmt.Errorf("%d API key verifications, want a multiple of 4", n)
				}
				if k, _ := srv.APIKey(live.ID); k.LastUsedAt == nil {
					return fmt.Errorf("verifying %s did not count as a use", live.ID)
				}
				return nil
			},
		}},
	})
}
