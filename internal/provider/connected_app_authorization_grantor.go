package provider

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// grantor is who grants a connected app its authorization: a member of a
// B2B organization, or a user of a consumer project. Exactly one form is set;
// the schema's validators guarantee it before a grantor is built.
type grantor struct {
	organizationID, memberID string
	userID                   string
}

// key names the grantor in the listing cache and is the start of every
// authorization id: "<organization_id>/<member_id>" or "<user_id>". Stytch's
// id prefixes keep the two forms apart.
func (s grantor) key() string {
	if s.userID != "" {
		return s.userID
	}
	return s.organizationID + "/" + s.memberID
}

// authorizationID is the resource id of the grantor's authorization of app.
func (s grantor) authorizationID(connectedAppID string) string {
	return s.key() + "/" + connectedAppID
}

func (s grantor) authorize(ctx context.Context, c *client.Client, req client.AuthorizeRequest) (*client.AuthorizeResponse, error) {
	if s.userID != "" {
		return c.AuthorizeUser(ctx, s.userID, req)
	}
	req.OrganizationID, req.MemberID = s.organizationID, s.memberID
	return c.Authorize(ctx, req)
}

// revoke ends the authorization and every token issued under it. The
// session credentials only exist for members: the consumer revoke has no
// session check, and the schema refuses them with user_id.
func (s grantor) revoke(ctx context.Context, c *client.Client, connectedAppID, sessionToken, sessionJWT string) error {
	if s.userID != "" {
		return c.RevokeUserConnectedApp(ctx, s.userID, connectedAppID)
	}
	return c.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
		OrganizationID: s.organizationID, MemberID: s.memberID, ConnectedAppID: connectedAppID,
		SessionToken: sessionToken, SessionJWT: sessionJWT,
	})
}

// revokeSettled revokes the authorization of connectedAppID. What Stytch
// answers for one that is not active (revoked outside Terraform since the
// last refresh, or by a revoke whose answer was lost and that the client
// sent again) is not documented: 200, or 404 or 400
// connected_app_authorization_not_found (assumption
// ungranted_authorization_revoke in the emulator assumptions guide), and a
// session sent with the revoke may be refused with 404 or 401 (assumption
// session_header_refusal). Such a refusal counts as done once a fresh
// listing shows the app no longer among the grantor's, or the grantor
// gone; otherwise it is returned as it came, for the caller to word.
func (s grantor) revokeSettled(ctx context.Context, c *client.Client, connectedAppID, sessionToken, sessionJWT string) error {
	err := s.revoke(ctx, c, connectedAppID, sessionToken, sessionJWT)
	sessionRefused := (sessionToken != "" || sessionJWT != "") && client.IsUnauthorized(err)
	if err == nil || (!revokeRefused(err) && !sessionRefused) {
		return err
	}
	if ended, lerr := s.ended(ctx, c, connectedAppID); lerr == nil && ended {
		return nil
	}
	return err
}

// ended reports, from a fresh listing, whether the grantor's authorization
// of connectedAppID is over: the app is not among those listed, or the
// grantor itself is gone.
func (s grantor) ended(ctx context.Context, c *client.Client, connectedAppID string) (bool, error) {
	apps, err := s.list(ctx, c)
	switch {
	case authorizationGone(err):
		return true, nil
	case err != nil:
		return false, err
	}
	_, active := apps[connectedAppID]
	return !active, nil
}

// list fetches the grantor's authorized apps straight from Stytch.
func (s grantor) list(ctx context.Context, c *client.Client) (grantedApps, error) {
	var resp *client.MemberConnectedAppsResponse
	var err error
	if s.userID != "" {
		resp, err = c.UserConnectedApps(ctx, s.userID)
	} else {
		resp, err = c.MemberConnectedApps(ctx, s.organizationID, s.memberID)
	}
	if err != nil {
		return nil, err
	}
	apps := make(grantedApps, len(resp.ConnectedApps))
	for _, a := range resp.ConnectedApps {
		apps[a.ConnectedAppID] = strings.Fields(a.ScopesGranted)
	}
	return apps, nil
}

// grantedApps maps the id of each app a grantor has authorized to the scopes
// granted by its last authorization. Revoked apps are absent, as in Stytch's
// listing. Values are shared between readers and never modified in place.
type grantedApps map[string][]string

// authorizationListings shares one listing per grantor among all the
// grantor's authorizations in this provider process. Stytch has no GET for
// one authorization, so without it a refresh of N authorizations of one
// member would list that member's apps N times. It lives in providerData,
// which Terraform rebuilds for every command, so a listing is never older
// than the command that fetched it.
type authorizationListings struct {
	group memo.Group[string, grantedApps]
}

// get returns the grantor's authorized apps, fetching them at most once.
func (l *authorizationListings) get(ctx context.Context, c *client.Client, s grantor) (grantedApps, error) {
	return l.group.Get(ctx, s.key(), func(ctx context.Context) (grantedApps, error) { return s.list(ctx, c) })
}

// granted records an authorization this process made, so a listing fetched
// before it still answers later reads correctly.
func (l *authorizationListings) granted(s grantor, connectedAppID string, scopes []string) {
	l.group.Update(s.key(), func(apps grantedApps) grantedApps {
		out := make(grantedApps, len(apps)+1)
		maps.Copy(out, apps)
		out[connectedAppID] = slices.Clone(scopes)
		return out
	})
}

// revoked records a revoke this process made.
func (l *authorizationListings) revoked(s grantor, connectedAppID string) {
	l.group.Update(s.key(), func(apps grantedApps) grantedApps {
		out := maps.Clone(apps)
		delete(out, connectedAppID)
		return out
	})
}
