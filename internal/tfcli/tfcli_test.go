package tfcli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// TestApplyAndDestroyWithTheRealCLI is the harness's own check: a local build
// loaded through a dev override issues a token and revokes it, with no
// `terraform init` and no registry.
func TestApplyAndDestroyWithTheRealCLI(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the terraform CLI: set TF_ACC=1")
	}
	t.Parallel()
	ctx := context.Background()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bin, err := BuildProvider(ctx, root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	info := srv.Info()

	w, err := NewWorkspace(t.TempDir(), bin)
	if err != nil {
		t.Fatal(err)
	}
	w.Env = []string{
		"CLERK_API_URL=" + info.ClerkAPIURL,
		"CLERK_SECRET_KEY=" + info.ClerkSecretKey,
		"CLERK_MACHINE_SECRET_KEY=" + info.Fixture.ClerkMachineSecretKey,
	}
	if err := w.WriteFile("main.tf", `
terraform {
  required_providers {
    machineauth = { source = "seed-56a0beb6/machineauth" }
  }
}
resource "machineauth_m2m_token" "t" {}
output "id" { value = machineauth_m2m_token.t.id }
`); err != nil {
		t.Fatal(err)
	}
	res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stderr+res.Stdout, "Provider development overrides are in effect") {
		t.Errorf("the local build was not loaded through the dev override:\n%s%s", res.Stdout, res.Stderr)
	}
	if got := srv.Stats().M2MTokens.Live; got != 1 {
		t.Fatalf("live tokens after apply = %d, want 1", got)
	}
	if _, err := w.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if st.M2MTokens.Live != 0 || st.M2MTokens.Revoked != 1 {
		t.Fatalf("after destroy: %+v, want 0 live and 1 revoked", st.M2MTokens)
	}
	if _, err := os.Stat(filepath.Join(w.Dir, ".machineauth-cli.tfrc")); err != nil {
		t.Fatal(fmt.Errorf("the workspace's own CLI config is missing: %w", err))
	}
}
