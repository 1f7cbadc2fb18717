package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What machineauth_m2m_client shares with its data source, list resource,
// action and token: the client's fields as Terraform shows them, the ids
// the provider makes, and the rotation calls.

const (
	m2mStatusActive   = "active"
	m2mStatusInactive = "inactive"
)

// m2mClientFields are a client's writable fields.
type m2mClientFields struct {
	ClientName        types.String `tfsdk:"client_name"`
	ClientDescription types.String `tfsdk:"client_description"`
	Scopes            types.Set    `tfsdk:"scopes"`
	TrustedMetadata   types.String `tfsdk:"trusted_metadata"`
	Status            types.String `tfsdk:"status"`
}

var m2mClientFieldDocs = map[string]string{
	"client_name":        "A name for the client.",
	"client_description": "A description of the client.",
	"scopes": "The scopes the client may ask for, at least one: its access tokens carry those it asks for, all of them by default. " +
		"A scope holds no spaces.",
	"trusted_metadata": "Application data about the client: a JSON object as a string, best written with `jsonencode({ team = \"payments\" })`. " +
		"Whitespace and key order make no difference.",
	"status": "`active`, or `inactive`: the kill switch. An inactive client gets no new access tokens, while those already issued " +
		"stay valid until they expire (an hour).",
}

// update is every writable field as Stytch takes them; trusted_metadata in
// canonical form, so two spellings of it compare equal.
func (f *m2mClientFields) update(ctx context.Context, diags *diag.Diagnostics) client.UpdateM2MClientRequest {
	var scopes []string
	diags.Append(f.Scopes.ElementsAs(ctx, &scopes, false)...)
	slices.Sort(scopes)
	req := client.UpdateM2MClientRequest{
		ClientName:        f.ClientName.ValueString(),
		ClientDescription: f.ClientDescription.ValueString(),
		Status:            m2mStatusActive,
		Scopes:            scopes,
		TrustedMetadata:   json.RawMessage("{}"),
	}
	if !f.Status.IsNull() && !f.Status.IsUnknown() {
		req.Status = f.Status.ValueString()
	}
	if !f.TrustedMetadata.IsNull() && !f.TrustedMetadata.IsUnknown() {
		obj, _ := parseJSONObject(f.TrustedMetadata.ValueString()) // validated
		req.TrustedMetadata = json.RawMessage(marshalClaims(obj))
	}
	return req
}

// set records what Stytch says of the client. trusted_metadata keeps the
// prior spelling when it is the same JSON, and an empty object is null.
func (f *m2mClientFields) set(ctx context.Context, c *client.M2MClient, diags *diag.Diagnostics) {
	scopes, d := types.SetValueFrom(ctx, types.StringType, nonNilStrings(c.Scopes))
	diags.Append(d...)
	f.Scopes = scopes
	f.ClientName = stringOrNull(c.ClientName)
	f.ClientDescription = stringOrNull(c.ClientDescription)
	f.Status = types.StringValue(c.Status)
	got := strings.TrimSpace(string(c.TrustedMetadata))
	switch {
	case got == "" || got == "null" || got == "{}":
		f.TrustedMetadata = types.StringNull()
	case !f.TrustedMetadata.IsNull() && !f.TrustedMetadata.IsUnknown() && sameJSONObject(f.TrustedMetadata.ValueString(), got):
	default:
		f.TrustedMetadata = types.StringValue(canonicalJSON(c.TrustedMetadata))
	}
}

// checkClientID refuses what cannot be a client id in a request path.
// Stytch takes client ids of a caller's choosing, so no shape beyond that
// is required.
func checkClientID(id string) string {
	switch {
	case id == "":
		return "a client id must not be empty."
	case id == "." || strings.Contains(id, ".."), strings.ContainsAny(id, "/\\%?# "):
		return fmt.Sprintf("%q is not a client id: it must not contain '/', '\\\\', '%%', '?', '#', spaces or \"..\".", client.Redact(id))
	}
	return ""
}

var clientIDValidator = stringCheck{description: "a client id", check: checkClientID}

// newM2MClientID makes a client_id of the shape Stytch gives them, for the
// project's environment: choosing it is what lets a create whose answer
// was lost be looked up.
func newM2MClientID(projectID string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating the client id: %w", err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	env := "test"
	if strings.HasPrefix(projectID, "project-live-") {
		env = "live"
	}
	return "m2m-client-" + env + "-" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// newClientSecret is 256 random bits, URL-safe: the secret the provider
// chooses for a new client, so a create whose answer was lost leaves no
// secret unknown.
func newClientSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating the client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// m2mClientRotator makes the rotation calls of M2M clients.
type m2mClientRotator struct{ c *client.Client }

func (m2mClientRotator) kind() string { return m2mClientKind.name }

func (r m2mClientRotator) start(ctx context.Context, id string) (string, error) {
	c, err := r.c.RotateM2MClientSecret(ctx, id, client.RotationStart)
	if err != nil {
		return "", err
	}
	return c.NextClientSecret, nil
}

func (r m2mClientRotator) complete(ctx context.Context, id string) error {
	_, err := r.c.RotateM2MClientSecret(ctx, id, client.RotationComplete)
	return err
}

func (r m2mClientRotator) cancel(ctx context.Context, id string) error {
	_, err := r.c.RotateM2MClientSecret(ctx, id, client.RotationCancel)
	return err
}

func (r m2mClientRotator) status(ctx context.Context, id string) (secretStatus, error) {
	c, err := r.c.GetM2MClient(ctx, id)
	if err != nil {
		return secretStatus{}, err
	}
	return m2mSecretStatus(c), nil
}

func m2mSecretStatus(c *client.M2MClient) secretStatus {
	return secretStatus{lastFour: c.ClientSecretLastFour, nextLastFour: c.NextClientSecretLastFour}
}
