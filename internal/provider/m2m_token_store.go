package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// m2mTokenStore is this provider process's view of Clerk M2M tokens. Clerk
// has no GET for one token, so each Read would otherwise list its machine's
// tokens: instead one listing per (listing key, machine) is fetched once and
// shared by every Read, and Create and Delete keep it current. It also
// remembers which tokens this process made, which the recovery from an
// ambiguous create needs (see m2m_token_create.go).
type m2mTokenStore struct {
	client *client.Client
	// keys decides which key issues, lists and revokes.
	keys clerkKeys

	listings memo.Group[listingKey, *tokenIndex]
	// histories hold the searches, page by page, for tokens the live
	// listing lacks (see m2m_token_history.go).
	histories map[listingKey]*tokenHistory

	mu sync.Mutex
	// known holds the ids of tokens this process created or read: never an
	// orphan, whatever their claims and creation time.
	known map[string]struct{}
	// subjects maps a machine key's hash to its machine, learned from
	// creates and reads, since Clerk cannot say whose an ak_ key is.
	subjects map[string]string
	// inflight holds a channel per create request under way, closed when
	// its answer (or its failure) is in.
	inflight map[uint64]chan struct{}
	seq      uint64

	// localNow is this machine's clock, which times how long a lost
	// create's request has been out (see createdSince); tests move it
	// with the emulator's.
	localNow func() time.Time
}

func newM2MTokenStore(c *client.Client, keys clerkKeys) *m2mTokenStore {
	return &m2mTokenStore{
		client:    c,
		keys:      keys,
		known:     map[string]struct{}{},
		subjects:  map[string]string{},
		localNow:  time.Now,
		inflight:  map[uint64]chan struct{}{},
		histories: map[listingKey]*tokenHistory{},
	}
}

// listingKey names one shared listing. It holds a hash of the key, never
// the key itself, so no secret sits in a map key that a debugger or a
// panic could print.
type listingKey struct {
	keyHash string
	subject string
	// all: revoked and expired tokens too, not only the live ones.
	all bool
}

func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

func (s *m2mTokenStore) listingKey(readKey, subject string, all bool) listingKey {
	return listingKey{keyHash: keyHash(readKey), subject: subject, all: all}
}

// tokenIndex is one machine's tokens: its live ones, or with all, every
// one Clerk lists.
type tokenIndex = credentialIndex[client.M2MToken]

// listing returns the machine's shared listing of live tokens, fetching it
// on first use: what a refresh costs grows with what is live, not with the
// machine's history.
func (s *m2mTokenStore) listing(ctx context.Context, resourceKey, subject string) (*tokenIndex, error) {
	return s.index(ctx, resourceKey, subject, false)
}

// fullListing is listing with revoked and expired tokens too, for the list
// resource when it is asked for them.
func (s *m2mTokenStore) fullListing(ctx context.Context, resourceKey, subject string) (*tokenIndex, error) {
	return s.index(ctx, resourceKey, subject, true)
}

func (s *m2mTokenStore) index(ctx context.Context, resourceKey, subject string, all bool) (*tokenIndex, error) {
	key, err := s.keys.reading(resourceKey)
	if err != nil {
		return nil, err
	}
	return s.listings.Get(ctx, s.listingKey(key, subject, all), func(ctx context.Context) (*tokenIndex, error) {
		return s.fetch(ctx, key, subject, all)
	})
}

// lookup finds one token in its machine's shared live listing, or, when it
// is not there, in the machine's history, which says why it is gone; it
// records the token as known to this process.
func (s *m2mTokenStore) lookup(ctx context.Context, resourceKey, subject, id string) (tok client.M2MToken, found, machineGone bool, err error) {
	ix, err := s.listing(ctx, resourceKey, subject)
	if err != nil {
		return client.M2MToken{}, false, false, err
	}
	s.remember(resourceKey, subject, id)
	if tok, found = ix.get(id); found || ix.gone {
		return tok, found, ix.gone, nil
	}
	key, _ := s.keys.reading(resourceKey) // listing succeeded, so it has one
	tok, found, err = s.history(key, subject).find(ctx, s, id)
	return tok, found, false, err
}

// fetch lists every token of subject.
func (s *m2mTokenStore) fetch(ctx context.Context, key, subject string, all bool) (*tokenIndex, error) {
	return fetchIndex(ctx, func(ctx context.Context, offset int) ([]client.M2MToken, int, error) {
		p, err := s.page(ctx, key, subject, offset, all)
		if err != nil {
			return nil, 0, s.unseen(key, subject, err)
		}
		return p.Tokens, p.TotalCount, nil
	}, func(t client.M2MToken) string { return t.ID })
}

// unseen turns a 404 to a listing made with a machine key into an error of
// its own. Only the instance key's 404 says a machine is gone: a machine key
// of a deleted machine is refused outright (401), and Clerk may answer a
// machine key asking for another machine's tokens with 404 as well as 403
// (assumption foreign_machine_token_listing in the emulator assumptions
// guide), so that 404 cannot tell "gone" from "not yours". Taking it for
// "gone" would remove live tokens from state; as an error it removes
// nothing.
func (s *m2mTokenStore) unseen(key, subject string, err error) error {
	if !client.IsNotFound(err) || key == s.keys.instance {
		return err
	}
	return fmt.Errorf("clerk answered 404 to listing machine %s's tokens with a machine secret key, which it answers both for a machine "+
		"that no longer exists and for another machine's tokens, which a machine key may not list, so the provider cannot tell whether "+
		"the machine is gone: set clerk.secret_key (or CLERK_SECRET_KEY), which sees every machine (%s)", subject, client.Redact(err.Error()))
}

