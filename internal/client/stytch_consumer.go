package client

import (
	"cmp"
	"context"
	"errors"
	"net/http"
)

// The Stytch consumer API mirrors the B2B connected-app calls for a project's
// users: the same authorize body with user_id in place of organization_id and
// member_id, the same listing shape, and its own revoke (RevokeUserConnectedApp).

// UserConnectedAppsResponse lists the apps a consumer user has authorized.
// Its shape is the member listing's; revoked apps are not listed.
type UserConnectedAppsResponse = MemberConnectedAppsResponse

// AuthorizeUser is Authorize for a consumer user, named by userID:
// POST /v1/idp/oauth/authorize. req must not name an organization or member,
// which the consumer endpoint does not know. Like Authorize it creates a
// grant, so a failure that may have reached Stytch is an *AmbiguousError.
func (c *Client) AuthorizeUser(ctx context.Context, userID string, req AuthorizeRequest) (*AuthorizeResponse, error) {
	if userID == "" {
		return nil, errors.New("stytch: authorize user: user id must not be empty")
	}
	if req.OrganizationID != "" || req.MemberID != "" {
		return nil, errors.New("stytch: authorize user: organization and member ids belong to the B2B authorize, not the consumer one")
	}
	cl, err := c.stytchProjectCall("submit OAuth authorization for user", http.MethodPost,
		"/v1/idp/oauth/authorize", "/v1/idp/oauth/authorize")
	if err != nil {
		return nil, err
	}
	req.ResponseType = cmp.Or(req.ResponseType, "code")
	req.Scopes = orEmpty(req.Scopes)
	body := struct {
		UserID string `json:"user_id"`
		AuthorizeRequest
	}{userID, req}
	if err := cl.jsonBody(body); err != nil {
		return nil, err
	}
	return doJSON[AuthorizeResponse](ctx, c, cl)
}

// UserConnectedApps lists the apps a consumer user has authorized.
func (c *Client) UserConnectedApps(ctx context.Context, userID string) (*UserConnectedAppsResponse, error) {
	seg, err := segment("user id", userID)
	if err != nil {
		return nil, err
	}
	cl, err := c.stytchProjectCall("list user's connected apps", http.MethodGet,
		"/v1/users/{user_id}/connected_apps", "/v1/users/"+seg+"/connected_apps")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[UserConnectedAppsResponse](ctx, c, cl)
}
