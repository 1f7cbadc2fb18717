package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_connected_app list resource (Terraform 1.14 and later,
// `terraform query`): the project's connected-app clients, so those made in
// the dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*connectedAppListResource)(nil)

// NewConnectedAppListResource is the machineauth_connected_app list resource.
func NewConnectedAppListResource() list.ListResource { return &connectedAppListResource{} }

type connectedAppListResource struct {
	data *providerData
}

type connectedAppListModel struct {
	ClientType types.String `tfsdk:"client_type"`
}

func (l *connectedAppListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app"
}

func (l *connectedAppListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the project's Stytch connected-app clients, oldest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`client_id`) and, with `include_resource = true`, as a `machineauth_connected_app` whose secrets are null, " +
			"since Stytch shows a secret only when it issues it. `terraform query -generate-config-out=apps.tf` writes a resource and an " +
			"import block for each. The search pages through every client, a thousand a request.",
		Attributes: map[string]schema.Attribute{
			"client_type": schema.StringAttribute{
				MarkdownDescription: "List only clients of this type. Unset: all.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(connectedAppClientTypes...)},
			},
		},
	}
}

func (l *connectedAppListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *connectedAppListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg connectedAppListModel
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
	var apps []client.ConnectedAppClient
	err := eachConnectedApp(ctx, l.data.client, func(a client.ConnectedAppClient) {
		if cfg.ClientType.IsNull() || a.ClientType == cfg.ClientType.ValueString() {
			apps = append(apps, a)
		}
	})
	if err != nil {
		var diags diag.Diagnostics
		addClientError(&diags, "Unable to list the project's connected apps", err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, a := range apps {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = a.ClientName + " (" + a.ClientType + ", " + a.ClientID + ")"
			res.Diagnostics.Append(res.Identity.Set(ctx, clientIdentityModel{ClientID: types.StringValue(a.ClientID)})...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, listedConnectedApp(ctx, &a, &res.Diagnostics))...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// listedConnectedApp is the state an import of a would reach after its
// first refresh.
func listedConnectedApp(ctx context.Context, a *client.ConnectedAppClient, diags *diag.Diagnostics) connectedAppModel {
	var m connectedAppModel
	m.set(ctx, a, diags)
	m.ID, m.ClientID = types.StringValue(a.ClientID), types.StringValue(a.ClientID)
	m.ClientSecret, m.NextClientSecret, m.RotationStartedAt = types.StringNull(), types.StringNull(), types.StringNull()
	m.SecretLastFour = stringOrNull(a.ClientSecretLastFour)
	m.RotationDue = types.BoolValue(false)
	m.RotationTriggers = types.MapNull(types.StringType)
	m.RotationOverlap = types.Int64Value(defaultRotationOverlap)
	return m
}
