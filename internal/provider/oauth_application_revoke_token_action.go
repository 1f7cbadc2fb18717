package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// machineauth_revoke_oauth_token (Terraform 1.14 and later) revokes the
// grant of one opaque access or refresh token of a Clerk OAuth
// application: break-glass revocation with
// `terraform apply -invoke=action.machineauth_revoke_oauth_token.<name>`.

// NewRevokeOAuthTokenAction is the machineauth_revoke_oauth_token action.
func NewRevokeOAuthTokenAction() action.Action {
	return &revokeOAuthTokenAction{invokedAction[revokeOAuthTokenModel]{name: "_revoke_oauth_token", schema: revokeOAuthTokenSchema, run: revokeOAuthToken}}
}

var _ action.ActionWithModifyPlan = (*revokeOAuthTokenAction)(nil)

// revokeOAuthTokenAction also checks its token at plan: Terraform
// validates an action's configuration before variables are known, so a
// JWT given by a (sensitive) variable is first seen here.
type revokeOAuthTokenAction struct {
	invokedAction[revokeOAuthTokenModel]
}

func (a *revokeOAuthTokenAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var token types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("token"), &token)...)
	if resp.Diagnostics.HasError() || token.IsNull() || token.IsUnknown() {
		return
	}
	if p := checkRevocableOAuthToken(token.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Invalid token", "token "+p)
	}
}

type revokeOAuthTokenModel struct {
	OAuthApplicationID types.String `tfsdk:"oauth_application_id"`
	Token              types.String `tfsdk:"token"`
}

func revokeOAuthTokenSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Revokes the grant of an opaque OAuth access or refresh token of a Clerk OAuth application: every access and refresh token " +
			"that grant issued stops working at once (`POST /oauth_applications/{id}/revoke_token`). Break-glass use for a leaked or suspect token, with " +
			"`terraform apply -invoke=action.machineauth_revoke_oauth_token.<name>` (Terraform 1.14 and later), or from a resource's " +
			"`lifecycle { action_trigger { ... } }`. The application and its other grants are left alone; the user authorizes anew to get new tokens.\n\n" +
			"**JWT access tokens cannot be revoked**: Clerk keeps no record of them, and verifiers check them locally until they expire. " +
			"One given here is refused with no request sent: at validate when written in the configuration, at plan when it comes from a variable. To end such tokens early, revoke the grant by its refresh token " +
			"(which stops further JWTs), rotate the application's secret, or delete the application.\n\n" +
			"The provider first reads the application, so an unknown one is refused. A token of no live grant of this application (unknown, " +
			"already revoked, or another application's) is reported with a warning and nothing is revoked. Needs the provider's `clerk.secret_key`. " +
			"Terraform shows an action's arguments in its plan unless they are sensitive: give `token` from a sensitive variable " +
			"(`terraform apply -invoke=... -var token=...`), never as a literal.",
		Attributes: map[string]schema.Attribute{
			"oauth_application_id": schema.StringAttribute{
				MarkdownDescription: "The application (Clerk's id, such as a `machineauth_oauth_application`'s `id`), not its `client_id`.",
				Required:            true,
				Validators:          oauthApplicationIDValidators,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The opaque access token (`oat_...`) or refresh token whose grant to revoke. A JWT access token is refused at validate. " +
					"Give it from a sensitive variable: an action's arguments are never stored, but Terraform shows those that are not sensitive in its plan.",
				Required:   true,
				Validators: []validator.String{stringCheck{description: "an opaque OAuth access or refresh token", check: checkRevocableOAuthToken}},
			},
		},
	}
}

// checkRevocableOAuthToken refuses what Clerk cannot revoke: a JWT access
// token, which Clerk does not store. The token is never echoed.
func checkRevocableOAuthToken(v string) string {
	if v == "" {
		return "must not be empty: give the opaque access token (oat_...) or the refresh token."
	}
	if _, err := jwtverify.Parse(v); err == nil {
		return "is a JWT access token, which cannot be revoked: Clerk keeps no record of JWT access tokens, and verifiers check them locally " +
			"until they expire. Revoke the grant by its refresh token instead (which stops new tokens), rotate the application's client secret, " +
			"or delete the application."
	}
	return ""
}

func revokeOAuthToken(ctx context.Context, data *providerData, m revokeOAuthTokenModel, in invocation) {
	id := m.OAuthApplicationID.ValueString()
	if p := checkRevocableOAuthToken(m.Token.ValueString()); p != "" {
		in.diags().AddAttributeError(path.Root("token"), "Invalid token", "token "+p+" Nothing was sent to Clerk.")
		return
	}
	if _, err := data.keys.managing(); err != nil {
		addClientError(in.diags(), "Revoking an OAuth token", err)
		return
	}
	in.progress("Looking up OAuth application %s", id)
	a, err := data.client.GetOAuthApplication(ctx, id)
	switch {
	case client.IsNotFound(err):
		in.diags().AddError("OAuth application not found", fmt.Sprintf("Clerk has no OAuth application %s. Nothing was revoked.", id))
		return
	case err != nil:
		addClientError(in.diags(), "Unable to read OAuth application "+id, err)
		return
	}

	in.progress("Revoking the grant of the given token of OAuth application %q (%s)", a.Name, id)
	err = data.client.RevokeOAuthToken(ctx, id, m.Token.ValueString())
	switch {
	case client.IsNotFound(err):
		in.leftAlone(fmt.Sprintf("No live grant of OAuth application %s has this token; nothing to do", id), "No grant to revoke",
			fmt.Sprintf("Clerk knows no live grant of OAuth application %q (%s) with this token: it is unknown, its grant was already revoked, "+
				"or it is another application's. Nothing was revoked.", a.Name, id))
		return
	case err != nil:
		addClientError(in.diags(), fmt.Sprintf("Unable to revoke the grant of a token of OAuth application %s", id), err)
		return
	}
	in.progress("Revoked the grant: every access and refresh token it issued for OAuth application %q (%s) has stopped working", a.Name, id)
}
