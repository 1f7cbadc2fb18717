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
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_m2m_token list resource (Terraform 1.14 and later,
// `terraform query`): a machine's tokens as identities and, on request,
// resource objects, so tokens issued outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*m2mTokenListResource)(nil)

// NewM2MTokenListResource is the machineauth_m2m_token list resource.
func NewM2MTokenListResource() list.ListResource { return &m2mTokenListResource{} }

type m2mTokenListResource struct {
	data *providerData
}

type m2mTokenListModel struct {
	MachineID      types.String `tfsdk:"machine_id"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
}

func (l *m2mTokenListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_m2m_token"
}

func (l *m2mTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists a machine's Clerk M2M tokens, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`machine_id` and `token_id`) and, with `include_resource = true`, as a `machineauth_m2m_token` " +
			"whose secret (`token`) is null, since Clerk shows it only when it issues a token. " +
			"`terraform query -generate-config-out=tokens.tf` writes a resource and an import block for each, so tokens issued " +
			"outside Terraform can be brought under it. Only opaque tokens are listed: Clerk keeps no record of JWT-format ones. " +
			"Lists with the provider's `clerk.secret_key` when set, else with its `clerk.machine_secret_key`, which sees only its own machine.",
		Attributes: map[string]schema.Attribute{
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine whose tokens to list (`mch_...`).",
				Required:            true,
				Validators:          []validator.String{stringCheck{description: "a machine id (mch_...)", check: checkMachineID}},
			},
			"include_revoked": schema.BoolAttribute{
				MarkdownDescription: "Also list revoked tokens, for an audit. Default `false`. An imported revoked token leaves the state at its first refresh.",
				Optional:            true,
			},
			"include_expired": schema.BoolAttribute{
				MarkdownDescription: "Also list expired tokens. Default `false`. An imported expired token leaves the state at its first refresh.",
				Optional:            true,
			},
		},
	}
}

func (l *m2mTokenListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *m2mTokenListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg m2mTokenListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if l.data == nil {
		var diags diag.Diagnostics
		diags.AddError("Provider not configured", "The machineauth provider was not configured before listing: this is a bug in the provider.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	machineID := cfg.MachineID.ValueString()
	listing := l.data.m2m.listing
	if cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool() {
		listing = l.data.m2m.fullListing
	}
	ix, err := listing(ctx, "", machineID)
	if err != nil {
		var diags diag.Diagnostics
		addClientError(&diags, "Unable to list the tokens of machine "+machineID, err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if ix.gone {
		var diags diag.Diagnostics
		diags.AddError("Machine not found", fmt.Sprintf("Clerk has no machine %s.", machineID))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var tokens []client.M2MToken
	for _, t := range ix.all() {
		if (t.Revoked && !cfg.IncludeRevoked.ValueBool()) || (t.Expired && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		tokens = append(tokens, t)
	}
	// Newest first, as Clerk lists them; the id breaks ties so that the
	// order is the same on every run.
	slices.SortFunc(tokens, func(a, b client.M2MToken) int {
		if c := -a.Created().Compare(b.Created()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})

	stream.Results = func(push func(list.ListResult) bool) {
		for i, t := range tokens {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = m2mTokenDisplayName(t)
			res.Diagnostics.Append(res.Identity.Set(ctx, m2mTokenIdentityModel{
				MachineID: types.StringValue(t.Subject), TokenID: types.StringValue(t.ID),
			})...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, listedM2MToken(ctx, t, &res.Diagnostics))...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// listedM2MToken is the state an import of t would reach after its first
// refresh: what Clerk reports, and null for what only a configuration says.
func listedM2MToken(ctx context.Context, t client.M2MToken, diags *diag.Diagnostics) m2mTokenModel {
	var m m2mTokenModel
	m.set(ctx, t, diags)
	m.Claims = claimsFromClerk(types.StringNull(), t.Claims)
	m.TokenFormat = types.StringValue(tokenFormatOpaque)
	m.Keepers = types.MapNull(types.StringType)
	m.ReadyForRotation = types.BoolValue(false)
	return m
}

func m2mTokenDisplayName(t client.M2MToken) string {
	name := t.ID + ", issued " + t.Created().Format(time.RFC3339)
	switch {
	case t.Revoked:
		name += ", revoked"
	case t.Expired:
		name += ", expired"
	case t.ExpiresAt() != nil:
		name += ", expires " + t.ExpiresAt().Format(time.RFC3339)
	}
	return name
}

// all returns the listing's tokens in no particular order.
func (ix *tokenIndex) all() []client.M2MToken {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]client.M2MToken, 0, len(ix.byID))
	for _, t := range ix.byID {
		out = append(out, t)
	}
	return out
}
