package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// The Clerk machine calls beyond create, get and delete: listing, updating,
// the machine's secret key and its scopes. All of them take the instance
// secret key, the only key Clerk accepts for managing machines.

// MachineList is one page of machines, newest first unless ordered otherwise.
type MachineList struct {
	Machines   []Machine `json:"data"`
	TotalCount int       `json:"total_count"`
}

// ListMachinesRequest selects a page of the instance's machines.
type ListMachinesRequest struct {
	// Query matches a machine id exactly or a name in part; "" lists all.
	Query string
	// OrderBy is e.g. "-created_at" (Clerk's default) or "+name".
	OrderBy string
	Limit   int // 1-500; 0 means Clerk's default of 10
	Offset  int
}

// UpdateMachineRequest is the body of PATCH /machines/{id}: only the fields
// set are changed.
type UpdateMachineRequest struct {
	Name            *string `json:"name,omitempty"`
	DefaultTokenTTL *int64  `json:"default_token_ttl,omitempty"`
}

// MachineScope lets FromMachineID call ToMachineID. CreatedAt is in
// milliseconds since the epoch.
type MachineScope struct {
	Object        string `json:"object"`
	FromMachineID string `json:"from_machine_id"`
	ToMachineID   string `json:"to_machine_id"`
	CreatedAt     int64  `json:"created_at"`
}

// machineSecretKey is the answer of both secret key calls.
type machineSecretKey struct {
	Object string `json:"object"`
	Secret string `json:"secret"`
}

// ListMachines lists a page of the instance's machines.
func (c *Client) ListMachines(ctx context.Context, req ListMachinesRequest) (*MachineList, error) {
	cl, err := c.instanceCall("list machines", http.MethodGet, "/machines", "/machines")
	if err != nil {
		return nil, err
	}
	cl.idempotent = true
	cl.query = url.Values{}
	if req.Query != "" {
		cl.query.Set("query", req.Query)
	}
	if req.OrderBy != "" {
		cl.query.Set("order_by", req.OrderBy)
	}
	setPage(cl.query, req.Limit, req.Offset)
	return doJSON[MachineList](ctx, c, cl)
}

// UpdateMachine changes a machine's name or default token lifetime in
// place. Retried like a read: applying the same change twice is harmless.
func (c *Client) UpdateMachine(ctx context.Context, id string, req UpdateMachineRequest) (*Machine, error) {
	cl, err := c.machineCall("update machine", http.MethodPatch, id)
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(req); err != nil {
		return nil, err
	}
	return doJSON[Machine](ctx, c, cl)
}

// GetMachineSecretKey reads a machine's current secret key (ak_...).
func (c *Client) GetMachineSecretKey(ctx context.Context, id string) (string, error) {
	cl, err := c.machineSubCall("get machine secret key", http.MethodGet, id, "/secret_key")
	if err != nil {
		return "", err
	}
	cl.idempotent = true
	out, err := doJSON[machineSecretKey](ctx, c, cl)
	if err != nil {
		return "", err
	}
	return out.Secret, nil
}

// RotateMachineSecretKey gives a machine a new secret key and returns it;
// the previous one keeps working for previousTokenTTL seconds (0-28800).
// Not retried once it may have reached Clerk: a second rotation would cut
// the first one's overlap short. Such failures are an *AmbiguousError,
// which GetMachineSecretKey resolves.
func (c *Client) RotateMachineSecretKey(ctx context.Context, id string, previousTokenTTL int64) (string, error) {
	cl, err := c.machineSubCall("rotate machine secret key", http.MethodPost, id, "/secret_key/rotate")
	if err != nil {
		return "", err
	}
	if err := cl.jsonBody(struct {
		PreviousTokenTTL int64 `json:"previous_token_ttl"`
	}{previousTokenTTL}); err != nil {
		return "", err
	}
	out, err := doJSON[machineSecretKey](ctx, c, cl)
	if err != nil {
		return "", err
	}
	return out.Secret, nil
}

// CreateMachineScope lets machine id call machine to. Not retried once it
// may have reached Clerk (an *AmbiguousError): a repeat answers 409, which
// only the caller can tell apart from a scope that existed before.
func (c *Client) CreateMachineScope(ctx context.Context, id, to string) (*MachineScope, error) {
	cl, err := c.machineSubCall("create machine scope", http.MethodPost, id, "/scopes")
	if err != nil {
		return nil, err
	}
	if err := cl.jsonBody(struct {
		ToMachineID string `json:"to_machine_id"`
	}{to}); err != nil {
		return nil, err
	}
	return doJSON[MachineScope](ctx, c, cl)
}

// DeleteMachineScope removes machine id's access to machine other.
func (c *Client) DeleteMachineScope(ctx context.Context, id, other string) error {
	segs, err := segments("machine id", id, "scoped machine id", other)
	if err != nil {
		return err
	}
	cl, err := c.instanceCall("delete machine scope", http.MethodDelete,
		"/machines/{machine_id}/scopes/{other_machine_id}", "/machines/"+segs[0]+"/scopes/"+segs[1])
	if err != nil {
		return err
	}
	cl.idempotent = true
	return c.do(ctx, cl)
}

// machineSubCall starts an instance call on a path below one machine.
func (c *Client) machineSubCall(op, method, id, sub string) (*call, error) {
	seg, err := segment("machine id", id)
	if err != nil {
		return nil, err
	}
	return c.instanceCall(op, method, "/machines/{machine_id}"+sub, "/machines/"+seg+sub)
}

// Created is the machine's creation time; Clerk sends milliseconds.
func (m *Machine) Created() time.Time { return time.UnixMilli(m.CreatedAt).UTC() }

// IsConflict reports a 409: for a machine scope, that it exists already.
func IsConflict(err error) bool { return status(err) == http.StatusConflict }
