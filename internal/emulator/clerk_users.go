package emulator

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Clerk users (instance secret key): create, read, list and count, enough
// for a module or a tool to look up the subject of an API key or the owner
// of a grant. GET /users answers a bare array, as the description says;
// its total is GET /users/count, which the official clients (clerk-sdk-go
// user.List, @clerk/backend users.getUserList) call beside every listing
// with the same parameters.

func (s *Server) routeClerkUsers(mux *http.ServeMux) {
	s.clerkRoute(mux, "POST", "/users", s.createUser)
	s.clerkRoute(mux, "GET", "/users", s.listUsers)
	s.clerkRoute(mux, "GET", "/users/count", s.countUsers)
	s.clerkRoute(mux, "GET", "/users/{user_id}", s.getUser)
}

// clerkUserOrders are the fields order_by may name for users.
var clerkUserOrders = []string{"created_at", "updated_at", "email_address", "web3wallet", "first_name", "last_name",
	"phone_number", "username", "last_active_at", "last_sign_in_at"}

// clerkUserJSON is Clerk's User object, every field the description
// requires and the optional ones the emulator knows. No user has an image
// (the emulator serves none, so image_url is left out rather than pointing
// at a host it does not serve), a session, external or enterprise
// accounts, or passkeys.
type clerkUserJSON struct {
	ID                            string            `json:"id"`
	Object                        string            `json:"object"`
	ExternalID                    *string           `json:"external_id"`
	PrimaryEmailAddressID         *string           `json:"primary_email_address_id"`
	PrimaryPhoneNumberID          *string           `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID           *string           `json:"primary_web3_wallet_id"`
	Username                      *string           `json:"username"`
	FirstName                     *string           `json:"first_name"`
	LastName                      *string           `json:"last_name"`
	Locale                        *string           `json:"locale"`
	HasImage                      bool              `json:"has_image"`
	PublicMetadata                json.RawMessage   `json:"public_metadata"`
	PrivateMetadata               json.RawMessage   `json:"private_metadata"`
	UnsafeMetadata                json.RawMessage   `json:"unsafe_metadata"`
	EmailAddresses                []clerkEmailJSON  `json:"email_addresses"`
	PhoneNumbers                  []clerkPhoneJSON  `json:"phone_numbers"`
	Web3Wallets                   []clerkWalletJSON `json:"web3_wallets"`
	Passkeys                      []struct{}        `json:"passkeys"`
	PasswordEnabled               bool              `json:"password_enabled"`
	TwoFactorEnabled              bool              `json:"two_factor_enabled"`
	TOTPEnabled                   bool              `json:"totp_enabled"`
	BackupCodeEnabled             bool              `json:"backup_code_enabled"`
	MFAEnabledAt                  *int64            `json:"mfa_enabled_at"`
	MFADisabledAt                 *int64            `json:"mfa_disabled_at"`
	PasswordLastUpdatedAt         *int64            `json:"password_last_updated_at"`
	ExternalAccounts              []struct{}        `json:"external_accounts"`
	SAMLAccounts                  []struct{}        `json:"saml_accounts"`
	EnterpriseAccounts            []struct{}        `json:"enterprise_accounts"`
	LastSignInAt                  *int64            `json:"last_sign_in_at"`
	Banned                        bool              `json:"banned"`
	Locked                        bool              `json:"locked"`
	LockoutExpiresInSeconds       *int64            `json:"lockout_expires_in_seconds"`
	VerificationAttemptsRemaining *int64            `json:"verification_attempts_remaining"`
	CreatedAt                     int64             `json:"created_at"`
	UpdatedAt                     int64             `json:"updated_at"`
	DeleteSelfEnabled             bool              `json:"delete_self_enabled"`
	CreateOrganizationEnabled     bool              `json:"create_organization_enabled"`
	CreateOrganizationsLimit      *int64            `json:"create_organizations_limit"`
	LastActiveAt                  *int64            `json:"last_active_at"`
	LegalAcceptedAt               *int64            `json:"legal_accepted_at"`
	BypassClientTrust             bool              `json:"bypass_client_trust"`
}

type clerkEmailJSON struct {
	ID                   string                 `json:"id"`
	Object               string                 `json:"object"`
	EmailAddress         string                 `json:"email_address"`
	Reserved             bool                   `json:"reserved"`
	Verification         *clerkVerificationJSON `json:"verification"`
	LinkedTo             []struct{}             `json:"linked_to"`
	MatchesSSOConnection bool                   `json:"matches_sso_connection"`
	CreatedAt            int64                  `json:"created_at"`
	UpdatedAt            int64                  `json:"updated_at"`
}

type clerkPhoneJSON struct {
	ID                      string                 `json:"id"`
	Object                  string                 `json:"object"`
	PhoneNumber             string                 `json:"phone_number"`
	ReservedForSecondFactor bool                   `json:"reserved_for_second_factor"`
	DefaultSecondFactor     bool                   `json:"default_second_factor"`
	Reserved                bool                   `json:"reserved"`
	Verification            *clerkVerificationJSON `json:"verification"`
	LinkedTo                []struct{}             `json:"linked_to"`
	BackupCodes             []string               `json:"backup_codes"`
	CreatedAt               int64                  `json:"created_at"`
	UpdatedAt               int64                  `json:"updated_at"`
}

type clerkWalletJSON struct {
	ID           string                 `json:"id"`
	Object       string                 `json:"object"`
	Web3Wallet   string                 `json:"web3_wallet"`
	Verification *clerkVerificationJSON `json:"verification"`
	CreatedAt    int64                  `json:"created_at"`
	UpdatedAt    int64                  `json:"updated_at"`
}

// clerkVerificationJSON is the description's verification_admin: an
// identification the Backend API created is verified by the admin. A
// reserved one is not verified and has none, since the description's
// verification objects all carry a status other than "reserved"
// (*unconfirmed*, assumption clerk_directory_defaults).
type clerkVerificationJSON struct {
	Object   string `json:"object"`
	Status   string `json:"status"`
	Strategy string `json:"strategy"`
	Attempts *int64 `json:"attempts"`
	ExpireAt *int64 `json:"expire_at"`
}

// clerkVerificationAttempts is verification_attempts_remaining: an
// instance's lockout allows 100 attempts by default
// (*unconfirmed*, assumption clerk_directory_defaults).
const clerkVerificationAttempts = 100

func adminVerified(reserved bool) *clerkVerificationJSON {
	if reserved {
		return nil
	}
	return &clerkVerificationJSON{Object: "verification_admin", Status: "verified", Strategy: "admin"}
}

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

func (u *clerkUser) view() clerkUserJSON {
	attempts := int64(clerkVerificationAttempts)
	v := clerkUserJSON{
		ID:                            u.id,
		Object:                        "user",
		ExternalID:                    u.externalID,
		PrimaryEmailAddressID:         primary(u.emails),
		PrimaryPhoneNumberID:          primary(u.phones),
		PrimaryWeb3WalletID:           primary(u.wallets),
		Username:                      u.username,
		FirstName:                     u.firstName,
		LastName:                      u.lastName,
		Locale:                        u.locale,
		PublicMetadata:                u.publicMetadata,
		PrivateMetadata:               u.privateMetadata,
		UnsafeMetadata:                u.unsafeMetadata,
		EmailAddresses:                []clerkEmailJSON{},
		PhoneNumbers:                  []clerkPhoneJSON{},
		Web3Wallets:                   []clerkWalletJSON{},
		Passkeys:                      []struct{}{},
		PasswordEnabled:               u.passwordEnabled,
		TwoFactorEnabled:              u.totpEnabled || u.backupCodeEnabled,
		TOTPEnabled:                   u.totpEnabled,
		BackupCodeEnabled:             u.backupCodeEnabled,
		PasswordLastUpdatedAt:         msPtr(u.passwordUpdatedAt),
		ExternalAccounts:              []struct{}{},
		SAMLAccounts:                  []struct{}{},
		EnterpriseAccounts:            []struct{}{},
		Banned:                        u.banned,
		Locked:                        u.locked,
		VerificationAttemptsRemaining: &attempts,
		CreatedAt:                     u.createdAt.UnixMilli(),
		UpdatedAt:                     u.updatedAt.UnixMilli(),
		DeleteSelfEnabled:             u.deleteSelfEnabled,
		CreateOrganizationEnabled:     u.createOrganizationEnabled,
		CreateOrganizationsLimit:      u.createOrganizationsLimit,
		LegalAcceptedAt:               msPtr(u.legalAcceptedAt),
		BypassClientTrust:             u.bypassClientTrust,
	}
	if v.TwoFactorEnabled {
		v.MFAEnabledAt = &v.CreatedAt
	}
	for _, e := range u.emails {
		v.EmailAddresses = append(v.EmailAddresses, clerkEmailJSON{
			ID: e.id, Object: "email_address", EmailAddress: e.value, Reserved: e.reserved, Verification: adminVerified(e.reserved),
			LinkedTo: []struct{}{}, CreatedAt: e.createdAt.UnixMilli(), UpdatedAt: e.createdAt.UnixMilli(),
		})
	}
	for _, p := range u.phones {
		v.PhoneNumbers = append(v.PhoneNumbers, clerkPhoneJSON{
			ID: p.id, Object: "phone_number", PhoneNumber: p.value, Reserved: p.reserved, Verification: adminVerified(p.reserved),
			LinkedTo: []struct{}{}, CreatedAt: p.createdAt.UnixMilli(), UpdatedAt: p.createdAt.UnixMilli(),
		})
	}
	for _, wl := range u.wallets {
		v.Web3Wallets = append(v.Web3Wallets, clerkWalletJSON{
			ID: wl.id, Object: "web3_wallet", Web3Wallet: wl.value, Verification: adminVerified(false),
			CreatedAt: wl.createdAt.UnixMilli(), UpdatedAt: wl.createdAt.UnixMilli(),
		})
	}
	return v
}

// clerkCreateUserFields are POST /users' body fields
// (additionalProperties: false).
var clerkCreateUserFields = []string{"external_id", "first_name", "last_name", "locale", "email_address",
	"email_address_identification_status", "phone_number", "phone_number_identification_status", "web3_wallet",
	"username", "password", "password_digest", "password_hasher", "skip_password_checks", "skip_password_requirement",
	"totp_secret", "backup_codes", "public_metadata", "private_metadata", "unsafe_metadata", "delete_self_enabled",
	"legal_accepted_at", "skip_legal_checks", "skip_user_requirement", "create_organization_enabled",
	"create_organizations_limit", "created_at", "bypass_client_trust", "banned", "locked"}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	fields, ok := clerkBody(w, r, true, clerkCreateUserFields...)
	if !ok {
		return
	}
	in, ok := readUserInput(w, r, fields)
	if !ok {
		return
	}
	u, err := s.newUser(in)
	if err != nil {
		err.write(w, r)
		return
	}
	writeJSON(w, http.StatusOK, u.view())
}

// readUserInput reads POST /users' fields. The instance's sign-up
// requirements are not enforced: a create may leave every identifier and
// the password out, as skip_user_requirement and skip_password_requirement
// allow (so both are accepted and need not be sent), and
// skip_legal_checks has nothing to skip.
func readUserInput(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage) (clerkUserInput, bool) {
	var in clerkUserInput
	for _, f := range []struct {
		name string
		dst  *[]string
	}{
		{"email_address", &in.emails}, {"email_address_identification_status", &in.emailStatus},
		{"phone_number", &in.phones}, {"phone_number_identification_status", &in.phoneStatus},
		{"web3_wallet", &in.wallets}, {"backup_codes", &in.backupCodes},
	} {
		v, ok := clerkStringsField(w, r, fields, f.name)
		if !ok {
			return in, false
		}
		*f.dst = v
	}
	for _, f := range []struct {
		name string
		dst  **string
	}{
		{"external_id", &in.externalID}, {"first_name", &in.firstName}, {"last_name", &in.lastName},
		{"locale", &in.locale}, {"username", &in.username}, {"password", &in.password},
		{"password_digest", &in.passwordDigest}, {"password_hasher", &in.passwordHasher}, {"totp_secret", &in.totpSecret},
	} {
		v, ok := clerkOptionalString(w, r, fields, f.name)
		if !ok {
			return in, false
		}
		*f.dst = v
	}
	flags := map[string]*bool{}
	for _, name := range []string{"skip_password_checks", "skip_password_requirement", "skip_legal_checks",
		"skip_user_requirement", "delete_self_enabled", "create_organization_enabled", "bypass_client_trust", "banned", "locked"} {
		v, ok := clerkBoolField(w, r, fields, name)
		if !ok {
			return in, false
		}
		flags[name] = v
	}
	isSet := func(name string) bool { return flags[name] != nil && *flags[name] }
	in.skipPasswordChecks = isSet("skip_password_checks")
	in.deleteSelfEnabled, in.createOrganizationEnabled = flags["delete_self_enabled"], flags["create_organization_enabled"]
	in.bypassClientTrust, in.banned, in.locked = isSet("bypass_client_trust"), isSet("banned"), isSet("locked")
	for _, f := range []struct {
		name string
		dst  *json.RawMessage
	}{
		{"public_metadata", &in.publicMetadata}, {"private_metadata", &in.privateMetadata}, {"unsafe_metadata", &in.unsafeMetadata},
	} {
		v, ok := clerkObjectField(w, r, fields, f.name)
		if !ok {
			return in, false
		}
		*f.dst = v
	}
	limit, present, ok := clerkIntField(w, r, fields, "create_organizations_limit", 0, math.MaxInt32)
	if !ok {
		return in, false
	}
	if present {
		in.createOrganizationsLimit = &limit
	}
	if in.createdAt, ok = clerkTimeField(w, r, fields, "created_at"); !ok {
		return in, false
	}
	if in.legalAcceptedAt, ok = clerkTimeField(w, r, fields, "legal_accepted_at"); !ok {
		return in, false
	}
	return in, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	u, ok := s.clerk.users[r.PathValue("user_id")]
	if !ok {
		clerkNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, u.view())
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	match, ok := s.userFilter(w, r)
	if !ok {
		return
	}
	limit, ok := clerkIntQuery(w, r, "limit", 10, 1, clerkDirectoryMaxPage)
	if !ok {
		return
	}
	offset, ok := clerkIntQuery(w, r, "offset", 0, 0, math.MaxInt32)
	if !ok {
		return
	}
	order, ok := clerkOrderQuery(w, r, clerkUserOrders...)
	if !ok {
		return
	}
	users := s.matchingUsers(match)
	slices.SortFunc(users, func(a, b *clerkUser) int { return compareUsers(order, a, b) })
	if after := r.URL.Query().Get("starting_after"); after != "" {
		// Cursor pagination: only over the created_at ordering, never with
		// an offset, as the description says.
		if order.field != "created_at" || offset != 0 {
			clerkParamInvalid(w, r, "starting_after", "starting_after requires ordering by created_at and cannot be combined with a non-zero offset")
			return
		}
		cursor, known := s.clerk.users[after]
		if !known {
			clerkParamInvalid(w, r, "starting_after", "starting_after must be the ID of an existing user")
			return
		}
		users = slices.DeleteFunc(users, func(u *clerkUser) bool { return compareUsers(order, u, cursor) <= 0 })
	}
	out := []clerkUserJSON{}
	for _, u := range users[min(offset, len(users)):min(offset+limit, len(users))] {
		out = append(out, u.view())
	}
	writeJSON(w, http.StatusOK, out)
}

// countUsers answers the number of users the filters match. The
// description declares only filters here, but the official Go client
// passes the listing's own parameters along (limit, offset and order_by
// too), and the official client wins: a count ignores them rather than
// refusing them.
func (s *Server) countUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	match, ok := s.userFilter(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "total_count", "total_count": len(s.matchingUsers(match))})
}

func (s *Server) matchingUsers(match func(*clerkUser) bool) []*clerkUser {
	var out []*clerkUser
	for _, u := range s.clerk.users {
		if match(u) {
			out = append(out, u)
		}
	}
	return out
}

// compareUsers orders two users by order, then by creation in the same
// direction, so every ordering is total.
func compareUsers(order clerkOrder, a, b *clerkUser) int {
	if order.desc {
		a, b = b, a
	}
	value := func(u *clerkUser) *string {
		switch order.field {
		case "email_address":
			return firstValue(u.emails)
		case "phone_number":
			return firstValue(u.phones)
		case "web3wallet":
			return firstValue(u.wallets)
		case "first_name":
			return u.firstName
		case "last_name":
			return u.lastName
		case "username":
			return u.username
		}
		return nil
	}
	var c int
	switch order.field {
	case "created_at":
		c = a.createdAt.Compare(b.createdAt)
	case "updated_at":
		c = a.updatedAt.Compare(b.updatedAt)
	case "last_active_at", "last_sign_in_at":
		// No user has signed in or been active: all null, all equal.
	default:
		c = compareNullable(value(a), value(b), strings.Compare)
	}
	return cmp.Or(c, cmp.Compare(a.seq, b.seq))
}

func firstValue(list []clerkIdentification) *string {
	if len(list) == 0 {
		return nil
	}
	return &list[0].value
}

// userFilter reads the filters GET /users and GET /users/count share and
// returns the test a user must pass. Exact identifiers compare without
// regard to case; the *_query filters match any part of the value, also
// without regard to case. No user has a session, a sign-in or an external
// account, so the last_active_at, last_sign_in_at and provider filters
// match no one.
func (s *Server) userFilter(w http.ResponseWriter, r *http.Request) (func(*clerkUser) bool, bool) {
	q := r.URL.Query()
	var tests []func(*clerkUser) bool
	add := func(t func(*clerkUser) bool) { tests = append(tests, t) }

	for _, f := range []struct {
		name  string
		value func(*clerkUser) []string
	}{
		{"email_address", func(u *clerkUser) []string { return values(u.emails) }},
		{"phone_number", func(u *clerkUser) []string { return values(u.phones) }},
		{"web3_wallet", func(u *clerkUser) []string { return values(u.wallets) }},
		{"username", func(u *clerkUser) []string { return optionalValues(u.username) }},
	} {
		wanted, ok := clerkListQuery(w, r, f.name)
		if !ok {
			return nil, false
		}
		if len(wanted) > 0 {
			add(func(u *clerkUser) bool {
				return slices.ContainsFunc(f.value(u), func(v string) bool {
					return slices.ContainsFunc(wanted, func(x string) bool { return strings.EqualFold(x, v) })
				})
			})
		}
	}
	for _, f := range []struct {
		name  string
		value func(*clerkUser) []string
	}{
		{"user_id", func(u *clerkUser) []string { return []string{u.id} }},
		{"external_id", func(u *clerkUser) []string { return optionalValues(u.externalID) }},
		{"organization_id", func(u *clerkUser) []string { return s.clerk.orgsOf(u.id) }},
	} {
		raw, ok := clerkListQuery(w, r, f.name)
		if !ok {
			return nil, false
		}
		if l := parseSignedList(raw); l.set() {
			add(func(u *clerkUser) bool { return l.admits(f.value(u)...) })
		}
	}
	for _, f := range []struct {
		name  string
		value func(*clerkUser) []string
	}{
		{"query", func(u *clerkUser) []string {
			return slices.Concat([]string{u.id}, values(u.emails), values(u.phones), values(u.wallets),
				optionalValues(u.username), optionalValues(u.firstName), optionalValues(u.lastName))
		}},
		{"email_address_query", func(u *clerkUser) []string { return values(u.emails) }},
		{"phone_number_query", func(u *clerkUser) []string { return values(u.phones) }},
		{"username_query", func(u *clerkUser) []string { return optionalValues(u.username) }},
		{"name_query", func(u *clerkUser) []string {
			return append(optionalValues(u.firstName, u.lastName), strings.TrimSpace(deref(u.firstName)+" "+deref(u.lastName)))
		}},
	} {
		if part := strings.ToLower(q.Get(f.name)); part != "" {
			add(func(u *clerkUser) bool {
				return slices.ContainsFunc(f.value(u), func(v string) bool { return strings.Contains(strings.ToLower(v), part) })
			})
		}
	}
	banned, present, ok := clerkOptionalBoolQuery(w, r, "banned")
	if !ok {
		return nil, false
	}
	if present {
		add(func(u *clerkUser) bool { return u.banned == banned })
	}
	for _, f := range []struct {
		name   string
		before bool
	}{{"created_at_before", true}, {"created_at_after", false}} {
		at, present, ok := clerkTimeQuery(w, r, f.name)
		if !ok {
			return nil, false
		}
		if present {
			add(func(u *clerkUser) bool {
				ms := u.createdAt.UnixMilli()
				return (f.before && ms < at) || (!f.before && ms > at)
			})
		}
	}
	for _, name := range []string{"last_active_at_before", "last_active_at_after", "last_active_at_since",
		"last_sign_in_at_before", "last_sign_in_at_after"} {
		_, present, ok := clerkTimeQuery(w, r, name)
		if !ok {
			return nil, false
		}
		if present {
			add(func(*clerkUser) bool { return false })
		}
	}
	if q.Get("provider") != "" || len(q["provider_user_id"]) > 0 {
		add(func(*clerkUser) bool { return false })
	}
	return func(u *clerkUser) bool {
		for _, t := range tests {
			if !t(u) {
				return false
			}
		}
		return true
	}, true
}

func values(list []clerkIdentification) []string {
	out := make([]string, 0, len(list))
	for _, i := range list {
		out = append(out, i.value)
	}
	return out
}

func optionalValues(ps ...*string) []string {
	var out []string
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// clerkOptionalBoolQuery reads a boolean filter that may be left out.
func clerkOptionalBoolQuery(w http.ResponseWriter, r *http.Request, name string) (v, present, ok bool) {
	if r.URL.Query().Get(name) == "" {
		return false, false, true
	}
	v, ok = clerkBoolQuery(w, r, name)
	return v, true, ok
}
