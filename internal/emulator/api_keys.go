package emulator

import (
	"encoding/json"
	"slices"
	"time"
)

// The Go API of the emulator's Clerk API keys, for tests: counts and what a
// key looks like inside (the subjects to own keys are in
// emulator_directory.go). It sits beside emulator.go, which holds the rest
// of the package's Go API.

// APIKeyCounts counts stored API keys by state at the emulator's clock. A
// revoked key counts as revoked even once expired.
type APIKeyCounts struct {
	Live    int `json:"live"`
	Revoked int `json:"revoked"`
	Expired int `json:"expired"`
}

// APIKey is a stored API key as acceptance tests inspect it.
type APIKey struct {
	ID, Subject, Name, Secret string
	Description               *string
	Scopes                    []string
	Claims                    any
	Revoked                   bool
	RevocationReason          *string
	// Expiration is nil for a key that never expires.
	Expiration *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

// APIKey returns the stored key with this id.
func (s *Server) APIKey(id string) (APIKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.clerk.apiKeys.keys[id]
	if !ok {
		return APIKey{}, false
	}
	return k.inspect(), true
}

// APIKeys returns every stored key of subject, revoked and expired ones
// included, newest first.
func (s *Server) APIKeys(subject string) []APIKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []APIKey
	for _, k := range s.clerk.apiKeysOf(subject) {
		out = append(out, k.inspect())
	}
	return out
}

func (k *apiKey) inspect() APIKey {
	var claims any
	if k.claims != nil {
		_ = json.Unmarshal(k.claims, &claims) // canonical JSON always parses
	}
	out := APIKey{
		ID:               k.id,
		Subject:          k.subject,
		Name:             k.name,
		Secret:           k.secret,
		Description:      clonePtr(k.description),
		Scopes:           slices.Clone(k.scopes),
		Claims:           claims,
		Revoked:          k.revoked,
		RevocationReason: clonePtr(k.revocationReason),
		Expiration:       clonePtr(k.expiration),
		LastUsedAt:       clonePtr(k.lastUsedAt),
		CreatedAt:        k.createdAt,
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
