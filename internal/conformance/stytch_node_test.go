package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// The official Stytch Node client, driven by testdata/stytch_node_driver.cjs
// with the machine's node: its official Go client is not on the Go module
// proxy here. `make stytch-node` installs the package pinned by
// tools/stytch-node (with its lockfile) into TOOLS_CACHE, outside the
// repository, and every go test make runs finds it through
// MACHINEAUTH_STYTCH_NODE_DIR. Without that variable the test looks where
// make would have put it. When node or the package is missing the cases
// that need it fail, saying so and naming the make target: CI runs make
// test, which installs it.

const (
	stytchNodeDirEnv   = "MACHINEAUTH_STYTCH_NODE_DIR"
	stytchNodeTarget   = "make stytch-node"
	stytchNodeManifest = "../../tools/stytch-node/package.json"
	stytchNodeLock     = "../../tools/stytch-node/package-lock.json"
	stytchNodeDriver   = "testdata/stytch_node_driver.cjs"
	// nodeCallTimeout bounds one call of the official client, a key set
	// fetch included, on a loaded machine.
	nodeCallTimeout = 30 * time.Second
)

// stytchNodeInstall finds the installed package: its directory (the npm
// prefix holding node_modules/stytch) and the pinned version.
func stytchNodeInstall() (dir, version string, err error) {
	manifest, err := os.ReadFile(stytchNodeManifest)
	if err != nil {
		return "", "", fmt.Errorf("reading the pin: %w", err)
	}
	var pin struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(manifest, &pin); err != nil {
		return "", "", fmt.Errorf("reading %s: %w", stytchNodeManifest, err)
	}
	if pin.Dependencies["stytch"] == "" {
		return "", "", fmt.Errorf("%s pins no stytch version", stytchNodeManifest)
	}
	version = pin.Dependencies["stytch"]
	if dir = os.Getenv(stytchNodeDirEnv); dir == "" {
		lock, err := os.ReadFile(stytchNodeLock)
		if err != nil {
			return "", "", fmt.Errorf("reading the lockfile: %w", err)
		}
		sum := sha256.Sum256(lock)
		cache := os.Getenv("TOOLS_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", "", err
			}
			cache = filepath.Join(home, ".cache", "machineauth-tools")
		}
		dir = filepath.Join(cache, "stytch-node-"+version+"-"+hex.EncodeToString(sum[:])[:12])
	}
	raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "stytch", "package.json")) //nolint:gosec // G703: the install directory this test's own make target chose
	if err != nil {
		return "", "", fmt.Errorf("the official Stytch Node client (stytch %s) is not installed in %s: run `%s` (make test does)", version, dir, stytchNodeTarget)
	}
	var installed struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &installed); err != nil || installed.Version != version {
		return "", "", fmt.Errorf("%s holds stytch %q, the pin is %s: run `%s`", dir, installed.Version, version, stytchNodeTarget)
	}
	return dir, version, nil
}

// nodeDriver is one node process running the driver script, shared by every
// subtest; calls from parallel subtests run concurrently in it.
type nodeDriver struct {
	version string
	types   *tsTypes
	cmd     *exec.Cmd
	// wmu orders writes to stdin. It is not mu: a write that waits for
	// node to read must never keep the reader from handing out answers.
	wmu   sync.Mutex
	stdin io.WriteCloser

	mu      sync.Mutex
	next    int64
	pending map[int64]chan nodeAnswer
	stderr  bytes.Buffer
	exited  chan struct{}
	waitErr error
}

type nodeRequest struct {
	ID        int64  `json:"id"`
	BaseURL   string `json:"base_url"`
	ProjectID string `json:"project_id"`
	Secret    string `json:"secret"`
	Client    string `json:"client"`
	Method    string `json:"method"`
	Args      []any  `json:"args"`
}

