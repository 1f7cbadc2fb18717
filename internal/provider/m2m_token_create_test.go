package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// testStore is the provider's token store against srv, with retry waits
// kept tiny so fault runs stay fast; hc may be nil.
func testStore(t *testing.T, srv *emulator.Server, hc *http.Client) *m2mTokenStore {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{
		ClerkAPIURL:    info.ClerkAPIURL,
		ClerkSecretKey: info.ClerkSecretKey,
		MinRetryWait:   time.Millisecond,
		MaxRetryWait:   5 * time.Millisecond,
		HTTPClient:     hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	return newM2MTokenStore(c, clerkKeys{instance: info.ClerkSecretKey, machine: info.Fixture.ClerkMachineSecretKey})
}

// liveTokens are the ids of the machine's live tokens in the emulator.
func liveTokens(srv *emulator.Server, machine string) map[string]bool {
	live := map[string]bool{}
	for _, tok := range srv.M2MTokens(machine) {
		if !tok.Revoked {
			live[tok.ID] = true
		}
	}
	return live
}

// The emulator commits the create and then drops the connection: the token
// exists, its secret is lost. The provider must issue a new one and revoke
// the lost one, leaving exactly one live token: the one it returns.
func TestM2MTokenCreateRevokesWhatALostAnswerLeftBehind(t *testing.T) {
	t.Parallel()
	forEachMarkerMode(t, testCreateRevokesWhatALostAnswerLeftBehind)
}

// forEachMarkerMode runs a lost-answer test with the create marker and
// with the search by claims and time that create_marker = false falls
// back to: both must leave no orphan.
func forEachMarkerMode(t *testing.T, test func(t *testing.T, mark bool)) {
	for _, mark := range []bool{true, false} {
		t.Run(fmt.Sprintf("create_marker=%t", mark), func(t *testing.T) {
			t.Parallel()
			test(t, mark)
		})
	}
}

func testCreateRevokesWhatALostAnswerLeftBehind(t *testing.T, mark bool) {
	// With this seed the emulator drops the first request after committing
	// it and answers the next ones; the test checks that this happened, so
	// a change in the emulator's fault draws fails it rather than letting
	// it pass without a lost answer.
	srv := startEmulator(t, emulator.Options{Faults: "drop_after_commit=0.5", Seed: 8})
	machine := srv.Info().Fixture.ClerkMachineID
	store := testStore(t, srv, nil)

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{Claims: []byte(`{"team":"payments"}`)}, mark, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	if n := srv.Stats().Faults["drop_after_commit"]; n == 0 {
		t.Fatal("no answer was dropped: pick a seed that drops the first create")
	}
	all := srv.M2MTokens(machine)
	if len(all) < 2 {
		t.Fatalf("the lost create left no token behind (%d tokens): pick a seed that drops the first create", len(all))
	}
	live := liveTokens(srv, machine)
	if len(live) != 1 || !live[tok.ID] {
		t.Fatalf("live tokens %v, want only the one returned, %s", live, tok.ID)
	}
	for _, other := range all {
		if other.ID != tok.ID && (other.RevocationReason == nil || *other.RevocationReason != orphanRevocationReason) {
			t.Fatalf("token %s revoked with %s, want %q", other.ID, deref(other.RevocationReason), orphanRevocationReason)
		}
	}
	if diags.WarningsCount() != 1 {
		t.Fatalf("want one warning naming the revoked token, got %v", diags)
	}
}

// Concurrent creates with identical claims, some answers lost: an orphan
// search must never revoke a token another create of the same run is
// about to return, and must leave no orphan.
func TestM2MTokenConcurrentCreatesKeepEachOthersTokens(t *testing.T) {
	t.Parallel()
	forEachMarkerMode(t, testConcurrentCreatesKeepEachOthersTokens)
}

func testConcurrentCreatesKeepEachOthersTokens(t *testing.T, mark bool) {
	srv := startEmulator(t, emulator.Options{Faults: "drop_after_commit=0.25", Seed: 11})
	machine := srv.Info().Fixture.ClerkMachineID
	// Every create's answer arrives late, after Clerk has stored the
	// token: the window in which an orphan search sees a sibling's token
	// before the sibling does.
	store := testStore(t, srv, &http.Client{Transport: lateCreateAnswers{http.DefaultTransport}})

	const n = 60
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		issued = map[string]bool{}
		failed int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var diags diag.Diagnostics
			tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, mark, &diags)
			mu.Lock()
			defer mu.Unlock()
			if tok == nil {
				failed++
				return
			}
			issued[tok.ID] = true
		}()
	}
	wg.Wait()
	if srv.Stats().Faults["drop_after_commit"] == 0 {
		t.Fatal("no answer was dropped: the test exercised nothing")
	}
	live := liveTokens(srv, machine)
	for id := range issued {
		if !live[id] {
			t.Errorf("token %s was returned to its resource but revoked", id)
		}
	}
	for id := range live {
		if !issued[id] {
			t.Errorf("token %s is live but no resource holds it", id)
		}
	}
	if len(issued)+failed != n {
		t.Fatalf("%d issued + %d failed != %d", len(issued), failed, n)
	}
}

