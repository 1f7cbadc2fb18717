package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The protocol of the provider's data sources, once: each decodes its
// configuration into its model M, checks the provider is configured, lets
// the data source fill the model in, and records it unless that failed.
// Each data source's file holds its schema, model and read.

var (
	_ datasource.DataSourceWithConfigure        = (*dataSource[struct{}])(nil)
	_ datasource.DataSourceWithConfigValidators = (*dataSource[struct{}])(nil)
)

type dataSource[M any] struct {
	// name follows the provider's type name: "_machine".
	name       string
	schema     func() schema.Schema
	validators []datasource.ConfigValidator
	// read fills in m, decoded from the configuration.
	read func(ctx context.Context, data *providerData, m *M, diags *diag.Diagnostics)

	data *providerData
}

func (d *dataSource[M]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.name
}

func (d *dataSource[M]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = d.schema()
}

func (d *dataSource[M]) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return d.validators
}

func (d *dataSource[M]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *dataSource[M]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m M
	if !decodeConfigured(ctx, req.Config.Get, &m, d.data, &resp.Diagnostics) {
		return
	}
	d.read(ctx, d.data, &m, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// decodeConfigured decodes a configuration into m with get, and reports
// whether the provider is configured to act on it.
func decodeConfigured[M any](ctx context.Context, get func(context.Context, any) diag.Diagnostics, m *M, data *providerData, diags *diag.Diagnostics) bool {
	diags.Append(get(ctx, m)...)
	if diags.HasError() {
		return false
	}
	if data == nil {
		diags.AddError("Provider not configured", "The machineauth provider was not configured before it was asked to act: this is a bug in the provider.")
		return false
	}
	return true
}
