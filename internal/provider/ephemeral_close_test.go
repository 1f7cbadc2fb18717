package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The ephemeral token's Open and Close, driven through the protocol as
// Terraform drives them, so a test sees what Terraform never shows: the
// private data Open hands Close, and each call's own diagnostics.

// protoServer is a configured provider server; provider holds the
// provider block's attributes and blocks (nested maps), nulls for the rest.
type protoServer struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

func newProtoServer(t *testing.T, provider map[string]any) *protoServer {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	p := &protoServer{t: t, server: server, schema: schema}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: p.value(schema.Provider, provider)})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("configure", resp.Diagnostics)
	return p
}

// value is a configuration of schema with vals set and the rest null.
func (p *protoServer) value(schema *tfprotov6.Schema, vals map[string]any) *tfprotov6.DynamicValue {
	p.t.Helper()
	typ := schema.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, objectValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

func objectValue(typ tftypes.Type, vals map[string]any) tftypes.Value {
	obj := typ.(tftypes.Object)
	out := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		switch v := vals[name].(type) {
		case nil:
			out[name] = tftypes.NewValue(at, nil)
		case map[string]any:
			out[name] = objectValue(at, v)
		default:
			out[name] = tftypes.NewValue(at, v)
		}
	}
	return tftypes.NewValue(obj, out)
}

func (p *protoServer) noErrors(call string, diags []*tfprotov6.Diagnostic) {
	p.t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			p.t.Fatalf("%s: %s: %s", call, d.Summary, d.Detail)
		}
	}
}

// open opens an ephemeral machineauth_m2m_token configured with vals and
// returns its id and the private data handed to Close.
func (p *protoServer) open(vals map[string]any) (id string, private []byte) {
	p.t.Helper()
	schema := p.schema.EphemeralResourceSchemas["machineauth_m2m_token"]
	resp, err := p.server.OpenEphemeralResource(context.Background(), &tfprotov6.OpenEphemeralResourceRequest{
		TypeName: "machineauth_m2m_token", Config: p.value(schema, vals),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("open", resp.Diagnostics)
	result, err := resp.Result.Unmarshal(schema.ValueType())
	if err != nil {
		p.t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := result.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	if err := attrs["id"].As(&id); err != nil {
		p.t.Fatal(err)
	}
	return id, resp.Private
}

// close closes it and returns the warnings; an error fails the test.
func (p *protoServer) close(private []byte) []string {
	p.t.Helper()
	resp, err := p.server.CloseEphemeralResource(context.Background(), &tfprotov6.CloseEphemeralResourceRequest{
		TypeName: "machineauth_m2m_token", Private: private,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("close", resp.Diagnostics)
	var warnings []string
	for _, d := range resp.Diagnostics {
		warnings = append(warnings, d.Summary+": "+d.Detail)
	}
	return warnings
}

// privateValues decodes the framework's private data: a JSON object of
// base64 values. A change of that encoding fails here, loudly.
func privateValues(t *testing.T, private []byte) []string {
	t.Helper()
	var m map[string][]byte
	if err := json.Unmarshal(private, &m); err != nil {
		t.Fatalf("private data %q does not decode: %v", private, err)
	}
	var out []string
	for _, v := range m {
		out = append(out, string(v))
	}
	return out
}

// clerkProvider is the provider block's Clerk settings for srv, less the
// named keys.
func clerkProvider(srv *emulator.Server, without ...string) map[string]any {
	info := srv.Info()
	clerk := map[string]any{
		"api_url":            info.ClerkAPIURL,
		"secret_key":         info.ClerkSecretKey,
		"machine_secret_key": info.Fixture.ClerkMachineSecretKey,
	}
	for _, k := range without {
		delete(clerk, k)
	}
	return map[string]any{"max_retry_wait": "50ms", "clerk": clerk}
}

// Close revokes with the reason configured, using the instance key when
// the provider has one: the private data then holds no key at all; a
// token's own machine key is kept only when nothing else could revoke it.
func TestM2MTokenEphemeralCloseRevokesWithTheKeyItKeeps(t *testing.T) {
	for _, tc := range []struct {
		name        string
		without     []string
		ownKey      bool
		wantKeyKept bool
	}{
		{name: "provider keys"},
		{name: "own machine key, instance key", ownKey: true},
		{name: "own machine key, no instance key", without: []string{"secret_key", "machine_secret_key"}, ownKey: true, wantKeyKept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Options{})
			fx := srv.Info().Fixture
			p := newProtoServer(t, clerkProvider(srv, tc.without...))
			vals := map[string]any{"revocation_reason": "run over"}
			if tc.ownKey {
				vals["machine_secret_key"] = fx.ClerkMachineSecretKey
			}
			id, private := p.open(vals)
			kept := false
			for _, v := range privateValues(t, private) {
				kept = kept || strings.Contains(v, fx.ClerkMachineSecretKey) || strings.Contains(v, srv.Info().ClerkSecretKey)
			}
			if kept != tc.wantKeyKept {
				t.Errorf("private data keeps a key: %v, want %v", kept, tc.wantKeyKept)
			}
			if tok, _ := srv.M2MToken(id); tok.Revoked {
				t.Fatalf("token %s revoked before Close", id)
			}
			if w := p.close(private); len(w) != 0 {
				t.Errorf("close warned: %q", w)
			}
			tok, _ := srv.M2MToken(id)
			if !tok.Revoked || deref(tok.RevocationReason) != `"run over"` {
				t.Fatalf("token %s after Close: revoked %v with %s, want revoked with \"run over\"", id, tok.Revoked, deref(tok.RevocationReason))
			}
		})
	}
}

// A revoke that fails on Close is a warning that names the token and says
// it stays valid, never an error: the run has done its work. Here the key
// kept for Close was rotated out in between.
func TestM2MTokenEphemeralCloseFailureIsAWarning(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	p := newProtoServer(t, clerkProvider(srv, "secret_key", "machine_secret_key"))
	id, private := p.open(map[string]any{"machine_secret_key": fx.ClerkMachineSecretKey})
	if _, err := verificationClient(t, srv).RotateMachineSecretKey(t.Context(), fx.ClerkMachineID, 0); err != nil {
		t.Fatal(err)
	}

	w := p.close(private)
	if len(w) != 1 || !strings.Contains(w[0], "Unable to revoke M2M token "+id) || !strings.Contains(w[0], "stays valid until it expires") {
		t.Fatalf("close warnings %q, want one naming %s and saying it stays valid", w, id)
	}
	if tok, _ := srv.M2MToken(id); tok.Revoked {
		t.Fatalf("token %s revoked although the revoke failed", id)
	}
}

// A JWT cannot be revoked: Close says it stays valid and sends nothing.
func TestM2MTokenEphemeralCloseOfAJWTWarnsAndSendsNothing(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	p := newProtoServer(t, clerkProvider(srv))
	id, private := p.open(map[string]any{"token_format": tokenFormatJWT})
	before := srv.Stats().TotalRequests

	w := p.close(private)
	if len(w) != 1 || !strings.Contains(w[0], "JWT-format M2M token "+id+" stays valid until it expires") {
		t.Fatalf("close warnings %q, want one that JWT %s stays valid", w, id)
	}
	if n := srv.Stats().TotalRequests - before; n != 0 {
		t.Fatalf("close of a JWT sent %d requests", n)
	}
}
