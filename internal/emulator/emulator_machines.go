package emulator

import (
	"slices"
	"sort"
	"time"
)

// The Go API tests use to inspect Clerk machines without HTTP: what exists
// after a destroy, and which key a machine answers to.

// Machine is a Clerk machine as tests inspect it.
type Machine struct {
	ID, Name        string
	DefaultTokenTTL time.Duration
	// ScopedMachineIDs are the machines it may call, in the order granted.
	ScopedMachineIDs []string
	// SecretKey is its current key; PreviousKeys are rotated-out keys still
	// inside their overlap at the emulator's clock.
	SecretKey    string
	PreviousKeys []string
	CreatedAt    time.Time
}

// Machine returns the machine with this id; false once it is deleted.
func (s *Server) Machine(id string) (Machine, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.clerk.machines[id]
	if !ok {
		return Machine{}, false
	}
	return s.inspectMachine(m), true
}

// Machines returns every machine that exists, oldest first, the fixture's
// included.
func (s *Server) Machines() []Machine {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*machine, 0, len(s.clerk.machines))
	for _, m := range s.clerk.machines {
		all = append(all, m)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]Machine, 0, len(all))
	for _, m := range all {
		out = append(out, s.inspectMachine(m))
	}
	return out
}

// inspectMachine runs with s.mu held.
func (s *Server) inspectMachine(m *machine) Machine {
	now := s.clock.now()
	var previous []string
	for key, k := range s.clerk.machineKeys {
		if k.machineID == m.id && key != m.secretKey && now.Before(k.expiresAt) {
			previous = append(previous, key)
		}
	}
	slices.Sort(previous)
	return Machine{
		ID:               m.id,
		Name:             m.name,
		DefaultTokenTTL:  time.Duration(m.defaultTTL) * time.Second,
		ScopedMachineIDs: m.scopeIDs(),
		SecretKey:        m.secretKey,
		PreviousKeys:     previous,
		CreatedAt:        m.createdAt,
	}
}
