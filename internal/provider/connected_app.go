package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What machineauth_connected_app shares with its data source and list
// resource: the client's fields as Terraform shows them, and their words.

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

func (r connectedAppRotator) complete(ctx context.Context, id string) error {
	_, err := r.c.CompleteConnectedAppSecretRotation(ctx, id)
	return err
}

func (r connectedAppRotator) cancel(ctx context.Context, id string) error {
	_, err := r.c.CancelConnectedAppSecretRotation(ctx, id)
	return err
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
