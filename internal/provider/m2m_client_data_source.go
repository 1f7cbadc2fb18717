package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// NewM2MClientDataSource is the machineauth_m2m_client data source.
func NewM2MClientDataSource() datasource.DataSource {
	return &dataSource[m2mClientDataModel]{name: "_m2m_client", schema: m2mClientDataSourceSchema, read: readM2MClient}
}

type m2mClientDataModel struct {
	ClientID types.String `tfsdk:"client_id"`
	m2mClientFields
	clientSecretStatus
}

func m2mClientDataSourceSchema() schema.Schema {
	docs := m2mClientFieldDocs
	return schema.Schema{
		MarkdownDescription: "Looks up a Stytch M2M client by its `client_id`: its scopes, status and metadata, and whether a secret rotation " +
			"is under way, for example to check in a `check` block that a client other teams manage is still active. One read per plan. " +
			"The secret is never shown: Stytch shows it only when it issues it.",
		Attributes: map[string]schema.Attribute{
			"client_id":          schema.StringAttribute{MarkdownDescription: "The M2M client's client_id.", Required: true, Validators: []validator.String{clientIDValidator}},
			"client_name":        schema.StringAttribute{MarkdownDescription: docs["client_name"], Computed: true},
			"client_description": schema.StringAttribute{MarkdownDescription: docs["client_description"], Computed: true},
			"scopes":             schema.SetAttribute{MarkdownDescription: docs["scopes"], Computed: true, ElementType: types.StringType},
			"trusted_metadata":   schema.StringAttribute{MarkdownDescription: docs["trusted_metadata"], Computed: true},
			"status":             schema.StringAttribute{MarkdownDescription: docs["status"], Computed: true},
			"client_secret_last_four": schema.StringAttribute{
				MarkdownDescription: "The last four characters of the client secret.",
				Computed:            true,
			},
			"secret_rotation_pending": secretRotationPendingAttribute,
		},
	}
}

func readM2MClient(ctx context.Context, data *providerData, m *m2mClientDataModel, diags *diag.Diagnostics) {
	c := lookUpStytchClient(ctx, data.client.GetM2MClient, "M2M client", m.ClientID.ValueString(), diags)
	if c == nil {
		return
	}
	m.set(ctx, c, diags)
	m.setSecret(c.ClientSecretLastFour, c.NextClientSecretLastFour)
}
