package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_m2m_client list resource (Terraform 1.14 and later,
// `terraform query`): the project's M2M clients, so those made outside
// Terraform can be found and imported.

var _ list.ListResourceWithConfigure = (*m2mClientListResource)(nil)

// NewM2MClientListResource is the machineauth_m2m_client list resource.
func NewM2MClientListResource() list.ListResource {
	return &m2mClientListResource{listResults[m2mClientListModel, client.M2MClient, m2mClientModel]{
		typeName: "_m2m_client",
		fetch:    listM2MClients,
		name:     m2mClientDisplayName,
		identity: func(c client.M2MClient) any { return clientIDIdentity.of(types.StringValue(c.ClientID)) },
		resource: listedM2MClient,
	}}
}

type m2mClientListResource struct {
	listResults[m2mClientListModel, client.M2MClient, m2mClientModel]
}

type m2mClientListModel struct {
	ClientName types.String `tfsdk:"client_name"`
	Scope      types.String `tfsdk:"scope"`
}

func (l *m2mClientListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the project's Stytch M2M clients, oldest first, for `terraform query` (Terraform 1.14 and later): each as " +
			"its identity (`client_id`) and, with `include_resource = true`, as a `machineauth_m2m_client` whose secrets are null, since " +
			"Stytch shows a secret only when it issues it. `terraform query -generate-config-out=clients.tf` writes a resource and an " +
			"import block for each. Stytch's search filters, so only matching clients are fetched, a thousand a request.",
		Attributes: map[string]schema.Attribute{
			"client_name": schema.StringAttribute{MarkdownDescription: "List only clients of exactly this name. Unset: any.", Optional: true},
			"scope": schema.StringAttribute{
				MarkdownDescription: "List only clients that may ask for this scope. Unset: any.",
				Optional:            true,
			},
		},
	}
}

// listM2MClients fetches the clients the filters match, page by page, in
// the search's order.
func listM2MClients(ctx context.Context, data *providerData, cfg m2mClientListModel) ([]client.M2MClient, diag.Diagnostics) {
	search := client.M2MSearchRequest{Limit: searchPageSize}
	var operands []client.M2MSearchOperand
	if !cfg.ClientName.IsNull() {
		operands = append(operands, client.M2MSearchOperand{FilterName: "client_name", FilterValue: cfg.ClientName.ValueString()})
	}
	if !cfg.Scope.IsNull() {
		operands = append(operands, client.M2MSearchOperand{FilterName: "scopes", FilterValue: []string{cfg.Scope.ValueString()}})
	}
	if len(operands) > 0 {
		search.Query = &client.M2MSearchQuery{Operator: "AND", Operands: operands}
	}
	var clients []client.M2MClient
	for {
		page, err := data.client.SearchM2MClients(ctx, search)
		if err != nil {
			var diags diag.Diagnostics
			addClientError(&diags, "Unable to list the project's M2M clients", err)
			return nil, diags
		}
		clients = append(clients, page.M2MClients...)
		if next := page.ResultsMetadata.NextCursor; next == nil || *next == "" || len(page.M2MClients) == 0 {
			break
		}
		search.Cursor = *page.ResultsMetadata.NextCursor
	}
	return clients, nil
}

func m2mClientDisplayName(c client.M2MClient) string {
	if c.ClientName == "" {
		return c.ClientID
	}
	return c.ClientName + " (" + c.ClientID + ", " + c.Status + ")"
}

// listedM2MClient is the state an import of c would reach after its first
// refresh.
func listedM2MClient(ctx context.Context, c client.M2MClient, diags *diag.Diagnostics) m2mClientModel {
	var m m2mClientModel
	m.set(ctx, &c, diags)
	m.ID, m.ClientID = types.StringValue(c.ClientID), types.StringValue(c.ClientID)
	m.clientSecretModel = listedClientSecret(c.ClientSecretLastFour)
	return m
}
