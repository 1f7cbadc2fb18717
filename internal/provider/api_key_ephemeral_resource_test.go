package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const ephemeralAPIKeyConfig = `
ephemeral "machineauth_api_key" "k" {
  name                     = "ci run"
  subject                  = %q
  scopes                   = ["deploy"]
  seconds_until_expiration = 600
  revocation_reason        = "run over"
}

provider "echo" {
  data = ephemeral.machineauth_api_key.k.secret
}

resource "echo" "k" {}
`

func withEcho() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": testAccProtoV6ProviderFactories["machineauth"],
		"echo":        echoprovider.NewProviderServer(),
	}
}

// The ephemeral key reaches another provider (echo stores what it is
// given, so the test can see it), and every key opened in the run, the
// plan's included, is revoked with the configured reason by the end.
func TestAccAPIKeyEphemeral_passedOnAndRevoked(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	org := srv.Info().Fixture.ClerkOrganizationID
	var echoed string
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(),
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(ephemeralAPIKeyConfig, org),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.k", tfjsonpath.New("data"), knownvalue.StringRegexp(apiKeySecretPattern)),
			},
			Check: captureAttr("echo.k", "data", &echoed),
		}},
	})
	keys := srv.APIKeys(org)
	if len(keys) == 0 {
		t.Fatal("no key was made")
	}
	passed := false
	for _, k := range keys {
		passed = passed || k.Secret == echoed
		if !k.Revoked || deref(k.RevocationReason) != `"run over"` {
			t.Errorf("key %s: revoked %v with %s, want revoked with \"run over\"", k.ID, k.Revoked, deref(k.RevocationReason))
		}
	}
	if !passed {
		t.Error("the secret the other provider got is none of the keys made")
	}
	if live := srv.Stats().APIKeys.Live; live != 0 {
		t.Fatalf("%d keys still live after the run", live)
	}
}

// A revoke that fails when the key is closed is a warning that says the
// key stays valid, not an error: the run has done its work.
func TestAccAPIKeyEphemeral_failedRevokeIsAWarning(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/revoke") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"errors":[{"message":"unavailable","long_message":"try later","code":"service_unavailable"}]}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	rec := &warningRecorder{}
	factories := recordingFactories(rec)
	factories["echo"] = echoprovider.NewProviderServer()
	org := srv.Info().Fixture.ClerkOrganizationID
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: editProviderConfig(srv, func(attr string) (string, bool) {
				switch attr {
				case "api_url":
					return `api_url = "` + proxy.URL + `/clerk/v1"`, true
				case "max_retry_wait":
					return `max_retry_wait = "1ms"` + "\n  max_retries = 0", true
				}
				return "", true
			}) + fmt.Sprintf(ephemeralAPIKeyConfig, org),
		}},
	})
	if !rec.has("Unable to revoke API key", "503", "stays valid until it expires") {
		t.Errorf("no warning about the failed revoke; warnings:\n%s", rec.all())
	}
	if live := srv.Stats().APIKeys.Live; live == 0 {
		t.Error("no key is live: the failing revoke was not exercised")
	}
}