// lateCreateAnswers holds back the answer to every create by 50ms.
type lateCreateAnswers struct{ next http.RoundTripper }

func (l lateCreateAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/m2m_tokens") {
		time.Sleep(50 * time.Millisecond)
	}
	return resp, err
}

// The orphan search itself meets a storm: its listing fails past the
// client's retries. The search is run again rather than giving up, so the
// token the lost answer left behind is still revoked.
func TestM2MTokenOrphanSearchOutlastsFailures(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	storm := &orphanSearchStorm{next: http.DefaultTransport, failLists: 7} // one call's 6 attempts, and one more
	store := testStore(t, srv, &http.Client{Transport: storm})

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, true, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	if storm.listsFailed() != 7 {
		t.Fatalf("%d listings failed, want 7: the storm did not hit the search", storm.listsFailed())
	}
	live := liveTokens(srv, machine)
	if len(live) != 1 || !live[tok.ID] {
		t.Fatalf("live tokens %v, want only the one returned, %s", live, tok.ID)
	}
	if all := srv.M2MTokens(machine); len(all) != 2 {
		t.Fatalf("%d tokens in the emulator, want 2: the lost one and the one returned", len(all))
	}
}

// orphanSearchStorm loses the answer to the first create after the server
// made the token, and answers the first failLists listings with a 503
// without sending them.
type orphanSearchStorm struct {
	next      http.RoundTripper
	mu        sync.Mutex
	creates   int
	failLists int
	failed    int
}

func (s *orphanSearchStorm) listsFailed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

