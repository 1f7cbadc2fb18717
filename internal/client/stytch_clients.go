package client

import (
	"context"
	"net/http"
)

// Stytch's connected-app clients (/v1/connected_apps/clients): the apps
// themselves, as a project manages them, and the two-phase rotation of
// their secret, which M2M clients share.

// ConnectedAppClient is a connected app as its project sees it. Stytch
// shows its secret only on create and its next secret only when a
// rotation starts: see ConnectedAppClientWithSecrets.
type ConnectedAppClient struct {
	ClientID   string `json:"client_id"`
	ClientType string `json:"client_type"`
	Status     string `json:"status"`
	ConnectedAppClientFields
	CreationMethod string `json:"creation_method,omitempty"`
	// ClientSecretLastFour is empty for public clients.
	ClientSecretLastFour string `json:"client_secret_last_four,omitempty"`
	// NextClientSecretLastFour is nil unless a rotation is under way.
	NextClientSecretLastFour *string `json:"next_client_secret_last_four"`
}

// ConnectedAppClientFields are a client's writable fields. An update sends
// them all: Stytch replaces the whole client, resetting whatever a PUT
// leaves out. Nil lists are sent as [].
type ConnectedAppClientFields struct {
	ClientName             string   `json:"client_name"`
	ClientDescription      string   `json:"client_description"`
	RedirectURLs           []string `json:"redirect_urls"`
	PostLogoutRedirectURLs []string `json:"post_logout_redirect_urls"`
	// FullAccessAllowed and BypassConsentForOfflineAccess are for
	// first-party clients only.
	FullAccessAllowed bool `json:"full_access_allowed"`
	// AccessTokenExpiryMinutes of 0 is left out: Stytch's default, 60.
	AccessTokenExpiryMinutes      int64  `json:"access_token_expiry_minutes,omitempty"`
	AccessTokenCustomAudience     string `json:"access_token_custom_audience"`
	AccessTokenTemplateContent    string `json:"access_token_template_content"`
	LogoURL                       string `json:"logo_url"`
	BypassConsentForOfflineAccess bool   `json:"bypass_consent_for_offline_access"`
}

func (f ConnectedAppClientFields) wire() ConnectedAppClientFields {
	f.RedirectURLs, f.PostLogoutRedirectURLs = orEmpty(f.RedirectURLs), orEmpty(f.PostLogoutRedirectURLs)
	return f
}

// ConnectedAppClientWithSecrets is a client with the secret Stytch shows
// once: ClientSecret from a create (confidential types only),
// NextClientSecret from the start of a rotation.
type ConnectedAppClientWithSecrets struct {
	ConnectedAppClient
	ClientSecret     string `json:"client_secret,omitempty"`
	NextClientSecret string `json:"next_client_secret,omitempty"`
}

// CreateConnectedAppClientRequest is the body of a create.
type CreateConnectedAppClientRequest struct {
	ClientType string `json:"client_type"`
	ConnectedAppClientFields
}

// SearchRequest pages through a search: Limit 0 is Stytch's default of
// 100, at most 1000.
type SearchRequest struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// ResultsMetadata says how many match and where the next page starts; a
// nil NextCursor means this was the last page.
type ResultsMetadata struct {
	Total      int     `json:"total"`
	NextCursor *string `json:"next_cursor"`
}

// ConnectedAppClientPage is one page of a search.
type ConnectedAppClientPage struct {
	RequestID       string               `json:"request_id"`
	ConnectedApps   []ConnectedAppClient `json:"connected_apps"`
	ResultsMetadata ResultsMetadata      `json:"results_metadata"`
}

type connectedAppEnvelope struct {
	ConnectedApp ConnectedAppClientWithSecrets `json:"connected_app"`
}

const connectedAppClientsRoute = "/v1/connected_apps/clients"

// CreateConnectedAppClient creates a client and returns it with its secret,
// which Stytch never shows again. Not retried once it may have reached
// Stytch: a repeat would make a second client, so such failures are an
// *AmbiguousError.
func (c *Client) CreateConnectedAppClient(ctx context.Context, req CreateConnectedAppClientRequest) (*ConnectedAppClientWithSecrets, error) {
	cl, err := c.stytchProjectCall("create connected app", http.MethodPost, connectedAppClientsRoute, connectedAppClientsRoute)
	if err != nil {
		return nil, err
	}
	req.ConnectedAppClientFields = req.wire()
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return unwrapApp(doJSON[connectedAppEnvelope](ctx, c, cl))
}

