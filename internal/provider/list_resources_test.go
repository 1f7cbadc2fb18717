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

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// tokenStates is each token's id and whether it is revoked, for comparing
// a machine's tokens before and after.
func tokenStates(toks []client.M2MToken) []string {
	var out []string
	for _, tok := range toks {
		out = append(out, fmt.Sprintf("%s revoked=%v", tok.ID, tok.Revoked))
	}
	return out
}

// List resources need Terraform 1.14 (terraform query).
var listVersions = terraform114

// A machine's tokens are listed whoever issued them: the one Terraform
// manages and one issued outside it, and, only when asked, a revoked one.
// A listed token comes as its identity and, with include_resource, as the
// state an import would reach.
func TestAccM2MTokenList_query(t *testing.T) {
	tg := newTarget(t)
	tg.ReserveWait(t, time.Second, "so that two tokens' creation times differ")
	fx := tg.Fixture
	var outside, revoked string
	byIdentity := func(id *string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"machine_id": knownvalue.StringExact(fx.ClerkMachineID),
			"token_id":   knownvalue.StringFunc(func(v string) error { return equal(v, *id) }),
		})
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + tokenResource},
			{
				PreConfig: func() {
					outside = tg.IssueM2MToken(t, fx.ClerkMachineSecretKey).ID
					tg.Wait(t, time.Second) // so the revoked token is the newest
					revoked = tg.IssueM2MToken(t, fx.ClerkMachineSecretKey).ID
					tg.RevokeM2MToken(t, revoked, "rotated by hand")
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
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	identity := map[string]knownvalue.Check{
		"organization_id":  knownvalue.StringExact(fx.StytchOrganizationID),
		"member_id":        knownvalue.StringExact(fx.StytchMemberID),
		"user_id":          knownvalue.Null(),
		"connected_app_id": knownvalue.StringExact(fx.StytchConnectedAppID),
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The query mode needs a configuration in place first.
				Config: tg.providerConfig() + tokenResource,
			},
			{
				PreConfig: func() { tg.authorizeFixture("openid", "read:reports") },
				Query:     true,
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
					tg.expectListLength("machineauth_connected_app_authorization.member", 1),
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
	tg := newTarget(t)
	fx := tg.Fixture
	outside := tg.IssueM2MToken(t, fx.ClerkMachineSecretKey).ID

	w := cliWorkspace(t, bin, tg.providerConfig())
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

	before := tg.M2MTokens(t, fx.ClerkMachineID)
	res, err = w.Run(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatalf("%v\ngenerated.tf:\n%s", err, generated)
	}
	expectOutput(t, res.Stdout, "1 imported, 0 added")
	if after := tg.M2MTokens(t, fx.ClerkMachineID); fmt.Sprint(tokenStates(after)) != fmt.Sprint(tokenStates(before)) {
		t.Fatalf("tokens before the import %v, after %v: the import issued or revoked one", tokenStates(before), tokenStates(after))
	}
	res, err = w.Run(ctx, "state", "show", "-no-color", "machineauth_m2m_token.service_0")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, res.Stdout, outside)
}
