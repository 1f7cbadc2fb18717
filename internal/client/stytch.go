package client

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
)

// AuthorizeStartRequest is the body of POST /v1/b2b/idp/oauth/authorize/start.
// The member is named by OrganizationID+MemberID or by a session.
type AuthorizeStartRequest struct {
	ClientID       string   `json:"client_id"`
	RedirectURI    string   `json:"redirect_uri"`
	ResponseType   string   `json:"response_type"` // "" means "code"
	Scopes         []string `json:"scopes"`
	OrganizationID string   `json:"organization_id,omitempty"`
	MemberID       string   `json:"member_id,omitempty"`
	SessionToken   string   `json:"session_token,omitempty"`
	SessionJWT     string   `json:"session_jwt,omitempty"`
	Prompt         string   `json:"prompt,omitempty"`
}

// AuthorizeStartResponse says whether consent is needed and which scopes
// the member may grant. Member and Organization are kept as raw JSON.
type AuthorizeStartResponse struct {
	RequestID       string             `json:"request_id"`
	StatusCode      int                `json:"status_code"`
	MemberID        string             `json:"member_id"`
	ConsentRequired bool               `json:"consent_required"`
	ScopeResults    []ScopeResult      `json:"scope_results"`
	Client          ConnectedAppPublic `json:"client"`
	Member          json.RawMessage    `json:"member,omitempty"`
	Organization    json.RawMessage    `json:"organization,omitempty"`
}

// ScopeResult is one requested scope and whether the member may grant it.
type ScopeResult struct {
	Scope       string `json:"scope"`
	Description string `json:"description"`
	IsGrantable bool   `json:"is_grantable"`
}

// ConnectedAppPublic is what a member may see of a connected app.
type ConnectedAppPublic struct {
	ClientID          string `json:"client_id"`
	ClientName        string `json:"client_name"`
	ClientDescription string `json:"client_description"`
	ClientType        string `json:"client_type"`
	LogoURL           string `json:"logo_url,omitempty"`
}

// AuthorizeRequest is the body of POST /v1/b2b/idp/oauth/authorize.
type AuthorizeRequest struct {
	ConsentGranted bool     `json:"consent_granted"`
	Scopes         []string `json:"scopes"`
	ClientID       string   `json:"client_id"`
	RedirectURI    string   `json:"redirect_uri"`
	ResponseType   string   `json:"response_type"` // "" means "code"
	OrganizationID string   `json:"organization_id,omitempty"`
	MemberID       string   `json:"member_id,omitempty"`
	SessionToken   string   `json:"session_token,omitempty"`
	SessionJWT     string   `json:"session_jwt,omitempty"`
	Prompt         string   `json:"prompt,omitempty"`
	State          string   `json:"state,omitempty"`
	Nonce          string   `json:"nonce,omitempty"`
	CodeChallenge  string   `json:"code_challenge,omitempty"` // PKCE, S256
	Resources      []string `json:"resources,omitempty"`
}

// AuthorizeResponse carries the authorization code, also found (with the
// state) in RedirectURI's query.
type AuthorizeResponse struct {
	RequestID         string `json:"request_id"`
	StatusCode        int    `json:"status_code"`
	RedirectURI       string `json:"redirect_uri"`
	AuthorizationCode string `json:"authorization_code"`
}

// TokenRequest is a connected app's request to the token endpoint. The app
// authenticates itself with its client_id and client_secret (none for a
// public client); the grant type is set by the method called.
type TokenRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	Code         string `json:"code,omitempty"`
	RedirectURI  string `json:"redirect_uri,omitempty"`
	CodeVerifier string `json:"code_verifier,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// TokenResponse holds the issued tokens. RefreshToken is set only when
// offline_access was granted, IDToken only when openid was.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"` // space separated
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	RequestID    string `json:"request_id,omitempty"`
}

// IntrospectRequest asks whether a token is active, authenticated as the
// connected app.
type IntrospectRequest struct {
	Token         string
	ClientID      string
	ClientSecret  string
	TokenTypeHint string
}

// IntrospectResponse is RFC 7662's answer; an inactive token has only
// Active false.
type IntrospectResponse struct {
	Active    bool     `json:"active"`
	Subject   string   `json:"sub,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	ExpiresAt int64    `json:"exp,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	NotBefore int64    `json:"nbf,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	Audience  Audience `json:"aud,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
}

// Audience is a JWT "aud", which may be one string or an array of them.
type Audience []string

// UnmarshalJSON accepts both forms of "aud".
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// MemberConnectedAppsResponse lists the apps a member has authorized.
// Revoked apps are not listed.
type MemberConnectedAppsResponse struct {
	RequestID     string               `json:"request_id"`
	StatusCode    int                  `json:"status_code"`
	ConnectedApps []MemberConnectedApp `json:"connected_apps"`
}

// MemberConnectedApp is one authorized app.
type MemberConnectedApp struct {
	ConnectedAppID string `json:"connected_app_id"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	ClientType     string `json:"client_type"`
	ScopesGranted  string `json:"scopes_granted"` // space separated
	LogoURL        string `json:"logo_url,omitempty"`
}

