package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// What the list resources (Terraform 1.14 and later, `terraform query`)
// share: the configuration is decoded and the provider checked before
// anything is fetched, every item is fetched before the first result, and
// the results stop at the request's limit or when Terraform wants no more.
// Each list resource keeps its schema, its fetch and how one item becomes a
// result.

// listResults is embedded by each list resource: C is the model of its
// configuration, T what it lists, M the resource state an item becomes.
type listResults[C, T, M any] struct {
	typeName string // after the provider's name, such as "_api_key"
	data     *providerData

	// fetch returns every item to list, in the order they are listed; an
	// error in its diagnostics ends the listing before any result.
	fetch func(ctx context.Context, data *providerData, cfg C) ([]T, diag.Diagnostics)
	// name is what `terraform query` shows for an item.
	name func(item T) string
	// identity is the item's resource identity.
	identity func(item T) any
	// resource is the state an import of the item would reach, built only
	// for a request with include_resource.
	resource func(ctx context.Context, item T, diags *diag.Diagnostics) M
}

func (l *listResults[C, T, M]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + l.typeName
}

func (l *listResults[C, T, M]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *listResults[C, T, M]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg C
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
	items, diags := l.fetch(ctx, l.data, cfg)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, item := range items {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = l.name(item)
			res.Diagnostics.Append(res.Identity.Set(ctx, l.identity(item))...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, l.resource(ctx, item, &res.Diagnostics))...)
			}
			if !push(res) {
				return
			}
		}
	}
}
