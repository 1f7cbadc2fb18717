package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// List resources need Terraform 1.14 (terraform query).
var listVersions = terraform114

// A machine's tokens are listed whoever issued them: the one Terraform
// manages and one issued outside it, and, only when asked, a revoked one.
// A listed token comes as its identity and, with include_resource, as the
// state an import would reach.
func TestAccM2MTokenList_query(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	var outside, revoked string
	byIdentity := func(id *string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"machine_id": knownvalue.StringExact(fx.ClerkMachineID),
			"token_id":   knownvalue.StringFunc(func(v string) error { return equal(v, *id) }),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkRevokedWithReason(srv, defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: providerConfig(srv) + tokenResource},
			{
				PreConfig: func() {
					outside = issueOutside(t, srv, fx.ClerkMachineSecretKey)
					srv.Advance(time.Second) // so the revoked token is the newest
					revoked = issueOutside(t, srv, fx.ClerkMachineSecretKey)
					revokeOutside(t, srv, &revoked, "rotated by hand")
				},
				Query: true,
				// The provider block stays in the .tf file of the first step.
				Config: fmt.Sprintf(`
list "machineauth_m2m_token" "live" {
  provider         = machineauth
  include_resource = true
  config {
    machine_id = %[1]q
  }
}
list "machineauth_m2m_token" "all" {
  provider = machineauth
  config {
    machine_id      = %[1]q
    include_revoked = true
  }
}
list "machineauth_m2m_token" "newest" {
  provider = machineauth
  limit    = 1
  config {
    machine_id      = %[1]q
    include_revoked = true
  }
}
`, fx.ClerkMachineID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_m2m_token.live", 2),
					querycheck.ExpectLength("machineauth_m2m_token.all", 3),
					// Newest first: a limit keeps the token issued last.
					querycheck.ExpectLength("machineauth_m2m_token.newest", 1),
					querycheck.ExpectIdentity("machineauth_m2m_token.newest", map[string]knownvalue.Check{
						"machine_id": knownvalue.StringExact(fx.ClerkMachineID),
						"token_id":   knownvalue.StringFunc(func(v string) error { return equal(v, revoked) }),
					}),
					querycheck.ExpectResourceKnownValues("machineauth_m2m_token.live", byIdentity(&outside), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringFunc(func(v string) error { return equal(v, outside) })},
						{Path: tfjsonpath.New("subject"), KnownValue: knownvalue.StringExact(fx.ClerkMachineID)},
						{Path: tfjsonpath.New("token"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("token_format"), KnownValue: knownvalue.StringExact(tokenFormatOpaque)},
						{Path: tfjsonpath.New("expires_at"), KnownValue: knownvalue.NotNull()},
					}),
					querycheck.ExpectResourceDisplayName("machineauth_m2m_token.all", byIdentity(&revoked),
						knownvalue.StringRegexp(regexp.MustCompile(`^mt_[0-9a-f]{32}, issued \S+, revoked$`))),
				},
			},
		},
	})
}

func equal(got, want string) error {
	if got != want {
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}

// A member's authorized apps are listed whoever authorized them.
func TestAccConnectedAppAuthorizationList_query(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	identity := map[string]knownvalue.Check{
		"organization_id":  knownvalue.StringExact(fx.StytchOrganizationID),
		"member_id":        knownvalue.StringExact(fx.StytchMemberID),
		"user_id":          knownvalue.Null(),
		"connected_app_id": knownvalue.StringExact(fx.StytchConnectedAppID),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The query mode needs a configuration in place first.
				Config: providerConfig(srv) + tokenResource,
			},
			{
				PreConfig: func() {
					if _, err := stytchClient(t, srv).Authorize(t.Context(), client.AuthorizeRequest{
						ConsentGranted: true, Scopes: []string{"openid", "read:reports"}, ClientID: fx.StytchConnectedAppID,
						RedirectURI: fx.StytchRedirectURI, OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
					}); err != nil {
						t.Fatalf("authorizing outside Terraform: %v", err)
					}
				},
				Query: true,
				// The provider block stays in the .tf file of the first step.
				Config: fmt.Sprintf(`
list "machineauth_connected_app_authorization" "member" {
  provider         = machineauth
  include_resource = true
  config {
    organization_id = %q
    member_id       = %q
  }
}
`, fx.StytchOrganizationID, fx.StytchMemberID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_connected_app_authorization.member", 1),
					querycheck.ExpectIdentity("machineauth_connected_app_authorization.member", identity),
					querycheck.ExpectResourceKnownValues("machineauth_connected_app_authorization.member", queryfilter.ByResourceIdentity(identity),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(fx.StytchOrganizationID + "/" + fx.StytchMemberID + "/" + fx.StytchConnectedAppID)},
							{Path: tfjsonpath.New("scopes"), KnownValue: knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("openid"), knownvalue.StringExact("read:reports")})},
							{Path: tfjsonpath.New("access_token"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}

// The point of listing: `terraform query -generate-config-out` writes the
// configuration of a token issued outside Terraform, and applying it
// imports the token, without issuing or revoking anything.
func TestAccM2MTokenList_generateConfig(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	outside := issueOutside(t, srv, fx.ClerkMachineSecretKey)

	w := cliWorkspace(t, bin, srv, "")
	if err := w.WriteFile("tokens.tfquery.hcl", fmt.Sprintf(`
list "machineauth_m2m_token" "service" {
  provider         = machineauth
  include_resource = true
  config {
    machine_id = %q
  }
}
`, fx.ClerkMachineID)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := w.Run(ctx, "query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, res.Stdout, outside)
	generated, err := os.ReadFile(filepath.Join(w.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "machineauth_m2m_token"`, "import {", "identity", outside} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}

	before := srv.Stats().M2MTokens
	res, err = w.Run(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatalf("%v\ngenerated.tf:\n%s", err, generated)
	}
	expectOutput(t, res.Stdout, "1 imported, 0 added")
	if after := srv.Stats().M2MTokens; after != before {
		t.Fatalf("tokens before the import %+v, after %+v: the import issued or revoked one", before, after)
	}
	res, err = w.Run(ctx, "state", "show", "-no-color", "machineauth_m2m_token.service_0")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, res.Stdout, outside)
}
