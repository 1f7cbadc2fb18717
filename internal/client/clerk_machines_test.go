package client

import (
	"errors"
	"net/http"
	"testing"
)

const testOtherMachineID = "mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"

// Every machine call sends the instance key, the path and the body Clerk
// expects, and decodes the answer.
func TestMachineCalls(t *testing.T) {
	t.Parallel()
	machine := `{"object":"machine","id":"` + testMachineID + `","name":"m","instance_id":"ins_1","created_at":1716879600000,"updated_at":2,"default_token_ttl":60,"scoped_machines":[]}`
	secret := `{"object":"machine_secret_key","secret":"` + testMachineKey + `"}`
	scope := `{"object":"machine_scope","from_machine_id":"` + testMachineID + `","to_machine_id":"` + testOtherMachineID + `","created_at":5}`
	ctx := t.Context()
	for _, tc := range []struct {
		name, answer        string
		call                func(c *Client) error
		method, path, query string
		body                string
		check               func(t *testing.T)
	}{
		{name: "list", answer: `{"data":[` + machine + `],"total_count":1}`, method: "GET", path: "/v1/machines", query: "limit=500&offset=500&order_by=-created_at&query=x+y",
			call: func(c *Client) error {
				l, err := c.ListMachines(ctx, ListMachinesRequest{Query: "x y", OrderBy: "-created_at", Limit: 500, Offset: 500})
				if err == nil && (l.TotalCount != 1 || len(l.Machines) != 1 || l.Machines[0].ID != testMachineID) {
					t.Errorf("list = %+v", l)
				}
				return err
			}},
		{name: "list everything", answer: `{"data":[],"total_count":0}`, method: "GET", path: "/v1/machines",
			call: func(c *Client) error { _, err := c.ListMachines(ctx, ListMachinesRequest{}); return err }},
		{name: "update", answer: machine, method: "PATCH", path: "/v1/machines/" + testMachineID, body: `{"name":"n","default_token_ttl":60}`,
			call: func(c *Client) error {
				m, err := c.UpdateMachine(ctx, testMachineID, UpdateMachineRequest{Name: ptr("n"), DefaultTokenTTL: ptr(int64(60))})
				if err == nil && m.Created().UnixMilli() != 1716879600000 {
					t.Errorf("created = %v", m.Created())
				}
				return err
			}},
		{name: "update the name only", answer: machine, method: "PATCH", path: "/v1/machines/" + testMachineID, body: `{"name":"n"}`,
			call: func(c *Client) error {
				_, err := c.UpdateMachine(ctx, testMachineID, UpdateMachineRequest{Name: ptr("n")})
				return err
			}},
		{name: "secret key", answer: secret, method: "GET", path: "/v1/machines/" + testMachineID + "/secret_key",
			call: func(c *Client) error {
				k, err := c.GetMachineSecretKey(ctx, testMachineID)
				if err == nil && k != testMachineKey {
					t.Errorf("key = %q", k)
				}
				return err
			}},
		{name: "rotate", answer: secret, method: "POST", path: "/v1/machines/" + testMachineID + "/secret_key/rotate", body: `{"previous_token_ttl":0}`,
			call: func(c *Client) error {
				k, err := c.RotateMachineSecretKey(ctx, testMachineID, 0)
				if err == nil && k != testMachineKey {
					t.Errorf("key = %q", k)
				}
				return err
			}},
		{name: "rotate with an overlap", answer: secret, method: "POST", path: "/v1/machines/" + testMachineID + "/secret_key/rotate", body: `{"previous_token_ttl":600}`,
			call: func(c *Client) error { _, err := c.RotateMachineSecretKey(ctx, testMachineID, 600); return err }},
		{name: "create scope", answer: scope, method: "POST", path: "/v1/machines/" + testMachineID + "/scopes", body: `{"to_machine_id":"` + testOtherMachineID + `"}`,
			call: func(c *Client) error {
				s, err := c.CreateMachineScope(ctx, testMachineID, testOtherMachineID)
				if err == nil && (s.FromMachineID != testMachineID || s.ToMachineID != testOtherMachineID || s.CreatedAt != 5) {
					t.Errorf("scope = %+v", s)
				}
				return err
			}},
		{name: "delete scope", answer: `{"object":"machine_scope","from_machine_id":"a","to_machine_id":"b","deleted":true}`, method: "DELETE",
			path: "/v1/machines/" + testMachineID + "/scopes/" + testOtherMachineID,
			call: func(c *Client) error { return c.DeleteMachineScope(ctx, testMachineID, testOtherMachineID) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, reply(http.StatusOK, tc.answer))
			if err := tc.call(newTestClient(t, srv.URL)); err != nil {
				t.Fatal(err)
			}
			req := srv.last(t)
			if req.Method != tc.method || req.Path != tc.path || req.Query != tc.query || req.Body != tc.body {
				t.Errorf("request = %s %s?%s %s\nwant      %s %s?%s %s", req.Method, req.Path, req.Query, req.Body, tc.method, tc.path, tc.query, tc.body)
			}
			if req.Header.Get("Authorization") != "Bearer "+testSecretKey {
				t.Error("the call did not use the instance key")
			}
		})
	}
}

