package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Stytch's M2M clients (/v1/m2m/clients) and the client_credentials grant
// that gives them access tokens. Their secrets rotate in two phases like a
// connected app's (see RotationStep).

// M2MClient is a machine's client as Stytch reports it; the secret only
// in M2MClientWithSecrets, from a create or the start of a rotation.
type M2MClient struct {
	ClientID          string   `json:"client_id"`
	ClientName        string   `json:"client_name"`
	ClientDescription string   `json:"client_description"`
	Status            string   `json:"status"`
	Scopes            []string `json:"scopes"`
	// TrustedMetadata is a JSON object, kept raw.
	TrustedMetadata      json.RawMessage `json:"trusted_metadata,omitempty"`
	ClientSecretLastFour string          `json:"client_secret_last_four"`
	// NextClientSecretLastFour is nil unless a rotation is under way.
	NextClientSecretLastFour *string `json:"next_client_secret_last_four"`
}

// M2MClientWithSecrets is a client with the secret Stytch shows once.
type M2MClientWithSecrets struct {
	M2MClient
	ClientSecret     string `json:"client_secret,omitempty"`
	NextClientSecret string `json:"next_client_secret,omitempty"`
}

// CreateM2MClientRequest is the body of a create. ClientID and ClientSecret
// may be chosen by the caller; empty, Stytch makes them.
type CreateM2MClientRequest struct {
	ClientID          string          `json:"client_id,omitempty"`
	ClientSecret      string          `json:"client_secret,omitempty"`
	ClientName        string          `json:"client_name"`
	ClientDescription string          `json:"client_description"`
	Scopes            []string        `json:"scopes"`
	TrustedMetadata   json.RawMessage `json:"trusted_metadata,omitempty"`
}

// UpdateM2MClientRequest is every writable field: the provider sends them
// all, whatever Stytch does with those left out.
type UpdateM2MClientRequest struct {
	ClientName        string          `json:"client_name"`
	ClientDescription string          `json:"client_description"`
	Status            string          `json:"status"`
	Scopes            []string        `json:"scopes"`
	TrustedMetadata   json.RawMessage `json:"trusted_metadata"`
}

// M2MSearchRequest pages through the project's M2M clients, filtered by
// Query when set.
type M2MSearchRequest struct {
	Cursor string          `json:"cursor,omitempty"`
	Limit  int             `json:"limit,omitempty"`
	Query  *M2MSearchQuery `json:"query,omitempty"`
}

// M2MSearchQuery joins its operands with Operator, "AND" or "OR".
type M2MSearchQuery struct {
	Operator string             `json:"operator"`
	Operands []M2MSearchOperand `json:"operands"`
}

// M2MSearchOperand filters by FilterName "client_id", "client_name" or
// "scopes"; FilterValue is a string or a list of them.
type M2MSearchOperand struct {
	FilterName  string `json:"filter_name"`
	FilterValue any    `json:"filter_value"`
}

// M2MClientPage is one page of a search.
type M2MClientPage struct {
	RequestID       string          `json:"request_id"`
	M2MClients      []M2MClient     `json:"m2m_clients"`
	ResultsMetadata ResultsMetadata `json:"results_metadata"`
}

// CredentialsRequest asks for an M2M access token with the
// client_credentials grant; no Scopes means all of the client's.
type CredentialsRequest struct {
	ClientID     string
	ClientSecret string
	Scopes       []string
}

type m2mEnvelope struct {
	M2MClient M2MClientWithSecrets `json:"m2m_client"`
}

const (
	m2mClientsRoute = "/v1/m2m/clients"
	m2mClientIDName = "M2M client id"
)

// CreateM2MClient creates a client. Not retried once it may have reached
// Stytch: such failures are an *AmbiguousError, and a caller that chose
// the client_id can look it up to learn whether it was made.
func (c *Client) CreateM2MClient(ctx context.Context, req CreateM2MClientRequest) (*M2MClientWithSecrets, error) {
	cl, err := c.stytchProjectCall("create M2M client", http.MethodPost, m2mClientsRoute, m2mClientsRoute)
	if err != nil {
		return nil, err
	}
	req.Scopes = orEmpty(req.Scopes)
	cl.secrets = append(cl.secrets, req.ClientSecret)
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return unwrapM2M(doJSON[m2mEnvelope](ctx, c, cl))
}

