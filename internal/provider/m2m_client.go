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
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// What machineauth_m2m_client shares with its data source, list resource,
// action and token: the client's fields as Terraform shows them, the ids
// the provider makes, and the rotation calls; and the data source and the
// ephemeral token themselves, below.

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

func (r m2mClientRotator) complete(ctx context.Context, id string) (secretStatus, error) {
	c, err := r.c.RotateM2MClientSecret(ctx, id, client.RotationComplete)
	if err != nil {
		return secretStatus{}, err
	}
	return m2mSecretStatus(&c.M2MClient), nil
}

func (r m2mClientRotator) cancel(ctx context.Context, id string) (secretStatus, error) {
	c, err := r.c.RotateM2MClientSecret(ctx, id, client.RotationCancel)
	if err != nil {
		return secretStatus{}, err
	}
	return m2mSecretStatus(&c.M2MClient), nil
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

// NewM2MClientDataSource is the machineauth_m2m_client data source.
func NewM2MClientDataSource() datasource.DataSource {
	return &dataSource[m2mClientDataModel]{name: "_m2m_client", schema: m2mClientDataSourceSchema, read: readM2MClient}
}

type m2mClientDataModel struct {
	ClientID types.String `tfsdk:"client_id"`
	m2mClientFields
	clientSecretStatus
}

func m2mClientDataSourceSchema() schema.Schema {
	docs := m2mClientFieldDocs
	return schema.Schema{
		MarkdownDescription: "Looks up a Stytch M2M client by its `client_id`: its scopes, status and metadata, and whether a secret rotation " +
			"is under way, for example to check in a `check` block that a client other teams manage is still active. One read per plan. " +
			"The secret is never shown: Stytch shows it only when it issues it.",
		Attributes: map[string]schema.Attribute{
			"client_id":          schema.StringAttribute{MarkdownDescription: "The M2M client's client_id.", Required: true, Validators: []validator.String{clientIDValidator}},
			"client_name":        schema.StringAttribute{MarkdownDescription: docs["client_name"], Computed: true},
			"client_description": schema.StringAttribute{MarkdownDescription: docs["client_description"], Computed: true},
			"scopes":             schema.SetAttribute{MarkdownDescription: docs["scopes"], Computed: true, ElementType: types.StringType},
			"trusted_metadata":   schema.StringAttribute{MarkdownDescription: docs["trusted_metadata"], Computed: true},
			"status":             schema.StringAttribute{MarkdownDescription: docs["status"], Computed: true},
			"client_secret_last_four": schema.StringAttribute{
				MarkdownDescription: "The last four characters of the client secret.",
				Computed:            true,
			},
			"secret_rotation_pending": secretRotationPendingAttribute,
		},
	}
}

func readM2MClient(ctx context.Context, data *providerData, m *m2mClientDataModel, diags *diag.Diagnostics) {
	c := lookUpStytchClient(ctx, data.client.GetM2MClient, "M2M client", m.ClientID.ValueString(), diags)
	if c == nil {
		return
	}
	m.set(ctx, c, diags)
	m.setSecret(c.ClientSecretLastFour, c.NextClientSecretLastFour)
}

// openClientTokenKey holds, in private data, what Close logs.
const openClientTokenKey = "m2m_client_token" //nolint:gosec // G101: the name of a private-state key, not a credential

// NewM2MClientTokenEphemeralResource is the ephemeral
// machineauth_m2m_client_token.
func NewM2MClientTokenEphemeralResource() ephemeral.EphemeralResource {
	return &closingEphemeralResource[m2mClientTokenModel]{
		ephemeralResource: ephemeralResource[m2mClientTokenModel]{name: "_m2m_client_token", schema: m2mClientTokenSchema, open: openM2MClientToken},
		close:             closeM2MClientToken,
	}
}

type m2mClientTokenModel struct {
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	Scopes       types.Set    `tfsdk:"scopes"`
	AccessToken  types.String `tfsdk:"access_token"`
	TokenType    types.String `tfsdk:"token_type"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
}

type openClientToken struct {
	ClientID  string `json:"client_id"`
	ExpiresAt string `json:"expires_at"`
}

func m2mClientTokenSchema() ephemeralschema.Schema {
	return ephemeralschema.Schema{
		MarkdownDescription: "An access token for a Stytch M2M client, from the client_credentials grant, for one Terraform run and never " +
			"in plan or state (Terraform 1.10 or later). Terraform opens ephemeral resources during `terraform plan` too, so a plan gets " +
			"a token of its own.\n\n" +
			"**Stytch has no revoke for M2M access tokens**: closing this resource only logs, and the token stays valid until " +
			"`expires_at` (an hour). To stop a client's tokens early, set its `status = \"inactive\"` (or run the " +
			"`machineauth_deactivate_m2m_client` action), which stops new tokens, or rotate its secret; tokens already issued " +
			"still run out their hour, so verifiers that must cut off sooner should check `status` or keep lifetimes short.\n\n" +
			"A token request whose answer is lost is sent again: the lost token reached nobody. A client Stytch refuses, which an inactive one is " +
			"(with 401 `invalid_client` or 400 `unauthorized_client`: see " + assumptionsGuide + ", `inactive_m2m_client_token`), fails the run with " +
			"the way to keep a kill switch and this token in one configuration.",
		Attributes: map[string]ephemeralschema.Attribute{
			"client_id": ephemeralschema.StringAttribute{
				MarkdownDescription: "The M2M client's client_id, such as `machineauth_m2m_client.<name>.client_id`.",
				Required:            true,
				Validators:          []validator.String{clientIDValidator},
			},
			"client_secret": ephemeralschema.StringAttribute{
				MarkdownDescription: "The client's secret, such as `machineauth_m2m_client.<name>.client_secret` (during a rotation the next one works too).",
				Required:            true,
				Sensitive:           true,
			},
			"scopes": ephemeralschema.SetAttribute{
				MarkdownDescription: "The scopes to ask for, a subset of the client's. Unset: all of them. Either way, the scopes Stytch granted.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringCheck{description: "a scope token", check: checkScope}),
				},
			},
			"access_token": ephemeralschema.StringAttribute{MarkdownDescription: "The access token: an RS256 JWT signed by the project's keys.", Computed: true, Sensitive: true},
			"token_type":   ephemeralschema.StringAttribute{MarkdownDescription: "The token's type, `bearer`.", Computed: true},
			"expires_at": ephemeralschema.StringAttribute{
				MarkdownDescription: "When the token expires (RFC 3339): its `exp` claim, by Stytch's clock.",
				Computed:            true,
			},
		},
	}
}

