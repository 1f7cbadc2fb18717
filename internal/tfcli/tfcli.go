// Package tfcli runs a real terraform (or tofu) binary against a locally built
// provider, the way a user would run it, for what the in-process acceptance
// harness cannot show: CLI flags such as -parallelism, signals, TF_LOG output,
// wall time and the provider process's memory. It isolates every run in its
// own CLI configuration, so a developer's ~/.terraformrc and
// TF_CLI_CONFIG_FILE are never read or touched.
package tfcli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ProviderAddress is the address configurations use for this provider.
const ProviderAddress = "registry.terraform.io/seed-56a0beb6/machineauth"

// BuildProvider compiles the provider from the module at repoRoot into
// outDir and returns outDir, the directory a dev override points at.
func BuildProvider(ctx context.Context, repoRoot, outDir string) (string, error) {
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(outDir, "terraform-provider-machineauth"), ".") //nolint:gosec // G204: the output path is the caller's own directory
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return outDir, nil
}

// RepoRoot finds the module root above dir (the directory holding go.mod).
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// Workspace is a working directory with its own CLI configuration whose dev
// override points the provider address at a local build.
type Workspace struct {
	Dir string
	// Binary is the CLI to run: "terraform" (from PATH) unless set.
	Binary string
	// Env is added to the parent environment for every run, after the
	// variables the workspace sets itself (so it can override them).
	Env []string
	// cliConfig is the path of the generated CLI configuration.
	cliConfig string
}

// NewWorkspace prepares dir (created if missing) to run configurations
// against the provider built into providerDir.
func NewWorkspace(dir, providerDir string) (*Workspace, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, ".machineauth-cli.tfrc")
	// OpenTofu resolves the same source to registry.opentofu.org, so both
	// addresses are overridden.
	body := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
    %q = %q
  }
  direct {}
}
`, ProviderAddress, providerDir, strings.Replace(ProviderAddress, "registry.terraform.io", "registry.opentofu.org", 1), providerDir)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		return nil, err
	}
	return &Workspace{Dir: dir, Binary: "terraform", cliConfig: cfg}, nil
}

// WriteFile writes a file into the workspace, e.g. main.tf.
func (w *Workspace) WriteFile(name, content string) error {
	return os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600)
}

// Command builds the command for args without starting it, for callers that
// need the process itself (to signal it, or to watch its children).
func (w *Workspace) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.Binary, args...) //nolint:gosec // G204: running the CLI the caller chose is this package's purpose
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_INPUT=0",
	)
	cmd.Env = append(cmd.Env, w.Env...)
	return cmd
}

// Result is what one run printed.
type Result struct {
	Stdout, Stderr string
}

// Run runs the CLI with args and returns its output; a non-zero exit is an
// error that carries the output, so a failing test shows what terraform said.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := w.Command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return res, fmt.Errorf("%s %s: %w\nstdout:\n%s\nstderr:\n%s", w.Binary, strings.Join(args, " "), err, res.Stdout, res.Stderr)
	}
	return res, nil
}
