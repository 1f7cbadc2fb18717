package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Resource identity (Terraform 1.12 and later) of
// machineauth_connected_app_authorization: the grantor (organization and
// member, or consumer user) and the app, the parts of its import id.

var _ resource.ResourceWithIdentity = (*connectedAppAuthorizationResource)(nil)

type connectedAppAuthorizationIdentityModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	MemberID       types.String `tfsdk:"member_id"`
	UserID         types.String `tfsdk:"user_id"`
	ConnectedAppID types.String `tfsdk:"connected_app_id"`
}

func connectedAppAuthorizationIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"organization_id": identityschema.StringAttribute{
				Description:       "The member's organization (`organization-test-...` or `organization-live-...`); with `member_id`, for a B2B project.",
				OptionalForImport: true,
			},
			"member_id": identityschema.StringAttribute{
				Description:       "The member who granted consent (`member-test-...` or `member-live-...`); with `organization_id`.",
				OptionalForImport: true,
			},
			"user_id": identityschema.StringAttribute{
				Description:       "For a consumer project, the user who granted consent (`user-test-...` or `user-live-...`), instead of `organization_id` and `member_id`.",
				OptionalForImport: true,
			},
			"connected_app_id": identityschema.StringAttribute{
				Description:       "The connected app (`connected-app-test-...` or `connected-app-live-...`).",
				RequiredForImport: true,
			},
		},
	}
}

func (r *connectedAppAuthorizationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = connectedAppAuthorizationIdentitySchema()
}

func (s grantor) identity(connectedAppID string) connectedAppAuthorizationIdentityModel {
	return connectedAppAuthorizationIdentityModel{
		OrganizationID: stringOrNull(s.organizationID),
		MemberID:       stringOrNull(s.memberID),
		UserID:         stringOrNull(s.userID),
		ConnectedAppID: types.StringValue(connectedAppID),
	}
}

// setAuthorizationIdentity records the authorization's identity, leaving a
// missing identity (a client without identity support) alone.
func setAuthorizationIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m *connectedAppAuthorizationModel, diags *diag.Diagnostics) {
	if identity == nil || m.ConnectedAppID.IsNull() || m.ConnectedAppID.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, m.grantor().identity(m.ConnectedAppID.ValueString()))...)
}

// authorizationImportID turns an import block's identity into the import id
// the rest of the import checks, refusing a mix of the two grantor forms
// here, where the identity attributes can be named.
func authorizationImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	const forms = "Set organization_id, member_id and connected_app_id for a member, or user_id and connected_app_id for a consumer user."
	if identity == nil {
		diags.AddError("Missing import id", "Import an authorization by its id <organization_id>/<member_id>/<connected_app_id> or <user_id>/<connected_app_id>, or by its identity. "+forms)
		return ""
	}
	var id connectedAppAuthorizationIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	org, member, user, app := id.OrganizationID.ValueString(), id.MemberID.ValueString(), id.UserID.ValueString(), id.ConnectedAppID.ValueString()
	switch {
	case user != "" && org == "" && member == "":
		return user + "/" + app
	case user == "" && org != "" && member != "":
		return org + "/" + member + "/" + app
	}
	diags.AddError("Invalid import identity", fmt.Sprintf("Got organization_id %q, member_id %q and user_id %q. %s",
		client.Redact(org), client.Redact(member), client.Redact(user), forms))
	return ""
}

// setAuthorizationIdentityFromParts records the identity of an import id
// already split and checked: three parts for a member, two for a user.
func setAuthorizationIdentityFromParts(ctx context.Context, identity *tfsdk.ResourceIdentity, parts []string, diags *diag.Diagnostics) {
	m := connectedAppAuthorizationModel{ConnectedAppID: types.StringValue(parts[len(parts)-1])}
	if len(parts) == 3 {
		m.OrganizationID, m.MemberID = types.StringValue(parts[0]), types.StringValue(parts[1])
	} else {
		m.UserID = types.StringValue(parts[0])
	}
	setAuthorizationIdentity(ctx, identity, &m, diags)
}