// GetM2MClient reads a client; a 404 means it is gone.
func (c *Client) GetM2MClient(ctx context.Context, clientID string) (*M2MClient, error) {
	cl, err := c.clientCall("get M2M client", http.MethodGet, m2mClientsRoute, m2mClientIDName, clientID, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return m2mOnly(unwrapM2M(doJSON[m2mEnvelope](ctx, c, cl)))
}

// UpdateM2MClient sets every writable field; retried, since sending the
// same fields twice leaves the client the same.
func (c *Client) UpdateM2MClient(ctx context.Context, clientID string, req UpdateM2MClientRequest) (*M2MClient, error) {
	cl, err := c.clientCall("update M2M client", http.MethodPut, m2mClientsRoute, m2mClientIDName, clientID, "")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	req.Scopes = orEmpty(req.Scopes)
	if len(req.TrustedMetadata) == 0 {
		req.TrustedMetadata = json.RawMessage("{}")
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return m2mOnly(unwrapM2M(doJSON[m2mEnvelope](ctx, c, cl)))
}

// DeleteM2MClient deletes a client; retried, a repeat getting a 404.
// Tokens already issued stay valid until they expire.
func (c *Client) DeleteM2MClient(ctx context.Context, clientID string) error {
	cl, err := c.clientCall("delete M2M client", http.MethodDelete, m2mClientsRoute, m2mClientIDName, clientID, "")
	if err != nil {
		return err
	}
	cl.idempotent = true
	return c.do(ctx, cl)
}

// SearchM2MClients returns one page of the project's clients.
func (c *Client) SearchM2MClients(ctx context.Context, req M2MSearchRequest) (*M2MClientPage, error) {
	cl, err := c.stytchProjectCall("search M2M clients", http.MethodPost, m2mClientsRoute+"/search", m2mClientsRoute+"/search")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[M2MClientPage](ctx, c, cl)
}

// RotateM2MClientSecret sends one rotation step; none is retried once it
// may have reached Stytch (see StartConnectedAppSecretRotation).
func (c *Client) RotateM2MClientSecret(ctx context.Context, clientID string, step RotationStep) (*M2MClientWithSecrets, error) {
	op := map[RotationStep]string{RotationStart: "start", RotationComplete: "complete", RotationCancel: "cancel"}[step] + " M2M client secret rotation"
	return unwrapM2M(rotateSecret[m2mEnvelope](ctx, c, op, m2mClientsRoute, m2mClientIDName, clientID, step))
}

// ClientCredentialsToken is the client_credentials grant: an access token
// for the client. It is retried like a read: Stytch keeps no record of the
// JWTs it issues and offers no revoke, so a token whose answer was lost
// reached nobody and expires by itself.
func (c *Client) ClientCredentialsToken(ctx context.Context, req CredentialsRequest) (*TokenResponse, error) {
	cl, err := c.stytchClientCall("get M2M access token", "token")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	body := struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Scope        string `json:"scope,omitempty"`
	}{"client_credentials", req.ClientID, req.ClientSecret, strings.Join(req.Scopes, " ")}
	if err := cl.jsonBody(body); err != nil {
		return nil, err
	}
	return doJSON[TokenResponse](ctx, c, cl)
}

// StytchProjectID is the configured project, the issuer and audience of
// its tokens.
func (c *Client) StytchProjectID() string { return c.cfg.StytchProjectID }

func unwrapM2M(env *m2mEnvelope, err error) (*M2MClientWithSecrets, error) {
	if err != nil {
		return nil, err
	}
	return &env.M2MClient, nil
}

func m2mOnly(m *M2MClientWithSecrets, err error) (*M2MClient, error) {
	if err != nil {
		return nil, err
	}
	return &m.M2MClient, nil
}
