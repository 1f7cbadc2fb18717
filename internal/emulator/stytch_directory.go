package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

var slugPattern = regexp.MustCompile(`^[A-Za-z0-9\-._~]{2,128}$`)

func (s *Server) stytchCreateOrganization(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name       string `json:"organization_name"`
		Slug       string `json:"organization_slug"`
		ExternalID string `json:"organization_external_id"`
	}
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	switch {
	case body.Name == "" || len(body.Name) > 128:
		badRequest("organization_name must be between 1 and 128 characters.").write(w, r)
		return
	case !slugPattern.MatchString(body.Slug):
		badRequest("organization_slug must be 2 to 128 characters of letters, digits and - . _ ~").write(w, r)
		return
	}
	st := s.stytch
	for _, o := range st.orgs {
		// The error types for these conflicts are guesses
		// (*unconfirmed*, assumption stytch_directory_conflicts).
		if o.slug == body.Slug {
			stytchError(w, r, http.StatusBadRequest, "organization_slug_already_used", "An Organization with that organization_slug already exists.")
			return
		}
		if body.ExternalID != "" && o.externalID == body.ExternalID {
			stytchError(w, r, http.StatusBadRequest, "organization_external_id_already_used", "An Organization with that organization_external_id already exists.")
			return
		}
	}
	org := st.addOrg(body.Name, body.Slug, body.ExternalID, s.clock.now())
	stytchOK(w, r, map[string]any{"organization": org.json()})
}

// checkNewMember validates a member about to join org.
func (st *stytchState) checkNewMember(org *stytchOrg, email, externalID string) *apiErr {
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 {
		return &apiErr{http.StatusBadRequest, "invalid_email", "Email format is invalid."}
	}
	for _, m := range st.members {
		if m.organizationID != org.id {
			continue
		}
		// The error types for these conflicts are guesses
		// (*unconfirmed*, assumption stytch_directory_conflicts).
		if strings.EqualFold(m.email, email) {
			return &apiErr{http.StatusBadRequest, "duplicate_member_email", "A Member with that email address already exists in the Organization."}
		}
		if externalID != "" && m.externalID == externalID {
			return &apiErr{http.StatusBadRequest, "duplicate_member_external_id", "A Member with that external_id already exists in the Organization."}
		}
	}
	return nil
}

func (s *Server) stytchCreateMember(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email      string   `json:"email_address"`
		Name       string   `json:"name"`
		ExternalID string   `json:"external_id"`
		Roles      []string `json:"roles"`
	}
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	st := s.stytch
	org := st.findOrg(r.PathValue("organization_id"))
	if org == nil {
		errOrgNotFound.write(w, r)
		return
	}
	if e := st.checkNewMember(org, body.Email, body.ExternalID); e != nil {
		e.write(w, r)
		return
	}
	roles := []string{"stytch_member"}
	for _, role := range body.Roles {
		if !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	m := st.addMember(org, body.Email, body.Name, body.ExternalID, roles, s.clock.now())
	stytchOK(w, r, map[string]any{
		"member_id": m.id, "member": m.json(), "organization": org.json(),
	})
}

