package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listresourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_connected_app_authorization list resource (Terraform 1.14
// and later, `terraform query`): the connected apps a member or consumer user
// has authorized, so consents granted on a consent screen can be found and
// imported.

var (
	_ list.ListResourceWithConfigure        = (*connectedAppAuthorizationListResource)(nil)
	_ list.ListResourceWithConfigValidators = (*connectedAppAuthorizationListResource)(nil)
)

// NewConnectedAppAuthorizationListResource is the
// machineauth_connected_app_authorization list resource.
func NewConnectedAppAuthorizationListResource() list.ListResource {
	return &connectedAppAuthorizationListResource{listResults[connectedAppAuthorizationListModel, authorizedApp, connectedAppAuthorizationModel]{
		typeName: "_connected_app_authorization",
		fetch:    listAuthorizedApps,
		name:     authorizedAppDisplayName,
		identity: func(a authorizedApp) any { return a.who.identity(a.app.ConnectedAppID) },
		resource: listedAuthorization,
	}}
}

type connectedAppAuthorizationListResource struct {
	listResults[connectedAppAuthorizationListModel, authorizedApp, connectedAppAuthorizationModel]
}

// authorizedApp is one listed authorization: an app and who authorized it.
type authorizedApp struct {
	who grantor
	app client.MemberConnectedApp
}

type connectedAppAuthorizationListModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	MemberID       types.String `tfsdk:"member_id"`
	UserID         types.String `tfsdk:"user_id"`
}

func (l *connectedAppAuthorizationListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Stytch connected apps a member (or a consumer user) has authorized, for `terraform query` " +
			"(Terraform 1.14 and later): each as its identity and, with `include_resource = true`, as a " +
			"`machineauth_connected_app_authorization` with the granted scopes. Stytch never returns an authorization's tokens, " +
			"redirect URI or client secret, so those are null: `terraform query -generate-config-out=authorizations.tf` writes a " +
			"resource and an import block for each, and `redirect_uri` (required) has to be filled in before applying; the first " +
			"apply then records it without authorizing again.",
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "The member's organization (`organization-test-...` or `organization-live-...`). Set with `member_id`; conflicts with `user_id`.",
				Optional:            true,
				Validators:          []validator.String{organizationIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("member_id"))},
			},
			"member_id": schema.StringAttribute{
				MarkdownDescription: "The member whose authorizations to list (`member-test-...` or `member-live-...`). Set with `organization_id`.",
				Optional:            true,
				Validators:          []validator.String{memberIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("organization_id"))},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "For a consumer project, the user whose authorizations to list (`user-test-...` or `user-live-...`).",
				Optional:            true,
				Validators:          []validator.String{userIDPattern.validator()},
			},
		},
	}
}

func (l *connectedAppAuthorizationListResource) ListResourceConfigValidators(context.Context) []list.ConfigValidator {
	return []list.ConfigValidator{
		listresourcevalidator.ExactlyOneOf(path.MatchRoot("organization_id"), path.MatchRoot("user_id")),
	}
}

// listAuthorizedApps fetches the apps the member or user has authorized,
// by connected app id.
func listAuthorizedApps(ctx context.Context, data *providerData, cfg connectedAppAuthorizationListModel) ([]authorizedApp, diag.Diagnostics) {
	who := grantor{organizationID: cfg.OrganizationID.ValueString(), memberID: cfg.MemberID.ValueString(), userID: cfg.UserID.ValueString()}
	var resp *client.MemberConnectedAppsResponse
	var err error
	if who.userID != "" {
		resp, err = data.client.UserConnectedApps(ctx, who.userID)
	} else {
		resp, err = data.client.MemberConnectedApps(ctx, who.organizationID, who.memberID)
	}
	if err != nil {
		var diags diag.Diagnostics
		addClientError(&diags, "Unable to list the connected apps of "+who.key(), err)
		return nil, diags
	}
	apps := make([]authorizedApp, len(resp.ConnectedApps))
	for i, app := range resp.ConnectedApps {
		apps[i] = authorizedApp{who: who, app: app}
	}
	slices.SortFunc(apps, func(a, b authorizedApp) int { return strings.Compare(a.app.ConnectedAppID, b.app.ConnectedAppID) })
	return apps, nil
}

func authorizedAppDisplayName(a authorizedApp) string {
	if a.app.Name == "" {
		return a.app.ConnectedAppID
	}
	return a.app.Name + " (" + a.app.ConnectedAppID + ")"
}

// listedAuthorization is the state an import of the authorization would
// reach after its first refresh.
func listedAuthorization(ctx context.Context, a authorizedApp, diags *diag.Diagnostics) connectedAppAuthorizationModel {
	granted, d := types.SetValueFrom(ctx, types.StringType, nonNilStrings(strings.Fields(a.app.ScopesGranted)))
	diags.Append(d...)
	id := a.who.identity(a.app.ConnectedAppID)
	return connectedAppAuthorizationModel{
		ID:             types.StringValue(a.who.authorizationID(a.app.ConnectedAppID)),
		OrganizationID: id.OrganizationID,
		MemberID:       id.MemberID,
		UserID:         id.UserID,
		ConnectedAppID: id.ConnectedAppID,
		Scopes:         granted,
		GrantedScopes:  granted,
	}
}
