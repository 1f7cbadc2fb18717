package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so
// tests and the emulator they start share one process and one clock.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"machineauth": providerserver.NewProtocol6WithError(New("test")()),
}

// startEmulator gives a test its own emulator, stopped when the test ends, so
// acceptance tests run in parallel without seeing each other's credentials.
func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// providerConfig is a provider block pointing at the emulator with every
// credential set, and retries kept short so fault tests stay fast.
func providerConfig(srv *emulator.Server) string {
	info := srv.Info()
	return fmt.Sprintf(`
provider "machineauth" {
  max_retry_wait = "50ms"
  clerk {
    api_url            = %q
    secret_key         = %q
    machine_secret_key = %q
  }
  stytch {
    base_url   = %q
    project_id = %q
    secret     = %q
  }
}
`, info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture.ClerkMachineSecretKey, info.StytchBaseURL, info.StytchProjectID, info.StytchSecret)
}
