package emulator

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// activeGrants lists a subject's active authorizations, oldest first.
func (st *stytchState) activeGrants(keep func(*stytchGrant) bool) []*stytchGrant {
	var out []*stytchGrant
	for _, g := range st.authorizations {
		if g.active && st.apps[g.key.clientID] != nil && keep(g) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].createdAt.Equal(out[j].createdAt) {
			return out[i].createdAt.Before(out[j].createdAt)
		}
		return out[i].key.clientID < out[j].key.clientID
	})
	return out
}

// subjectApps is the connected_apps list of a member or a user.
func (st *stytchState) subjectApps(subjectID string) []any {
	out := []any{}
	for _, g := range st.activeGrants(func(g *stytchGrant) bool { return g.key.subjectID == subjectID }) {
		app := st.apps[g.key.clientID]
		out = append(out, map[string]any{
			"connected_app_id": app.clientID,
			"name":             app.name,
			"description":      app.description,
			"client_type":      app.clientType,
			"scopes_granted":   strings.Join(g.scopes, " "),
			"logo_url":         app.logoURL,
		})
	}
	return out
}

// The listing endpoints accept the member session headers too, but Stytch
// does not document which RBAC action they check, so the emulator enforces
// the session only on revoke, whose action it knows.
func (s *Server) stytchMemberConnectedApps(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	org := st.findOrg(r.PathValue("organization_id"))
	if org == nil {
		errOrgNotFound.write(w, r)
		return
	}
	m := st.findMember(org, r.PathValue("member_id"))
	if m == nil {
		errMemberNotFound.write(w, r)
		return
	}
	stytchOK(w, r, map[string]any{"connected_apps": st.subjectApps(m.id)})
}

func (s *Server) stytchUserConnectedApps(w http.ResponseWriter, r *http.Request) {
	u := s.stytch.findUser(r.PathValue("user_id"))
	if u == nil {
		errUserNotFound.write(w, r)
		return
	}
	stytchOK(w, r, map[string]any{"connected_apps": s.stytch.subjectApps(u.id)})
}

func (s *Server) stytchOrgConnectedApps(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	org := st.findOrg(r.PathValue("organization_id"))
	if org == nil {
		errOrgNotFound.write(w, r)
		return
	}
	out := []any{}
	seen := map[string]bool{}
	for _, g := range st.activeGrants(func(g *stytchGrant) bool { return g.organizationID == org.id }) {
		if seen[g.key.clientID] {
			continue
		}
		seen[g.key.clientID] = true
		app := st.apps[g.key.clientID]
		out = append(out, map[string]any{
			"connected_app_id": app.clientID,
			"name":             app.name,
			"description":      app.description,
			"client_type":      app.clientType,
			"logo_url":         app.logoURL,
		})
	}
	stytchOK(w, r, map[string]any{"connected_apps": out})
}

func (s *Server) stytchOrgConnectedApp(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	org := st.findOrg(r.PathValue("organization_id"))
	if org == nil {
		errOrgNotFound.write(w, r)
		return
	}
	app := st.apps[r.PathValue("connected_app_id")]
	if app == nil {
		errAppNotFound.write(w, r)
		return
	}
	members := []any{}
	for _, g := range st.activeGrants(func(g *stytchGrant) bool { return g.organizationID == org.id && g.key.clientID == app.clientID }) {
		members = append(members, map[string]any{"member_id": g.key.subjectID, "granted_scopes": slices.Clone(g.scopes)})
	}
	stytchOK(w, r, map[string]any{
		"connected_app_id": app.clientID, "name": app.name, "description": app.description,
		"client_type": app.clientType, "logo_url": app.logoURL, "active_members": members,
	})
}

// stytchRevokeMemberApp is the revoke the provider is built around.
func (s *Server) stytchRevokeMemberApp(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	st, now := s.stytch, s.clock.now()
	org := st.findOrg(r.PathValue("organization_id"))
	if org == nil {
		errOrgNotFound.write(w, r)
		return
	}
	// The session is checked before the member and app are looked up, so a
	// session without the permission learns nothing about them.
	sess, e := s.sessionFromHeaders(r, now)
	if e != nil {
		e.write(w, r)
		return
	}
	if sess != nil {
		if e := st.authorizeSession(sess, org, "stytch.member", "revoke.connected-app"); e != nil {
			e.write(w, r)
			return
		}
	}
	m := st.findMember(org, r.PathValue("member_id"))
	if m == nil {
		errMemberNotFound.write(w, r)
		return
	}
	s.revokeApp(w, r, m.id)
}

func (s *Server) stytchRevokeUserApp(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	u := s.stytch.findUser(r.PathValue("user_id"))
	if u == nil {
		errUserNotFound.write(w, r)
		return
	}
	s.revokeApp(w, r, u.id)
}

// revokeApp revokes the subject's authorization of the connected app in the
// path and answers; an unknown app is a 404. Revoking an app the subject
// has not authorized (never, or not since the last revoke) changes nothing
// and answers 200, which keeps a retried revoke idempotent
// (*unconfirmed*, assumption ungranted_authorization_revoke).
func (s *Server) revokeApp(w http.ResponseWriter, r *http.Request, subjectID string) {
	id := r.PathValue("connected_app_id")
	if s.stytch.apps[id] == nil {
		errAppNotFound.write(w, r)
		return
	}
	key := grantKey{subjectID, id}
	if g := s.stytch.authorizations[key]; g == nil || !g.active {
		const msg = "The Connected App is not authorized by this subject."
		switch assumedOf(r).get("ungranted_authorization_revoke") {
		case "404":
			stytchError(w, r, http.StatusNotFound, "connected_app_authorization_not_found", msg)
			return
		case "400":
			stytchError(w, r, http.StatusBadRequest, "connected_app_authorization_not_found", msg)
			return
		}
	}
	s.stytch.revoke(key)
	stytchOK(w, r, map[string]any{})
}

// revoke ends an authorization and everything issued under it: pending
// codes, access tokens and refresh tokens. An authorization that is not
// active has none of them, so revoking it changes nothing.
func (st *stytchState) revoke(key grantKey) {
	if g := st.authorizations[key]; g != nil {
		g.active = false
	}
	for k, c := range st.codes {
		if c.grant == key {
			delete(st.codes, k)
		}
	}
	for _, t := range st.accessTokens {
		if t.grant == key {
			t.revoked = true
		}
	}
	for _, t := range st.refreshTokens {
		if t.grant == key {
			t.revoked = true
		}
	}
}
