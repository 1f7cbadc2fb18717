package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// What the ephemeral resources that revoke when Terraform closes them
// share. Close gets no configuration, so Open keeps what Close needs in the
// private data, which Terraform holds in memory for the run and never
// writes to state or plan files. A revoke that fails on close is a warning,
// not an error: the run has done its work.

// privateState is the getter half of the framework's private state data,
// which Close, the import marker and the rotation base read; its concrete
// type is internal to the framework.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateStateWriter is the setter half of the framework's private state.
type privateStateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// keepForClose records open under key for Close, or adds an error; what
// names the credential ("API key").
func keepForClose(ctx context.Context, private privateStateWriter, key string, open any, what string, diags *diag.Diagnostics) {
	b, err := json.Marshal(open)
	if err != nil {
		diags.AddError("Unable to record the "+what+" for closing", err.Error())
		return
	}
	diags.Append(private.SetKey(ctx, key, b)...)
}

// keptForClose is what Open kept under key: false when it kept nothing, and
// also, with a warning, when that does not decode.
func keptForClose[T any](ctx context.Context, private privateState, key, what string, diags *diag.Diagnostics) (T, bool) {
	var open T
	raw, d := private.GetKey(ctx, key)
	diags.Append(d...)
	if len(raw) == 0 {
		return open, false
	}
	if err := json.Unmarshal(raw, &open); err != nil {
		diags.AddWarning("Unable to revoke the ephemeral "+what, "Its private data does not decode: "+err.Error())
		return open, false
	}
	return open, true
}

// warnOfFailedRevoke adds the revoke's diagnostics as warnings, each
// detail followed by what that leaves (note).
func warnOfFailedRevoke(diags *diag.Diagnostics, revoke diag.Diagnostics, note string) {
	for _, d := range revoke {
		diags.AddWarning(d.Summary(), d.Detail()+"\n\n"+note)
	}
}