func (s *orphanSearchStorm) RoundTrip(req *http.Request) (*http.Response, error) {
	isTokens := strings.HasSuffix(req.URL.Path, "/m2m_tokens")
	s.mu.Lock()
	var dropAnswer, fail bool
	switch {
	case isTokens && req.Method == http.MethodPost:
		s.creates++
		dropAnswer = s.creates == 1
	case isTokens && req.Method == http.MethodGet && s.failed < s.failLists:
		s.failed++
		fail = true
	}
	s.mu.Unlock()
	if fail {
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"errors":[{"code":"internal_clerk_error","message":"unavailable"}]}`)),
			Request:    req,
		}, nil
	}
	resp, err := s.next.RoundTrip(req)
	if err == nil && dropAnswer {
		resp.Body.Close()
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

// An interrupt cancels a create after its request reached Clerk: the token
// exists and its answer is lost, with the operation's context already done.
// The orphan search must still run, on a context of its own.
func TestM2MTokenCreateCutOffByCancellationLeavesNoOrphan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	first := createThenCutOff(t, srv, &cutOffCreates{next: http.DefaultTransport})
	all := srv.M2MTokens(machine)
	if len(all) != 2 {
		t.Fatalf("%d tokens in the emulator, want 2: the first and the one cut off", len(all))
	}
	live := liveTokens(srv, machine)
	if len(live) != 1 || !live[first.ID] {
		t.Fatalf("live tokens %v, want only %s: the cut-off create's token was left behind", live, first.ID)
	}
	for _, tok := range all {
		if tok.ID != first.ID && (tok.RevocationReason == nil || *tok.RevocationReason != orphanRevocationReason) {
			t.Fatalf("token %s revoked with %s, want %q", tok.ID, deref(tok.RevocationReason), orphanRevocationReason)
		}
	}
}

// createThenCutOff issues a token through cut, so that the store learns
// whose key it is, then arms cut with the context of a second create,
// which must then fail with an error and return nothing. It returns the
// first token.
func createThenCutOff(t *testing.T, srv *emulator.Server, cut interface {
	http.RoundTripper
	arm(context.CancelFunc)
}) *client.M2MTokenWithSecret {
	t.Helper()
	store := testStore(t, srv, &http.Client{Transport: cut})
	var diags diag.Diagnostics
	first := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, true, &diags)
	if diags.HasError() || first == nil {
		t.Fatalf("first create failed: %v", diags)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cut.arm(cancel)
	if tok := store.create(ctx, "", client.CreateM2MTokenRequest{}, true, &diags); tok != nil {
		t.Fatalf("a create cut off by cancellation returned token %s", tok.ID)
	}
	if !diags.HasError() {
		t.Fatal("a create cut off by cancellation reported no error")
	}
	return first
}

// cutOffCreates, once armed, lets the next create reach the server and
// then cancels the caller's context and loses the answer, as an interrupt
// arriving mid-request does.
type cutOffCreates struct {
	next   http.RoundTripper
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *cutOffCreates) arm(cancel context.CancelFunc) {
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
}

func (c *cutOffCreates) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	c.mu.Lock()
	cancel := c.cancel
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/m2m_tokens") {
		c.cancel = nil
	} else {
		cancel = nil
	}
	c.mu.Unlock()
	if cancel == nil || err != nil {
		return resp, err
	}
	resp.Body.Close()
	cancel()
	return nil, context.Canceled
}

// An interrupt cuts off a create whose request is still queued on its way
// to Clerk, which carries it out only after the orphan search's first look:
// the search must look again, or the token outlives the run unknown.
func TestM2MTokenCreateCarriedOutAfterTheFirstLookLeavesNoOrphan(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	late := &lateCreates{next: http.DefaultTransport}
	first := createThenCutOff(t, srv, late)
	if n := late.carriedOut(); n != 1 {
		t.Fatalf("the held create was carried out %d times, want once, after the first look", n)
	}
	if all := srv.M2MTokens(machine); len(all) != 2 {
		t.Fatalf("%d tokens in the emulator, want 2: the first and the one carried out late", len(all))
	}
	if live := liveTokens(srv, machine); len(live) != 1 || !live[first.ID] {
		t.Fatalf("live tokens %v, want only %s: the token carried out after the first look was left behind", live, first.ID)
	}
}

// lateCreates, once armed, holds the next create, cancels the caller's
// context and loses it; it sends the held request once the next listing
// has been answered, as a request queued on its way would arrive late.
type lateCreates struct {
	next   http.RoundTripper
	mu     sync.Mutex
	cancel context.CancelFunc
	held   *http.Request
	sent   int
}

func (l *lateCreates) arm(cancel context.CancelFunc) {
	l.mu.Lock()
	l.cancel = cancel
	l.mu.Unlock()
}

func (l *lateCreates) carriedOut() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

func (l *lateCreates) RoundTrip(req *http.Request) (*http.Response, error) {
	l.mu.Lock()
	cancel := l.cancel
	isCreate := req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/m2m_tokens")
	if cancel != nil && isCreate {
		l.cancel = nil
		body, err := io.ReadAll(req.Body)
		if err != nil {
			l.mu.Unlock()
			return nil, err
		}
		held := req.Clone(context.Background())
		held.Body = io.NopCloser(strings.NewReader(string(body)))
		l.held = held
		l.mu.Unlock()
		cancel()
		return nil, context.Canceled
	}
	l.mu.Unlock()
	resp, err := l.next.RoundTrip(req)
	if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/m2m_tokens") {
		return resp, err
	}
	l.mu.Lock()
	held := l.held
	l.held = nil
	l.mu.Unlock()
	if held != nil {
		if r, err := l.next.RoundTrip(held); err == nil {
			r.Body.Close()
			l.mu.Lock()
			l.sent++
			l.mu.Unlock()
		}
	}
	return resp, err
}

// Two provider processes (two Terraform runs) issue tokens with the same
// claims for the same machine at the same moment, and answers get lost.
// Each run's recovery must revoke only what its own lost requests made:
// every token either run returned stays live, and nothing else is.
func TestM2MTokenMarkedCreatesNeverRevokeAnotherRunsTokens(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{Faults: "drop_after_commit=0.2", Seed: 13})
	machine := srv.Info().Fixture.ClerkMachineID
	runs := []*m2mTokenStore{
		testStore(t, srv, &http.Client{Transport: lateCreateAnswers{http.DefaultTransport}}),
		testStore(t, srv, &http.Client{Transport: lateCreateAnswers{http.DefaultTransport}}),
	}
	const perRun = 30
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		issued = map[string]bool{}
	)
	for _, store := range runs {
		for range perRun {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var diags diag.Diagnostics
				tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{Claims: []byte(`{"env":"shared"}`)}, true, &diags)
				if tok == nil {
					return
				}
				mu.Lock()
				issued[tok.ID] = true
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if srv.Stats().Faults["drop_after_commit"] == 0 {
		t.Fatal("no answer was dropped: the test exercised nothing")
	}
	live := liveTokens(srv, machine)
	for id := range issued {
		if !live[id] {
			t.Errorf("token %s was returned to its run but revoked by a lost-answer search", id)
		}
	}
	for id := range live {
		if !issued[id] {
			t.Errorf("token %s is live but no run holds it", id)
		}
	}
	revoked := 0
	for _, tok := range srv.M2MTokens(machine) {
		if tok.Revoked {
			revoked++
		}
	}
	if revoked == 0 {
		t.Fatal("no lost token was revoked: the test exercised no recovery")
	}
	t.Logf("%d tokens issued, %d lost ones revoked", len(issued), revoked)
}

// A lost create whose failure took seconds to come back: the token was
// made when the request arrived, long before. The search by time must
// count from when the request was sent, on this machine's clock, or it
// starts after the orphan and leaves it live.
func TestM2MTokenOrphanSearchCountsFromTheSend(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	tr := &slowLostCreate{next: http.DefaultTransport, srv: srv, delay: 5 * time.Second}
	store := testStore(t, srv, &http.Client{Transport: tr})
	store.localNow = tr.now

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, false, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	all := srv.M2MTokens(machine)
	if len(all) != 2 {
		t.Fatalf("%d tokens, want 2: the lost one and the one returned", len(all))
	}
	if live := liveTokens(srv, machine); len(live) != 1 || !live[tok.ID] {
		t.Fatalf("live tokens %v, want only the one returned, %s: the orphan the lost answer left was not found", live, tok.ID)
	}
}

// slowLostCreate lets the first create through, then loses its answer
// after delay, moving the emulator's clock and its own (this machine's)
// by it, as a slow link would.
type slowLostCreate struct {
	next  http.RoundTripper
	srv   *emulator.Server
	delay time.Duration

	mu     sync.Mutex
	offset time.Duration
	lost   bool
}

func (s *slowLostCreate) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

func (s *slowLostCreate) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.lost || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/m2m_tokens") {
		return resp, err
	}
	s.lost = true
	_ = resp.Body.Close()
	s.srv.Advance(s.delay)
	s.offset += s.delay
	return nil, io.ErrUnexpectedEOF
}
