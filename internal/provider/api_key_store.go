package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// apiKeyStore is this provider process's view of Clerk API keys. Each Read
// would otherwise read its key on its own: instead one listing per subject
// (user, organization or machine) of its live keys is fetched once and
// shared by every Read of that subject's keys, and Create, Update and
// Delete keep it current. A key the listing lacks is read by id, to say why
// it is gone: so a refresh costs what is live, not the subject's history.
// Only the instance key manages API keys, so the subject (and whether
// revoked and expired keys are included) names a listing.
type apiKeyStore struct {
	client   *client.Client
	keys     clerkKeys
	listings memo.Group[apiKeyListingKey, *apiKeyIndex]
}

type apiKeyListingKey struct {
	subject string
	// invalidToo: revoked and expired keys too, for the list resource.
	invalidToo bool
}

func newAPIKeyStore(c *client.Client, keys clerkKeys) *apiKeyStore {
	return &apiKeyStore{client: c, keys: keys}
}

// apiKeyIndex is one subject's keys, shared by every reader of the listing
// and changed in place, hence its own lock (see tokenIndex).
type apiKeyIndex struct {
	mu sync.RWMutex
	// gone means Clerk answered 404 for the subject: it no longer exists.
	gone bool
	byID map[string]client.APIKey
}

func (ix *apiKeyIndex) get(id string) (client.APIKey, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	k, ok := ix.byID[id]
	return k, ok
}

func (ix *apiKeyIndex) put(k client.APIKey) *apiKeyIndex {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID[k.ID] = k
	return ix
}

// all returns the listing's keys in no particular order.
func (ix *apiKeyIndex) all() []client.APIKey {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]client.APIKey, 0, len(ix.byID))
	for _, k := range ix.byID {
		out = append(out, k)
	}
	return out
}

// listing returns the subject's shared listing of live keys, or with
// invalidToo of every key, fetching it on first use.
func (s *apiKeyStore) listing(ctx context.Context, subject string, invalidToo bool) (*apiKeyIndex, error) {
	return s.listings.Get(ctx, apiKeyListingKey{subject, invalidToo}, func(ctx context.Context) (*apiKeyIndex, error) {
		ix := &apiKeyIndex{byID: map[string]client.APIKey{}}
		keys, err := s.list(ctx, subject, invalidToo)
		switch {
		case client.IsNotFound(err):
			ix.gone = true
		case err != nil:
			return nil, err
		}
		for _, k := range keys {
			ix.byID[k.ID] = k
		}
		return ix, nil
	})
}

// lookup finds one key in its subject's shared live listing, or, when it
// is not there, reads it by id: a revoked or expired key says so, a deleted
// one is not found.
func (s *apiKeyStore) lookup(ctx context.Context, subject, id string) (key client.APIKey, found, subjectGone bool, err error) {
	ix, err := s.listing(ctx, subject, false)
	if err != nil {
		return client.APIKey{}, false, false, err
	}
	if key, found = ix.get(id); found || ix.gone {
		return key, found, ix.gone, nil
	}
	k, err := s.client.GetAPIKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		return client.APIKey{}, false, false, nil
	case err != nil:
		return client.APIKey{}, false, false, err
	}
	return *k, true, false, nil
}

// list fetches every key of subject, fresh: the first page says how many
// there are, the rest are fetched concurrently. A key created meanwhile
// shifts later pages, which only repeats a key, except at the very end,
// which the loop covers by fetching again while any page reports a larger
// total than has been fetched.
func (s *apiKeyStore) list(ctx context.Context, subject string, invalidToo bool) ([]client.APIKey, error) {
	page := func(offset int) (*client.APIKeyList, error) {
		return s.client.ListAPIKeys(ctx, client.ListAPIKeysRequest{Subject: subject, IncludeInvalid: invalidToo, Limit: listPageSize, Offset: offset})
	}
	first, err := page(0)
	if err != nil {
		return nil, err
	}
	keys := first.Keys
	total, next := first.TotalCount, listPageSize
	for next < total {
		var offsets []int
		for off := next; off < total; off += listPageSize {
			offsets = append(offsets, off)
		}
		pages := make([]*client.APIKeyList, len(offsets))
		errs := make([]error, len(offsets))
		sem := make(chan struct{}, listConcurrency)
		var wg sync.WaitGroup
		for i, off := range offsets {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				pages[i], errs[i] = page(off)
			})
		}
		wg.Wait()
		for i := range pages {
			if errs[i] != nil {
				return nil, errs[i]
			}
			keys = append(keys, pages[i].Keys...)
			total = max(total, pages[i].TotalCount)
		}
		next = offsets[len(offsets)-1] + listPageSize
	}
	return keys, nil
}

// record puts k into its subject's listing, if one is held, so later
// readers see what this process changed.
func (s *apiKeyStore) record(k client.APIKey) {
	for _, invalidToo := range []bool{false, true} {
		s.listings.Update(apiKeyListingKey{k.Subject, invalidToo}, func(ix *apiKeyIndex) *apiKeyIndex { return ix.put(k) })
	}
}

// revoke revokes a key with reason; a key already revoked or gone counts
// as revoked. Never a DELETE: the revoked key keeps its record and reason.
func (s *apiKeyStore) revoke(ctx context.Context, id, reason string, diags *diag.Diagnostics) {
	k, err := s.client.RevokeAPIKey(ctx, id, &reason)
	switch {
	case client.IsNotFound(err):
	case err != nil:
		addClientError(diags, "Unable to revoke API key "+id, err)
	default:
		s.record(*k)
	}
}
