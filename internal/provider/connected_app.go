package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What machineauth_connected_app shares with its data source, list
// resource and ephemeral secret: the client's fields as Terraform shows
// them, and their words; and the data source and the ephemeral secret
// themselves, below.

var connectedAppClientTypes = []string{"first_party", "first_party_public", "third_party", "third_party_public"}

const defaultAccessTokenExpiryMinutes = 60

// connectedAppFields are the client's type and writable fields.
type connectedAppFields struct {
	ClientType                    types.String `tfsdk:"client_type"`
	ClientName                    types.String `tfsdk:"client_name"`
	ClientDescription             types.String `tfsdk:"client_description"`
	RedirectURLs                  types.List   `tfsdk:"redirect_urls"`
	PostLogoutRedirectURLs        types.List   `tfsdk:"post_logout_redirect_urls"`
	FullAccessAllowed             types.Bool   `tfsdk:"full_access_allowed"`
	AccessTokenExpiryMinutes      types.Int64  `tfsdk:"access_token_expiry_minutes"`
	AccessTokenCustomAudience     types.String `tfsdk:"access_token_custom_audience"`
	AccessTokenTemplateContent    types.String `tfsdk:"access_token_template_content"`
	LogoURL                       types.String `tfsdk:"logo_url"`
	BypassConsentForOfflineAccess types.Bool   `tfsdk:"bypass_consent_for_offline_access"`
}

var connectedAppFieldDocs = map[string]string{
	"client_type": "`first_party`, `first_party_public`, `third_party` or `third_party_public`. Confidential types (without `_public`) " +
		"get a client secret; public ones (a single-page or mobile app) have none and must use PKCE.",
	"client_name":                  "The name members see on the consent screen.",
	"client_description":           "A description members see on the consent screen.",
	"redirect_urls":                "Where authorization codes may be sent: https URLs, or http to a loopback host (127.0.0.0/8, ::1, localhost); no fragment.",
	"post_logout_redirect_urls":    "Where OpenID Connect logout may send the member, under the same rules as `redirect_urls`.",
	"full_access_allowed":          "First-party clients only: whether a token granted to this client can be exchanged for a full Stytch session.",
	"access_token_expiry_minutes":  "Lifetime of the access tokens issued to this client, in minutes.",
	"access_token_custom_audience": "An audience for the access tokens in place of the project id.",
	"access_token_template_content": "The custom claims template of the access tokens, as Stytch's dashboard takes it " +
		"(a JSON object that may hold template expressions).",
	"logo_url":                          "The logo shown on the consent screen: an https URL.",
	"bypass_consent_for_offline_access": "First-party clients only: whether `offline_access` is granted without asking the member.",
}

// request is the writable fields as Stytch takes them.
func (f *connectedAppFields) request(ctx context.Context, diags *diag.Diagnostics) client.ConnectedAppClientFields {
	list := func(l types.List) []string {
		var out []string
		if !l.IsNull() && !l.IsUnknown() {
			diags.Append(l.ElementsAs(ctx, &out, false)...)
		}
		return out
	}
	expiry := int64(defaultAccessTokenExpiryMinutes)
	if !f.AccessTokenExpiryMinutes.IsNull() && !f.AccessTokenExpiryMinutes.IsUnknown() {
		expiry = f.AccessTokenExpiryMinutes.ValueInt64()
	}
	return client.ConnectedAppClientFields{
		ClientName:                    f.ClientName.ValueString(),
		ClientDescription:             f.ClientDescription.ValueString(),
		RedirectURLs:                  list(f.RedirectURLs),
		PostLogoutRedirectURLs:        list(f.PostLogoutRedirectURLs),
		FullAccessAllowed:             f.FullAccessAllowed.ValueBool(),
		AccessTokenExpiryMinutes:      expiry,
		AccessTokenCustomAudience:     f.AccessTokenCustomAudience.ValueString(),
		AccessTokenTemplateContent:    f.AccessTokenTemplateContent.ValueString(),
		LogoURL:                       f.LogoURL.ValueString(),
		BypassConsentForOfflineAccess: f.BypassConsentForOfflineAccess.ValueBool(),
	}
}

// set records what Stytch says of the client: an empty string is null, as
// the optional arguments are when unset.
func (f *connectedAppFields) set(ctx context.Context, a *client.ConnectedAppClient, diags *diag.Diagnostics) {
	list := func(s []string) types.List {
		v, d := types.ListValueFrom(ctx, types.StringType, nonNilStrings(s))
		diags.Append(d...)
		return v
	}
	f.ClientType = types.StringValue(a.ClientType)
	f.ClientName = types.StringValue(a.ClientName)
	f.ClientDescription = stringOrNull(a.ClientDescription)
	f.RedirectURLs = list(a.RedirectURLs)
	f.PostLogoutRedirectURLs = list(a.PostLogoutRedirectURLs)
	f.FullAccessAllowed = types.BoolValue(a.FullAccessAllowed)
	f.AccessTokenExpiryMinutes = types.Int64Value(a.AccessTokenExpiryMinutes)
	f.AccessTokenCustomAudience = stringOrNull(a.AccessTokenCustomAudience)
	f.AccessTokenTemplateContent = stringOrNull(a.AccessTokenTemplateContent)
	f.LogoURL = stringOrNull(a.LogoURL)
	f.BypassConsentForOfflineAccess = types.BoolValue(a.BypassConsentForOfflineAccess)
}

