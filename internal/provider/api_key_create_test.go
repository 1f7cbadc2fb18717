package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// testAPIKeyStore is the provider's API key store against srv, with retry
// waits kept tiny so fault runs stay fast.
func testAPIKeyStore(t *testing.T, srv *emulator.Server) *apiKeyStore {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{
		ClerkAPIURL:    info.ClerkAPIURL,
		ClerkSecretKey: info.ClerkSecretKey,
		MinRetryWait:   time.Millisecond,
		MaxRetryWait:   5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return newAPIKeyStore(c, clerkKeys{instance: info.ClerkSecretKey})
}

func liveAPIKeys(srv *emulator.Server, subject string) map[string]bool {
	live := map[string]bool{}
	for _, k := range srv.APIKeys(subject) {
		if !k.Revoked {
			live[k.ID] = true
		}
	}
	return live
}

// The emulator commits the create and then drops the connection: the key
// exists, its answer is lost. The provider makes it again and revokes the
// lost one, leaving exactly one live key, the one it returns; a key with
// the same name and claims made outside the run is left alone.
func TestAPIKeyCreateRevokesWhatALostAnswerLeftBehind(t *testing.T) {
	t.Parallel()
	// With this seed the first request is dropped after its commit and the
	// next ones are answered; the test checks that this happened.
	srv := startEmulator(t, emulator.Options{Faults: "drop_after_commit=0.5", Seed: 5, NoFixture: true})
	user := srv.CreateClerkUser()
	store := testAPIKeyStore(t, srv)
	req := client.CreateAPIKeyRequest{Name: "ci key", Subject: user, Claims: []byte(`{"team":"payments"}`)}
	// The look-alike, made first; its own answer may be lost too, which
	// does not matter: it is stored either way.
	_, _ = store.client.CreateAPIKey(context.Background(), req)
	outside := srv.APIKeys(user)
	if len(outside) != 1 {
		t.Fatalf("%d keys made outside the run, want 1", len(outside))
	}

	var diags diag.Diagnostics
	k := store.create(context.Background(), req, &diags)
	if diags.HasError() || k == nil {
		t.Fatalf("create failed: %v", diags)
	}
	all := srv.APIKeys(user)
	if srv.Stats().Count("POST", "/clerk/v1/api_keys", 200) < 3 || len(all) < 3 {
		t.Fatalf("no create answer was lost (%d keys): pick a seed that drops the first create", len(all))
	}
	if live := liveAPIKeys(srv, user); len(live) != 2 || !live[k.ID] || !live[outside[0].ID] {
		t.Fatalf("live keys %v, want the one returned, %s, and the one made outside, %s", live, k.ID, outside[0].ID)
	}
	for _, other := range all {
		if other.ID != k.ID && other.ID != outside[0].ID && deref(other.RevocationReason) != fmt.Sprintf("%q", orphanRevocationReason) {
			t.Errorf("key %s revoked with %s, want %q", other.ID, deref(other.RevocationReason), orphanRevocationReason)
		}
	}
	if diags.WarningsCount() != 1 {
		t.Fatalf("want one warning naming the revoked key, got %v", diags)
	}
}

// Two runs make look-alike keys for one subject at once, some answers
// lost: each recovery revokes only what its own requests made, so every
// key returned stays live and nothing live is unaccounted for.
func TestAPIKeyConcurrentRunsKeepEachOthersKeys(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{Faults: "drop_after_commit=0.25", Seed: 11, NoFixture: true})
	user := srv.CreateClerkUser()
	runs := []*apiKeyStore{testAPIKeyStore(t, srv), testAPIKeyStore(t, srv)}
	const perRun = 30
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		issued = map[string]bool{}
		failed int
	)
	for _, store := range runs {
		for range perRun {
			wg.Go(func() {
				var diags diag.Diagnostics
				k := store.create(context.Background(), client.CreateAPIKeyRequest{Name: "same name", Subject: user, Claims: []byte(`{"env":"shared"}`)}, &diags)
				mu.Lock()
				defer mu.Unlock()
				if k == nil {
					failed++
					return
				}
				issued[k.ID] = true
			})
		}
	}
	wg.Wait()
	if srv.Stats().Faults["drop_after_commit"] == 0 {
		t.Fatal("no answer was dropped: the test exercised nothing")
	}
	live := liveAPIKeys(srv, user)
	for id := range issued {
		if !live[id] {
			t.Errorf("key %s was returned to its resource but revoked", id)
		}
	}
	for id := range live {
		if !issued[id] {
			t.Errorf("key %s is live but no resource holds it", id)
		}
	}
	if len(issued)+failed != 2*perRun {
		t.Fatalf("%d issued + %d failed != %d", len(issued), failed, 2*perRun)
	}
}

// Revoking a key already revoked, or one that is gone, is success: a
// destroy retried after a lost answer, or racing a revoke by hand, must
// not fail.
func TestAPIKeyRevokeIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	store := testAPIKeyStore(t, srv)
	ctx := context.Background()
	var diags diag.Diagnostics
	k := store.create(ctx, client.CreateAPIKeyRequest{Name: "twice", Subject: srv.Info().Fixture.ClerkUserID}, &diags)
	if k == nil {
		t.Fatalf("create: %v", diags)
	}
	store.revoke(ctx, k.ID, "first", &diags)
	store.revoke(ctx, k.ID, "second", &diags)
	store.revoke(ctx, "ak_00000000000000000000000000000000", "never existed", &diags)
	if diags.HasError() {
		t.Fatalf("revoke: %v", diags)
	}
	if got, _ := srv.APIKey(k.ID); !got.Revoked || deref(got.RevocationReason) != `"first"` {
		t.Errorf("key revoked %v with %s, want the first reason kept", got.Revoked, deref(got.RevocationReason))
	}
	if n := srv.Stats().Calls("DELETE", "/clerk/v1/api_keys/{api_key_id}"); n != 0 {
		t.Errorf("%d deletes: keys are revoked, never deleted", n)
	}
}
