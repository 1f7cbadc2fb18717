package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The Clerk directory: the instance's users and organizations, and the
// memberships between them. They are the subjects of API keys and the
// owners of grants, which modules and tools look up through GET /users and
// GET /organizations (clerk_users.go, clerk_organizations.go). This file
// holds what both areas share: the objects, their validation on creation
// (POST /users, POST /organizations and the Go API alike) and the filters
// and orderings their listings read from the query.

const (
	// clerkDefaultMaxMemberships is max_allowed_memberships when a create
	// leaves it out: the instance's default, 5 for a new instance's
	// organization settings (*unconfirmed*, assumption clerk_directory_defaults).
	clerkDefaultMaxMemberships = 5
	clerkMaxOrgName            = 256
	clerkMaxFilterValues       = 100
	clerkMinPassword           = 8
	clerkMinUsername           = 4
	clerkMaxUsername           = 64
	clerkDirectoryMaxPage      = 500
)

var (
	// What a create accepts as each identifier. Clerk's own rules are
	// richer (and configurable per instance); these are approximations
	// that refuse what is plainly not an identifier
	// (*unconfirmed*, assumption clerk_identifier_rules).
	clerkEmailPattern    = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	clerkPhonePattern    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	clerkWalletPattern   = regexp.MustCompile(`^0x[0-9A-Fa-f]{40}$`)
	clerkUsernamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	clerkSlugPattern     = regexp.MustCompile(`^[a-z0-9-]+$`)
	clerkSlugRun         = regexp.MustCompile(`[^a-z0-9]+`)
)

// clerkUser is a user of the instance. Optional text is nil when unset,
// which Clerk answers as null.
type clerkUser struct {
	id                                                string
	externalID, username, firstName, lastName, locale *string
	emails, phones, wallets                           []clerkIdentification
	passwordEnabled, totpEnabled, backupCodeEnabled   bool
	publicMetadata, privateMetadata, unsafeMetadata   json.RawMessage // objects, "{}" when unset
	banned, locked, bypassClientTrust                 bool
	deleteSelfEnabled, createOrganizationEnabled      bool
	createOrganizationsLimit                          *int64
	legalAcceptedAt, passwordUpdatedAt                *time.Time
	createdAt, updatedAt                              time.Time
	seq                                               uint64
}

// clerkIdentification is an email address, phone number or web3 wallet of
// a user. Created by the Backend API, it is verified by the admin unless
// created reserved.
type clerkIdentification struct {
	id, value string
	reserved  bool
	createdAt time.Time
}

// clerkOrg is an organization. Its members are user ids; the user who
// created it (created_by) is its admin, the member with elevated
// permissions. No other memberships are emulated.
type clerkOrg struct {
	id, name, slug                  string
	createdBy                       string // "" when none
	roleSetKey                      *string
	maxAllowedMemberships           int64
	adminDeleteEnabled              bool
	publicMetadata, privateMetadata json.RawMessage
	members                         []string
	createdAt, updatedAt            time.Time
	seq                             uint64
}

// clerkFormError is a create Clerk refuses with 422: a code such as
// form_identifier_exists, the parameter and the messages.
type clerkFormError struct {
	code, param, message, longMessage string
}

func (e *clerkFormError) Error() string { return "emulator: " + e.param + ": " + e.longMessage }

func (e *clerkFormError) write(w http.ResponseWriter, r *http.Request) {
	clerkErrorMeta(w, r, http.StatusUnprocessableEntity, e.code, e.message, e.longMessage, map[string]any{"param_name": e.param})
}

func formInvalid(param, longMessage string) *clerkFormError {
	return &clerkFormError{"form_param_value_invalid", param, "is invalid", longMessage}
}

func formFormatInvalid(param, longMessage string) *clerkFormError {
	return &clerkFormError{"form_param_format_invalid", param, "is invalid", longMessage}
}

// formTaken is an identifier another user or organization holds already.
func formTaken(param, what string) *clerkFormError {
	msg := "That " + what + " is taken. Please try another."
	return &clerkFormError{"form_identifier_exists", param, msg, msg}
}

// clerkUserInput is a user as POST /users or the Go API describes it.
type clerkUserInput struct {
	emails, emailStatus, phones, phoneStatus, wallets []string
	username, firstName, lastName, externalID, locale *string
	password, passwordDigest, passwordHasher          *string
	skipPasswordChecks                                bool
	totpSecret                                        *string
	backupCodes                                       []string
	publicMetadata, privateMetadata, unsafeMetadata   json.RawMessage
	deleteSelfEnabled, createOrganizationEnabled      *bool
	createOrganizationsLimit                          *int64
	legalAcceptedAt, createdAt                        *time.Time
	bypassClientTrust, banned, locked                 bool
}

