package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// What Clerk's answers about credentials (M2M tokens and API keys) share:
// times in milliseconds, claims that may come as JSON null, pages by limit
// and offset, and the body of a revoke.

// msTime is a time in milliseconds since the epoch, nil as nil.
func msTime(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	at := time.UnixMilli(*ms).UTC()
	return &at
}

// nullClaims is raw, or nil for JSON null, which decodes into a RawMessage
// as the bytes "null": callers should not have to tell that apart from "no
// claims".
func nullClaims(raw json.RawMessage) json.RawMessage {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	return raw
}

// claimsAnswer is an answer that holds claims, normalized once decoded.
type claimsAnswer[T any] interface {
	*T
	normalize()
}

// normalizeEach normalizes a page's answers.
func normalizeEach[T any, P claimsAnswer[T]](page []T) {
	for i := range page {
		P(&page[i]).normalize()
	}
}

// doClaims is doJSON for answers that hold claims.
func doClaims[T any, P claimsAnswer[T]](ctx context.Context, c *Client, cl *call) (*T, error) {
	out, err := doJSON[T](ctx, c, cl)
	if err != nil {
		return nil, err
	}
	P(out).normalize()
	return out, nil
}

// setPage adds a page's limit and offset to q, each only when above zero,
// so that Clerk's defaults apply.
func setPage(q url.Values, limit, offset int) {
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
}

// revocation is the body of a revoke; a nil reason sends none.
type revocation struct {
	RevocationReason *string `json:"revocation_reason,omitempty"`
}
