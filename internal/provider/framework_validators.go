package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The schema validators and plan modifiers every resource uses: each check
// of a value is a plain function that says what is wrong, so that the same
// check serves a validator, an import id and an environment variable.

// stringCheck adapts a check, which says what is wrong with a value or
// returns "", into a schema validator.
type stringCheck struct {
	description string
	check       func(string) string
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := v.check(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+": "+problem)
	}
}

// jsonObjectValidator refuses at validate time anything but a JSON object.
var jsonObjectValidator = stringCheck{description: "a JSON object", check: checkJSONObject}

// sameJSONKeepsState plans the prior value when the configured JSON is the
// same object written differently, so reformatting or reordering it neither
// shows a diff nor, through RequiresReplace, replaces anything. Terraform
// accepts a planned value equal to the prior one in place of the configured
// one for exactly this purpose.
type sameJSONKeepsState struct{}

func (sameJSONKeepsState) Description(context.Context) string {
	return "the same JSON, differently formatted, keeps the prior value"
}

func (m sameJSONKeepsState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameJSONKeepsState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if sameJSONObject(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
