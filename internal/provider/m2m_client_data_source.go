package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*m2mClientDataSource)(nil)

// NewM2MClientDataSource is the machineauth_m2m_client data source.
func NewM2MClientDataSource() datasource.DataSource { return &m2mClientDataSource{} }

type m2mClientDataSource struct {
	data *providerData
}

type m2mClientDataModel struct {
	ClientID types.String `tfsdk:"client_id"`
	m2mClientFields
	clientSecretStatus
}

func (d *m2mClientDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_m2m_client"
}

func (d *m2mClientDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	docs := m2mClientFieldDocs
	resp.Schema = schema.Schema{
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

func (d *m2mClientDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *m2mClientDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m m2mClientDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := lookUpStytchClient(ctx, d.data.client.GetM2MClient, "M2M client", m.ClientID.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	m.set(ctx, c, &resp.Diagnostics)
	m.setSecret(c.ClientSecretLastFour, c.NextClientSecretLastFour)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
