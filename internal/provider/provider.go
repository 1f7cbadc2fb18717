// Package provider implements the machineauth Terraform provider: Clerk
// machines (with their secret keys and scopes), M2M tokens, API keys and
// OAuth applications, and
// Stytch connected apps, M2M clients (with their secrets and tokens) and
// connected-app authorizations, as Terraform resources, with the data
// sources, ephemeral resources, list resources and actions around them, and
// token verification for all of them.
//
// The package is flat and kept in layers by file name: each credential
// type's files are named for it, credential_*.go hold the rules every type
// follows, framework_*.go the glue that names no type, and provider.go and
// provider_data.go register them (see provider_layers_test.go).
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ provider.ProviderWithEphemeralResources = (*machineauthProvider)(nil)
	_ provider.ProviderWithActions            = (*machineauthProvider)(nil)
	_ provider.ProviderWithListResources      = (*machineauthProvider)(nil)
)

type machineauthProvider struct {
	version string
}

// New returns a factory for the provider at a given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &machineauthProvider{version: version} }
}

type providerModel struct {
	Clerk             *clerkModel   `tfsdk:"clerk"`
	Stytch            *stytchModel  `tfsdk:"stytch"`
	MaxRetries        types.Int64   `tfsdk:"max_retries"`
	MaxRetryWait      types.String  `tfsdk:"max_retry_wait"`
	RequestTimeout    types.String  `tfsdk:"request_timeout"`
	CallTimeout       types.String  `tfsdk:"call_timeout"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
	// ExpiryWarningSeconds is how close to expiry a credential gets a
	// warning at plan.
	ExpiryWarningSeconds types.Int64 `tfsdk:"expiry_warning_seconds"`
}

type clerkModel struct {
	SecretKey        types.String `tfsdk:"secret_key"`
	MachineSecretKey types.String `tfsdk:"machine_secret_key"`
	APIURL           types.String `tfsdk:"api_url"`
}

type stytchModel struct {
	ProjectID types.String `tfsdk:"project_id"`
	Secret    types.String `tfsdk:"secret"`
	BaseURL   types.String `tfsdk:"base_url"`
}

func (p *machineauthProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "machineauth"
	resp.Version = p.version
}

func (p *machineauthProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages non-human credentials from root to leaf: Clerk machines (with their secret keys and scopes), M2M tokens, API keys and OAuth applications; Stytch B2B connected apps and M2M clients (with their secrets), connected-app authorizations and M2M client tokens. " +
			"Every argument can also be set through the environment variable named in its description; " +
			"an empty provider block with the environment set is enough.",
		Blocks: map[string]schema.Block{
			"clerk": schema.SingleNestedBlock{
				MarkdownDescription: "Clerk Backend API credentials, for `machineauth_m2m_token`, `machineauth_machine` and its kin, `machineauth_api_key`, `machineauth_oauth_application`, and their verification.",
				Attributes: map[string]schema.Attribute{
					"secret_key": schema.StringAttribute{
						MarkdownDescription: "Instance secret key (`sk_test_...` or `sk_live_...`); manages machines, lists, revokes and verifies tokens of any machine, and is the only key that manages and verifies API keys and OAuth applications and their access tokens. Env: `CLERK_SECRET_KEY`.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{prefixValidator("sk_test_", "sk_live_")},
					},
					"machine_secret_key": schema.StringAttribute{
						MarkdownDescription: "Machine secret key (`ak_...`) that issues M2M tokens for its machine; a token's own `machine_secret_key_wo` overrides it. Env: `CLERK_MACHINE_SECRET_KEY`.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{prefixValidator("ak_")},
					},
					"api_url": schema.StringAttribute{
						MarkdownDescription: "Backend API base URL, default `" + client.DefaultClerkAPIURL + "`. Must be https unless the host is loopback. Env: `CLERK_API_URL`.",
						Optional:            true,
						Validators:          []validator.String{clerkAPIURLValidator()},
					},
				},
			},
			"stytch": schema.SingleNestedBlock{
				MarkdownDescription: "Stytch project credentials, for `machineauth_connected_app`, `machineauth_m2m_client`, `machineauth_connected_app_authorization`, M2M client tokens and access-token introspection.",
				Attributes: map[string]schema.Attribute{
					"project_id": schema.StringAttribute{
						MarkdownDescription: "Project id (`project-test-...` or `project-live-...`). Env: `STYTCH_PROJECT_ID`.",
						Optional:            true,
						Validators:          []validator.String{prefixValidator("project-test-", "project-live-")},
					},
					"secret": schema.StringAttribute{
						MarkdownDescription: "Project secret. Env: `STYTCH_SECRET`.",
						Optional:            true,
						Sensitive:           true,
					},
					"base_url": schema.StringAttribute{
						MarkdownDescription: "API origin; by default `" + client.DefaultStytchBaseURL("project-test-") + "` for test projects and `" + client.DefaultStytchBaseURL("project-live-") + "` for live ones. Must be https unless the host is loopback. Env: `STYTCH_BASE_URL`.",
						Optional:            true,
						Validators:          []validator.String{stytchBaseURLValidator()},
					},
				},
			},
		},
		Attributes: map[string]schema.Attribute{
			"expiry_warning_seconds": schema.Int64Attribute{
				MarkdownDescription: "A plan warns about a credential that expires within this many seconds, by the service's clock, " +
					"unless its rotation will replace it first; `0` turns the warnings off. Default 604800 (7 days). Env: `MACHINEAUTH_EXPIRY_WARNING_SECONDS`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, maxTokenLifetime)},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "Retries of one API call after a 5xx or a network error (never for an ambiguous create), default 5. A 429, or a 503 with a `Retry-After`, is retried until `call_timeout` instead, however many times. Env: `MACHINEAUTH_MAX_RETRIES`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 20)},
			},
			"max_retry_wait": schema.StringAttribute{
				MarkdownDescription: "Longest backoff between retries after a 5xx or a network error, default `10s`. A 429's `Retry-After` is honoured as sent, up to 60s. Env: `MACHINEAUTH_MAX_RETRY_WAIT`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator(time.Millisecond, 5*time.Minute)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP attempt, default `30s`. Env: `MACHINEAUTH_REQUEST_TIMEOUT`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator(time.Second, 10*time.Minute)},
			},
			"call_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one API call across all its retries and its waits for the rate limit, default `2m`. Env: `MACHINEAUTH_CALL_TIMEOUT`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator(time.Second, time.Hour)},
			},
			"requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "Upper bound on API requests per second to each service from this provider; unset means no bound beyond Clerk's documented limit for the secret key's kind of instance and adapting to 429 answers. Pipelines known to share one limit can split it: each the limit's rate over their number. Env: `MACHINEAUTH_REQUESTS_PER_SECOND`.",
				Optional:            true,
				Validators:          []validator.Float64{float64validator.AtLeast(0.1)},
			},
		},
	}
}

// setting is one provider argument: its configured value, the environment
// variable that backs it, and where a diagnostic about it points.
type setting struct {
	value  types.String
	env    string
	path   path.Path
	checks []func(string) string
}

// resolve returns the configured value, else the environment's, checking an
// environment value as the schema validators checked a configured one.
func (s setting) resolve(diags *diag.Diagnostics) string {
	if !s.value.IsNull() && !s.value.IsUnknown() {
		return s.value.ValueString()
	}
	v := os.Getenv(s.env)
	if v == "" {
		return ""
	}
	for _, check := range s.checks {
		if problem := check(v); problem != "" {
			diags.AddAttributeError(s.path, "Invalid "+s.path.String(), fmt.Sprintf("%s (from %s): %s", s.path, s.env, problem))
			return ""
		}
	}
	return v
}

func (p *machineauthProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Clerk == nil {
		cfg.Clerk = &clerkModel{}
	}
	if cfg.Stytch == nil {
		cfg.Stytch = &stytchModel{}
	}
	clerkPath, stytchPath := path.Root("clerk"), path.Root("stytch")
	for _, unknown := range []struct {
		v types.String
		p path.Path
	}{
		{cfg.Clerk.SecretKey, clerkPath.AtName("secret_key")},
		{cfg.Clerk.MachineSecretKey, clerkPath.AtName("machine_secret_key")},
		{cfg.Clerk.APIURL, clerkPath.AtName("api_url")},
		{cfg.Stytch.ProjectID, stytchPath.AtName("project_id")},
		{cfg.Stytch.Secret, stytchPath.AtName("secret")},
		{cfg.Stytch.BaseURL, stytchPath.AtName("base_url")},
	} {
		if unknown.v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(unknown.p, "Unknown "+unknown.p.String(),
				unknown.p.String()+" depends on a value known only after apply; the provider needs it to plan. Set it from a variable or an environment variable, or apply its source first with -target.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	diags := &resp.Diagnostics
	sk := func(s string) string { return checkPrefix(s, "sk_test_", "sk_live_") }
	ak := func(s string) string { return checkPrefix(s, "ak_") }
	proj := func(s string) string { return checkPrefix(s, "project-test-", "project-live-") }

	machineKey := setting{cfg.Clerk.MachineSecretKey, "CLERK_MACHINE_SECRET_KEY", clerkPath.AtName("machine_secret_key"), []func(string) string{ak}}.resolve(diags)
	cc := client.Config{
		Secrets:         []string{machineKey},
		ClerkSecretKey:  setting{cfg.Clerk.SecretKey, "CLERK_SECRET_KEY", clerkPath.AtName("secret_key"), []func(string) string{sk}}.resolve(diags),
		ClerkAPIURL:     setting{cfg.Clerk.APIURL, "CLERK_API_URL", clerkPath.AtName("api_url"), []func(string) string{checkClerkAPIURL}}.resolve(diags),
		StytchProjectID: setting{cfg.Stytch.ProjectID, "STYTCH_PROJECT_ID", stytchPath.AtName("project_id"), []func(string) string{proj}}.resolve(diags),
		StytchSecret:    setting{cfg.Stytch.Secret, "STYTCH_SECRET", stytchPath.AtName("secret"), nil}.resolve(diags),
		StytchBaseURL:   setting{cfg.Stytch.BaseURL, "STYTCH_BASE_URL", stytchPath.AtName("base_url"), []func(string) string{checkStytchBaseURL}}.resolve(diags),
		Version:         p.version,
	}
	// Unset settings stay zero: the client fills in its defaults.
	if n, ok := intSetting(cfg.MaxRetries, "MACHINEAUTH_MAX_RETRIES", path.Root("max_retries"), 0, 20, diags); ok {
		cc.MaxRetries = int(n)
		if n == 0 {
			cc.MaxRetries = client.NoRetries
		}
	}
	cc.MaxRetryWait = durationSetting(cfg.MaxRetryWait, "MACHINEAUTH_MAX_RETRY_WAIT", path.Root("max_retry_wait"), time.Millisecond, 5*time.Minute, diags)
	cc.RequestTimeout = durationSetting(cfg.RequestTimeout, "MACHINEAUTH_REQUEST_TIMEOUT", path.Root("request_timeout"), time.Second, 10*time.Minute, diags)
	cc.TotalTimeout = durationSetting(cfg.CallTimeout, "MACHINEAUTH_CALL_TIMEOUT", path.Root("call_timeout"), time.Second, time.Hour, diags)
	expiryWarning := defaultExpiryWarning
	if n, ok := intSetting(cfg.ExpiryWarningSeconds, "MACHINEAUTH_EXPIRY_WARNING_SECONDS", path.Root("expiry_warning_seconds"), 0, maxTokenLifetime, diags); ok {
		expiryWarning = time.Duration(n) * time.Second
	}
	cc.RequestsPerSecond = floatSetting(cfg.RequestsPerSecond, "MACHINEAUTH_REQUESTS_PER_SECOND", path.Root("requests_per_second"), 0.1, diags)
	if diags.HasError() {
		return
	}

	c, err := client.New(cc)
	if err != nil {
		diags.AddError("Unable to build the API client", err.Error())
		return
	}
	data := newProviderData(c, clerkKeys{instance: cc.ClerkSecretKey, machine: machineKey})
	data.expiryWarning = expiryWarning
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func durationSetting(v types.String, env string, p path.Path, lo, hi time.Duration, diags *diag.Diagnostics) time.Duration {
	raw := setting{v, env, p, []func(string) string{func(s string) string { return checkDuration(s, lo, hi) }}}.resolve(diags)
	if raw == "" {
		return 0
	}
	d, _ := time.ParseDuration(raw) // checked by the validator or resolve
	return d
}

func intSetting(v types.Int64, env string, p path.Path, lo, hi int64, diags *diag.Diagnostics) (int64, bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueInt64(), true
	}
	raw := os.Getenv(env)
	if raw == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < lo || n > hi {
		diags.AddAttributeError(p, "Invalid "+p.String(), fmt.Sprintf("%s (from %s): %q is not a whole number from %d to %d.", p, env, raw, lo, hi))
		return 0, false
	}
	return n, true
}

func floatSetting(v types.Float64, env string, p path.Path, lo float64, diags *diag.Diagnostics) float64 {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueFloat64()
	}
	raw := os.Getenv(env)
	if raw == "" {
		return 0
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < lo {
		diags.AddAttributeError(p, "Invalid "+p.String(), fmt.Sprintf("%s (from %s): %q is not a number of at least %g.", p, env, raw, lo))
		return 0
	}
	return f
}

func (p *machineauthProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAPIKeyResource,
		NewConnectedAppAuthorizationResource,
		NewM2MTokenResource,
		NewMachineResource,
		NewMachineScopeResource,
		NewConnectedAppResource,
		NewM2MClientResource,
		NewOAuthApplicationResource,
	}
}

func (p *machineauthProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewAPIKeyEphemeralResource,
		NewM2MTokenEphemeralResource,
		NewTokenVerificationEphemeralResource,
		NewMachineSecretKeyEphemeralResource,
		NewConnectedAppSecretEphemeralResource,
		NewM2MClientTokenEphemeralResource,
	}
}

func (p *machineauthProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewTokenVerificationDataSource,
		NewMachineDataSource,
		NewConnectedAppDataSource,
		NewM2MClientDataSource,
		NewOAuthApplicationDataSource,
	}
}

// Actions (Terraform 1.14 and later): break-glass revocations.
func (p *machineauthProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewRevokeAPIKeyAction,
		NewRevokeConnectedAppAuthorizationAction,
		NewRevokeM2MTokenAction,
		NewDeactivateM2MClientAction,
		NewRevokeOAuthTokenAction,
	}
}

// ListResources (Terraform 1.14 and later, terraform query): what exists
// outside Terraform, for import.
func (p *machineauthProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewAPIKeyListResource,
		NewConnectedAppAuthorizationListResource,
		NewM2MTokenListResource,
		NewMachineListResource,
		NewConnectedAppListResource,
		NewM2MClientListResource,
		NewOAuthApplicationListResource,
	}
}