type nodeAnswer struct {
	ID     int64           `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *nodeError      `json:"error"`
}

// nodeError is what the driver keeps of an error the client threw: its
// class (StytchError for an API error, ClientError for a failed local
// check) and their fields.
type nodeError struct {
	Name         string `json:"name"`
	Message      string `json:"message"`
	StatusCode   int    `json:"status_code"`
	RequestID    string `json:"request_id"`
	ErrorType    string `json:"error_type"`
	ErrorMessage string `json:"error_message"`
	Code         string `json:"code"`
	Cause        string `json:"cause"`
}

func startNodeDriver() (*nodeDriver, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: the official Stytch client needs Node.js >= 18 (https://nodejs.org/), then `%s`", stytchNodeTarget)
	}
	dir, version, err := stytchNodeInstall()
	if err != nil {
		return nil, err
	}
	script, err := filepath.Abs(stytchNodeDriver)
	if err != nil {
		return nil, err
	}
	d := &nodeDriver{
		version: version,
		types:   newTSTypes(filepath.Join(dir, "node_modules", "stytch")),
		pending: map[int64]chan nodeAnswer{},
		exited:  make(chan struct{}),
	}
	d.cmd = exec.Command(node, script) //nolint:gosec // G204: the node on PATH runs the repository's own driver script
	d.cmd.Env = append(os.Environ(), "STYTCH_NODE_DIR="+dir)
	d.cmd.Stderr = &lockedWriter{mu: &d.mu, w: &d.stderr}
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting node: %w", err)
	}
	go d.read(stdout)
	return d, nil
}

func (d *nodeDriver) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a nodeAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			continue // not an answer: nothing else writes to stdout
		}
		d.mu.Lock()
		ch := d.pending[a.ID]
		delete(d.pending, a.ID)
		d.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	err := d.cmd.Wait()
	d.mu.Lock()
	d.waitErr = err
	d.mu.Unlock()
	close(d.exited)
}

// call sends one request and waits for its answer.
func (d *nodeDriver) call(ctx context.Context, req nodeRequest) (nodeAnswer, error) {
	ch := make(chan nodeAnswer, 1)
	d.mu.Lock()
	d.next++
	req.ID = d.next
	d.pending[req.ID] = ch
	d.mu.Unlock()
	line, err := json.Marshal(req) //nolint:gosec // G117: the emulator's test credentials, sent to the local node driver
	if err == nil {
		d.wmu.Lock()
		_, err = d.stdin.Write(append(line, '\n'))
		d.wmu.Unlock()
	}
	if err != nil {
		return nodeAnswer{}, fmt.Errorf("writing to node: %w", err)
	}
	select {
	case a := <-ch:
		return a, nil
	case <-d.exited:
		return nodeAnswer{}, fmt.Errorf("node exited (%v); its stderr:\n%s", d.waitErr, d.stderrText()) //nolint:errorlint // waitErr is nil when node exited 0, which %v prints as <nil> and %w as %!w(<nil>)
	case <-ctx.Done():
		d.mu.Lock()
		delete(d.pending, req.ID)
		d.mu.Unlock()
		return nodeAnswer{}, fmt.Errorf("no answer from the Node client: %w; its stderr:\n%s", ctx.Err(), d.stderrText())
	}
}

func (d *nodeDriver) stderrText() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

// close ends the driver: with stdin closed it exits once its calls are
// answered.
func (d *nodeDriver) close() {
	d.wmu.Lock()
	_ = d.stdin.Close()
	d.wmu.Unlock()
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// node is the shared driver, started by the first case that needs it.
func (e *env) node() (*nodeDriver, error) {
	e.nodeOnce.Do(func() { e.nodeDrv, e.nodeErr = startNodeDriver() })
	return e.nodeDrv, e.nodeErr
}

// nodeReport says which official Node client ran, and which type names
// its declarations use without defining them (checked as anything).
func (e *env) nodeReport() string {
	if e.nodeDrv == nil {
		if e.nodeErr != nil {
			return "official Stytch Node client: not run: " + e.nodeErr.Error()
		}
		return "official Stytch Node client: not run"
	}
	ts := e.nodeDrv.types
	ts.mu.Lock()
	defer ts.mu.Unlock()
	names := make([]string, 0, len(ts.unresolved))
	for n := range ts.unresolved {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Sprintf("official Stytch Node client: stytch %s; answers checked against its declarations (names it leaves undefined, not checked: %s)",
		e.nodeDrv.version, strings.Join(names, ", "))
}

func (e *env) closeNode() {
	if e.nodeDrv != nil {
		e.nodeDrv.close()
	}
}

// nodeBaseURL is a proxy in front of the emulator whose every exchange
// goes through this subtest's validator: the Node client's requests are
// checked against the descriptions like the Go clients' are, and reported
// on this subtest.
func (h *harness) nodeBaseURL() string {
	h.nodeProxyOnce.Do(func() {
		target, err := url.Parse(h.env.info.StytchBaseURL)
		h.must(err)
		proxy := &httputil.ReverseProxy{
			Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
			Transport: h.v,
		}
		srv := httptest.NewServer(proxy)
		h.t.Cleanup(srv.Close)
		h.nodeURL = srv.URL
	})
	return h.nodeURL
}

// stytchNode calls method on the official Node client, "b2b" (B2BClient)
// or "consumer" (Client), configured with the project's credentials.
func (h *harness) stytchNode(client, method string, args ...any) nodeAnswer {
	h.t.Helper()
	d, err := h.env.node()
	if err != nil {
		h.t.Fatalf("the official Stytch Node client cannot run: %v", err)
	}
	ctx, cancel := context.WithTimeout(h.ctx, nodeCallTimeout)
	defer cancel()
	a, err := d.call(ctx, nodeRequest{
		BaseURL:   h.nodeBaseURL(),
		ProjectID: h.env.info.StytchProjectID,
		Secret:    h.env.info.StytchSecret,
		Client:    client,
		Method:    method,
		Args:      args,
	})
	if err != nil {
		h.t.Fatalf("%s %s: %v", client, method, err)
	}
	return a
}

// nodeClients names each client's declaration file and class.
var nodeClients = map[string]struct{ file, class string }{
	"b2b":      {"b2b/client", "B2BClient"},
	"consumer": {"b2c/client", "Client"},
}

// nodeOK calls method, which must succeed; its answer must have the shape
// the client declares for the method's result, and is decoded into out
// (unless nil) for the case to check what it means.
func (h *harness) nodeOK(out any, client, method string, args ...any) {
	h.t.Helper()
	a := h.stytchNode(client, method, args...)
	if !a.OK {
		h.t.Fatalf("%s.%s failed in the official client: %+v", client, method, *a.Error)
	}
	d, _ := h.env.node()
	c := nodeClients[client]
	f, typ, err := d.types.returnType(c.file, c.class, method)
	if err != nil {
		h.t.Fatalf("reading the official client's declaration of %s: %v", method, err)
	}
	var value any
	h.must(json.Unmarshal(a.Result, &value))
	for _, bad := range d.types.check(f, typ, value) {
		h.t.Errorf("%s.%s: the answer is not the %s the official client declares: %s", client, method, typ, bad)
	}
	if out != nil {
		if err := json.Unmarshal(a.Result, out); err != nil {
			h.t.Fatalf("%s.%s: decoding %s: %v", client, method, a.Result, err)
		}
	}
}

// nodeErr calls method, which must fail with an error of class name (and,
// for a StytchError, errorType); it returns the error.
func (h *harness) nodeErr(name, errorType, client, method string, args ...any) *nodeError {
	h.t.Helper()
	a := h.stytchNode(client, method, args...)
	switch {
	case a.OK:
		h.t.Fatalf("%s.%s succeeded, want a %s %s: %s", client, method, name, errorType, a.Result)
	case a.Error.Name != name || (errorType != "" && a.Error.ErrorType != errorType):
		h.t.Fatalf("%s.%s: got %+v, want a %s %s", client, method, *a.Error, name, errorType)
	}
	return a.Error
}

// stytchRequestIDRe is the shape of the request id the client's
// StytchError carries.
var stytchRequestIDRe = regexp.MustCompile(`^request-id-test-[0-9a-f-]{36}$`)
