package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_machine list resource (Terraform 1.14 and later,
// `terraform query`): the instance's machines, so machines made in the
// dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*machineListResource)(nil)

// NewMachineListResource is the machineauth_machine list resource.
func NewMachineListResource() list.ListResource { return &machineListResource{} }

type machineListResource struct {
	data *providerData
}

type machineListModel struct {
	Query types.String `tfsdk:"query"`
}

func (l *machineListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_machine"
}

func (l *machineListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Clerk instance's machines, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`id`) and, with `include_resource = true`, as a `machineauth_machine` whose `secret_key` is null " +
			"(it is read when the machine is imported). `terraform query -generate-config-out=machines.tf` writes a resource and an import block for each. " +
			"Needs the provider's `clerk.secret_key`; one call per 500 machines.",
		Attributes: map[string]schema.Attribute{
			"query": schema.StringAttribute{
				MarkdownDescription: "Clerk's machine search: a machine id, matched exactly, or a part of a name. Unset: every machine.",
				Optional:            true,
			},
		},
	}
}

func (l *machineListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *machineListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg machineListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	fail := func(summary string, err error) {
		var diags diag.Diagnostics
		addClientError(&diags, summary, err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
	}
	if l.data == nil {
		var diags diag.Diagnostics
		diags.AddError("Provider not configured", "The machineauth provider was not configured before listing: this is a bug in the provider.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if _, err := l.data.machines.keys.managing(); err != nil {
		fail("Listing Clerk machines", err)
		return
	}
	machines, err := l.data.machines.listAll(ctx, cfg.Query.ValueString())
	if err != nil {
		fail("Unable to list the machines", err)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, m := range machines {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = machineDisplayName(m)
			res.Diagnostics.Append(res.Identity.Set(ctx, machineIdentityModel{ID: types.StringValue(m.ID)})...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, listedMachine(ctx, m, &res.Diagnostics))...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// listedMachine is the state an import of m reaches, less its secret key.
func listedMachine(ctx context.Context, m client.Machine, diags *diag.Diagnostics) machineModel {
	var s machineModel
	s.set(ctx, m, diags)
	s.RotationTriggers = types.MapNull(types.StringType)
	s.PreviousKeyTTLSeconds = types.Int64Value(defaultPreviousKeyTTL)
	s.SecretKey = types.StringNull()
	s.SecretKeyRotatedAt = types.StringNull()
	return s
}

func machineDisplayName(m client.Machine) string {
	name := m.Name
	if strings.Contains(name, machineCreateMarkerPrefix) {
		name += " (a create still under way, or left by a lost answer)"
	}
	return name + " (" + m.ID + ")"
}
