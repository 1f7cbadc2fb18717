package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// reservedClaims are set by Clerk itself on JWT-format tokens and refused
// as custom claims (400 machine_token_reserved_claim). Refusing them at
// validate time turns an apply-time API error into a plan-time diagnostic.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp"}

// canonicalClaims checks that raw is a JSON object of claims an M2M token
// may carry and returns it re-encoded with sorted keys and numbers kept
// exact, so two spellings of the same claims compare equal byte for byte.
// problem says what is wrong, for a diagnostic.
func canonicalClaims(raw string) (canonical json.RawMessage, problem string) {
	obj, problem := customClaims(raw)
	if problem != "" {
		return nil, problem
	}
	for _, name := range reservedClaims {
		if _, taken := obj[name]; taken {
			return nil, fmt.Sprintf("the claim %q is reserved: Clerk sets %s itself.", name, strings.Join(reservedClaims, ", "))
		}
	}
	return json.RawMessage(marshalClaims(obj)), ""
}

// customClaims decodes claims a configuration sets: a JSON object none of
// whose names is in the provider's own namespace, so that no configured
// claim can pass for a create marker.
func customClaims(raw string) (map[string]any, string) {
	obj, problem := claimsDocument(raw)
	if problem != "" {
		return nil, problem
	}
	for name := range obj {
		if strings.HasPrefix(name, reservedClaimPrefix) {
			return nil, fmt.Sprintf("the claim %q is in the %q namespace, which the provider keeps for its create marker.", name, reservedClaimPrefix)
		}
	}
	return obj, ""
}

// claimsDocument decodes one JSON object, numbers kept exact.
func claimsDocument(raw string) (map[string]any, string) {
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Sprintf("not valid JSON (%v); write a JSON object, e.g. with jsonencode({ team = \"payments\" }).", err)
	}
	if d.More() {
		return nil, "more than one JSON value; write a single JSON object."
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("must be a JSON object such as {\"team\":\"payments\"}, got %s.", jsonKind(v))
	}
	return obj, ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

// sameClaims reports whether two claim documents are the same JSON object;
// a document that does not parse equals nothing.
func sameClaims(a, b string) bool {
	oa, pa := claimsDocument(a)
	ob, pb := claimsDocument(b)
	return pa == "" && pb == "" && marshalClaims(oa) == marshalClaims(ob)
}

// claimsValidator refuses, at validate time, claims Clerk would refuse.
type claimsValidator struct{}

func (claimsValidator) Description(context.Context) string {
	return "a JSON object without the reserved claims " + strings.Join(reservedClaims, ", ")
}

func (v claimsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (claimsValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, problem := canonicalClaims(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+": "+problem)
	}
}

// sameClaimsKeepsState plans the prior value when the configured claims are
// the same JSON written differently, so reformatting or reordering them
// neither shows a diff nor, through RequiresReplace, replaces the token.
// Terraform accepts a planned value equal to the prior one in place of the
// configured one for exactly this purpose.
type sameClaimsKeepsState struct{}

func (sameClaimsKeepsState) Description(context.Context) string {
	return "the same JSON, differently formatted, keeps the prior value"
}

func (m sameClaimsKeepsState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameClaimsKeepsState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if sameClaims(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
