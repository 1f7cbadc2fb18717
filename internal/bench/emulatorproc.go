package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// emulatorProcess is the emulator run as its own process (its command,
// cmd/machineauth-emulator), so that its CPU time is told
// apart from this process's and from terraform's: the growth table reports
// the provider's CPU time without the fake server's.
type emulatorProcess struct {
	cmd    *exec.Cmd
	info   emulator.Info
	stderr bytes.Buffer
}

func buildEmulator(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "machineauth-emulator")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/machineauth-emulator") //nolint:gosec // a fixed package into the bench's own temporary directory
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the emulator: %w\n%s", err, out)
	}
	return bin, nil
}

// startEmulatorProcess starts the emulator binary and reads the line of
// JSON it prints when ready.
func startEmulatorProcess(ctx context.Context, bin string) (*emulatorProcess, error) {
	e := &emulatorProcess{}
	e.cmd = exec.CommandContext(ctx, bin, "-listen", "127.0.0.1:0")
	e.cmd.Cancel = func() error { return e.cmd.Process.Signal(syscall.SIGTERM) }
	e.cmd.WaitDelay = 10 * time.Second
	e.cmd.Stderr = &e.stderr
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := e.cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &e.info)
	}
	if err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("reading the emulator's ready line: %w\n%s", err, e.stderr.String())
	}
	return e, nil
}

func (e *emulatorProcess) stats() (emulator.Stats, error) {
	var st emulator.Stats
	resp, err := http.Get(e.info.URL + "/__emulator/stats") //nolint:noctx // the loopback emulator this bench started
	if err != nil {
		return st, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("emulator stats: %s", resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&st)
	return st, err
}

func (e *emulatorProcess) cpuTime() (time.Duration, bool) { return cpuTime(e.cmd.Process.Pid) }

// Close stops the emulator as an interrupt from a terminal would.
func (e *emulatorProcess) Close() error {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	// Its exit status says nothing the bench needs: it was told to stop.
	_ = e.cmd.Wait()
	return nil
}
