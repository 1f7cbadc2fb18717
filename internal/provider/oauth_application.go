package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What the machineauth_oauth_application resource, data source and list
// resource share: the limits of a Clerk OAuth application, the checks of
// its arguments, the words that describe it and how Clerk's answer
// becomes state; and the data source itself, below.

const (
	// oauthApplicationMaxName is Clerk's limit on a name.
	oauthApplicationMaxName = 256
	// oauthApplicationPageSize is Clerk's largest page of applications.
	oauthApplicationPageSize = 500
)

// oauthApplicationDefaultScopes are Clerk's, for an application created
// without scopes.
var oauthApplicationDefaultScopes = []string{"profile", "email"}

// oauthApplicationIDPattern is what the provider takes for an application
// id: Clerk's ids are word characters (oa_...), and the id goes into
// request paths. The reference gives no pattern, so nothing stricter.
var oauthApplicationIDPattern = regexp.MustCompile(`^\w{1,64}$`)

var (
	descOAuthAppID       = "Clerk's id of the OAuth application, which the Backend API names it by. Not a secret, and not its `client_id`."
	descOAuthAppName     = "The application's name, 1 to 256 characters, as Clerk's consent screen shows it to users. Clerk does not require names to be unique."
	descOAuthAppRedirect = "Where Clerk may send users back with an authorization code: absolute `https://` URLs, or `http://` on a loopback host " +
		"(`localhost`, `127.0.0.1`, `[::1]`) for local development, without a fragment. Unset: none, and no user can authorize the application."
	descOAuthAppScopes = "The scopes the application may ask users for: `profile`, `email`, `public_metadata` and `private_metadata` are Clerk's; " +
		"other names (say, `openid` or `offline_access`) are passed to Clerk as they are, which decides. Sent to Clerk separated by spaces. " +
		"Default: `profile` and `email`, Clerk's default."
	descOAuthAppPublic = "Whether the application is a public client (a single-page or native app that cannot keep a secret): it then has no client secret, " +
		"and users authorize it with PKCE only. Default `false`."
	descOAuthAppPKCE          = "Whether Clerk requires PKCE (`code_challenge`) in every authorization of a confidential client; public clients always use it. Default `false`."
	descOAuthAppConsent       = "Whether Clerk shows users a consent screen before they authorize the application. Default `true`. Clerk refuses to turn it off for an application that registered itself."
	descOAuthAppClientID      = "The application's OAuth `client_id`, what its client sends to the authorization and token endpoints. Not a secret."
	descOAuthAppDynamic       = "Whether the application registered itself through dynamic client registration (RFC 7591), as MCP clients do, rather than being made by hand or by Terraform."
	descOAuthAppClientURI     = "The application's home page, as it registered it; null when none."
	descOAuthAppClientImage   = "The URL of the application's logo; null when none."
	descOAuthAppAuthorizeURL  = "Where the application sends users to authorize it (Clerk's Frontend API `/oauth/authorize`)."
	descOAuthAppTokenURL      = "Where the application exchanges codes and refresh tokens for access tokens (`/oauth/token`), with its `client_secret` unless public."
	descOAuthAppUserInfoURL   = "Where the application reads the user's profile with an access token (`/oauth/userinfo`)."
	descOAuthAppDiscoveryURL  = "The authorization server's OpenID Connect discovery document."
	descOAuthAppIntrospectURL = "Where a resource server may introspect a token (`/oauth/token_info`, RFC 7662)."
	descOAuthAppCreatedAt     = "When Clerk created the application, RFC 3339."
	descOAuthAppUpdatedAt     = "When Clerk last changed the application, RFC 3339."
)

// The validators of the shared arguments: each refuses at validate time,
// with no request sent, what Clerk would refuse or what could not work.
var (
	oauthApplicationNameValidators  = []validator.String{stringCheck{description: "1 to 256 characters, not all spaces", check: checkOAuthApplicationName}}
	oauthApplicationIDValidators    = []validator.String{stringCheck{description: "an OAuth application id", check: checkIs(checkOAuthApplicationID)}}
	oauthRedirectURIsValidators     = []validator.Set{setvalidator.ValueStringsAre(stringCheck{description: "an absolute https URL, or http on loopback", check: checkOAuthRedirectURI})}
	oauthApplicationScopeValidators = []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(stringCheck{description: "a scope name without spaces", check: checkOAuthScope}),
	}
)

func checkOAuthApplicationName(v string) string {
	switch n := utf8.RuneCountInString(v); {
	case n == 0 || strings.TrimSpace(v) == "":
		return "must not be empty or only spaces: give the name users see on Clerk's consent screen."
	case n > oauthApplicationMaxName:
		return fmt.Sprintf("is %d characters long; Clerk takes at most %d.", n, oauthApplicationMaxName)
	}
	return ""
}

// checkOAuthApplicationID says what is wrong with an application id, or "".
func checkOAuthApplicationID(v string) string {
	if oauthApplicationIDPattern.MatchString(v) {
		return ""
	}
	return "not an OAuth application id: give Clerk's id of the application (letters, digits and underscores, such as oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk), not its client_id or secret."
}

