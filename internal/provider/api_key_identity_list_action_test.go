package provider

import (
	"context"
	"fmt"
	"regexp"
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

// makeAPIKeyOutside makes a key as a script with the instance key would.
func makeAPIKeyOutside(t *testing.T, srv *emulator.Server, subject, name string) string {
	t.Helper()
	k, err := adminClient(t, srv).CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{Name: name, Subject: subject})
	if err != nil {
		t.Fatalf("making an API key outside Terraform: %v", err)
	}
	return k.ID
}

func apiKeyResourceFor(subject string) string {
	return fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  name    = "identity"
  subject = %q
}
`, subject)
}

// A key carries its identity, and an import block with only that identity
// adopts it without a change.
func TestAccAPIKey_identity(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAPIKeysRevokedWith(srv, defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(srv) + apiKeyResourceFor(srv.Info().Fixture.ClerkUserID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(apiKeyAddr, map[string]knownvalue.Check{"api_key_id": knownvalue.StringRegexp(apiKeyIDPattern)}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(apiKeyAddr, tfjsonpath.New("api_key_id"), tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    apiKeyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// A subject's keys are listed whoever made them: the one Terraform
// manages and one made outside it, and, only when asked, a revoked one.
func TestAccAPIKeyList_query(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	org := srv.Info().Fixture.ClerkOrganizationID
	var outside, revoked string
	byIdentity := func(id *string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"api_key_id": knownvalue.StringFunc(func(v string) error { return equal(v, *id) }),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAPIKeysRevokedWith(srv, defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{Config: providerConfig(srv) + apiKeyResourceFor(org)},
			{
				PreConfig: func() {
					outside = makeAPIKeyOutside(t, srv, org, "made by a script")
					revoked = makeAPIKeyOutside(t, srv, org, "rotated by hand")
					revokeAPIKeyOutside(t, srv, &revoked, "rotated by hand")
				},
				Query: true,
				Config: fmt.Sprintf(`
list "machineauth_api_key" "live" {
  provider         = machineauth
  include_resource = true
  config {
    subject = %[1]q
  }
}
list "machineauth_api_key" "all" {
  provider = machineauth
  config {
    subject         = %[1]q
    include_revoked = true
  }
}
`, org),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_api_key.live", 2),
					querycheck.ExpectLength("machineauth_api_key.all", 3),
					querycheck.ExpectResourceKnownValues("machineauth_api_key.live", byIdentity(&outside), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringFunc(func(v string) error { return equal(v, outside) })},
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("made by a script")},
						{Path: tfjsonpath.New("subject"), KnownValue: knownvalue.StringExact(org)},
						{Path: tfjsonpath.New("secret"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("expires_at"), KnownValue: knownvalue.Null()},
					}),
					querycheck.ExpectResourceDisplayName("machineauth_api_key.all", byIdentity(&revoked),
						knownvalue.StringRegexp(regexp.MustCompile(`^rotated by hand \(ak_[0-9a-f]{32}\), made \S+, revoked$`))),
				},
			},
		},
	})
}

// Break-glass revocation with `terraform apply -invoke`: a key no state
// holds is revoked with the reason given; a second run finds it revoked
// and leaves its reason; an unknown id is refused.
func TestAccRevokeAPIKeyAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	leaked := makeAPIKeyOutside(t, srv, srv.Info().Fixture.ClerkMachineID, "leaked key")
	w := cliWorkspace(t, bin, srv, fmt.Sprintf(`
action "machineauth_revoke_api_key" "leak" {
  config {
    api_key_id = %q
    reason     = "leaked in a CI log"
  }
}
action "machineauth_revoke_api_key" "unknown" {
  config {
    api_key_id = "ak_00000000000000000000000000000000"
  }
}
`, leaked))
	ctx := context.Background()
	invoke := func(name string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_revoke_api_key."+name)
		return res.Stdout + res.Stderr, err
	}
	out, err := invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Revoking API key "+leaked, "Revoked API key "+leaked)
	if k, _ := srv.APIKey(leaked); !k.Revoked || deref(k.RevocationReason) != `"leaked in a CI log"` {
		t.Fatalf("after the action: revoked %v with reason %s", k.Revoked, deref(k.RevocationReason))
	}
	out, err = invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "already revoked", `"leaked in a CI log"`, "Warning: API key already revoked")
	out, err = invoke("unknown")
	if err == nil {
		t.Fatalf("revoking an unknown key succeeded:\n%s", out)
	}
	expectOutput(t, err.Error(), "API key not found", "Nothing was revoked")
}
