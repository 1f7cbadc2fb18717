package provider

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// What the in-process harness cannot drive (`apply -invoke`, `query
// -generate-config-out`) runs the real CLI through tfcli: the one the
// acceptance tests use (TF_ACC_TERRAFORM_PATH, which make test points at
// each CLI of the matrix in turn), else the terraform on PATH.

// terraformAtLeast returns that CLI, or skips the test unless it is
// Terraform (not OpenTofu) at atLeast or later.
func terraformAtLeast(t *testing.T, atLeast *version.Version) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the terraform CLI: set TF_ACC=1")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	out, err := exec.Command(bin, "version", "-json").Output() //nolint:gosec // the CLI under test, chosen by the developer through TF_ACC_TERRAFORM_PATH
	if err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	if isOpenTofu(bin) {
		t.Skipf("needs Terraform %s or later; %s is OpenTofu %s", atLeast, bin, v.Version)
	}
	got, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s reports version %q: %v", bin, v.Version, err)
	}
	if got.LessThan(atLeast) {
		t.Skipf("needs Terraform %s or later; %s is %s", atLeast, bin, got)
	}
	return bin
}

// isOpenTofu reports whether bin is OpenTofu, which reports its own
// version where Terraform reports Terraform's.
func isOpenTofu(bin string) bool {
	out, err := exec.Command(bin, "version").Output() //nolint:gosec // as above
	return err == nil && strings.HasPrefix(string(out), "OpenTofu")
}

// skipOpenTofu is a version check that skips a test on OpenTofu, which has
// no actions and no list resources: tfversion checks compare OpenTofu's
// version numbers as if they were Terraform's, so SkipBelow alone would run
// those tests on an OpenTofu numbered 1.14 or later.
type skipOpenTofu struct{}

func (skipOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if bin := os.Getenv("TF_ACC_TERRAFORM_PATH"); bin != "" && isOpenTofu(bin) {
		resp.Skip = "OpenTofu has no actions or list resources"
	}
}

// terraform114 gates what Terraform 1.14 brought: actions and list resources.
var terraform114 = []tfversion.TerraformVersionCheck{skipOpenTofu{}, tfversion.SkipBelow(tfversion.Version1_14_0)}

// cliWorkspace is a tfcli workspace running bin against a fresh build of
// the provider, with main.tf holding the provider's address and config,
// which starts with the provider's block.
func cliWorkspace(t *testing.T, bin string, config string) *tfcli.Workspace {
	t.Helper()
	ctx := context.Background()
	root, err := tfcli.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	providerDir, err := tfcli.BuildProvider(ctx, root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w, err := tfcli.NewWorkspace(t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	w.Binary = bin
	if err := w.WriteFile("main.tf", `
terraform {
  required_providers {
    machineauth = { source = "seed-56a0beb6/machineauth" }
  }
}
`+config); err != nil {
		t.Fatal(err)
	}
	return w
}

// The action and list resource examples (which tfplugindocs puts on their
// docs pages) validate with a Terraform that has actions and list resources:
// `validate -query` also checks the .tfquery.hcl files, with the provider's
// own validators.
func TestAccActionAndListExamples_validate(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	t.Parallel()
	// validate configures no provider: the credentials need only their
	// shapes, and nothing is sent.
	w := cliWorkspace(t, bin, providerHCL("", "sk_test_validate0000000000000000000000000000", "ak_00000000000000000000000000000000", "", "project-test-00000000-0000-0000-0000-000000000000", "secret-test-validate"))
	root, err := tfcli.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pattern := range []string{"examples/actions/*/action*.tf", "examples/list-resources/*/list-resource*.tfquery.hcl"} {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// One module for all: each example's file under a name of its own.
			name := filepath.Base(filepath.Dir(f)) + "_" + filepath.Base(f)
			if err := w.WriteFile(name, string(b)); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n < 4 {
		t.Fatalf("found %d action and list resource examples, want at least 4", n)
	}
	if _, err := w.Run(context.Background(), "validate", "-query", "-no-color"); err != nil {
		t.Fatal(err)
	}
}
