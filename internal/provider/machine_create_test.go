package provider

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// testMachineStore is the provider's machine store against srv, with retry
// waits kept tiny; rt, when set, stands between it and the emulator.
func testMachineStore(t *testing.T, srv *emulator.Server, rt http.RoundTripper) *machineStore {
	t.Helper()
	info := srv.Info()
	cfg := client.Config{
		ClerkAPIURL:    info.ClerkAPIURL,
		ClerkSecretKey: info.ClerkSecretKey,
		MinRetryWait:   time.Millisecond,
		MaxRetryWait:   5 * time.Millisecond,
	}
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newMachineStore(c, clerkKeys{instance: info.ClerkSecretKey})
}

// loseAnswers passes every request on and, for the first n requests of
// each "METHOD /path-suffix" it names, loses the answer the emulator gave:
// the change is made, the caller never learns of it. It can also answer
// listings as empty without sending them, as a search index that lags
// behind a create would.
type loseAnswers struct {
	mu    sync.Mutex
	lose  map[string]int // requests still to lose the answer of
	empty map[string]int // listings still to answer as empty, unsent
	seen  map[string]int
	// bodies are the bodies sent, by "METHOD /path", in order: what
	// Clerk received.
	bodies map[string][]string
}

func newLoseAnswers(lose map[string]int) *loseAnswers {
	return &loseAnswers{lose: lose, empty: map[string]int{}, seen: map[string]int{}, bodies: map[string][]string{}}
}

func (l *loseAnswers) match(counts map[string]int, req *http.Request) bool {
	for k, n := range counts {
		method, suffix, _ := strings.Cut(k, " ")
		if n > 0 && req.Method == method && strings.HasSuffix(req.URL.Path, suffix) {
			counts[k]--
			return true
		}
	}
	return false
}

