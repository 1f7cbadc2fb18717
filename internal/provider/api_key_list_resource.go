package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_api_key list resource (Terraform 1.14 and later,
// `terraform query`): a subject's API keys as identities and, on request,
// resource objects, so keys made outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)

// NewAPIKeyListResource is the machineauth_api_key list resource.
func NewAPIKeyListResource() list.ListResource {
	return &apiKeyListResource{listResults[apiKeyListModel, client.APIKey, apiKeyModel]{
		typeName: "_api_key",
		fetch:    listAPIKeys,
		name:     apiKeyDisplayName,
		identity: func(k client.APIKey) any { return apiKeyIdentity.of(types.StringValue(k.ID)) },
		resource: listedAPIKey,
	}}
}

type apiKeyListResource struct {
	listResults[apiKeyListModel, client.APIKey, apiKeyModel]
}

type apiKeyListModel struct {
	Subject        types.String `tfsdk:"subject"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
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

// listAPIKeys fetches the subject's keys, newest first.
func listAPIKeys(ctx context.Context, data *providerData, cfg apiKeyListModel) ([]client.APIKey, diag.Diagnostics) {
	var diags diag.Diagnostics
	subject := cfg.Subject.ValueString()
	ix, err := data.apiKeys.listing(ctx, subject, cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool())
	if err != nil {
		addClientError(&diags, "Unable to list the API keys of "+subject, err)
		return nil, diags
	}
	if ix.gone {
		diags.AddError("Subject not found", fmt.Sprintf("Clerk has no user, organization or machine %s.", subject))
		return nil, diags
	}
	var keys []client.APIKey
	for _, k := range ix.all() {
		if (k.Revoked && !cfg.IncludeRevoked.ValueBool()) || (k.Expired && !k.Revoked && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		keys = append(keys, k)
	}
	sortNewestFirst(keys, func(k client.APIKey) (time.Time, string) { return k.Created(), k.ID })
	return keys, nil
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
	m.LastUsedAt = rfc3339OrNull(k.LastUsed())
	m.ReadyForRenewal = types.BoolValue(false)
	return m
}

func apiKeyDisplayName(k client.APIKey) string {
	return fmt.Sprintf("%s (%s), made %s", k.Name, k.ID, k.Created().Format(time.RFC3339)) + lifeForDisplay(k.Revoked, k.Expired, k.ExpiresAt())
}
