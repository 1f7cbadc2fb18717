package provider

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// How the provider reads credentials that the service can only list, or
// lists more cheaply than it reads them one by one: each listing (a
// machine's tokens, a subject's API keys) is fetched once per provider
// process, all its pages at once, and shared by every reader, and what this
// process creates or revokes is written into it. So what a refresh costs
// grows with what is live, not with how many resources read it.

const (
	// listPageSize is Clerk's largest page: the fewest calls per listing.
	listPageSize = 100
	// listConcurrency bounds the pages fetched at once after the first, so
	// one large listing does not take every connection; the client's
	// pacing still applies to each. Ten fetch a thousand credentials in two
	// round trips (the first page, then the rest), which is what a plan
	// waits for.
	listConcurrency = 10
)

// credentialIndex is one listing's credentials by id. It is shared by every
// reader of the listing and changed in place by creates and revokes
// (through memo.Update, which also covers a fetch still in flight), hence
// its own lock: copying a thousand-credential map on each of a thousand
// revokes in one destroy would cost far more than the lock.
type credentialIndex[T any] struct {
	mu sync.RWMutex
	// gone means the service answered 404 for whose listing it is (the
	// machine, the subject): it and its credentials no longer exist.
	gone bool
	byID map[string]T
}

func (ix *credentialIndex[T]) get(id string) (T, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	t, ok := ix.byID[id]
	return t, ok
}

func (ix *credentialIndex[T]) put(id string, t T) *credentialIndex[T] {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID[id] = t
	return ix
}

// all returns the listing's credentials in no particular order.
func (ix *credentialIndex[T]) all() []T {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Collect(maps.Values(ix.byID))
}

// listPage fetches the page of a listing at offset: its credentials, and
// how many the whole listing holds.
type listPage[T any] func(ctx context.Context, offset int) (items []T, total int, err error)

// fetchIndex fetches every page of a listing into an index keyed by idOf;
// a 404 makes a gone index, not an error.
func fetchIndex[T any](ctx context.Context, page listPage[T], idOf func(T) string) (*credentialIndex[T], error) {
	ix := &credentialIndex[T]{byID: map[string]T{}}
	items, err := fetchAllPages(ctx, page)
	switch {
	case client.IsNotFound(err):
		ix.gone = true
	case err != nil:
		return nil, err
	}
	for _, t := range items {
		ix.byID[idOf(t)] = t
	}
	return ix, nil
}

// fetchAllPages fetches every page of a listing: the first says how many
// there are, the rest are fetched concurrently. The services list newest
// first, so a credential created meanwhile shifts later pages by one: that
// only repeats one, except at the very end, which the loop covers by
// fetching again while any page reports a larger total than has been
// fetched.
func fetchAllPages[T any](ctx context.Context, page listPage[T]) ([]T, error) {
	items, total, err := page(ctx, 0)
	if err != nil {
		return nil, err
	}
	next := listPageSize
	for next < total {
		var offsets []int
		for off := next; off < total; off += listPageSize {
			offsets = append(offsets, off)
		}
		pages := make([][]T, len(offsets))
		totals := make([]int, len(offsets))
		errs := make([]error, len(offsets))
		sem := make(chan struct{}, listConcurrency)
		var wg sync.WaitGroup
		for i, off := range offsets {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				pages[i], totals[i], errs[i] = page(ctx, off)
			})
		}
		wg.Wait()
		for i := range pages {
			if errs[i] != nil {
				return nil, errs[i]
			}
			items = append(items, pages[i]...)
			total = max(total, totals[i])
		}
		next = offsets[len(offsets)-1] + listPageSize
	}
	return items, nil
}

// sortNewestFirst orders listed credentials as Clerk lists them, newest
// first; the id breaks ties so that the order is the same on every run.
func sortNewestFirst[T any](items []T, key func(T) (created time.Time, id string)) {
	slices.SortFunc(items, func(a, b T) int {
		createdA, idA := key(a)
		createdB, idB := key(b)
		return cmp.Or(-createdA.Compare(createdB), strings.Compare(idA, idB))
	})
}

// lifeForDisplay ends a listed credential's display name with where it
// stands: revoked, expired, or when it expires, if ever.
func lifeForDisplay(revoked, expired bool, expiresAt *time.Time) string {
	switch {
	case revoked:
		return ", revoked"
	case expired:
		return ", expired"
	case expiresAt != nil:
		return ", expires " + expiresAt.Format(time.RFC3339)
	}
	return ""
}
