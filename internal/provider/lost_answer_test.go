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

// lossyClerk loses the answers to the first dropCreates creates (-1: all)
// after Clerk has acted on them, calling afterDrop (when set) as each
// answer is lost, and answers every revoke with revokeStatus without
// sending it (0: sends them).
type lossyClerk struct {
	next         http.RoundTripper
	mu           sync.Mutex
	dropCreates  int
	afterDrop    func()
	revokeStatus int
	// revokeFirst lets the emulator revoke before revokeStatus answers,
	// as when the token was already revoked.
	revokeFirst bool
	lists       int
}

func (l *lossyClerk) RoundTrip(req *http.Request) (*http.Response, error) {
	tokens := strings.HasSuffix(req.URL.Path, "/m2m_tokens")
	l.mu.Lock()
	drop := tokens && req.Method == http.MethodPost && l.dropCreates != 0
	if drop && l.dropCreates > 0 {
		l.dropCreates--
	}
	if tokens && req.Method == http.MethodGet {
		l.lists++
	}
	status := 0
	if strings.HasSuffix(req.URL.Path, "/revoke") {
		status = l.revokeStatus
	}
	revokeFirst := l.revokeFirst
	l.mu.Unlock()
	if status != 0 && revokeFirst {
		resp, err := l.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
	}
	if status != 0 {
		code := "internal_clerk_error"
		if status == http.StatusNotFound {
			code = "resource_not_found"
		}
		return &http.Response{
			StatusCode: status,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"errors":[{"code":"` + code + `","message":"refused"}],"clerk_trace_id":"trace_lossy"}`)),
			Request:    req,
		}, nil
	}
	resp, err := l.next.RoundTrip(req)
	if err == nil && drop {
		_ = resp.Body.Close()
		if l.afterDrop != nil {
			l.afterDrop()
		}
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

func (l *lossyClerk) listCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lists
}

// diagText is every diagnostic's summary and detail, for matching.
func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// Without the create marker (create_marker = false), a live token created
// before the lost request was sent is no orphan,
// even with the same claims and unknown to this process (a token of an
// earlier run, or one issued by hand): the search must leave it alone.
func TestM2MTokenOrphanSearchSparesOlderTokens(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	older := issueOutside(t, srv, fx.ClerkMachineSecretKey)
	// By Clerk's clock, well before the create below: the search's lower
	// bound may round down by up to a second.
	srv.Advance(10 * time.Second)
	store := testStore(t, srv, &http.Client{Transport: &lossyClerk{next: http.DefaultTransport, dropCreates: 1}})

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{TokenFormat: tokenFormatOpaque}, false, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	live := liveTokens(srv, fx.ClerkMachineID)
	if !live[older] {
		t.Fatalf("the older token %s was revoked by the orphan search; warnings:\n%s", older, diagText(diags))
	}
	if len(live) != 2 || !live[tok.ID] {
		t.Fatalf("live tokens %v, want the older %s and the one returned %s: the lost one must be revoked", live, older, tok.ID)
	}
}

// Without the create marker, a token issued by someone else while the
// answer was lost, with other
// claims, is no orphan either: the search must leave it alone.
func TestM2MTokenOrphanSearchSparesOthersTokens(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	outside, err := client.New(client.Config{ClerkAPIURL: srv.Info().ClerkAPIURL})
	if err != nil {
		t.Fatal(err)
	}
	var theirs string
	lossy := &lossyClerk{next: http.DefaultTransport, dropCreates: 1, afterDrop: func() {
		tok, err := outside.CreateM2MToken(context.Background(), fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{Claims: []byte(`{"team":"billing"}`)})
		if err != nil {
			t.Errorf("issuing a token outside Terraform: %v", err)
			return
		}
		theirs = tok.ID
	}}
	store := testStore(t, srv, &http.Client{Transport: lossy})

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{Claims: []byte(`{"team":"payments"}`)}, false, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	live := liveTokens(srv, fx.ClerkMachineID)
	if !live[theirs] {
		t.Fatalf("token %s, issued meanwhile with other claims, was revoked by the orphan search; warnings:\n%s", theirs, diagText(diags))
	}
	if len(live) != 2 || !live[tok.ID] {
		t.Fatalf("live tokens %v, want %s and the one returned %s: the lost one must be revoked", live, theirs, tok.ID)
	}
}

// When the orphan search fails for good, every token left live that no
// resource holds is named, unmasked, so it can be revoked by hand: the
// one the lost answer made, and the one the create issued and could not
// return.
func TestM2MTokenFailedOrphanSearchNamesEveryLiveToken(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	store := testStore(t, srv, &http.Client{Transport: &lossyClerk{next: http.DefaultTransport, dropCreates: 1, revokeStatus: http.StatusServiceUnavailable}})

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, true, &diags)
	if !diags.HasError() {
		t.Fatalf("a create whose orphan could not be revoked succeeded: %v", diags)
	}
	if tok != nil {
		t.Fatalf("a failed create returned token %s", tok.ID)
	}
	live := liveTokens(srv, machine)
	if len(live) != 2 {
		t.Fatalf("%d live tokens, want 2: the lost one and the one issued after it", len(live))
	}
	text := diagText(diags)
	for id := range live {
		if !strings.Contains(text, id) {
			t.Errorf("live token %s is held by no resource and named by no diagnostic:\n%s", id, text)
		}
	}
}

// A JWT cannot be listed or revoked: a lost one is reported in a warning,
// and no listing is sent looking for it.
func TestM2MTokenLostJWTIsReported(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	lossy := &lossyClerk{next: http.DefaultTransport, dropCreates: 1}
	store := testStore(t, srv, &http.Client{Transport: lossy})

	var diags diag.Diagnostics
	tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{TokenFormat: tokenFormatJWT}, true, &diags)
	if diags.HasError() || tok == nil {
		t.Fatalf("create failed: %v", diags)
	}
	if text := diagText(diags); diags.WarningsCount() != 1 || !strings.Contains(text, "JWT-format M2M token may have been issued and lost") ||
		!strings.Contains(text, "stays valid until it expires") {
		t.Fatalf("want one warning that a JWT may have been lost and stays valid; got:\n%s", text)
	}
	if n := lossy.listCalls(); n != 0 {
		t.Fatalf("%d listings searching for a JWT, which is never listed", n)
	}
}

// When every answer is lost before this process has learned whose the key
// is, the orphans cannot be searched: the error must say a token may have
// been left behind, never that any was revoked.
func TestM2MTokenAllAnswersLostOfAnUnknownMachine(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	machine := srv.Info().Fixture.ClerkMachineID
	store := testStore(t, srv, &http.Client{Transport: &lossyClerk{next: http.DefaultTransport, dropCreates: -1}})

	var diags diag.Diagnostics
	if tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, true, &diags); tok != nil {
		t.Fatalf("a create with every answer lost returned token %s", tok.ID)
	}
	text := diagText(diags)
	if !diags.HasError() || !strings.Contains(text, "An M2M token may have been left behind") || strings.Contains(text, "was revoked") {
		t.Fatalf("want an error that a token may have been left behind, and no claim that any was revoked; got:\n%s", text)
	}
	if n := len(liveTokens(srv, machine)); n != createAttempts {
		t.Fatalf("%d live tokens, want the %d the lost answers made (nothing could revoke them)", n, createAttempts)
	}
}

// A revoke answered 404 for an orphan that a fresh read shows already
// revoked is the search's goal met, not a failure; the same 404 for an
// orphan the read still shows live proves nothing, and the orphan is named.
func TestM2MTokenOrphanAlreadyGoneIsNoFailure(t *testing.T) {
	t.Parallel()
	for _, gone := range []bool{true, false} {
		t.Run(fmt.Sprintf("revoked=%v", gone), func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Options{})
			store := testStore(t, srv, &http.Client{Transport: &lossyClerk{next: http.DefaultTransport, dropCreates: 1,
				revokeStatus: http.StatusNotFound, revokeFirst: gone}})

			var diags diag.Diagnostics
			tok := store.create(context.Background(), "", client.CreateM2MTokenRequest{}, true, &diags)
			switch {
			case gone && (diags.HasError() || tok == nil):
				t.Fatalf("create failed over an orphan already gone: %v", diags)
			case !gone && !diags.HasError():
				t.Fatal("a 404 to the revoke of an orphan still live was taken for its revocation")
			case !gone && !strings.Contains(fmt.Sprint(diags), "still listed live"):
				t.Errorf("the error does not say the orphan is still live: %v", diags)
			}
		})
	}
}
