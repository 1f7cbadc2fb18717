package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_connected_app list resource (Terraform 1.14 and later,
// `terraform query`): the project's connected-app clients, so those made in
// the dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*connectedAppListResource)(nil)

// NewConnectedAppListResource is the machineauth_connected_app list resource.
func NewConnectedAppListResource() list.ListResource {
	return &connectedAppListResource{listResults[connectedAppListModel, client.ConnectedAppClient, connectedAppModel]{
		typeName: "_connected_app",
		fetch:    listConnectedApps,
		name:     connectedAppDisplayName,
		identity: func(a client.ConnectedAppClient) any {
			return clientIDIdentity.of(types.StringValue(a.ClientID))
		},
		resource: listedConnectedApp,
	}}
}

type connectedAppListResource struct {
	listResults[connectedAppListModel, client.ConnectedAppClient, connectedAppModel]
}

type connectedAppListModel struct {
	ClientType types.String `tfsdk:"client_type"`
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

// listConnectedApps fetches the project's clients of the type asked for,
// in the search's order.
func listConnectedApps(ctx context.Context, data *providerData, cfg connectedAppListModel) ([]client.ConnectedAppClient, diag.Diagnostics) {
	var apps []client.ConnectedAppClient
	err := eachConnectedApp(ctx, data.client, func(a client.ConnectedAppClient) {
		if cfg.ClientType.IsNull() || a.ClientType == cfg.ClientType.ValueString() {
			apps = append(apps, a)
		}
	})
	if err != nil {
		var diags diag.Diagnostics
		addClientError(&diags, "Unable to list the project's connected apps", err)
		return nil, diags
	}
	return apps, nil
}

func connectedAppDisplayName(a client.ConnectedAppClient) string {
	return a.ClientName + " (" + a.ClientType + ", " + a.ClientID + ")"
}

// listedConnectedApp is the state an import of a would reach after its
// first refresh.
func listedConnectedApp(ctx context.Context, a client.ConnectedAppClient, diags *diag.Diagnostics) connectedAppModel {
	var m connectedAppModel
	m.set(ctx, &a, diags)
	m.ID, m.ClientID = types.StringValue(a.ClientID), types.StringValue(a.ClientID)
	m.clientSecretModel = listedClientSecret(a.ClientSecretLastFour)
	return m
}