// newUser validates and stores a user; it runs with s.mu held. Nothing is
// stored when the input is refused.
func (s *Server) newUser(in clerkUserInput) (*clerkUser, *clerkFormError) {
	c := s.clerk
	now := s.clock.now()
	created := now
	if in.createdAt != nil {
		created = *in.createdAt
	}
	u := &clerkUser{
		id:                        "user_" + randomBase62(27),
		externalID:                in.externalID,
		firstName:                 in.firstName,
		lastName:                  in.lastName,
		locale:                    in.locale,
		publicMetadata:            objectOrEmpty(in.publicMetadata),
		privateMetadata:           objectOrEmpty(in.privateMetadata),
		unsafeMetadata:            objectOrEmpty(in.unsafeMetadata),
		banned:                    in.banned,
		locked:                    in.locked,
		bypassClientTrust:         in.bypassClientTrust,
		deleteSelfEnabled:         in.deleteSelfEnabled == nil || *in.deleteSelfEnabled,
		createOrganizationEnabled: in.createOrganizationEnabled == nil || *in.createOrganizationEnabled,
		createOrganizationsLimit:  in.createOrganizationsLimit,
		legalAcceptedAt:           in.legalAcceptedAt,
		createdAt:                 created,
		updatedAt:                 now,
	}
	var err *clerkFormError
	if u.emails, err = c.identifications("email_address", "email address", in.emails, in.emailStatus, clerkEmailPattern, created); err != nil {
		return nil, err
	}
	if u.phones, err = c.identifications("phone_number", "phone number", in.phones, in.phoneStatus, clerkPhonePattern, created); err != nil {
		return nil, err
	}
	if u.wallets, err = c.identifications("web3_wallet", "web3 wallet", in.wallets, nil, clerkWalletPattern, created); err != nil {
		return nil, err
	}
	if in.username != nil {
		name := *in.username
		switch n := utf8.RuneCountInString(name); {
		case n < clerkMinUsername || n > clerkMaxUsername:
			msg := fmt.Sprintf("Username must be between %d and %d characters long.", clerkMinUsername, clerkMaxUsername)
			return nil, &clerkFormError{"form_username_invalid_length", "username", msg, msg}
		case !clerkUsernamePattern.MatchString(name):
			const msg = "Username can only contain letters, numbers and '_' or '-'."
			return nil, &clerkFormError{"form_username_invalid_character", "username", msg, msg}
		case c.userBy(func(o *clerkUser) bool { return o.username != nil && strings.EqualFold(*o.username, name) }) != nil:
			return nil, formTaken("username", "username")
		}
		u.username = &name
	}
	if in.externalID != nil && c.userBy(func(o *clerkUser) bool { return o.externalID != nil && *o.externalID == *in.externalID }) != nil {
		return nil, formTaken("external_id", "external ID")
	}
	switch {
	case in.password != nil:
		if utf8.RuneCountInString(*in.password) < clerkMinPassword && !in.skipPasswordChecks {
			const msg = "Passwords must be 8 characters or more."
			return nil, &clerkFormError{"form_password_length_too_short", "password", msg, msg}
		}
		u.passwordEnabled = true
	case in.passwordDigest != nil:
		if in.passwordHasher == nil {
			return nil, &clerkFormError{"form_param_missing", "password_hasher", "is missing", "password_hasher is missing"}
		}
		u.passwordEnabled = true
	}
	if u.passwordEnabled {
		u.passwordUpdatedAt = &now
	}
	u.totpEnabled = in.totpSecret != nil
	u.backupCodeEnabled = len(in.backupCodes) > 0
	u.seq = c.nextSeq()
	c.users[u.id] = u
	return u, nil
}

// identifications validates a create's email addresses, phone numbers or
// web3 wallets, with their statuses ("verified" or "reserved", parallel to
// the values, all verified when empty): each well formed and held by no
// other user.
func (c *clerkState) identifications(param, what string, values, statuses []string, pattern *regexp.Regexp, at time.Time) ([]clerkIdentification, *clerkFormError) {
	if len(statuses) > 0 && len(statuses) != len(values) {
		return nil, formInvalid(param+"_identification_status", fmt.Sprintf("%s_identification_status must have one item per %s", param, what))
	}
	out := make([]clerkIdentification, 0, len(values))
	for i, v := range values {
		if !pattern.MatchString(v) {
			return nil, formFormatInvalid(param, fmt.Sprintf("%s must be a valid %s.", param, what))
		}
		taken := slices.ContainsFunc(out, func(o clerkIdentification) bool { return strings.EqualFold(o.value, v) }) ||
			c.userBy(func(u *clerkUser) bool { return u.holds(v) }) != nil
		if taken {
			return nil, formTaken(param, what)
		}
		reserved := false
		if len(statuses) > 0 {
			switch statuses[i] {
			case "verified":
			case "reserved":
				reserved = true
			default:
				return nil, formInvalid(param+"_identification_status", param+"_identification_status items must be verified or reserved")
			}
		}
		out = append(out, clerkIdentification{id: "idn_" + randomBase62(27), value: v, reserved: reserved, createdAt: at})
	}
	return out, nil
}

