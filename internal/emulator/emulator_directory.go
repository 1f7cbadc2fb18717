package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The Go API of the emulator's Clerk directory, for tests: users and
// organizations added without HTTP, and removed as a dashboard would.

// ClerkUser is a user to add with AddClerkUser. Every field is optional, as
// on POST /users; email addresses and phone numbers are added verified, the
// first of each the primary one.
type ClerkUser struct {
	EmailAddresses, PhoneNumbers              []string
	Username, FirstName, LastName, ExternalID string
	PublicMetadata, PrivateMetadata           map[string]any
	Banned                                    bool
}

// AddClerkUser adds a user as POST /users would, refusing what it refuses
// (a malformed identifier, or one another user holds), and returns its id.
func (s *Server) AddClerkUser(u ClerkUser) (string, error) {
	in := clerkUserInput{
		emails:     u.EmailAddresses,
		phones:     u.PhoneNumbers,
		username:   optional(u.Username),
		firstName:  optional(u.FirstName),
		lastName:   optional(u.LastName),
		externalID: optional(u.ExternalID),
		banned:     u.Banned,
	}
	var err error
	if in.publicMetadata, err = metadata(u.PublicMetadata); err != nil {
		return "", err
	}
	if in.privateMetadata, err = metadata(u.PrivateMetadata); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	created, ferr := s.newUser(in)
	if ferr != nil {
		return "", ferr
	}
	return created.id, nil
}

// ClerkOrganization is an organization to add with AddClerkOrganization.
// Name is required. Without Slug one is made from the name; CreatedBy, a
// user id, makes that user its admin member; MaxAllowedMemberships nil is
// the instance default.
type ClerkOrganization struct {
	Name, Slug, CreatedBy           string
	MaxAllowedMemberships           *int
	PublicMetadata, PrivateMetadata map[string]any
}

// AddClerkOrganization adds an organization as POST /organizations would
// and returns its id.
func (s *Server) AddClerkOrganization(o ClerkOrganization) (string, error) {
	in := clerkOrgInput{name: o.Name, slug: optional(o.Slug), createdBy: optional(o.CreatedBy)}
	if o.MaxAllowedMemberships != nil {
		n := int64(*o.MaxAllowedMemberships)
		in.maxAllowedMemberships = &n
	}
	var err error
	if in.publicMetadata, err = metadata(o.PublicMetadata); err != nil {
		return "", err
	}
	if in.privateMetadata, err = metadata(o.PrivateMetadata); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	created, ferr := s.newOrganization(in)
	if ferr != nil {
		return "", ferr
	}
	return created.id, nil
}

// CreateClerkUser adds a user with nothing but an id, a subject API keys
// can belong to.
func (s *Server) CreateClerkUser() string {
	id, err := s.AddClerkUser(ClerkUser{})
	if err != nil {
		panic(err) // an empty user is always valid
	}
	return id
}

// CreateClerkOrganization adds an organization with a generated name, a
// subject API keys can belong to.
func (s *Server) CreateClerkOrganization() string {
	id, err := s.AddClerkOrganization(ClerkOrganization{Name: "organization-" + strings.ToLower(randomBase62(8))})
	if err != nil {
		panic(err) // a generated name is always valid
	}
	return id
}

// DeleteClerkSubject removes a user (and its memberships) or an
// organization, as deleting it in Clerk's dashboard would; its keys then
// belong to a subject that is gone.
func (s *Server) DeleteClerkSubject(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clerk.deleteUser(id)
	delete(s.clerk.orgs, id)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func metadata(m map[string]any) (json.RawMessage, error) {
	if m == nil {
		return nil, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("emulator: metadata: %w", err)
	}
	return raw, nil
}
