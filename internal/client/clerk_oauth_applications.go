package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Clerk OAuth applications: clients that other software uses to act for
// Clerk users, managed with the instance secret key only, and the calls
// that revoke and verify the access tokens Clerk issued them.

// OAuthApplication is a Clerk OAuth application as read, listed or
// updated: never its client secret, which only a create and a rotation
// answer. Times are milliseconds since the epoch.
type OAuthApplication struct {
	Object                string   `json:"object"`
	ID                    string   `json:"id"`
	InstanceID            string   `json:"instance_id"`
	Name                  string   `json:"name"`
	ClientID              string   `json:"client_id"`
	ClientURI             *string  `json:"client_uri"`
	ClientImageURL        *string  `json:"client_image_url"`
	DynamicallyRegistered bool     `json:"dynamically_registered"`
	ConsentScreenEnabled  bool     `json:"consent_screen_enabled"`
	PKCERequired          bool     `json:"pkce_required"`
	Public                bool     `json:"public"`
	Scopes                string   `json:"scopes"` // space separated
	RedirectURIs          []string `json:"redirect_uris"`
	AuthorizeURL          string   `json:"authorize_url"`
	TokenFetchURL         string   `json:"token_fetch_url"`
	UserInfoURL           string   `json:"user_info_url"`
	DiscoveryURL          string   `json:"discovery_url"`
	TokenIntrospectionURL string   `json:"token_introspection_url"`
	CreatedAt             int64    `json:"created_at"`
	UpdatedAt             int64    `json:"updated_at"`
}

// ScopeList is the application's scopes, split.
func (a *OAuthApplication) ScopeList() []string { return strings.Fields(a.Scopes) }

// Created is the creation time.
func (a *OAuthApplication) Created() time.Time { return time.UnixMilli(a.CreatedAt).UTC() }

// Updated is the time of the last change.
func (a *OAuthApplication) Updated() time.Time { return time.UnixMilli(a.UpdatedAt).UTC() }

// OAuthApplicationWithSecret is what a create and a rotation answer: the
// only times Clerk shows the client secret. It is "" for a public client.
type OAuthApplicationWithSecret struct {
	OAuthApplication
	ClientSecret string `json:"client_secret"`
}

// CreateOAuthApplicationRequest is the body of POST /oauth_applications;
// nil fields are left out, so Clerk applies its defaults. The deprecated
// callback_url is never sent: RedirectURIs replaces it.
type CreateOAuthApplicationRequest struct {
	Name                 string   `json:"name"`
	RedirectURIs         []string `json:"redirect_uris,omitempty"`
	Scopes               *string  `json:"scopes,omitempty"` // space separated
	Public               *bool    `json:"public,omitempty"`
	PKCERequired         *bool    `json:"pkce_required,omitempty"`
	ConsentScreenEnabled *bool    `json:"consent_screen_enabled,omitempty"`
}

// UpdateOAuthApplicationRequest is the body of PATCH
// /oauth_applications/{id}: only the fields set are sent. RedirectURIs set
// to an empty slice clears them.
type UpdateOAuthApplicationRequest struct {
	Name                 *string
	RedirectURIs         []string
	Scopes               *string
	Public               *bool
	PKCERequired         *bool
	ConsentScreenEnabled *bool
}

// Empty reports whether the update would change nothing.
func (r UpdateOAuthApplicationRequest) Empty() bool {
	return r.Name == nil && r.RedirectURIs == nil && r.Scopes == nil && r.Public == nil && r.PKCERequired == nil && r.ConsentScreenEnabled == nil
}

// MarshalJSON sends the fields set, an empty redirect_uris as [].
func (r UpdateOAuthApplicationRequest) MarshalJSON() ([]byte, error) {
	body := map[string]any{}
	if r.Name != nil {
		body["name"] = *r.Name
	}
	if r.RedirectURIs != nil {
		body["redirect_uris"] = r.RedirectURIs
	}
	if r.Scopes != nil {
		body["scopes"] = *r.Scopes
	}
	if r.Public != nil {
		body["public"] = *r.Public
	}
	if r.PKCERequired != nil {
		body["pkce_required"] = *r.PKCERequired
	}
	if r.ConsentScreenEnabled != nil {
		body["consent_screen_enabled"] = *r.ConsentScreenEnabled
	}
	return json.Marshal(body)
}

// ListOAuthApplicationsRequest selects a page of the instance's
// applications.
type ListOAuthApplicationsRequest struct {
	// NameQuery matches names in part, ignoring case, and a client_id
	// exactly; "" lists all.
	NameQuery string
	// OrderBy is e.g. "-created_at" or "+name".
	OrderBy string
	Limit   int // 1-500; 0 means Clerk's default of 10
	Offset  int
}

// OAuthApplicationList is one page of applications.
type OAuthApplicationList struct {
	Applications []OAuthApplication `json:"data"`
	TotalCount   int                `json:"total_count"`
}

// OAuthAccessToken is what Clerk's verification answers about an opaque
// access token. Times are milliseconds since the epoch, or seconds: the
// reference's example counts seconds where Clerk's other times count
// milliseconds, so readers go by the size (see ClerkTime).
type OAuthAccessToken struct {
	Object           string   `json:"object"`
	ID               string   `json:"id"`
	ClientID         string   `json:"client_id"`
	Subject          string   `json:"subject"`
	Scopes           []string `json:"scopes"`
	Revoked          bool     `json:"revoked"`
	RevocationReason *string  `json:"revocation_reason"`
	Expired          bool     `json:"expired"`
	Expiration       *float64 `json:"expiration"`
	CreatedAt        float64  `json:"created_at"`
	UpdatedAt        float64  `json:"updated_at"`
	// Active is set, false, only in the answer for a JWT that is not
	// active; an opaque token's answer has no such field.
	Active *bool `json:"active"`
}