func (s *Server) stytchCreateUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email      string `json:"email"`
		ExternalID string `json:"external_id"`
	}
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	if at := strings.Index(body.Email, "@"); at < 1 || at == len(body.Email)-1 {
		stytchError(w, r, http.StatusBadRequest, "invalid_email", "Email format is invalid.")
		return
	}
	st := s.stytch
	for _, u := range st.users {
		// Guessed error types, as for members
		// (*unconfirmed*, assumption stytch_directory_conflicts).
		if strings.EqualFold(u.email, body.Email) {
			stytchError(w, r, http.StatusBadRequest, "duplicate_email", "A User with that email address already exists.")
			return
		}
		if body.ExternalID != "" && u.externalID == body.ExternalID {
			stytchError(w, r, http.StatusBadRequest, "duplicate_external_id", "A User with that external_id already exists.")
			return
		}
	}
	u := &stytchUser{id: "user-test-" + randomUUID(), emailID: "email-test-" + randomUUID(), email: body.Email, externalID: body.ExternalID, createdAt: s.clock.now()}
	st.users[u.id] = u
	stytchOK(w, r, map[string]any{
		"user_id": u.id, "email_id": u.emailID, "phone_id": "", "status": "active", "user": u.json(),
	})
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (o *stytchOrg) json() map[string]any {
	return map[string]any{
		"organization_id":                          o.id,
		"organization_name":                        o.name,
		"organization_slug":                        o.slug,
		"organization_external_id":                 o.externalID,
		"organization_logo_url":                    "",
		"trusted_metadata":                         map[string]any{},
		"sso_jit_provisioning":                     "NOT_ALLOWED",
		"sso_jit_provisioning_allowed_connections": []string{},
		"sso_active_connections":                   []any{},
		"sso_default_connection_id":                nil,
		"scim_active_connection":                   nil,
		"email_allowed_domains":                    []string{},
		"email_jit_provisioning":                   "NOT_ALLOWED",
		"email_invites":                            "ALL_ALLOWED",
		"auth_methods":                             "ALL_ALLOWED",
		"allowed_auth_methods":                     []string{},
		"mfa_policy":                               "OPTIONAL",
		"mfa_methods":                              "ALL_ALLOWED",
		"allowed_mfa_methods":                      []string{},
		"rbac_email_implicit_role_assignments":     []any{},
		"oauth_tenant_jit_provisioning":            "NOT_ALLOWED",
		"allowed_oauth_tenants":                    map[string]any{},
		"claimed_email_domains":                    []string{},
		"first_party_connected_apps_allowed_type":  "ALL_ALLOWED",
		"allowed_first_party_connected_apps":       []string{},
		"third_party_connected_apps_allowed_type":  "ALL_ALLOWED",
		"allowed_third_party_connected_apps":       []string{},
		"custom_roles":                             []any{},
		"created_at":                               rfc3339(o.createdAt),
		"updated_at":                               rfc3339(o.updatedAt),
	}
}

func (m *stytchMember) json() map[string]any {
	roles := []any{}
	for _, role := range m.roles {
		roles = append(roles, map[string]any{"role_id": role, "sources": []any{map[string]any{"type": "direct_assignment", "details": map[string]any{}}}})
	}
	return map[string]any{
		"organization_id":           m.organizationID,
		"member_id":                 m.id,
		"email_address":             m.email,
		"status":                    "active",
		"name":                      m.name,
		"external_id":               m.externalID,
		"roles":                     roles,
		"is_admin":                  slices.Contains(m.roles, "stytch_admin"),
		"is_breakglass":             false,
		"is_locked":                 false,
		"sso_registrations":         []any{},
		"oauth_registrations":       []any{},
		"retired_email_addresses":   []any{},
		"member_password_id":        "",
		"totp_registration_id":      "",
		"email_address_verified":    false,
		"mfa_enrolled":              false,
		"mfa_phone_number":          "",
		"mfa_phone_number_verified": false,
		"default_mfa_method":        "",
		"trusted_metadata":          map[string]any{},
		"untrusted_metadata":        map[string]any{},
		"created_at":                rfc3339(m.createdAt),
		"updated_at":                rfc3339(m.updatedAt),
	}
}

// json is Stytch's User object. It has no password key: Stytch returns the
// password object only for users with a password, which emulated users never
// have, and is_locked is always present.
func (u *stytchUser) json() map[string]any {
	return map[string]any{
		"user_id":                 u.id,
		"external_id":             u.externalID,
		"status":                  "active",
		"name":                    map[string]any{"first_name": "", "middle_name": "", "last_name": ""},
		"emails":                  []any{map[string]any{"email_id": u.emailID, "email": u.email, "verified": false}},
		"phone_numbers":           []any{},
		"providers":               []any{},
		"webauthn_registrations":  []any{},
		"biometric_registrations": []any{},
		"totps":                   []any{},
		"crypto_wallets":          []any{},
		"roles":                   []string{},
		"is_locked":               false,
		"trusted_metadata":        map[string]any{},
		"untrusted_metadata":      map[string]any{},
		"created_at":              rfc3339(u.createdAt),
	}
}