// checkOAuthRedirectURI allows https anywhere, and http only on a
// loopback host: a code sent over plain http to another host could be read
// on the way.
func checkOAuthRedirectURI(v string) string {
	u, err := url.Parse(v)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return fmt.Sprintf("%q is not an absolute URL such as https://app.example.com/oauth/callback.", v)
	case u.Fragment != "" || strings.Contains(v, "#"):
		return fmt.Sprintf("%q has a fragment (#...), which OAuth forbids in a redirect URI.", v)
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return fmt.Sprintf("%q uses http on a host that is not loopback: use https, or http://localhost (or 127.0.0.1, [::1]) for local development.", v)
	}
	return fmt.Sprintf("%q uses the scheme %q: use https, or http on a loopback host.", v, u.Scheme)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkOAuthScope refuses what cannot travel in Clerk's space-separated
// scopes; names outside Clerk's four are passed through, for Clerk to
// judge.
func checkOAuthScope(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		return fmt.Sprintf("%q is not one scope: give each scope as its own element, without spaces.", v)
	}
	return ""
}

// oauthApplicationState is what Clerk reports about an application, as
// every schema shows it.
type oauthApplicationState struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	RedirectURIs          types.Set    `tfsdk:"redirect_uris"`
	Scopes                types.Set    `tfsdk:"scopes"`
	Public                types.Bool   `tfsdk:"public"`
	PKCERequired          types.Bool   `tfsdk:"pkce_required"`
	ConsentScreenEnabled  types.Bool   `tfsdk:"consent_screen_enabled"`
	ClientID              types.String `tfsdk:"client_id"`
	DynamicallyRegistered types.Bool   `tfsdk:"dynamically_registered"`
	ClientURI             types.String `tfsdk:"client_uri"`
	ClientImageURL        types.String `tfsdk:"client_image_url"`
	AuthorizeURL          types.String `tfsdk:"authorize_url"`
	TokenFetchURL         types.String `tfsdk:"token_fetch_url"`
	UserInfoURL           types.String `tfsdk:"user_info_url"`
	DiscoveryURL          types.String `tfsdk:"discovery_url"`
	TokenIntrospectionURL types.String `tfsdk:"token_introspection_url"`
	CreatedAt             types.String `tfsdk:"created_at"`
	UpdatedAt             types.String `tfsdk:"updated_at"`
}

// set records what Clerk reports. Redirect URIs that Clerk reports as none
// stay null where they were null (an argument left unset).
func (s *oauthApplicationState) set(ctx context.Context, a client.OAuthApplication, diags *diag.Diagnostics) {
	s.ID = types.StringValue(a.ID)
	s.Name = types.StringValue(a.Name)
	if len(a.RedirectURIs) > 0 || (!s.RedirectURIs.IsNull() && !s.RedirectURIs.IsUnknown()) {
		s.RedirectURIs = stringSet(ctx, a.RedirectURIs, diags)
	} else {
		s.RedirectURIs = types.SetNull(types.StringType)
	}
	s.Scopes = stringSet(ctx, a.ScopeList(), diags)
	s.Public = types.BoolValue(a.Public)
	s.PKCERequired = types.BoolValue(a.PKCERequired)
	s.ConsentScreenEnabled = types.BoolValue(a.ConsentScreenEnabled)
	s.ClientID = types.StringValue(a.ClientID)
	s.DynamicallyRegistered = types.BoolValue(a.DynamicallyRegistered)
	s.ClientURI = oauthOptionalString(a.ClientURI)
	s.ClientImageURL = oauthOptionalString(a.ClientImageURL)
	s.AuthorizeURL = types.StringValue(a.AuthorizeURL)
	s.TokenFetchURL = types.StringValue(a.TokenFetchURL)
	s.UserInfoURL = types.StringValue(a.UserInfoURL)
	s.DiscoveryURL = types.StringValue(a.DiscoveryURL)
	s.TokenIntrospectionURL = types.StringValue(a.TokenIntrospectionURL)
	s.CreatedAt = types.StringValue(a.Created().Format(time.RFC3339))
	s.UpdatedAt = types.StringValue(a.Updated().Format(time.RFC3339))
}

// stringSet is a set of strings, never null, without duplicates.
func stringSet(ctx context.Context, values []string, diags *diag.Diagnostics) types.Set {
	var uniq []string
	for _, v := range values {
		if !slices.Contains(uniq, v) {
			uniq = append(uniq, v)
		}
	}
	v, d := types.SetValueFrom(ctx, types.StringType, nonNilStrings(uniq))
	diags.Append(d...)
	return v
}

func oauthOptionalString(s *string) types.String {
	if s == nil {
		return types.StringNull()
	}
	return stringOrNull(*s)
}

// oauthApplicationStrings is a set argument as Go strings, nil for null or
// unknown.
func oauthApplicationStrings(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	slices.Sort(out)
	return out
}

