package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// M2MToken is a Clerk machine-to-machine token as listed, revoked or
// verified: everything but its secret. Times are milliseconds since the epoch.
type M2MToken struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Subject string `json:"subject"`
	// Claims is nil when the token has none.
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	// Expiration is nil for a token that never expires.
	Expiration *int64 `json:"expiration"`
	LastUsedAt *int64 `json:"last_used_at"`
	CreatedAt  int64  `json:"created_at"`
	UpdatedAt  int64  `json:"updated_at"`
}

// ExpiresAt is the expiration as a time, or nil if the token never expires.
func (t *M2MToken) ExpiresAt() *time.Time { return msTime(t.Expiration) }

// Created is the creation time.
func (t *M2MToken) Created() time.Time { return time.UnixMilli(t.CreatedAt).UTC() }

// LastUsed is when the token was last used, or nil if never.
func (t *M2MToken) LastUsed() *time.Time { return msTime(t.LastUsedAt) }

func (t *M2MToken) normalize() { t.Claims = nullClaims(t.Claims) }

// M2MTokenWithSecret is what a create returns: the only time Clerk shows
// the token's secret.
type M2MTokenWithSecret struct {
	M2MToken
	Token string `json:"token"`
}

// CreateM2MTokenRequest is the body of POST /m2m_tokens; zero fields are
// left out so Clerk applies its defaults.
type CreateM2MTokenRequest struct {
	SecondsUntilExpiration *int64 `json:"seconds_until_expiration,omitempty"`
	// Claims is any JSON value; nil leaves claims out.
	Claims      json.RawMessage `json:"claims,omitempty"`
	TokenFormat string          `json:"token_format,omitempty"` // "opaque" (default) or "jwt"
	// MinRemainingTTLSeconds lets Clerk hand back an existing live token.
	// A managed resource must not send it: two resources would share one token.
	MinRemainingTTLSeconds *int64 `json:"min_remaining_ttl_seconds,omitempty"`
}

// ListM2MTokensRequest selects one machine's tokens. Revoked and Expired
// include those tokens rather than filter to them.
type ListM2MTokensRequest struct {
	Subject string // the machine's mch_ id; required
	Revoked bool
	Expired bool
	Limit   int // 1-100; 0 means Clerk's default of 10
	Offset  int
}

// M2MTokenList is one page of tokens, newest first.
type M2MTokenList struct {
	Tokens     []M2MToken `json:"m2m_tokens"`
	TotalCount int        `json:"total_count"`
}

func (l *M2MTokenList) normalize() { normalizeEach(l.Tokens) }

// Machine is a Clerk machine. Times are Unix timestamps as Clerk sends them.
type Machine struct {
	Object          string    `json:"object"`
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	InstanceID      string    `json:"instance_id"`
	CreatedAt       int64     `json:"created_at"`
	UpdatedAt       int64     `json:"updated_at"`
	DefaultTokenTTL int64     `json:"default_token_ttl"`
	ScopedMachines  []Machine `json:"scoped_machines,omitempty"`
}

// MachineWithSecret is what a create returns: the only time Clerk shows
// the machine's secret key.
type MachineWithSecret struct {
	Machine
	SecretKey string `json:"secret_key"`
}

// CreateMachineRequest is the body of POST /machines.
type CreateMachineRequest struct {
	Name            string   `json:"name"`
	ScopedMachines  []string `json:"scoped_machines,omitempty"`
	DefaultTokenTTL *int64   `json:"default_token_ttl,omitempty"`
}

var m2mTokenID = regexp.MustCompile(`^mt_[A-Za-z0-9]+$`)

// instanceKey is the instance secret key, which machines and the JWKS
// need, or the error naming the setting to set.
func (c *Client) instanceKey() (string, error) {
	if c.cfg.ClerkSecretKey == "" {
		return "", &MissingCredentialError{Service: serviceClerk, Attribute: "clerk.secret_key", EnvVar: "CLERK_SECRET_KEY"}
	}
	return c.cfg.ClerkSecretKey, nil
}

// clerkCall starts a call authenticated with key. M2M calls take the key
// from the caller, which decides which one each use needs; the instance
// calls pass instanceKey's.
func (c *Client) clerkCall(key, op, method, route, path string) (*call, error) {
	if key == "" {
		return nil, fmt.Errorf("clerk: %s needs a key, and none was given", op)
	}
	return &call{
		service: serviceClerk,
		op:      op,
		method:  method,
		route:   route,
		path:    path,
		header:  http.Header{"Authorization": {"Bearer " + key}},
		secrets: []string{key},
	}, nil
}

