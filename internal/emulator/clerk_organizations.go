package emulator

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
)

// Clerk organizations (instance secret key): create, read by id or slug,
// and list with the {data, total_count} envelope the description gives.

func (s *Server) routeClerkOrganizations(mux *http.ServeMux) {
	s.clerkRoute(mux, "POST", "/organizations", s.createOrganization)
	s.clerkRoute(mux, "GET", "/organizations", s.listOrganizations)
	s.clerkRoute(mux, "GET", "/organizations/{organization_id}", s.getOrganization)
}

// clerkOrgJSON is Clerk's Organization object. members_count and
// missing_member_with_elevated_permissions are there only when asked for
// (include_members_count, include_missing_member_with_elevated_permissions);
// created_by only when a user created it. No organization has an image
// (image_url is left out, as for users).
type clerkOrgJSON struct {
	Object                               string          `json:"object"`
	ID                                   string          `json:"id"`
	Name                                 string          `json:"name"`
	Slug                                 string          `json:"slug"`
	HasImage                             bool            `json:"has_image"`
	MembersCount                         *int            `json:"members_count,omitempty"`
	MissingMemberWithElevatedPermissions *bool           `json:"missing_member_with_elevated_permissions,omitempty"`
	MaxAllowedMemberships                int64           `json:"max_allowed_memberships"`
	AdminDeleteEnabled                   bool            `json:"admin_delete_enabled"`
	PublicMetadata                       json.RawMessage `json:"public_metadata"`
	PrivateMetadata                      json.RawMessage `json:"private_metadata"`
	CreatedBy                            string          `json:"created_by,omitempty"`
	RoleSetKey                           *string         `json:"role_set_key"`
	CreatedAt                            int64           `json:"created_at"`
	UpdatedAt                            int64           `json:"updated_at"`
}

// orgIncludes are the include_* flags of a read or a listing.
type orgIncludes struct{ membersCount, missingAdmin bool }

func readOrgIncludes(w http.ResponseWriter, r *http.Request) (orgIncludes, bool) {
	var in orgIncludes
	var ok bool
	if in.membersCount, ok = clerkBoolQuery(w, r, "include_members_count"); !ok {
		return in, false
	}
	in.missingAdmin, ok = clerkBoolQuery(w, r, "include_missing_member_with_elevated_permissions")
	return in, ok
}

func (o *clerkOrg) view(in orgIncludes) clerkOrgJSON {
	v := clerkOrgJSON{
		Object:                "organization",
		ID:                    o.id,
		Name:                  o.name,
		Slug:                  o.slug,
		MaxAllowedMemberships: o.maxAllowedMemberships,
		AdminDeleteEnabled:    o.adminDeleteEnabled,
		PublicMetadata:        o.publicMetadata,
		PrivateMetadata:       o.privateMetadata,
		CreatedBy:             o.createdBy,
		RoleSetKey:            o.roleSetKey,
		CreatedAt:             o.createdAt.UnixMilli(),
		UpdatedAt:             o.updatedAt.UnixMilli(),
	}
	if in.membersCount {
		n := len(o.members)
		v.MembersCount = &n
	}
	if in.missingAdmin {
		// The creator is the only admin the emulator knows of.
		missing := !slices.Contains(o.members, o.createdBy)
		v.MissingMemberWithElevatedPermissions = &missing
	}
	return v
}

// clerkCreateOrgFields are POST /organizations' body fields. The
// description does not close the object (no additionalProperties: false),
// so other fields are ignored rather than refused.
var clerkCreateOrgFields = []string{"name", "created_by", "private_metadata", "public_metadata", "slug",
	"max_allowed_memberships", "created_at", "role_set_key"}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	fields, ok := clerkOpenBody(w, r, clerkCreateOrgFields...)
	if !ok {
		return
	}
	name, present, ok := clerkStringField(w, r, fields, "name")
	if !ok {
		return
	}
	if !present {
		clerkParamMissing(w, r, "name")
		return
	}
	in := clerkOrgInput{name: name}
	for _, f := range []struct {
		name string
		dst  **string
	}{{"slug", &in.slug}, {"created_by", &in.createdBy}, {"role_set_key", &in.roleSetKey}} {
		if *f.dst, ok = clerkOptionalString(w, r, fields, f.name); !ok {
			return
		}
	}
	if in.publicMetadata, ok = clerkObjectField(w, r, fields, "public_metadata"); !ok {
		return
	}
	if in.privateMetadata, ok = clerkObjectField(w, r, fields, "private_metadata"); !ok {
		return
	}
	limit, present, ok := clerkIntField(w, r, fields, "max_allowed_memberships", 0, math.MaxInt32)
	if !ok {
		return
	}
	if present {
		in.maxAllowedMemberships = &limit
	}
	if in.createdAt, ok = clerkTimeField(w, r, fields, "created_at"); !ok {
		return
	}
	o, err := s.newOrganization(in)
	if err != nil {
		err.write(w, r)
		return
	}
	writeJSON(w, http.StatusOK, o.view(orgIncludes{}))
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	include, ok := readOrgIncludes(w, r)
	if !ok {
		return
	}
	o := s.clerk.findOrg(r.PathValue("organization_id"))
	if o == nil {
		clerkNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, o.view(include))
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	include, ok := readOrgIncludes(w, r)
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
	order, ok := clerkOrderQuery(w, r, "name", "created_at", "members_count")
	if !ok {
		return
	}
	byMember, ok := clerkListQuery(w, r, "user_id")
	if !ok {
		return
	}
	byID, ok := clerkListQuery(w, r, "organization_id")
	if !ok {
		return
	}
	members, ids := parseSignedList(byMember), parseSignedList(byID)
	// The query matches an id exactly and a name or slug in part, without
	// regard to case.
	query := r.URL.Query().Get("query")
	part := strings.ToLower(query)
	var matched []*clerkOrg
	for _, o := range s.clerk.orgs {
		if query != "" && o.id != query && !strings.Contains(strings.ToLower(o.name), part) && !strings.Contains(o.slug, part) {
			continue
		}
		if (members.set() && !members.admits(o.members...)) || (ids.set() && !ids.admits(o.id)) {
			continue
		}
		matched = append(matched, o)
	}
	slices.SortFunc(matched, func(a, b *clerkOrg) int {
		if order.desc {
			a, b = b, a
		}
		var c int
		switch order.field {
		case "name":
			c = strings.Compare(a.name, b.name)
		case "members_count":
			c = cmp.Compare(len(a.members), len(b.members))
		case "created_at":
			c = a.createdAt.Compare(b.createdAt)
		}
		return cmp.Or(c, cmp.Compare(a.seq, b.seq))
	})
	data := []clerkOrgJSON{}
	for _, o := range matched[min(offset, len(matched)):min(offset+limit, len(matched))] {
		data = append(data, o.view(include))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "total_count": len(matched)})
}
