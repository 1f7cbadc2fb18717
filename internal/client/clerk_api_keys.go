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

// Clerk API keys: credentials for a user, an organization or a machine,
// managed with the instance secret key only.

// APIKey is a Clerk API key as read, listed, updated, revoked or
// verified: everything but its secret. Times are milliseconds since the epoch.
type APIKey struct {
	Object      string  `json:"object"`
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Subject     string  `json:"subject"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	// Claims is nil when the key has none.
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	// Expiration is nil for a key that never expires.
	Expiration *int64  `json:"expiration"`
	CreatedBy  *string `json:"created_by"`
	LastUsedAt *int64  `json:"last_used_at"`
	CreatedAt  int64   `json:"created_at"`
	UpdatedAt  int64   `json:"updated_at"`
}

// ExpiresAt is the expiration as a time, or nil if the key never expires.
func (k *APIKey) ExpiresAt() *time.Time { return msTime(k.Expiration) }

// LastUsed is when the key was last verified, or nil if never.
func (k *APIKey) LastUsed() *time.Time { return msTime(k.LastUsedAt) }

// Created is the creation time.
func (k *APIKey) Created() time.Time { return time.UnixMilli(k.CreatedAt).UTC() }

func (k *APIKey) normalize() { k.Claims = nullClaims(k.Claims) }

// APIKeyWithSecret is what a create returns.
type APIKeyWithSecret struct {
	APIKey
	Secret string `json:"secret"`
}

// CreateAPIKeyRequest is the body of POST /api_keys; zero fields are left
// out so Clerk applies its defaults.
type CreateAPIKeyRequest struct {
	Name    string `json:"name"`
	Subject string `json:"subject"` // user_, org_ or mch_ id
	Type    string `json:"type,omitempty"`
	// Description nil sends none.
	Description *string `json:"description,omitempty"`
	// Claims is any JSON value; nil leaves claims out.
	Claims json.RawMessage `json:"claims,omitempty"`
	Scopes []string        `json:"scopes,omitempty"`
	// SecondsUntilExpiration nil: the key never expires.
	SecondsUntilExpiration *int64 `json:"seconds_until_expiration,omitempty"`
}

// UpdateAPIKeyRequest is the body of PATCH /api_keys/{id}: only the fields
// set are sent, and a field cleared is sent as null.
type UpdateAPIKeyRequest struct {
	// Description: nil leaves it as it is; set with ClearDescription false
	// replaces it.
	Description      *string
	ClearDescription bool
	// Claims: nil leaves them; JSON null clears them.
	Claims json.RawMessage
	// Scopes: nil leaves them; an empty slice clears them.
	Scopes                 []string
	SecondsUntilExpiration *int64
}

// Empty reports whether the update would change nothing.
func (r UpdateAPIKeyRequest) Empty() bool {
	return r.Description == nil && !r.ClearDescription && r.Claims == nil && r.Scopes == nil && r.SecondsUntilExpiration == nil
}

// MarshalJSON sends the fields set, so an update never touches what it
// does not name.
func (r UpdateAPIKeyRequest) MarshalJSON() ([]byte, error) {
	body := map[string]any{}
	switch {
	case r.ClearDescription:
		body["description"] = nil
	case r.Description != nil:
		body["description"] = *r.Description
	}
	if r.Claims != nil {
		body["claims"] = r.Claims
	}
	if r.Scopes != nil {
		body["scopes"] = r.Scopes
	}
	if r.SecondsUntilExpiration != nil {
		body["seconds_until_expiration"] = *r.SecondsUntilExpiration
	}
	return json.Marshal(body)
}

// ListAPIKeysRequest selects one subject's keys. IncludeInvalid adds the
// revoked and expired ones.
type ListAPIKeysRequest struct {
	Subject        string // required
	IncludeInvalid bool
	Limit          int // 1-100; 0 means Clerk's default of 10
	Offset         int
}

// APIKeyList is one page of keys.
type APIKeyList struct {
	Keys       []APIKey `json:"data"`
	TotalCount int      `json:"total_count"`
}

func (l *APIKeyList) normalize() { normalizeEach(l.Keys) }

var apiKeyID = regexp.MustCompile(`^ak_[0-9A-Fa-f]{32}$`)

// CreateAPIKey creates a key and returns it with its secret. Not retried
// after it may have reached Clerk: such failures are an *AmbiguousError.
func (c *Client) CreateAPIKey(ctx context.Context, req CreateAPIKeyRequest) (*APIKeyWithSecret, error) {
	cl, err := c.instanceCall("create API key", http.MethodPost, "/api_keys", "/api_keys")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doClaims[APIKeyWithSecret](ctx, c, cl)
}

// ListAPIKeys lists one page of a subject's keys.
func (c *Client) ListAPIKeys(ctx context.Context, req ListAPIKeysRequest) (*APIKeyList, error) {
	if req.Subject == "" {
		return nil, errors.New("clerk: listing API keys needs the subject")
	}
	cl, err := c.instanceCall("list API keys", http.MethodGet, "/api_keys", "/api_keys")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	cl.query = url.Values{"subject": {req.Subject}, "include_invalid": {strconv.FormatBool(req.IncludeInvalid)}}
	setPage(cl.query, req.Limit, req.Offset)
	return doClaims[APIKeyList](ctx, c, cl)
}

// GetAPIKey reads one key, revoked or expired ones included.
func (c *Client) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	cl, err := c.apiKeyCall("get API key", http.MethodGet, id, "")
	if err != nil {
		return nil, err
	}
	return doClaims[APIKey](ctx, c, cl)
}

// GetAPIKeySecret reads a key's secret again: unlike an M2M token's, it is
// not shown only once.
func (c *Client) GetAPIKeySecret(ctx context.Context, id string) (string, error) {
	cl, err := c.apiKeyCall("get API key secret", http.MethodGet, id, "/secret")
	if err != nil {
		return "", err
	}
	out, err := doJSON[struct {
		Secret string `json:"secret"`
	}](ctx, c, cl)
	if err != nil {
		return "", err
	}
	return out.Secret, nil
}

// UpdateAPIKey changes a key in place: the id and the secret stay. The
// same update sent twice changes nothing more, so it is retried.
func (c *Client) UpdateAPIKey(ctx context.Context, id string, req UpdateAPIKeyRequest) (*APIKey, error) {
	cl, err := c.apiKeyCall("update API key", http.MethodPatch, id, "")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doClaims[APIKey](ctx, c, cl)
}

// RevokeAPIKey revokes a key; reason nil sends none.
func (c *Client) RevokeAPIKey(ctx context.Context, id string, reason *string) (*APIKey, error) {
	cl, err := c.apiKeyCall("revoke API key", http.MethodPost, id, "/revoke")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(revocation{reason}); err != nil {
		return nil, err
	}
	return doClaims[APIKey](ctx, c, cl)
}

// DeleteAPIKey deletes a key and its record. The provider never calls it:
// a revoke keeps the key's record and the reason, which an audit needs.
// It is here for tooling and tests that clean up after themselves.
func (c *Client) DeleteAPIKey(ctx context.Context, id string) error {
	cl, err := c.apiKeyCall("delete API key", http.MethodDelete, id, "")
	if err != nil {
		return err
	}
	return c.do(ctx, cl)
}

// VerifyAPIKey checks a key's secret. An unknown, revoked or expired key is
// an error (404 from Clerk), never a key with Revoked set.
func (c *Client) VerifyAPIKey(ctx context.Context, secret string) (*APIKey, error) {
	if secret == "" {
		return nil, errors.New("clerk: verifying an API key needs its secret")
	}
	cl, err := c.instanceCall("verify API key", http.MethodPost, "/api_keys/verify", "/api_keys/verify")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	if err := cl.jsonBody(struct {
		Secret string `json:"secret"`
	}{secret}); err != nil {
		return nil, err
	}
	return doClaims[APIKey](ctx, c, cl)
}

// apiKeyCall starts an idempotent instance call on one key, checking its
// id first: an id goes into the path, and a secret pasted in its place must
// not be sent there.
func (c *Client) apiKeyCall(op, method, id, suffix string) (*call, error) {
	seg, err := segment("API key id", id)
	if err != nil {
		return nil, err
	}
	if !apiKeyID.MatchString(id) {
		return nil, fmt.Errorf("invalid API key id %q: must be ak_ and 32 hexadecimal digits", Redact(id))
	}
	cl, err := c.instanceCall(op, method, "/api_keys/{api_key_id}"+suffix, "/api_keys/"+seg+suffix)
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	return cl, nil
}