// holds says whether the user has v as an identifier; identifiers compare
// without regard to case, phone numbers, which have none, included
// (*unconfirmed*, assumption clerk_identifier_rules).
func (u *clerkUser) holds(v string) bool {
	for _, list := range [][]clerkIdentification{u.emails, u.phones, u.wallets} {
		if slices.ContainsFunc(list, func(i clerkIdentification) bool { return strings.EqualFold(i.value, v) }) {
			return true
		}
	}
	return false
}

func (c *clerkState) userBy(match func(*clerkUser) bool) *clerkUser {
	for _, u := range c.users {
		if match(u) {
			return u
		}
	}
	return nil
}

// primary is the first identification, which Clerk makes the primary one.
func primary(list []clerkIdentification) *string {
	if len(list) == 0 {
		return nil
	}
	return &list[0].id
}

// clerkOrgInput is an organization as POST /organizations or the Go API
// describes it.
type clerkOrgInput struct {
	name                            string
	slug, createdBy, roleSetKey     *string
	maxAllowedMemberships           *int64
	publicMetadata, privateMetadata json.RawMessage
	createdAt                       *time.Time
}

// newOrganization validates and stores an organization, its creator its
// admin member; it runs with s.mu held.
func (s *Server) newOrganization(in clerkOrgInput) (*clerkOrg, *clerkFormError) {
	c := s.clerk
	if n := utf8.RuneCountInString(strings.TrimSpace(in.name)); n == 0 || utf8.RuneCountInString(in.name) > clerkMaxOrgName {
		return nil, formInvalid("name", fmt.Sprintf("name must be between 1 and %d characters long", clerkMaxOrgName))
	}
	var slug string
	if in.slug != nil {
		slug = *in.slug
		if !clerkSlugPattern.MatchString(slug) {
			return nil, formFormatInvalid("slug", "slug can contain only lowercase alphanumeric characters and the dash \"-\".")
		}
		if c.orgBySlug(slug) != nil {
			return nil, formTaken("slug", "slug")
		}
	} else {
		slug = c.slugFor(in.name)
	}
	maxMembers := int64(clerkDefaultMaxMemberships)
	if in.maxAllowedMemberships != nil {
		if *in.maxAllowedMemberships < 0 {
			return nil, formInvalid("max_allowed_memberships", "max_allowed_memberships must be greater than or equal to 0")
		}
		maxMembers = *in.maxAllowedMemberships
	}
	o := &clerkOrg{
		id:                    "org_" + randomBase62(27),
		name:                  in.name,
		slug:                  slug,
		roleSetKey:            in.roleSetKey,
		maxAllowedMemberships: maxMembers,
		adminDeleteEnabled:    true,
		publicMetadata:        objectOrEmpty(in.publicMetadata),
		privateMetadata:       objectOrEmpty(in.privateMetadata),
	}
	if in.createdBy != nil {
		// An unknown creator is a refused parameter; Clerk may answer it as
		// 404 instead (*unconfirmed*, assumption clerk_unknown_creator).
		if _, ok := c.users[*in.createdBy]; !ok {
			return nil, formInvalid("created_by", "created_by must be the ID of an existing user")
		}
		o.createdBy = *in.createdBy
		o.members = []string{o.createdBy}
	}
	now := s.clock.now()
	o.createdAt, o.updatedAt = now, now
	if in.createdAt != nil {
		o.createdAt = *in.createdAt
	}
	o.seq = c.nextSeq()
	c.orgs[o.id] = o
	return o, nil
}

