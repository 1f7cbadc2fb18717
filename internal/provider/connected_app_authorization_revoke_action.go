package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// machineauth_revoke_connected_app_authorization (Terraform 1.14 and later)
// revokes a member's or user's consent to a connected app, and with it every
// token issued under it, whether or not Terraform manages the authorization.

// NewRevokeConnectedAppAuthorizationAction is the
// machineauth_revoke_connected_app_authorization action.
func NewRevokeConnectedAppAuthorizationAction() action.Action {
	return &invokedAction[revokeConnectedAppAuthorizationModel]{
		name:   "_revoke_connected_app_authorization",
		schema: revokeConnectedAppAuthorizationSchema,
		validators: []action.ConfigValidator{
			actionvalidator.ExactlyOneOf(path.MatchRoot("organization_id"), path.MatchRoot("user_id")),
		},
		run: revokeConnectedAppAuthorization,
	}
}

type revokeConnectedAppAuthorizationModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	MemberID       types.String `tfsdk:"member_id"`
	UserID         types.String `tfsdk:"user_id"`
	ConnectedAppID types.String `tfsdk:"connected_app_id"`
	Reason         types.String `tfsdk:"reason"`
}

func revokeConnectedAppAuthorizationSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Revokes a member's (or consumer user's) authorization of a Stytch connected app, and with it every token " +
			"issued under it, whether or not Terraform manages the authorization: break-glass revocation with " +
			"`terraform apply -invoke=action.machineauth_revoke_connected_app_authorization.<name>` (Terraform 1.14 and later).\n\n" +
			"The project secret authorizes the revoke. An app the member has not authorized, or a member or app that no longer " +
			"exists, leaves nothing to revoke: the action says so in a warning and succeeds. A " +
			"`machineauth_connected_app_authorization` whose authorization this revokes is removed from its state, with a warning, " +
			"at its next refresh, and authorized again by the next apply.",
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "The member's organization (`organization-test-...` or `organization-live-...`). Set with `member_id`; conflicts with `user_id`.",
				Optional:            true,
				Validators:          []validator.String{organizationIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("member_id"))},
			},
			"member_id": schema.StringAttribute{
				MarkdownDescription: "The member whose consent is revoked (`member-test-...` or `member-live-...`). Set with `organization_id`.",
				Optional:            true,
				Validators:          []validator.String{memberIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("organization_id"))},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "For a consumer project, the user whose consent is revoked (`user-test-...` or `user-live-...`), instead of `organization_id` and `member_id`.",
				Optional:            true,
				Validators:          []validator.String{userIDPattern.validator()},
			},
			"connected_app_id": schema.StringAttribute{
				MarkdownDescription: "The connected app (`connected-app-test-...` or `connected-app-live-...`).",
				Required:            true,
				Validators:          []validator.String{connectedAppIDPattern.validator()},
			},
			"reason": schema.StringAttribute{
				MarkdownDescription: "Why the authorization is revoked. Stytch's revoke takes no reason, so the provider writes it to its log at info level (`TF_LOG=INFO`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func revokeConnectedAppAuthorization(ctx context.Context, data *providerData, m revokeConnectedAppAuthorizationModel, in invocation) {
	who := grantor{organizationID: m.OrganizationID.ValueString(), memberID: m.MemberID.ValueString(), userID: m.UserID.ValueString()}
	appID := m.ConnectedAppID.ValueString()
	id := who.authorizationID(appID)
	nothingToRevoke := func(why string) {
		msg := fmt.Sprintf("Connected app authorization %s: nothing to revoke, %s", id, why)
		in.leftAlone(msg, "Nothing to revoke", msg)
	}

	in.progress("Checking that %s has authorized connected app %s", who.key(), appID)
	apps, err := who.list(ctx, data.client)
	switch {
	case err != nil && authorizationGone(err):
		nothingToRevoke(fmt.Sprintf("%s no longer exists (%s).", who.key(), client.Redact(err.Error())))
		return
	case err != nil:
		addClientError(in.diags(), "Unable to list the connected apps of "+who.key(), err)
		return
	}
	if _, ok := apps[appID]; !ok {
		nothingToRevoke(fmt.Sprintf("connected app %s is not among the apps %s has authorized.", appID, who.key()))
		return
	}

	fields := map[string]any{"id": id}
	if !m.Reason.IsNull() {
		fields["revocation_reason"] = m.Reason.ValueString()
	}
	tflog.Info(ctx, "Revoking connected app authorization", fields)
	in.progress("Revoking the authorization of connected app %s by %s", appID, who.key())
	err = who.revokeSettled(ctx, data.client, appID, "", "")
	switch {
	case err != nil && authorizationGone(err):
		nothingToRevoke(fmt.Sprintf("Stytch answered that it no longer exists (%s).", client.Redact(err.Error())))
		return
	case err != nil:
		addClientError(in.diags(), "Unable to revoke connected app authorization "+id, err)
		return
	}
	data.authorizations.revoked(who, appID)
	in.progress("Revoked the authorization of connected app %s by %s, and every token issued under it", appID, who.key())
}
