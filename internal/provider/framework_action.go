package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The provider's actions (Terraform 1.14 and later) are break-glass calls:
// each decodes its configuration into its model M and runs its own calls with
// the configured provider, reporting progress as it goes. invokedAction is
// that protocol, once; each action's file holds its schema, model and run.

var (
	_ action.ActionWithConfigure        = (*invokedAction[struct{}])(nil)
	_ action.ActionWithConfigValidators = (*invokedAction[struct{}])(nil)
)

type invokedAction[M any] struct {
	// name follows the provider's type name: "_revoke_api_key".
	name       string
	schema     func() schema.Schema
	validators []action.ConfigValidator
	run        func(ctx context.Context, data *providerData, m M, in invocation)

	data *providerData
}

func (a *invokedAction[M]) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + a.name
}

func (a *invokedAction[M]) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = a.schema()
}

func (a *invokedAction[M]) ConfigValidators(context.Context) []action.ConfigValidator {
	return a.validators
}

func (a *invokedAction[M]) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (a *invokedAction[M]) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The machineauth provider was not configured before the action ran: this is a bug in the provider.")
		return
	}
	a.run(ctx, a.data, m, invocation{resp: resp})
}

// invocation is what a run reports to: diagnostics, and progress messages
// Terraform shows while the action runs.
type invocation struct {
	resp *action.InvokeResponse
}

func (in invocation) diags() *diag.Diagnostics { return &in.resp.Diagnostics }

// progress is a no-op when Terraform takes no progress events.
func (in invocation) progress(format string, args ...any) {
	if in.resp.SendProgress != nil {
		in.resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}
}

// leftAlone ends a run that finds nothing to do: not an error, but a warning,
// so a break-glass call that changed nothing never passes unnoticed.
func (in invocation) leftAlone(progress, summary, detail string) {
	in.progress("%s", progress)
	in.resp.Diagnostics.AddWarning(summary, detail)
}
