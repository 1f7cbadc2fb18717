package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// ciSteps is what a user's CI job runs once the emulator is up, as the
// example's README shows it: source the env file, map the fixture ids to
// the module's variables, run terraform test. A shell sources the file, so
// its quoting is tested along with its contents.
const ciSteps = `set -a; . "$1"; set +a
export TF_VAR_organization_id=$MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID
export TF_VAR_member_id=$MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID
export TF_VAR_connected_app_id=$MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID
export TF_VAR_connected_app_client_secret=$MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET
export TF_VAR_redirect_uri=$MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI
exec terraform test -no-color`

// TestEmulatorExample runs examples/testing-with-the-emulator the way a
// user's CI would: the emulator's own binary, its env file, `terraform test`
// with a dev override pointing at the provider build, and the emulator's
// stats afterwards, which must show what the tests issued and nothing left
// live.
func TestEmulatorExample(t *testing.T) {
	acctest.RequireEmulator(t)
	root, providerDir := examplesSetup(t)
	t.Parallel()
	ctx := context.Background()
	envFile, url := startEmulatorBinary(t, root)

	w, err := tfcli.NewWorkspace(t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	copyModule(t, filepath.Join(root, "examples", "testing-with-the-emulator"), w.Dir)
	w.Binary = "bash"
	res, err := w.Run(ctx, "-c", ciSteps, "bash", envFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stdout, "Success! 3 passed, 0 failed.") {
		t.Fatalf("terraform test did not pass its three runs:\n%s", res.Stdout)
	}

	resp, err := http.Get(url + "/__emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st emulator.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// Two tokens (the second from the rotation) and one authorization, all
	// revoked by the teardown.
	if st.M2MTokens.Live != 0 || st.Authorizations.Active != 0 {
		t.Errorf("after terraform test: %d live tokens and %d active authorizations, want none", st.M2MTokens.Live, st.Authorizations.Active)
	}
	if st.M2MTokens.Revoked != 2 || st.Authorizations.Revoked != 1 {
		t.Errorf("after terraform test: %d revoked tokens and %d revoked authorizations, want 2 and 1", st.M2MTokens.Revoked, st.Authorizations.Revoked)
	}
}

// startEmulatorBinary builds cmd/machineauth-emulator, starts it with an env
// file, and returns that file and the emulator's URL once its ready line is
// out (the env file is written before it). The emulator is stopped with
// SIGINT when the test ends, as a CI job's shell would stop it.
func startEmulatorBinary(t *testing.T, root string) (envFile, url string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "machineauth-emulator")
	build := exec.Command("go", "build", "-o", bin, "./cmd/machineauth-emulator") //nolint:gosec // G204: a fixed package into the test's own temporary directory
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the emulator: %v\n%s", err, out)
	}
	envFile = filepath.Join(dir, "emulator.env")
	cmd := exec.Command(bin, "-env-file", envFile) //nolint:gosec // G204: the binary this test just built
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("the emulator printed no ready line: %v", err)
	}
	var info emulator.Info
	if err := json.Unmarshal(line, &info); err != nil {
		t.Fatalf("the emulator's ready line %q: %v", line, err)
	}
	return envFile, info.URL
}

// copyModule copies a module's .tf files and its tests/*.tftest.hcl into
// dst, so terraform's working files never land in examples/.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(p, ".tf") && !strings.HasSuffix(p, ".tftest.hcl") {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p) //nolint:gosec // G122: the repository's own examples, which nothing changes during the test
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o750); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600) //nolint:gosec // G703: rel comes from walking src, and dst is the test's temporary directory
	})
	if err != nil {
		t.Fatal(err)
	}
}
