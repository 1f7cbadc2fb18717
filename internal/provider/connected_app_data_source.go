package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
