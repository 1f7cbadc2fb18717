package provider

import (
	"context"
	"sync"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// tokenHistory is the search, shared by the reads of one run, for tokens
// in state that the live listing lacks: it pages through every token of the
// machine, revoked and expired ones too, newest first as Clerk lists them,
// and stops at the page that holds the token looked for. So a plan pays for
// a machine's history only when a token is gone, and then only as far back
// as the oldest token gone; the pages it has read serve every later search.
type tokenHistory struct {
	key, subject string

	mu   sync.Mutex
	byID map[string]client.M2MToken
	next int  // offset of the next page to read
	done bool // every page has been read
}

// history is the machine's search, made on first use.
func (s *m2mTokenStore) history(key, subject string) *tokenHistory {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.listingKey(key, subject, true)
	h := s.histories[k]
	if h == nil {
		h = &tokenHistory{key: key, subject: subject, byID: map[string]client.M2MToken{}}
		s.histories[k] = h
	}
	return h
}

// find returns the token with id, reading further pages while it is not
// among those read; not found once every page is read. One search at a
// time per machine, so concurrent reads never fetch a page twice.
func (h *tokenHistory) find(ctx context.Context, s *m2mTokenStore, id string) (client.M2MToken, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		if t, ok := h.byID[id]; ok {
			return t, true, nil
		}
		if h.done {
			return client.M2MToken{}, false, nil
		}
		p, err := s.page(ctx, h.key, h.subject, h.next, true)
		if err != nil {
			return client.M2MToken{}, false, err
		}
		for _, t := range p.Tokens {
			h.byID[t.ID] = t
		}
		h.next += listPageSize
		h.done = len(p.Tokens) == 0 || h.next >= p.TotalCount
	}
}