// listAllOAuthApplications lists every application whose name holds query
// (or whose client_id it is), 500 a page; query "" lists all.
func listAllOAuthApplications(ctx context.Context, c *client.Client, query string) ([]client.OAuthApplication, error) {
	var all []client.OAuthApplication
	for offset := 0; ; offset += oauthApplicationPageSize {
		page, err := c.ListOAuthApplications(ctx, client.ListOAuthApplicationsRequest{NameQuery: query, Limit: oauthApplicationPageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		all = append(all, page.Applications...)
		if len(page.Applications) == 0 || offset+oauthApplicationPageSize >= page.TotalCount {
			return all, nil
		}
	}
}

// NewOAuthApplicationDataSource is the machineauth_oauth_application data
// source.
func NewOAuthApplicationDataSource() datasource.DataSource {
	return &dataSource[oauthApplicationState]{
		name: "_oauth_application", schema: oauthApplicationDataSourceSchema, read: readOAuthApplication,
		validators: []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))},
	}
}

func oauthApplicationDataSourceSchema() schema.Schema {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	return schema.Schema{
		MarkdownDescription: "Looks up a Clerk OAuth application by `id` or by exact `name` (give exactly one), for an application made in the dashboard, " +
			"by another configuration, or by a client that registered itself: its `client_id` and endpoints for the software that uses it. " +
			"It holds no secret: Clerk shows an application's client secret only when it is made or rotated. Needs the provider's `clerk.secret_key`. " +
			"By id: one call (`GET /oauth_applications/{id}`). By name: Clerk's application listing searched for the name (500 a page), " +
			"and an error unless exactly one application has that very name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: descOAuthAppID + " Give it, or `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          oauthApplicationIDValidators,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: descOAuthAppName + " Give it, or `id`: exactly one application must have this name, compared exactly (case included).",
				Optional:            true,
				Computed:            true,
				Validators:          oauthApplicationNameValidators,
			},
			"redirect_uris":           schema.SetAttribute{MarkdownDescription: "Where Clerk may send users back with an authorization code.", ElementType: types.StringType, Computed: true},
			"scopes":                  schema.SetAttribute{MarkdownDescription: "The scopes the application may ask users for.", ElementType: types.StringType, Computed: true},
			"public":                  schema.BoolAttribute{MarkdownDescription: "Whether the application is a public client, without a secret.", Computed: true},
			"pkce_required":           schema.BoolAttribute{MarkdownDescription: "Whether Clerk requires PKCE of the application.", Computed: true},
			"consent_screen_enabled":  schema.BoolAttribute{MarkdownDescription: "Whether Clerk shows users a consent screen.", Computed: true},
			"client_id":               computed(descOAuthAppClientID),
			"dynamically_registered":  schema.BoolAttribute{MarkdownDescription: descOAuthAppDynamic, Computed: true},
			"client_uri":              computed(descOAuthAppClientURI),
			"client_image_url":        computed(descOAuthAppClientImage),
			"authorize_url":           computed(descOAuthAppAuthorizeURL),
			"token_fetch_url":         computed(descOAuthAppTokenURL),
			"user_info_url":           computed(descOAuthAppUserInfoURL),
			"discovery_url":           computed(descOAuthAppDiscoveryURL),
			"token_introspection_url": computed(descOAuthAppIntrospectURL),
			"created_at":              computed(descOAuthAppCreatedAt),
			"updated_at":              computed(descOAuthAppUpdatedAt),
		},
	}
}

func readOAuthApplication(ctx context.Context, data *providerData, m *oauthApplicationState, diags *diag.Diagnostics) {
	if _, err := data.keys.managing(); err != nil {
		addClientError(diags, "Looking up a Clerk OAuth application", err)
		return
	}
	var found client.OAuthApplication
	if id := m.ID.ValueString(); id != "" {
		a, err := data.client.GetOAuthApplication(ctx, id)
		switch {
		case client.IsNotFound(err):
			diags.AddAttributeError(path.Root("id"), "OAuth application not found", "Clerk has no OAuth application "+id+".")
			return
		case err != nil:
			addClientError(diags, "Unable to read OAuth application "+id, err)
			return
		}
		found = *a
	} else {
		name := m.Name.ValueString()
		all, err := listAllOAuthApplications(ctx, data.client, name)
		if err != nil {
			addClientError(diags, fmt.Sprintf("Unable to list the OAuth applications named %q", name), err)
			return
		}
		named := slices.DeleteFunc(all, func(a client.OAuthApplication) bool { return a.Name != name })
		switch len(named) {
		case 1:
			found = named[0]
		case 0:
			diags.AddAttributeError(path.Root("name"), "OAuth application not found", fmt.Sprintf("No Clerk OAuth application is named %q (names are compared exactly).", name))
			return
		default:
			ids := make([]string, len(named))
			for i, a := range named {
				ids[i] = a.ID
			}
			diags.AddAttributeError(path.Root("name"), "More than one OAuth application has this name",
				fmt.Sprintf("%d Clerk OAuth applications are named %q: %s. Look the application up by id instead.", len(named), name, strings.Join(ids, ", ")))
			return
		}
	}
	// A data source shows what Clerk holds, empty sets included.
	m.RedirectURIs = types.SetValueMust(types.StringType, nil)
	m.set(ctx, found, diags)
}