func publicClientType(t string) bool { return strings.HasSuffix(t, "_public") }

// checkLogoURL wants an absolute https URL: the consent screen loads it in
// members' browsers.
func checkLogoURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute https URL.", raw)
	}
	return ""
}

// connectedAppRotator makes the rotation calls of connected-app clients.
type connectedAppRotator struct{ c *client.Client }

func (connectedAppRotator) kind() string { return connectedAppKind.name }

func (r connectedAppRotator) start(ctx context.Context, id string) (string, error) {
	a, err := r.c.StartConnectedAppSecretRotation(ctx, id)
	if err != nil {
		return "", err
	}
	return a.NextClientSecret, nil
}

func (r connectedAppRotator) complete(ctx context.Context, id string) (secretStatus, error) {
	a, err := r.c.CompleteConnectedAppSecretRotation(ctx, id)
	if err != nil {
		return secretStatus{}, err
	}
	return appSecretStatus(a), nil
}

func (r connectedAppRotator) cancel(ctx context.Context, id string) (secretStatus, error) {
	a, err := r.c.CancelConnectedAppSecretRotation(ctx, id)
	if err != nil {
		return secretStatus{}, err
	}
	return appSecretStatus(a), nil
}

func (r connectedAppRotator) status(ctx context.Context, id string) (secretStatus, error) {
	a, err := r.c.GetConnectedAppClient(ctx, id)
	if err != nil {
		return secretStatus{}, err
	}
	return appSecretStatus(a), nil
}

func appSecretStatus(a *client.ConnectedAppClient) secretStatus {
	return secretStatus{lastFour: a.ClientSecretLastFour, nextLastFour: a.NextClientSecretLastFour}
}

// NewConnectedAppDataSource is the machineauth_connected_app data source.
func NewConnectedAppDataSource() datasource.DataSource {
	return &dataSource[connectedAppDataModel]{name: "_connected_app", schema: connectedAppDataSourceSchema, read: readConnectedApp}
}

type connectedAppDataModel struct {
	ClientID types.String `tfsdk:"client_id"`
	connectedAppFields
	clientSecretStatus
}

func connectedAppDataSourceSchema() schema.Schema {
	attrs := map[string]schema.Attribute{
		"client_id": schema.StringAttribute{
			MarkdownDescription: "The connected app's client_id (`connected-app-test-...` or `connected-app-live-...`).",
			Required:            true,
			Validators:          []validator.String{connectedAppIDPattern.validator()},
		},
		"client_secret_last_four": schema.StringAttribute{
			MarkdownDescription: "The last four characters of the client secret; null for public clients. Stytch never shows a secret again.",
			Computed:            true,
		},
		"secret_rotation_pending": secretRotationPendingAttribute,
	}
	for name, doc := range connectedAppFieldDocs {
		switch name {
		case "redirect_urls", "post_logout_redirect_urls":
			attrs[name] = schema.ListAttribute{MarkdownDescription: doc, Computed: true, ElementType: types.StringType}
		case "full_access_allowed", "bypass_consent_for_offline_access":
			attrs[name] = schema.BoolAttribute{MarkdownDescription: doc, Computed: true}
		case "access_token_expiry_minutes":
			attrs[name] = schema.Int64Attribute{MarkdownDescription: doc, Computed: true}
		default:
			attrs[name] = schema.StringAttribute{MarkdownDescription: doc, Computed: true}
		}
	}
	return schema.Schema{
		MarkdownDescription: "Looks up a Stytch connected-app client by its `client_id`: its type, redirect URLs, token settings and " +
			"whether a secret rotation is under way, for example to check a `machineauth_connected_app_authorization`'s `redirect_uri` " +
			"against an app managed elsewhere. One read per plan. The secret is never shown: Stytch shows it only when it issues it.",
		Attributes: attrs,
	}
}

func readConnectedApp(ctx context.Context, data *providerData, m *connectedAppDataModel, diags *diag.Diagnostics) {
	app := lookUpStytchClient(ctx, data.client.GetConnectedAppClient, "connected app", m.ClientID.ValueString(), diags)
	if app == nil {
		return
	}
	m.set(ctx, app, diags)
	m.setSecret(app.ClientSecretLastFour, app.NextClientSecretLastFour)
}