// GetConnectedAppClient reads a client; a 404 means it is gone.
func (c *Client) GetConnectedAppClient(ctx context.Context, clientID string) (*ConnectedAppClient, error) {
	cl, err := c.connectedAppCall("get connected app", http.MethodGet, clientID, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return appOnly(unwrapApp(doJSON[connectedAppEnvelope](ctx, c, cl)))
}

// UpdateConnectedAppClient replaces every writable field of a client. It is
// retried like a read: sending the same whole client twice leaves it the same.
func (c *Client) UpdateConnectedAppClient(ctx context.Context, clientID string, f ConnectedAppClientFields) (*ConnectedAppClient, error) {
	cl, err := c.connectedAppCall("update connected app", http.MethodPut, clientID, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(f.wire()); err != nil {
		return nil, err
	}
	return appOnly(unwrapApp(doJSON[connectedAppEnvelope](ctx, c, cl)))
}

// DeleteConnectedAppClient deletes a client. Retried: a repeat of a delete
// that took effect gets a 404, which the caller takes as done.
func (c *Client) DeleteConnectedAppClient(ctx context.Context, clientID string) error {
	cl, err := c.connectedAppCall("delete connected app", http.MethodDelete, clientID, "")
	if err != nil {
		return err
	}
	cl.idempotent = true
	return c.do(ctx, cl)
}

// SearchConnectedAppClients returns one page of the project's clients. It
// changes nothing, so it is retried like a read.
func (c *Client) SearchConnectedAppClients(ctx context.Context, req SearchRequest) (*ConnectedAppClientPage, error) {
	cl, err := c.stytchProjectCall("search connected apps", http.MethodPost, connectedAppClientsRoute+"/search", connectedAppClientsRoute+"/search")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[ConnectedAppClientPage](ctx, c, cl)
}

// StartConnectedAppSecretRotation issues the client's next secret: until the
// rotation completes or is cancelled, both secrets work. Not retried once it
// may have reached Stytch: the next secret is shown only in this answer, and
// Stytch refuses a second start while one is under way.
func (c *Client) StartConnectedAppSecretRotation(ctx context.Context, clientID string) (*ConnectedAppClientWithSecrets, error) {
	return c.rotateConnectedAppSecret(ctx, "start connected app secret rotation", clientID, RotationStart)
}

// CompleteConnectedAppSecretRotation makes the next secret the only one.
// Not retried once it may have reached Stytch: a repeat of a completed
// rotation is refused, so the caller reads the client to learn the outcome.
func (c *Client) CompleteConnectedAppSecretRotation(ctx context.Context, clientID string) (*ConnectedAppClient, error) {
	return appOnly(c.rotateConnectedAppSecret(ctx, "complete connected app secret rotation", clientID, RotationComplete))
}

// CancelConnectedAppSecretRotation drops the next secret, retried as
// CompleteConnectedAppSecretRotation is: not at all.
func (c *Client) CancelConnectedAppSecretRotation(ctx context.Context, clientID string) (*ConnectedAppClient, error) {
	return appOnly(c.rotateConnectedAppSecret(ctx, "cancel connected app secret rotation", clientID, RotationCancel))
}

func (c *Client) rotateConnectedAppSecret(ctx context.Context, op, clientID string, step RotationStep) (*ConnectedAppClientWithSecrets, error) {
	return unwrapApp(rotateSecret[connectedAppEnvelope](ctx, c, op, connectedAppClientsRoute, "connected app client id", clientID, step))
}

// rotateSecret sends one rotation step to a client under base and decodes
// the envelope E the client comes back in.
func rotateSecret[E any](ctx context.Context, c *Client, op, base, idName, clientID string, step RotationStep) (*E, error) {
	cl, err := c.clientCall(op, http.MethodPost, base, idName, clientID, step.suffix())
	if err != nil {
		return nil, err
	}
	cl.body, cl.contentType = []byte("{}"), jsonContentType
	return doJSON[E](ctx, c, cl)
}

// RotationStep is one of the calls of a two-phase secret rotation, the same
// for connected-app clients and M2M clients.
type RotationStep int

const (
	// RotationStart issues the next secret; both secrets work until the
	// rotation completes or is cancelled.
	RotationStart RotationStep = iota
	// RotationComplete makes the next secret the only one.
	RotationComplete
	// RotationCancel drops the next secret.
	RotationCancel
)

// suffix is the step's path under the client.
func (s RotationStep) suffix() string {
	switch s {
	case RotationStart:
		return "/secrets/rotate/start"
	case RotationCancel:
		return "/secrets/rotate/cancel"
	default:
		return "/secrets/rotate"
	}
}

// connectedAppCall starts a project call to one client, at suffix under it.
func (c *Client) connectedAppCall(op, method, clientID, suffix string) (*call, error) {
	return c.clientCall(op, method, connectedAppClientsRoute, "connected app client id", clientID, suffix)
}

// clientCall starts a project call to the client clientID under base, at
// suffix under it; idName names the id in errors.
func (c *Client) clientCall(op, method, base, idName, clientID, suffix string) (*call, error) {
	seg, err := segment(idName, clientID)
	if err != nil {
		return nil, err
	}
	return c.stytchProjectCall(op, method, base+"/{client_id}"+suffix, base+"/"+seg+suffix)
}

func unwrapApp(env *connectedAppEnvelope, err error) (*ConnectedAppClientWithSecrets, error) {
	if err != nil {
		return nil, err
	}
	return &env.ConnectedApp, nil
}

func appOnly(a *ConnectedAppClientWithSecrets, err error) (*ConnectedAppClient, error) {
	if err != nil {
		return nil, err
	}
	return &a.ConnectedAppClient, nil
}