func (s *m2mTokenStore) page(ctx context.Context, key, subject string, offset int, all bool) (*client.M2MTokenList, error) {
	return s.client.ListM2MTokens(ctx, key, client.ListM2MTokensRequest{
		Subject: subject, Revoked: all, Expired: all, Limit: listPageSize, Offset: offset,
	})
}

// recordCreated keeps a token this process just issued visible to later
// readers and out of any orphan search.
func (s *m2mTokenStore) recordCreated(resourceKey string, t client.M2MToken) {
	s.remember(resourceKey, t.Subject, t.ID)
	s.recordToken(resourceKey, t)
}

// recordRevoked marks a token revoked in its shared listing.
func (s *m2mTokenStore) recordRevoked(resourceKey string, t client.M2MToken) {
	s.recordToken(resourceKey, t)
}

// recordToken puts t into the listing its readers share, if one exists.
func (s *m2mTokenStore) recordToken(resourceKey string, t client.M2MToken) {
	key, err := s.keys.reading(resourceKey)
	if err != nil {
		return
	}
	for _, all := range []bool{false, true} {
		s.listings.Update(s.listingKey(key, t.Subject, all), func(ix *tokenIndex) *tokenIndex { return ix.put(t.ID, t) })
	}
}

func (s *m2mTokenStore) remember(resourceKey, subject, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known[id] = struct{}{}
	if k, err := s.keys.issuing(resourceKey); err == nil && subject != "" {
		s.subjects[keyHash(k)] = subject
	}
}

func (s *m2mTokenStore) isKnown(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.known[id]
	return ok
}

func (s *m2mTokenStore) subjectOf(createKey string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subjects[keyHash(createKey)]
}

// now is Clerk's clock as last seen by this process, else the local clock
// (see the clock note in the resource's description).
func (s *m2mTokenStore) now() time.Time {
	now, _ := s.client.ClerkNow()
	return now
}

// tokenRef names an opaque token to revoke: the key its resource keeps ("" if
// none), its machine, its id, and its secret when known, which tells
// whether a token of a deleted machine still works.
type tokenRef struct {
	resourceKey, subject, id, secret string
}

// revoke revokes a token with the key that reads it; a token already
// revoked or gone counts as revoked once a fresh read shows it so (see
// settleRefusedRevoke).
func (s *m2mTokenStore) revoke(ctx context.Context, ref tokenRef, reason string, diags *diag.Diagnostics) {
	if err := s.revokeToken(ctx, ref, reason); err != nil {
		addClientError(diags, "Unable to revoke M2M token "+ref.id, err)
	}
}

// revokeToken is revoke, returning the failure.
func (s *m2mTokenStore) revokeToken(ctx context.Context, ref tokenRef, reason string) error {
	key, err := s.keys.reading(ref.resourceKey)
	if err != nil {
		return err
	}
	t, err := s.client.RevokeM2MToken(ctx, key, ref.id, &reason)
	if err == nil {
		s.recordRevoked(ref.resourceKey, *t)
		return nil
	}
	return settleRefusedRevoke(err, func() (revokeCheck, error) { return s.checkEnded(ctx, key, ref) })
}

// checkEnded reads a token whose revoke was refused, afresh: it has ended
// when Clerk lists it revoked or expired, or lists no such token for its
// machine; when the machine itself is gone, when the token no longer
// verifies, or, without its secret to verify, when the instance key's
// revoke was refused: a live token of a deleted machine is one Clerk
// revokes.
func (s *m2mTokenStore) checkEnded(ctx context.Context, key string, ref tokenRef) (revokeCheck, error) {
	fresh := &tokenHistory{key: key, subject: ref.subject, byID: map[string]client.M2MToken{}}
	tok, found, err := fresh.find(ctx, s, ref.id)
	switch {
	case client.IsNotFound(err) && key == s.keys.instance:
		valid, known, err := s.stillVerifies(ctx, ref.secret)
		switch {
		case err != nil:
			return revokeCheck{}, err
		case known && valid:
			return revokeCheck{found: "still verifies, though its machine " + ref.subject + " is gone"}, nil
		}
		return revokeCheck{ended: true}, nil
	case err != nil:
		return revokeCheck{}, s.unseen(key, ref.subject, err)
	case !found:
		return revokeCheck{ended: true}, nil
	case tok.Revoked || tok.Expired:
		s.recordRevoked(ref.resourceKey, tok)
		return revokeCheck{ended: true}, nil
	}
	return revokeCheck{found: "is still listed live"}, nil
}

// stillVerifies asks Clerk, with the instance key, whether a token's secret
// still verifies: the one way to tell whether a token of a deleted machine
// still works, since Clerk lists no tokens of a machine that is gone and
// may or may not end them (assumption machine_delete_tokens in the emulator
// assumptions guide). known is false without the secret or the instance
// key. Any refusal of a verify (404, or 400 for a revoked or expired token:
// assumption clerk_verify_refusal) means it does not verify.
func (s *m2mTokenStore) stillVerifies(ctx context.Context, secret string) (valid, known bool, err error) {
	if secret == "" || s.keys.instance == "" {
		return false, false, nil
	}
	t, err := s.client.VerifyM2MToken(ctx, s.keys.instance, secret)
	switch {
	case client.IsNotFound(err) || httpStatus(err) == http.StatusBadRequest:
		return false, true, nil
	case err != nil:
		return false, false, err
	}
	return !t.Revoked && !t.Expired, true, nil
}
