package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

// The protocol of the provider's ephemeral resources, once: each decodes
// its configuration into its model M, checks the provider is configured,
// lets the resource open, and returns the model unless that failed; those
// that hold something until the run ends also close. Each ephemeral
// resource's file holds its schema, model, open and close.

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*ephemeralResource[struct{}])(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*closingEphemeralResource[struct{}])(nil)
)

type ephemeralResource[M any] struct {
	// name follows the provider's type name: "_api_key".
	name   string
	schema func() schema.Schema
	// open fills in m, decoded from the configuration, and keeps in
	// private what a close needs.
	open func(ctx context.Context, data *providerData, m *M, private privateStateWriter, diags *diag.Diagnostics)

	data *providerData
}

func (e *ephemeralResource[M]) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + e.name
}

func (e *ephemeralResource[M]) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = e.schema()
}

func (e *ephemeralResource[M]) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *ephemeralResource[M]) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m M
	if !decodeConfigured(ctx, req.Config.Get, &m, e.data, &resp.Diagnostics) {
		return
	}
	e.open(ctx, e.data, &m, resp.Private, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	}
}

// closingEphemeralResource is an ephemeral resource that Terraform closes
// at the end of the run: close reads what open kept in private.
type closingEphemeralResource[M any] struct {
	ephemeralResource[M]
	close func(ctx context.Context, data *providerData, private privateState, diags *diag.Diagnostics)
}

func (e *closingEphemeralResource[M]) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	e.close(ctx, e.data, req.Private, &resp.Diagnostics)
}