// OrganizationConnectedAppResponse is a connected app as one organization
// sees it, with the members who have authorized it.
type OrganizationConnectedAppResponse struct {
	RequestID      string         `json:"request_id"`
	StatusCode     int            `json:"status_code"`
	ConnectedAppID string         `json:"connected_app_id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	ClientType     string         `json:"client_type"`
	LogoURL        string         `json:"logo_url,omitempty"`
	ActiveMembers  []ActiveMember `json:"active_members"`
}

// ActiveMember is a member who has authorized the app, with the scopes
// granted in the last authorization.
type ActiveMember struct {
	MemberID      string   `json:"member_id"`
	GrantedScopes []string `json:"granted_scopes"`
}

// RevokeMemberConnectedAppRequest names the authorization to revoke. With
// SessionToken or SessionJWT, Stytch also checks that the session's member
// may revoke it.
type RevokeMemberConnectedAppRequest struct {
	OrganizationID string
	MemberID       string
	ConnectedAppID string
	SessionToken   string
	SessionJWT     string
}

// stytchProjectCall starts a call authenticated as the project.
func (c *Client) stytchProjectCall(op, method, route, path string) (*call, error) {
	if err := c.needStytchProjectID(); err != nil {
		return nil, err
	}
	if c.cfg.StytchSecret == "" {
		return nil, &MissingCredentialError{Service: serviceStytch, Attribute: "stytch.secret", EnvVar: "STYTCH_SECRET"}
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.cfg.StytchProjectID + ":" + c.cfg.StytchSecret))
	return &call{
		service: serviceStytch,
		op:      op,
		method:  method,
		route:   route,
		path:    path,
		header:  http.Header{"Authorization": {"Basic " + basic}},
		secrets: []string{basic},
	}, nil
}

func (c *Client) needStytchProjectID() error {
	if c.cfg.StytchProjectID == "" {
		return &MissingCredentialError{Service: serviceStytch, Attribute: "stytch.project_id", EnvVar: "STYTCH_PROJECT_ID"}
	}
	return nil
}

// stytchProjectSegment is the project id for paths that name it.
func (c *Client) stytchProjectSegment() (string, error) {
	if err := c.needStytchProjectID(); err != nil {
		return "", err
	}
	return segment("Stytch project id", c.cfg.StytchProjectID)
}

// stytchClientCall starts a call to one of the project's public OAuth
// endpoints, where the connected app authenticates in the body.
func (c *Client) stytchClientCall(op, endpoint string) (*call, error) {
	project, err := c.stytchProjectSegment()
	if err != nil {
		return nil, err
	}
	return &call{
		service: serviceStytch,
		op:      op,
		method:  http.MethodPost,
		route:   "/v1/public/{project_id}/oauth2/" + endpoint,
		path:    "/v1/public/" + project + "/oauth2/" + endpoint,
	}, nil
}

// AuthorizeStart validates an authorization request and says whether
// consent is required. It changes nothing, so it is retried like a read.
func (c *Client) AuthorizeStart(ctx context.Context, req AuthorizeStartRequest) (*AuthorizeStartResponse, error) {
	cl, err := c.stytchProjectCall("start OAuth authorization", http.MethodPost,
		"/v1/b2b/idp/oauth/authorize/start", "/v1/b2b/idp/oauth/authorize/start")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	req.ResponseType = cmp.Or(req.ResponseType, "code")
	req.Scopes = orEmpty(req.Scopes)
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[AuthorizeStartResponse](ctx, c, cl)
}

// Authorize grants (or refuses) the app's authorization for a member and
// returns an authorization code. It creates a grant, so it is not retried
// once it may have reached Stytch: such failures are an *AmbiguousError.
func (c *Client) Authorize(ctx context.Context, req AuthorizeRequest) (*AuthorizeResponse, error) {
	cl, err := c.stytchProjectCall("submit OAuth authorization", http.MethodPost,
		"/v1/b2b/idp/oauth/authorize", "/v1/b2b/idp/oauth/authorize")
	if err != nil {
		return nil, err
	}
	req.ResponseType = cmp.Or(req.ResponseType, "code")
	req.Scopes = orEmpty(req.Scopes)
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[AuthorizeResponse](ctx, c, cl)
}

// ExchangeAuthorizationCode trades an authorization code for tokens. Not
// retried once it may have reached Stytch: a code is single-use, and OAuth
// servers may revoke every token issued from a code that is replayed.
func (c *Client) ExchangeAuthorizationCode(ctx context.Context, req TokenRequest) (*TokenResponse, error) {
	return c.token(ctx, "exchange authorization code", "authorization_code", req)
}

// RefreshAccessToken trades a refresh token for new tokens. Not retried once
// it may have reached Stytch: public clients' refresh tokens rotate on use,
// and a replayed one can be taken for theft and end the grant.
func (c *Client) RefreshAccessToken(ctx context.Context, req TokenRequest) (*TokenResponse, error) {
	return c.token(ctx, "refresh access token", "refresh_token", req)
}

func (c *Client) token(ctx context.Context, op, grantType string, req TokenRequest) (*TokenResponse, error) {
	cl, err := c.stytchClientCall(op, "token")
	if err != nil {
		return nil, err
	}
	body := struct {
		GrantType string `json:"grant_type"`
		TokenRequest
	}{grantType, req}
	if err := cl.jsonBody(body); err != nil {
		return nil, err
	}
	return doJSON[TokenResponse](ctx, c, cl)
}

// Introspect asks whether a token is active. An inactive token is a
// successful answer with Active false, not an error.
func (c *Client) Introspect(ctx context.Context, req IntrospectRequest) (*IntrospectResponse, error) {
	cl, err := c.stytchClientCall("introspect token", "introspect")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	form := url.Values{"token": {req.Token}, "client_id": {req.ClientID}}
	if req.ClientSecret != "" {
		form.Set("client_secret", req.ClientSecret)
	}
	if req.TokenTypeHint != "" {
		form.Set("token_type_hint", req.TokenTypeHint)
	}
	cl.formBody(form)
	return doJSON[IntrospectResponse](ctx, c, cl)
}

// MemberConnectedApps lists the apps a member has authorized.
func (c *Client) MemberConnectedApps(ctx context.Context, organizationID, memberID string) (*MemberConnectedAppsResponse, error) {
	segs, err := segments("organization id", organizationID, "member id", memberID)
	if err != nil {
		return nil, err
	}
	cl, err := c.stytchProjectCall("list member's connected apps", http.MethodGet,
		"/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps",
		"/v1/b2b/organizations/"+segs[0]+"/members/"+segs[1]+"/connected_apps")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[MemberConnectedAppsResponse](ctx, c, cl)
}

// OrganizationConnectedApp reads a connected app and its active members.
func (c *Client) OrganizationConnectedApp(ctx context.Context, organizationID, connectedAppID string) (*OrganizationConnectedAppResponse, error) {
	segs, err := segments("organization id", organizationID, "connected app id", connectedAppID)
	if err != nil {
		return nil, err
	}
	cl, err := c.stytchProjectCall("get organization's connected app", http.MethodGet,
		"/v1/b2b/organizations/{organization_id}/connected_apps/{connected_app_id}",
		"/v1/b2b/organizations/"+segs[0]+"/connected_apps/"+segs[1])
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[OrganizationConnectedAppResponse](ctx, c, cl)
}

// RevokeMemberConnectedApp revokes a member's authorization of an app and
// every token issued under it.
func (c *Client) RevokeMemberConnectedApp(ctx context.Context, req RevokeMemberConnectedAppRequest) error {
	segs, err := segments("organization id", req.OrganizationID, "member id", req.MemberID, "connected app id", req.ConnectedAppID)
	if err != nil {
		return err
	}
	cl, err := c.stytchProjectCall("revoke member's connected app", http.MethodPost,
		"/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke",
		"/v1/b2b/organizations/"+segs[0]+"/members/"+segs[1]+"/connected_apps/"+segs[2]+"/revoke")
	if err != nil {
		return err
	}
	cl.idempotent = true
	if req.SessionToken != "" {
		cl.header.Set("X-Stytch-Member-Session", req.SessionToken)
	}
	if req.SessionJWT != "" {
		cl.header.Set("X-Stytch-Member-SessionJWT", req.SessionJWT)
	}
	cl.secrets = append(cl.secrets, req.SessionToken, req.SessionJWT)
	cl.body, cl.contentType = []byte("{}"), jsonContentType
	return c.do(ctx, cl)
}

// RevokeUserConnectedApp is the consumer API's revoke, for a user rather
// than an organization's member.
func (c *Client) RevokeUserConnectedApp(ctx context.Context, userID, connectedAppID string) error {
	segs, err := segments("user id", userID, "connected app id", connectedAppID)
	if err != nil {
		return err
	}
	cl, err := c.stytchProjectCall("revoke user's connected app", http.MethodPost,
		"/v1/users/{user_id}/connected_apps/{connected_app_id}/revoke",
		"/v1/users/"+segs[0]+"/connected_apps/"+segs[1]+"/revoke")
	if err != nil {
		return err
	}
	cl.idempotent = true
	cl.body, cl.contentType = []byte("{}"), jsonContentType
	return c.do(ctx, cl)
}

// StytchJWKS fetches the keys that sign the project's access tokens.
func (c *Client) StytchJWKS(ctx context.Context) (*JWKS, error) {
	project, err := c.stytchProjectSegment()
	if err != nil {
		return nil, err
	}
	cl, err := c.stytchProjectCall("get Stytch JWKS", http.MethodGet,
		"/v1/b2b/sessions/jwks/{project_id}", "/v1/b2b/sessions/jwks/"+project)
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[JWKS](ctx, c, cl)
}

// orEmpty makes a nil slice encode as [] rather than null: scopes is required.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