// slugFor makes a slug from a name when a create sends none: lowercase,
// each run of other characters a dash, with a random suffix if taken.
// Clerk derives one from the name; its exact rule is not documented
// (*unconfirmed*, assumption clerk_identifier_rules).
func (c *clerkState) slugFor(name string) string {
	slug := strings.Trim(clerkSlugRun.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if slug == "" {
		slug = "organization"
	}
	for c.orgBySlug(slug) != nil {
		slug = strings.TrimRight(slug, "-") + "-" + strings.ToLower(randomBase62(6))
	}
	return slug
}

func (c *clerkState) orgBySlug(slug string) *clerkOrg {
	for _, o := range c.orgs {
		if o.slug == slug {
			return o
		}
	}
	return nil
}

// findOrg resolves an organization id or slug, as GET
// /organizations/{organization_id} does.
func (c *clerkState) findOrg(ref string) *clerkOrg {
	if o := c.orgs[ref]; o != nil {
		return o
	}
	if ref == "" {
		return nil
	}
	return c.orgBySlug(ref)
}

// orgsOf lists the ids of the organizations the user is a member of.
func (c *clerkState) orgsOf(userID string) []string {
	var out []string
	for _, o := range c.orgs {
		if slices.Contains(o.members, userID) {
			out = append(out, o.id)
		}
	}
	return out
}

// deleteUser removes a user and its memberships; an organization it
// created keeps created_by, as a record of who did.
func (c *clerkState) deleteUser(id string) {
	delete(c.users, id)
	for _, o := range c.orgs {
		o.members = slices.DeleteFunc(o.members, func(m string) bool { return m == id })
	}
}

func objectOrEmpty(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return json.RawMessage("{}")
	}
	return raw
}

// clerkSignedList is a query filter whose values may each carry a +
// (include, also the default) or a - (exclude), as user_id, external_id and
// organization_id do. A + sent unescaped in a query string arrives as a
// space, and reads the same.
type clerkSignedList struct{ include, exclude []string }

func parseSignedList(values []string) clerkSignedList {
	var l clerkSignedList
	for _, v := range values {
		switch {
		case strings.HasPrefix(v, "-"):
			l.exclude = append(l.exclude, v[1:])
		case strings.HasPrefix(v, "+"), strings.HasPrefix(v, " "):
			l.include = append(l.include, v[1:])
		default:
			l.include = append(l.include, v)
		}
	}
	return l
}

func (l clerkSignedList) set() bool { return len(l.include)+len(l.exclude) > 0 }

// admits says whether an object with these values passes: one of them
// included (when any are), none excluded.
func (l clerkSignedList) admits(values ...string) bool {
	if len(l.include) > 0 && !slices.ContainsFunc(values, func(v string) bool { return slices.Contains(l.include, v) }) {
		return false
	}
	return !slices.ContainsFunc(values, func(v string) bool { return slices.Contains(l.exclude, v) })
}

// clerkListQuery reads a repeated query parameter of at most 100 values.
func clerkListQuery(w http.ResponseWriter, r *http.Request, name string) ([]string, bool) {
	values := r.URL.Query()[name]
	if len(values) > clerkMaxFilterValues {
		clerkParamInvalid(w, r, name, fmt.Sprintf("%s accepts up to %d values", name, clerkMaxFilterValues))
		return nil, false
	}
	return values, true
}

// clerkOrder is a parsed order_by: a field and a direction. Without a sign
// the direction is ascending ("+ is implied"), and a + sent unescaped
// arrives as a space.
type clerkOrder struct {
	field string
	desc  bool
}

func clerkOrderQuery(w http.ResponseWriter, r *http.Request, fields ...string) (clerkOrder, bool) {
	v := r.URL.Query().Get("order_by")
	if v == "" {
		v = "-created_at"
	}
	o := clerkOrder{field: strings.TrimLeft(v, "+- "), desc: strings.HasPrefix(v, "-")}
	if !slices.Contains(fields, o.field) {
		clerkParamInvalid(w, r, "order_by", "order_by must be one of "+strings.Join(fields, ", ")+", optionally prefixed with + or -")
		return clerkOrder{}, false
	}
	return o, true
}

// clerkTimeQuery reads a millisecond timestamp filter; present is false
// when it is not sent.
func clerkTimeQuery(w http.ResponseWriter, r *http.Request, name string) (at int64, present, ok bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, false, true
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
		clerkParamInvalid(w, r, name, name+" must be a timestamp in milliseconds")
		return 0, true, false
	}
	return n, true, true
}

// compareNullable orders two optional values with nulls after every value,
// as Postgres does in ascending order (and before them in descending
// order, once the caller reverses the result).
func compareNullable[T string | int64](a, b *T, cmp func(T, T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp(*a, *b)
}

// seedClerkDirectory adds the fixture's user, with an email address and a
// name to be found by, and its organization, which the user created and so
// belongs to as its admin.
func (s *Server) seedClerkDirectory(fx *Fixture) {
	first, last := "Fixture", "User"
	u, err := s.newUser(clerkUserInput{emails: []string{"user@fixture.example.test"}, firstName: &first, lastName: &last})
	if err != nil {
		panic(err) // constant, valid arguments
	}
	slug := "fixture-org"
	o, err := s.newOrganization(clerkOrgInput{name: "Fixture Org", slug: &slug, createdBy: &u.id})
	if err != nil {
		panic(err)
	}
	fx.ClerkUserID, fx.ClerkOrganizationID = u.id, o.id
}
