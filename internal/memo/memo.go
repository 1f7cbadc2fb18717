// Package memo shares one fetch of a listing among every concurrent reader in
// the provider process. Terraform refreshes each resource in its own RPC, and
// the services have no per-credential GET, so without this a plan over N
// credentials of one machine or member would list them N times.
package memo

import (
	"context"
	"sync"
)

// Group memoizes one value per key: the first Get fetches, concurrent Gets
// wait for that fetch, later Gets reuse its result. A failed fetch is not
// kept, so the next Get tries again.
//
// Readers share the value held for a key. Update either replaces it with a
// changed copy, which needs nothing more, or changes it in place, which is
// cheaper for a large value but makes that value responsible for its own
// concurrency: a pointer to a struct with its own lock, say, since readers
// use it outside the group's lock.
type Group[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*entry[V]
}

type entry[V any] struct {
	done    chan struct{}
	val     V
	err     error
	pending []func(V) V // updates that arrived while the fetch was in flight
}

// Get returns the value for key, fetching it at most once across concurrent
// callers. The fetch runs detached from the caller's cancellation, so one
// cancelled reader does not fail every other reader waiting on the same
// fetch; a cancelled caller stops waiting and gets its context's error.
func (g *Group[K, V]) Get(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	g.mu.Lock()
	if g.entries == nil {
		g.entries = map[K]*entry[V]{}
	}
	e, ok := g.entries[key]
	if !ok {
		e = &entry[V]{done: make(chan struct{})}
		g.entries[key] = e
		g.mu.Unlock()
		go g.run(context.WithoutCancel(ctx), key, e, fetch)
	} else {
		g.mu.Unlock()
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return e.val, e.err
}

func (g *Group[K, V]) run(ctx context.Context, key K, e *entry[V], fetch func(context.Context) (V, error)) {
	val, err := fetch(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		e.err = err
		delete(g.entries, key)
	} else {
		for _, fn := range e.pending {
			val = fn(val)
		}
		e.val = val
	}
	e.pending = nil
	close(e.done)
}

// Update changes the value for key if one is held or being fetched, so that
// a create or a revoke made by this process stays visible to later readers.
// With nothing held for key it does nothing: the next Get fetches afresh.
//
// fn runs under the group's lock, on the held value, or on the fetched one
// before any reader sees it when the fetch is still in flight. It returns
// the value to hold: a changed copy, which readers that already hold the
// old one do not see, or the value itself changed in place, which they do.
func (g *Group[K, V]) Update(key K, fn func(V) V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.entries[key]
	if !ok {
		return
	}
	select {
	case <-e.done:
		e.val = fn(e.val)
	default:
		e.pending = append(e.pending, fn)
	}
}
