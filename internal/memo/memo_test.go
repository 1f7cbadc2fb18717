package memo

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentGetsShareOneFetch(t *testing.T) {
	t.Parallel()
	var g Group[string, int]
	var fetches atomic.Int32
	release := make(chan struct{})
	fetch := func(context.Context) (int, error) {
		fetches.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make([]int, 50)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := g.Get(context.Background(), "mch_a", fetch)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}()
	}
	time.Sleep(10 * time.Millisecond) // let the readers pile up on the fetch
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	for i, v := range results {
		if v != 42 {
			t.Fatalf("reader %d got %d", i, v)
		}
	}
	if v, _ := g.Get(context.Background(), "mch_a", fetch); v != 42 || fetches.Load() != 1 {
		t.Fatalf("a later Get refetched: v=%d fetches=%d", v, fetches.Load())
	}
	if _, _ = g.Get(context.Background(), "mch_b", func(context.Context) (int, error) { return 1, nil }); fetches.Load() != 1 {
		t.Fatal("keys are not independent")
	}
}

func TestFailedFetchIsNotKept(t *testing.T) {
	t.Parallel()
	var g Group[string, int]
	boom := errors.New("503")
	if _, err := g.Get(context.Background(), "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	v, err := g.Get(context.Background(), "k", func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("retry after failure: v=%d err=%v", v, err)
	}
}

func TestUpdateDuringFetchIsApplied(t *testing.T) {
	t.Parallel()
	var g Group[string, []string]
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan []string)
	go func() {
		v, _ := g.Get(context.Background(), "k", func(context.Context) ([]string, error) {
			close(started)
			<-release
			return []string{"listed"}, nil
		})
		done <- v
	}()
	<-started
	g.Update("k", func(v []string) []string { return append(append([]string(nil), v...), "created") })
	close(release)
	if got := <-done; len(got) != 2 || got[1] != "created" {
		t.Fatalf("got %v, want the listing plus the update made during the fetch", got)
	}
	g.Update("k", func(v []string) []string { return append(append([]string(nil), v...), "later") })
	if v, _ := g.Get(context.Background(), "k", nil); len(v) != 3 {
		t.Fatalf("update after fetch lost: %v", v)
	}
	g.Update("absent", func(v []string) []string { t.Fatal("update applied to an absent key"); return v })
}

func TestCancelledReaderDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	var g Group[string, int]
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := g.Get(ctx, "k", func(ctx context.Context) (int, error) {
			<-release
			return 1, ctx.Err()
		})
		errc <- err
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reader: %v", err)
	}
	close(release)
	v, err := g.Get(context.Background(), "k", nil)
	if err != nil || v != 1 {
		t.Fatalf("other reader: v=%d err=%v (the shared fetch must not inherit one reader's cancellation)", v, err)
	}
}