// ExpiresAt is the token's expiry, nil when none was given.
func (t *OAuthAccessToken) ExpiresAt() *time.Time {
	if t.Expiration == nil {
		return nil
	}
	at := ClerkTime(*t.Expiration)
	return &at
}

// ClerkTime reads a Clerk timestamp that may count milliseconds or
// seconds: any value below 10^11 (the year 5138 in seconds, 1973 in
// milliseconds) is taken as seconds.
func ClerkTime(v float64) time.Time {
	if v < 1e11 {
		return time.Unix(int64(v), 0).UTC()
	}
	return time.UnixMilli(int64(v)).UTC()
}

// CreateOAuthApplication creates an application and returns it with its
// client secret. Not retried after it may have reached Clerk: such
// failures are an *AmbiguousError.
func (c *Client) CreateOAuthApplication(ctx context.Context, req CreateOAuthApplicationRequest) (*OAuthApplicationWithSecret, error) {
	cl, err := c.instanceCall("create OAuth application", http.MethodPost, "/oauth_applications", "/oauth_applications")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[OAuthApplicationWithSecret](ctx, c, cl)
}

// ListOAuthApplications lists a page of the instance's applications.
func (c *Client) ListOAuthApplications(ctx context.Context, req ListOAuthApplicationsRequest) (*OAuthApplicationList, error) {
	cl, err := c.instanceCall("list OAuth applications", http.MethodGet, "/oauth_applications", "/oauth_applications")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	cl.query = url.Values{}
	if req.NameQuery != "" {
		cl.query.Set("name_query", req.NameQuery)
	}
	if req.OrderBy != "" {
		cl.query.Set("order_by", req.OrderBy)
	}
	setPage(cl.query, req.Limit, req.Offset)
	return doJSON[OAuthApplicationList](ctx, c, cl)
}

// GetOAuthApplication reads one application.
func (c *Client) GetOAuthApplication(ctx context.Context, id string) (*OAuthApplication, error) {
	cl, err := c.oauthApplicationCall("get OAuth application", http.MethodGet, id, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[OAuthApplication](ctx, c, cl)
}

// UpdateOAuthApplication changes an application in place: its id, client
// id and secret stay. The same update twice changes nothing more, so it is
// retried like a read.
func (c *Client) UpdateOAuthApplication(ctx context.Context, id string, req UpdateOAuthApplicationRequest) (*OAuthApplication, error) {
	cl, err := c.oauthApplicationCall("update OAuth application", http.MethodPatch, id, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[OAuthApplication](ctx, c, cl)
}

// DeleteOAuthApplication deletes an application; a 404 means it is gone
// already, which callers may count as deleted.
func (c *Client) DeleteOAuthApplication(ctx context.Context, id string) error {
	cl, err := c.oauthApplicationCall("delete OAuth application", http.MethodDelete, id, "")
	if err != nil {
		return err
	}
	cl.idempotent = true
	return c.do(ctx, cl)
}

// RotateOAuthApplicationSecret gives an application a new client secret
// and returns the application with it; Clerk ends the old one at once. Not
// retried here once it may have reached Clerk: a failure then is an
// *AmbiguousError, and whether to send it again is the caller's to decide.
func (c *Client) RotateOAuthApplicationSecret(ctx context.Context, id string) (*OAuthApplicationWithSecret, error) {
	cl, err := c.oauthApplicationCall("rotate OAuth application secret", http.MethodPost, id, "/rotate_secret")
	if err != nil {
		return nil, err
	}
	return doJSON[OAuthApplicationWithSecret](ctx, c, cl)
}

// RevokeOAuthToken revokes the grant of an opaque access or refresh token
// of the application: every token of that grant ends. Revoking twice ends
// nothing more, so it is retried like a read. JWT access tokens cannot be
// revoked.
func (c *Client) RevokeOAuthToken(ctx context.Context, id, token string) error {
	if token == "" {
		return errors.New("clerk: revoking an OAuth token needs the token")
	}
	cl, err := c.oauthApplicationCall("revoke OAuth token", http.MethodPost, id, "/revoke_token")
	if err != nil {
		return err
	}
	cl.idempotent = true
	if err := cl.jsonBody(struct {
		Token string `json:"token"`
	}{token}); err != nil {
		return err
	}
	return c.do(ctx, cl)
}

// VerifyOAuthAccessToken asks Clerk about an opaque access token. An
// unknown one is an error (404 from Clerk); so, by default, are revoked
// and expired ones.
func (c *Client) VerifyOAuthAccessToken(ctx context.Context, token string) (*OAuthAccessToken, error) {
	if token == "" {
		return nil, errors.New("clerk: verifying an OAuth access token needs the token")
	}
	cl, err := c.instanceCall("verify OAuth access token", http.MethodPost,
		"/oauth_applications/access_tokens/verify", "/oauth_applications/access_tokens/verify")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(struct {
		AccessToken string `json:"access_token"`
	}{token}); err != nil {
		return nil, err
	}
	return doJSON[OAuthAccessToken](ctx, c, cl)
}

// oauthApplicationCall starts an instance call on one application (or a
// path below it), checking the id first: it goes into the path.
func (c *Client) oauthApplicationCall(op, method, id, sub string) (*call, error) {
	seg, err := segment("OAuth application id", id)
	if err != nil {
		return nil, err
	}
	return c.instanceCall(op, method, "/oauth_applications/{oauth_application_id}"+sub, "/oauth_applications/"+seg+sub)
}