func (l *loseAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	l.mu.Lock()
	l.seen[req.Method+" "+req.URL.Path]++
	if body != nil {
		l.bodies[req.Method+" "+req.URL.Path] = append(l.bodies[req.Method+" "+req.URL.Path], string(body))
	}
	empty, lose := l.match(l.empty, req), l.match(l.lose, req)
	l.mu.Unlock()
	if empty {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"data":[],"total_count":0}`)), Request: req}, nil
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return nil, errors.New("connection reset by peer (the test lost the answer)")
}

// machinesNamed are the emulator's machines whose name starts with prefix.
func machinesNamed(srv *emulator.Server, prefix string) []emulator.Machine {
	return slices.DeleteFunc(srv.Machines(), func(m emulator.Machine) bool { return !strings.HasPrefix(m.Name, prefix) })
}

// The first create's answer is lost after Clerk made the machine: the
// search by marker finds it before another create is sent, and the
// provider adopts it, key and all. Machines that merely look alike (the
// same name, the marker's prefix with another value) are left alone.
func TestMachineCreateAdoptsWhatALostAnswerMade(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	sameName, _, err := srv.CreateMachine("billing", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	lookalike, _, err := srv.CreateMachine("billing"+machineCreateMarkerPrefix+strings.Repeat("0", 32), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	rt := newLoseAnswers(map[string]int{"POST /machines": 1})
	store := testMachineStore(t, srv, rt)

	var diags diag.Diagnostics
	made, renamed := store.createMachine(context.Background(), "billing", 600, &diags)
	if diags.HasError() || made == nil || !renamed {
		t.Fatalf("create: %v", diags)
	}
	if n := rt.seen["POST /clerk/v1/machines"]; n != 1 {
		t.Errorf("%d create requests, want 1: the lost one had made the machine", n)
	}
	got, ok := srv.Machine(made.ID)
	if !ok || got.Name != "billing" || got.SecretKey != made.SecretKey || got.DefaultTokenTTL != 600*time.Second {
		t.Errorf("adopted machine %+v, returned %+v", got, made)
	}
	all := machinesNamed(srv, "billing")
	if len(all) != 3 {
		t.Errorf("machines named billing...: %+v, want the adopted one and the two bystanders", all)
	}
	for _, id := range []string{sameName, lookalike} {
		if _, ok := srv.Machine(id); !ok {
			t.Errorf("bystander %s was deleted", id)
		}
	}
	if diags.WarningsCount() != 1 || !strings.Contains(diags[0].Detail(), made.ID) {
		t.Errorf("want one warning naming the adopted machine, got %v", diags)
	}
}

// The first create's answer is lost, and the search after it does not
// see the machine yet, so a second create is sent and answered: the
// reconciliation keeps the second machine and deletes the one the lost
// request made.
func TestMachineCreateDeletesWhatALostAnswerLeftBehind(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	rt := newLoseAnswers(map[string]int{"POST /machines": 1})
	rt.empty["GET /machines"] = 1
	store := testMachineStore(t, srv, rt)

	var diags diag.Diagnostics
	made, renamed := store.createMachine(context.Background(), "payments", defaultMachineTokenTTL, &diags)
	if diags.HasError() || made == nil || !renamed {
		t.Fatalf("create: %v", diags)
	}
	if n := rt.seen["POST /clerk/v1/machines"]; n != 2 {
		t.Fatalf("%d create requests, want 2", n)
	}
	all := machinesNamed(srv, "payments")
	if len(all) != 1 || all[0].ID != made.ID || all[0].Name != "payments" {
		t.Errorf("machines left: %+v, want only %s", all, made.ID)
	}
	if diags.WarningsCount() != 1 || !strings.Contains(diags[0].Summary(), "Deleted a machine left behind") {
		t.Errorf("want one warning naming the deleted machine, got %v", diags)
	}
}

// A machine made but not renamed is returned with an error, for the
// caller to keep in state: it is never left untracked.
func TestMachineCreateKeepsAMachineItCouldNotRename(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	store := testMachineStore(t, srv, failPatches{})
	var diags diag.Diagnostics
	made, renamed := store.createMachine(context.Background(), "search", defaultMachineTokenTTL, &diags)
	if made == nil || renamed || !diags.HasError() {
		t.Fatalf("made %v renamed %v diags %v", made, renamed, diags)
	}
	if _, ok := srv.Machine(made.ID); !ok || !strings.Contains(diags[0].Summary(), made.ID) {
		t.Errorf("the machine %s is not in the emulator or not named in %v", made.ID, diags)
	}
}

// failPatches answers every PATCH with a 503, unsent.
type failPatches struct{}

func (failPatches) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPatch {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
	}
	return http.DefaultTransport.RoundTrip(req)
}

// The marked name stays within Clerk's 255 characters with the marker
// whole, however long the name.
func TestMarkedMachineName(t *testing.T) {
	t.Parallel()
	marker := strings.Repeat("a", 32)
	for _, name := range []string{"x", strings.Repeat("é", 255), strings.Repeat("n", 203), strings.Repeat("n", 204)} {
		got := markedMachineName(name, marker)
		if n := utf8.RuneCountInString(got); n > 255 || !strings.HasSuffix(got, machineCreateMarkerPrefix+marker) {
			t.Errorf("marked %d-character name: %d characters, %q", utf8.RuneCountInString(name), n, got)
		}
	}
}

// A rotation whose answer is lost after Clerk rotated is settled by
// reading the current key: it is not sent again, so the original key
// keeps its overlap and no second key is made.
func TestMachineRotateSettlesALostAnswer(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	id, original, err := srv.CreateMachine("rotating", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	rt := newLoseAnswers(map[string]int{"POST /secret_key/rotate": 1})
	store := testMachineStore(t, srv, rt)
	key, err := store.rotate(context.Background(), id, original, 120)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := srv.Machine(id)
	if key != m.SecretKey || key == original || !slices.Equal(m.PreviousKeys, []string{original}) {
		t.Errorf("rotated to %s; machine %+v: want one rotation, the original key overlapping", client.Redact(key), m)
	}
	if n := rt.seen["POST /clerk/v1/machines/"+id+"/secret_key/rotate"]; n != 1 {
		t.Errorf("%d rotations sent, want 1", n)
	}
	// The overlap asked for, as Clerk's field, in seconds.
	if got := rt.bodies["POST /clerk/v1/machines/"+id+"/secret_key/rotate"]; !slices.Equal(got, []string{`{"previous_token_ttl":120}`}) {
		t.Errorf("rotation bodies %q, want the overlap of 120 seconds", got)
	}
}

// A scope whose answer is lost is granted again: Clerk's 409 then means
// the lost request granted it, and the scope exists once.
func TestMachineScopeGrantSettlesALostAnswer(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	id, _, err := srv.CreateMachine("caller", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	store := testMachineStore(t, srv, newLoseAnswers(map[string]int{"POST /scopes": 1}))
	if err := store.grant(context.Background(), id, fx.ClerkScopedMachineID); err != nil {
		t.Fatal(err)
	}
	if m, _ := srv.Machine(id); !slices.Equal(m.ScopedMachineIDs, []string{fx.ClerkScopedMachineID}) {
		t.Errorf("scopes %v", m.ScopedMachineIDs)
	}
	// A 409 to the first request is someone else's scope: an error.
	if err := store.grant(context.Background(), fx.ClerkMachineID, fx.ClerkScopedMachineID); !client.IsConflict(err) {
		t.Errorf("granting an existing scope: %v, want the 409", err)
	}
}