func openM2MClientToken(ctx context.Context, data *providerData, m *m2mClientTokenModel, private privateStateWriter, diags *diag.Diagnostics) {
	var scopes []string
	if !m.Scopes.IsNull() {
		diags.Append(m.Scopes.ElementsAs(ctx, &scopes, false)...)
		slices.Sort(scopes)
	}
	id := m.ClientID.ValueString()
	tok, err := data.client.ClientCredentialsToken(ctx, client.CredentialsRequest{ClientID: id, ClientSecret: m.ClientSecret.ValueString(), Scopes: scopes})
	if err != nil {
		summary := "Unable to get an access token for M2M client " + id
		if code := client.ErrorCode(err); code == "invalid_client" || code == "unauthorized_client" {
			// Terraform opens this during plan and during apply: an
			// inactive client fails both, so say how to keep a kill
			// switch and this token in one configuration. How Stytch
			// refuses an inactive client is not documented: 401
			// invalid_client, or 400 unauthorized_client (assumption
			// inactive_m2m_client_token in the emulator assumptions
			// guide).
			diags.AddError(summary+": Stytch refused the client (unknown, a wrong secret, or inactive)",
				client.Redact(err.Error())+"\n\n"+inactiveClientHint)
			return
		}
		addClientError(diags, summary, err)
		return
	}
	m.AccessToken = types.StringValue(tok.AccessToken)
	m.TokenType = stringOrNull(tok.TokenType)
	if granted := strings.Fields(tok.Scope); len(granted) > 0 {
		v, d := types.SetValueFrom(ctx, types.StringType, granted)
		diags.Append(d...)
		m.Scopes = v
	}
	exp := tokenExpiry(tok, data.client.StytchNow)
	m.ExpiresAt = types.StringValue(exp.Format(time.RFC3339))
	b, _ := json.Marshal(openClientToken{ClientID: id, ExpiresAt: m.ExpiresAt.ValueString()}) // two strings always encode
	diags.Append(private.SetKey(ctx, openClientTokenKey, b)...)
}

// inactiveClientHint follows Stytch's refusal of a client, which an
// inactive client also gets.
const inactiveClientHint = "An inactive client gets no token, and Terraform opens this ephemeral resource during plan as well as apply. " +
	"A configuration that turns its client off must stop opening its token in the same change: give the token " +
	"count = 0 whenever the client's status is \"inactive\" (see \"Kill switch and token in one configuration\" on the " +
	"machineauth_m2m_client page). Turning it back on then works in one apply, if client_secret comes from the " +
	"machineauth_m2m_client resource: its client_secret is unknown at plan while it is being reactivated, so the token is " +
	"fetched during the apply, once the client is active."

// tokenExpiry is the token's exp claim, or failing that expires_in from
// Stytch's clock.
func tokenExpiry(tok *client.TokenResponse, stytchNow func() (time.Time, bool)) time.Time {
	if jwt, err := jwtverify.Parse(tok.AccessToken); err == nil {
		if exp, ok, err := jwt.TimeClaim("exp"); ok && err == nil {
			return exp.UTC()
		}
	}
	now, _ := stytchNow()
	return now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Truncate(time.Second)
}

// closeM2MClientToken only logs: Stytch offers no way to revoke an M2M access token.
func closeM2MClientToken(ctx context.Context, data *providerData, private privateState, diags *diag.Diagnostics) {
	raw, d := private.GetKey(ctx, openClientTokenKey)
	diags.Append(d...)
	var open openClientToken
	if len(raw) == 0 || json.Unmarshal(raw, &open) != nil {
		return
	}
	tflog.Info(ctx, "M2M client access token left to expire: Stytch has no revoke for it", map[string]any{
		"client_id": open.ClientID, "expires_at": open.ExpiresAt,
	})
}