// CreateM2MToken mints a token for the machine whose key (ak_) makes the
// call. Not retried after it may have reached Clerk: such failures are an
// *AmbiguousError.
func (c *Client) CreateM2MToken(ctx context.Context, key string, req CreateM2MTokenRequest) (*M2MTokenWithSecret, error) {
	cl, err := c.clerkCall(key, "create M2M token", http.MethodPost, "/m2m_tokens", "/m2m_tokens")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doClaims[M2MTokenWithSecret](ctx, c, cl)
}

// ListM2MTokens lists a machine's opaque tokens, with the instance key or
// the machine's own.
func (c *Client) ListM2MTokens(ctx context.Context, key string, req ListM2MTokensRequest) (*M2MTokenList, error) {
	if req.Subject == "" {
		return nil, errors.New("clerk: listing M2M tokens needs the machine id as subject")
	}
	cl, err := c.clerkCall(key, "list M2M tokens", http.MethodGet, "/m2m_tokens", "/m2m_tokens")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	cl.query = url.Values{
		"subject": {req.Subject},
		"revoked": {strconv.FormatBool(req.Revoked)},
		"expired": {strconv.FormatBool(req.Expired)},
	}
	setPage(cl.query, req.Limit, req.Offset)
	return doClaims[M2MTokenList](ctx, c, cl)
}

// RevokeM2MToken revokes an opaque token by id, with the instance key or
// the owning machine's; reason nil sends none.
func (c *Client) RevokeM2MToken(ctx context.Context, key, tokenID string, reason *string) (*M2MToken, error) {
	seg, err := segment("M2M token id", tokenID)
	if err != nil {
		return nil, err
	}
	if !m2mTokenID.MatchString(tokenID) {
		return nil, fmt.Errorf("invalid M2M token id %q: must be an mt_ id", Redact(tokenID))
	}
	cl, err := c.clerkCall(key, "revoke M2M token", http.MethodPost,
		"/m2m_tokens/{m2m_token_id}/revoke", "/m2m_tokens/"+seg+"/revoke")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(revocation{reason}); err != nil {
		return nil, err
	}
	return doClaims[M2MToken](ctx, c, cl)
}

// VerifyM2MToken checks a token's secret. An unknown, revoked or expired
// token is an error (404 from Clerk), never a token with Revoked set.
func (c *Client) VerifyM2MToken(ctx context.Context, key, token string) (*M2MToken, error) {
	if token == "" {
		return nil, errors.New("clerk: verifying an M2M token needs the token")
	}
	cl, err := c.clerkCall(key, "verify M2M token", http.MethodPost, "/m2m_tokens/verify", "/m2m_tokens/verify")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(struct {
		Token string `json:"token"`
	}{token}); err != nil {
		return nil, err
	}
	return doClaims[M2MToken](ctx, c, cl)
}

// CreateMachine creates a machine with the instance secret key. Like every
// create it is not retried once it may have reached Clerk.
func (c *Client) CreateMachine(ctx context.Context, req CreateMachineRequest) (*MachineWithSecret, error) {
	cl, err := c.instanceCall("create machine", http.MethodPost, "/machines", "/machines")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[MachineWithSecret](ctx, c, cl)
}

// GetMachine reads a machine with the instance secret key.
func (c *Client) GetMachine(ctx context.Context, id string) (*Machine, error) {
	cl, err := c.machineCall("get machine", http.MethodGet, id)
	if err != nil {
		return nil, err
	}
	return doJSON[Machine](ctx, c, cl)
}

// DeleteMachine deletes a machine with the instance secret key.
func (c *Client) DeleteMachine(ctx context.Context, id string) error {
	cl, err := c.machineCall("delete machine", http.MethodDelete, id)
	if err != nil {
		return err
	}
	return c.do(ctx, cl)
}

// instanceCall starts a call authenticated with the instance secret key.
func (c *Client) instanceCall(op, method, route, path string) (*call, error) {
	key, err := c.instanceKey()
	if err != nil {
		return nil, err
	}
	return c.clerkCall(key, op, method, route, path)
}

func (c *Client) machineCall(op, method, id string) (*call, error) {
	seg, err := segment("machine id", id)
	if err != nil {
		return nil, err
	}
	cl, err := c.instanceCall(op, method, "/machines/{machine_id}", "/machines/"+seg)
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return cl, nil
}

// ClerkJWKS fetches the keys that sign the instance's JWT-format tokens.
func (c *Client) ClerkJWKS(ctx context.Context) (*JWKS, error) {
	cl, err := c.instanceCall("get Clerk JWKS", http.MethodGet, "/jwks", "/jwks")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return doJSON[JWKS](ctx, c, cl)
}
