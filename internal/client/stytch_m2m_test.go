package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

const testM2MJSON = `{"client_id":"m2m-client-test-1","client_name":"n","client_description":"","status":"active","scopes":["read"],` +
	`"trusted_metadata":{},"client_secret_last_four":"abcd","next_client_secret_last_four":null}`

func TestM2MClientCalls(t *testing.T) {
	t.Parallel()
	checkCalls(t, `{"status_code":200,"request_id":"`+testRequestID+`","m2m_client":`+testM2MJSON+`,"access_token":"x"}`, []callCase{
		{"create with a chosen id and secret", func(ctx context.Context, c *Client) error {
			_, err := c.CreateM2MClient(ctx, CreateM2MClientRequest{ClientID: "m2m-client-test-1", ClientSecret: "s3cr3t-s3cr3t", Scopes: []string{"read"}})
			return err
		}, "POST", "/v1/m2m/clients", `{"client_id":"m2m-client-test-1","client_secret":"s3cr3t-s3cr3t","client_name":"","client_description":"","scopes":["read"]}`},
		{"get", func(ctx context.Context, c *Client) error {
			_, err := c.GetM2MClient(ctx, "m2m-client-test-1")
			return err
		}, "GET", "/v1/m2m/clients/m2m-client-test-1", ""},
		{"update sends every field", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateM2MClient(ctx, "m2m-client-test-1", UpdateM2MClientRequest{Status: "inactive", Scopes: []string{"read"}})
			return err
		}, "PUT", "/v1/m2m/clients/m2m-client-test-1", `{"client_name":"","client_description":"","status":"inactive","scopes":["read"],"trusted_metadata":{}}`},
		{"delete", func(ctx context.Context, c *Client) error {
			return c.DeleteM2MClient(ctx, "m2m-client-test-1")
		}, "DELETE", "/v1/m2m/clients/m2m-client-test-1", ""},
		{"search", func(ctx context.Context, c *Client) error {
			_, err := c.SearchM2MClients(ctx, M2MSearchRequest{Query: &M2MSearchQuery{Operator: "OR", Operands: []M2MSearchOperand{{FilterName: "client_id", FilterValue: []string{"a"}}}}})
			return err
		}, "POST", "/v1/m2m/clients/search", `{"query":{"operator":"OR","operands":[{"filter_name":"client_id","filter_value":["a"]}]}}`},
		{"rotation cancel", func(ctx context.Context, c *Client) error {
			_, err := c.RotateM2MClientSecret(ctx, "m2m-client-test-1", RotationCancel)
			return err
		}, "POST", "/v1/m2m/clients/m2m-client-test-1/secrets/rotate/cancel", "{}"},
		{"client credentials", func(ctx context.Context, c *Client) error {
			_, err := c.ClientCredentialsToken(ctx, CredentialsRequest{ClientID: "m2m-client-test-1", ClientSecret: "s3cr3t-s3cr3t", Scopes: []string{"read", "write"}})
			return err
		}, "POST", "/v1/public/" + testProjectID + "/oauth2/token", `{"grant_type":"client_credentials","client_id":"m2m-client-test-1","client_secret":"s3cr3t-s3cr3t","scope":"read write"}`},
	}, nil)
}

// A create that got a 500 may have happened, so it is not repeated; a
// token request is: the lost token reached nobody.
func TestM2MClientRetries(t *testing.T) {
	t.Parallel()
	ok := reply(http.StatusOK, `{"request_id":"`+testRequestID+`","m2m_client":`+testM2MJSON+`,"access_token":"x","expires_in":3600}`)
	srv := newServer(t, stytchError(http.StatusInternalServerError, "internal_server_error"), ok)
	if _, err := newTestClient(t, srv.URL).CreateM2MClient(t.Context(), CreateM2MClientRequest{Scopes: []string{"read"}}); !IsAmbiguous(err) || srv.hits.Load() != 1 {
		t.Fatalf("create: %v after %d requests; want one request and an AmbiguousError", err, srv.hits.Load())
	}
	srv = newServer(t, stytchError(http.StatusInternalServerError, "internal_server_error"), ok)
	if _, err := newTestClient(t, srv.URL).ClientCredentialsToken(t.Context(), CredentialsRequest{ClientID: "a", ClientSecret: "b"}); err != nil || srv.hits.Load() != 2 {
		t.Fatalf("token: %v after %d requests; want the retry to succeed", err, srv.hits.Load())
	}
	var md map[string]any
	got, err := newTestClient(t, newServer(t, ok).URL).GetM2MClient(t.Context(), "m2m-client-test-1")
	if err != nil || json.Unmarshal(got.TrustedMetadata, &md) != nil || got.Scopes[0] != "read" {
		t.Fatalf("get: %+v, %v", got, err)
	}
}