// A rotation or a scope whose answer is lost is not sent again: repeating
// either would not be the same request twice. Reads and the other writes,
// which are, are retried.
func TestMachineWritesThatMustNotRepeat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for name, call := range map[string]func(c *Client) error{
		"rotate": func(c *Client) error { _, err := c.RotateMachineSecretKey(ctx, testMachineID, 60); return err },
		"create scope": func(c *Client) error {
			_, err := c.CreateMachineScope(ctx, testMachineID, testOtherMachineID)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, dropConnection)
			err := call(newTestClient(t, srv.URL))
			if !IsAmbiguous(err) {
				t.Errorf("err = %v, want an ambiguous error", err)
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	srv := newServer(t, clerkError(http.StatusInternalServerError, "internal_clerk_error"), reply(http.StatusOK, `{"object":"machine_secret_key","secret":"`+testMachineKey+`"}`))
	if _, err := newTestClient(t, srv.URL).GetMachineSecretKey(ctx, testMachineID); err != nil {
		t.Errorf("get secret key after a 500: %v", err)
	}
}

// Without the instance key no machine call is sent, and the error names the
// setting to set.
func TestMachineCallsNeedTheInstanceKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL, func(c *Config) { c.ClerkSecretKey = "" })
	ctx := t.Context()
	for name, call := range map[string]func() error{
		"list":         func() error { _, err := c.ListMachines(ctx, ListMachinesRequest{}); return err },
		"update":       func() error { _, err := c.UpdateMachine(ctx, testMachineID, UpdateMachineRequest{}); return err },
		"secret key":   func() error { _, err := c.GetMachineSecretKey(ctx, testMachineID); return err },
		"rotate":       func() error { _, err := c.RotateMachineSecretKey(ctx, testMachineID, 0); return err },
		"create scope": func() error { _, err := c.CreateMachineScope(ctx, testMachineID, testOtherMachineID); return err },
		"delete scope": func() error { return c.DeleteMachineScope(ctx, testMachineID, testOtherMachineID) },
	} {
		var missing *MissingCredentialError
		if err := call(); !errors.As(err, &missing) || missing.Attribute != "clerk.secret_key" || missing.EnvVar != "CLERK_SECRET_KEY" {
			t.Errorf("%s: err = %v, want a missing clerk.secret_key", name, err)
		}
	}
	// Ids go into paths: a bad one is refused before anything is sent.
	for _, id := range []string{"a/b", "..", "%2F", ""} {
		if err := c.DeleteMachineScope(ctx, testMachineID, id); err == nil {
			t.Errorf("delete scope of %q: no error", id)
		}
		if _, err := c.RotateMachineSecretKey(ctx, id, 0); err == nil {
			t.Errorf("rotate %q: no error", id)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