// NewConnectedAppSecretEphemeralResource is the ephemeral
// machineauth_connected_app_secret.
func NewConnectedAppSecretEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[connectedAppSecretModel]{name: "_connected_app_secret", schema: connectedAppSecretSchema, open: openConnectedAppSecret}
}

type connectedAppSecretModel struct {
	ClientID         types.String `tfsdk:"client_id"`
	ClientSecret     types.String `tfsdk:"client_secret"`
	NextClientSecret types.String `tfsdk:"next_client_secret"`
	Secret           types.String `tfsdk:"secret"`
	RotationPending  types.Bool   `tfsdk:"rotation_pending"`
	SecretLastFour   types.String `tfsdk:"secret_last_four"`
}

func connectedAppSecretSchema() ephemeralschema.Schema {
	return ephemeralschema.Schema{
		MarkdownDescription: "The client secret a consumer of a Stytch connected app should use right now, for one run and never in plan or " +
			"state (Terraform 1.10 or later): the pending rotation's next secret while one is under way, else the current one. " +
			"Feed it to write-only arguments such as a `machineauth_connected_app_authorization`'s `client_secret_wo`, or to a " +
			"secret manager's write-only value, and the consumer follows a rotation without its configuration changing.\n\n" +
			"Stytch never shows a secret again, so the candidates come in: a `machineauth_connected_app`'s `client_secret` and " +
			"`next_client_secret`, or the values a secret manager holds. The provider reads the client once and picks the candidate " +
			"whose last four characters are those Stytch reports for its pending or current secret; none matching is an error, " +
			"since a consumer would then be handed a secret Stytch refuses.",
		Attributes: map[string]ephemeralschema.Attribute{
			"client_id": ephemeralschema.StringAttribute{
				MarkdownDescription: "The connected app's client_id.",
				Required:            true,
				Validators:          []validator.String{connectedAppIDPattern.validator()},
			},
			"client_secret": ephemeralschema.StringAttribute{
				MarkdownDescription: "The secret believed current, such as `machineauth_connected_app.<name>.client_secret`.",
				Required:            true,
				Sensitive:           true,
			},
			"next_client_secret": ephemeralschema.StringAttribute{
				MarkdownDescription: "The secret a pending rotation issued, such as `machineauth_connected_app.<name>.next_client_secret`; null when none.",
				Optional:            true,
				Sensitive:           true,
			},
			"secret": ephemeralschema.StringAttribute{
				MarkdownDescription: "The secret to use: `next_client_secret` while Stytch holds a rotation of it pending, else `client_secret`, " +
					"or `next_client_secret` again when Stytch says the rotation was completed and the state has not caught up yet.",
				Computed:  true,
				Sensitive: true,
			},
			"rotation_pending": ephemeralschema.BoolAttribute{
				MarkdownDescription: "Whether Stytch holds a secret rotation pending.",
				Computed:            true,
			},
			"secret_last_four": ephemeralschema.StringAttribute{
				MarkdownDescription: "The last four characters of `secret`.",
				Computed:            true,
			},
		},
	}
}

func openConnectedAppSecret(ctx context.Context, data *providerData, m *connectedAppSecretModel, private privateStateWriter, diags *diag.Diagnostics) {
	id := m.ClientID.ValueString()
	app, err := data.client.GetConnectedAppClient(ctx, id)
	if err != nil {
		addClientError(diags, "Unable to read connected app "+id, err)
		return
	}
	secret, problem := pickSecret(appSecretStatus(app), m.ClientSecret.ValueString(), m.NextClientSecret.ValueString())
	if problem != "" {
		diags.AddAttributeError(path.Root("client_secret"), "No usable secret for connected app "+id, problem)
		return
	}
	m.Secret = types.StringValue(secret)
	m.SecretLastFour = types.StringValue(lastFourOf(secret))
	m.RotationPending = types.BoolValue(app.NextClientSecretLastFour != nil)
}

// pickSecret chooses among the candidates by the last four characters
// Stytch reports: Stytch's pending next secret first, since it outlives the
// current one.
func pickSecret(st secretStatus, current, next string) (string, string) {
	if st.lastFour == "" {
		return "", "the client has no secret: it is a public client."
	}
	// Either candidate may be Stytch's pending one: a plan that completes
	// a rotation already gives the next secret as client_secret.
	for _, s := range []string{next, current} {
		if st.nextLastFour != nil && s != "" && lastFourOf(s) == *st.nextLastFour {
			return s, ""
		}
	}
	for _, s := range []string{current, next} {
		if s != "" && lastFourOf(s) == st.lastFour {
			return s, ""
		}
	}
	return "", fmt.Sprintf("Stytch's current secret ends in %s, and neither secret given does: the secret was changed outside Terraform, "+
		"or the values given are stale. Rotate it with secret_rotation_triggers to get one Terraform knows.", st.lastFour)
}
