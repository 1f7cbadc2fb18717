package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_api_key list resource (Terraform 1.14 and later,
// `terraform query`): a subject's API keys as identities and, on request,
// resource objects, so keys made outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)

// NewAPIKeyListResource is the machineauth_api_key list resource.
func NewAPIKeyListResource() list.ListResource { return &apiKeyListResource{} }

type apiKeyListResource struct {
	data *providerData
}

type apiKeyListModel struct {
	Subject        types.String `tfsdk:"subject"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
}

func (l *apiKeyListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (l *apiKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists a user's, an organization's or a machine's Clerk API keys, newest first, for `terraform query` " +
			"(Terraform 1.14 and later): each as its identity (`api_key_id`) and, with `include_resource = true`, as a `machineauth_api_key` " +
			"whose `secret` is null: the listing does not fetch secrets, one call each. An import fetches it. " +
			"`terraform query -generate-config-out=keys.tf` writes a resource and an import block for each, so keys made outside Terraform " +
			"can be brought under it. One listing call per 100 keys, with the provider's `clerk.secret_key`.",
		Attributes: map[string]schema.Attribute{
			"subject": schema.StringAttribute{
				MarkdownDescription: "Whose keys to list: a user (`user_...`), an organization (`org_...`) or a machine (`mch_...`).",
				Required:            true,
				Validators:          apiKeySubjectValidators,
			},
			"include_revoked": schema.BoolAttribute{
				MarkdownDescription: "Also list revoked keys, for an audit. Default `false`. An imported revoked key cannot be managed: its import fails.",
				Optional:            true,
			},
			"include_expired": schema.BoolAttribute{
				MarkdownDescription: "Also list expired keys. Default `false`. An imported expired key cannot be managed: its import fails.",
				Optional:            true,
			},
		},
	}
}

func (l *apiKeyListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *apiKeyListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	fail := func(d diag.Diagnostics) { stream.Results = list.ListResultsStreamDiagnostics(d) }
	var cfg apiKeyListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		fail(diags)
		return
	}
	var diags diag.Diagnostics
	if l.data == nil {
		diags.AddError("Provider not configured", "The machineauth provider was not configured before listing: this is a bug in the provider.")
		fail(diags)
		return
	}
	subject := cfg.Subject.ValueString()
	ix, err := l.data.apiKeys.listing(ctx, subject, cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool())
	if err != nil {
		addClientError(&diags, "Unable to list the API keys of "+subject, err)
		fail(diags)
		return
	}
	if ix.gone {
		diags.AddError("Subject not found", fmt.Sprintf("Clerk has no user, organization or machine %s.", subject))
		fail(diags)
		return
	}
	var keys []client.APIKey
	for _, k := range ix.all() {
		if (k.Revoked && !cfg.IncludeRevoked.ValueBool()) || (k.Expired && !k.Revoked && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		keys = append(keys, k)
	}
	// Newest first; the id breaks ties so the order is the same each run.
	slices.SortFunc(keys, func(a, b client.APIKey) int {
		if c := -a.Created().Compare(b.Created()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	stream.Results = func(push func(list.ListResult) bool) {
		for i, k := range keys {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = apiKeyDisplayName(k)
			res.Diagnostics.Append(res.Identity.Set(ctx, apiKeyIdentityModel{APIKeyID: types.StringValue(k.ID)})...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, listedAPIKey(ctx, k, &res.Diagnostics))...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// listedAPIKey is the state an import of k would reach, but for the secret,
// which the import fetches: what Clerk reports, null for what only a
// configuration says.
func listedAPIKey(ctx context.Context, k client.APIKey, diags *diag.Diagnostics) apiKeyModel {
	m := apiKeyModel{}
	m.Scopes = types.ListNull(types.StringType)
	m.setFromClerk(ctx, k, diags)
	m.set(k)
	m.Secret = types.StringNull()
	m.LastUsedAt = timeOrNull(k.LastUsed())
	m.ReadyForRenewal = types.BoolValue(false)
	return m
}

func apiKeyDisplayName(k client.APIKey) string {
	name := fmt.Sprintf("%s (%s), made %s", k.Name, k.ID, k.Created().Format(time.RFC3339))
	switch {
	case k.Revoked:
		name += ", revoked"
	case k.Expired:
		name += ", expired"
	case k.ExpiresAt() != nil:
		name += ", expires " + k.ExpiresAt().Format(time.RFC3339)
	}
	return name
}
