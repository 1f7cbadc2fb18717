package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*connectedAppResource)(nil)
	_ resource.ResourceWithImportState    = (*connectedAppResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*connectedAppResource)(nil)
	_ resource.ResourceWithValidateConfig = (*connectedAppResource)(nil)
	_ resource.ResourceWithIdentity       = (*connectedAppResource)(nil)
)

// NewConnectedAppResource is the machineauth_connected_app resource.
func NewConnectedAppResource() resource.Resource { return &connectedAppResource{} }

type connectedAppResource struct {
	data *providerData
}

type connectedAppModel struct {
	stytchClientIDs
	connectedAppFields
	clientSecretModel
}

func (r *connectedAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app"
}

func (r *connectedAppResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	const inPlace = " Changed in place."
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	// Both lists of redirect URLs: none by default, each an allowed redirect.
	redirectURLs := func(doc string) schema.ListAttribute {
		return schema.ListAttribute{
			MarkdownDescription: doc,
			ElementType:         types.StringType,
			Optional:            true,
			Computed:            true,
			Default:             listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{})),
			Validators:          []validator.List{listvalidator.ValueStringsAre(redirectURIValidator)},
		}
	}
	// The first-party switches, off by default.
	firstPartyOnly := func(doc string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: doc, Optional: true, Computed: true, Default: booldefault.StaticBool(false)}
	}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The client's id, its `client_id`.",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"client_id": schema.StringAttribute{
			MarkdownDescription: "The OAuth `client_id` (`connected-app-test-...` or `connected-app-live-...`), which a `machineauth_connected_app_authorization` names as its `connected_app_id`.",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"client_type": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["client_type"] + " Changing it replaces the client: Stytch cannot change a client's type.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.OneOf(connectedAppClientTypes...)},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"client_name": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["client_name"] + inPlace,
			Required:            true,
			Validators:          nonEmpty,
		},
		"client_description": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["client_description"] + " Unset: none." + inPlace,
			Optional:            true,
			Validators:          nonEmpty,
		},
		"redirect_urls":             redirectURLs(connectedAppFieldDocs["redirect_urls"] + " A `machineauth_connected_app_authorization`'s `redirect_uri` must be one of them. Default: none." + inPlace),
		"post_logout_redirect_urls": redirectURLs(connectedAppFieldDocs["post_logout_redirect_urls"] + " Default: none." + inPlace),
		"full_access_allowed":       firstPartyOnly(connectedAppFieldDocs["full_access_allowed"] + " Default `false`." + inPlace),
		"access_token_expiry_minutes": schema.Int64Attribute{
			MarkdownDescription: connectedAppFieldDocs["access_token_expiry_minutes"] + " At least 1; default 60." + inPlace,
			Optional:            true,
			Computed:            true,
			Default:             int64default.StaticInt64(defaultAccessTokenExpiryMinutes),
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		},
		"access_token_custom_audience": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["access_token_custom_audience"] + " Unset: the project id." + inPlace,
			Optional:            true,
			Validators:          nonEmpty,
		},
		"access_token_template_content": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["access_token_template_content"] + " Unset: no custom claims." + inPlace,
			Optional:            true,
			Validators:          nonEmpty,
		},
		"logo_url": schema.StringAttribute{
			MarkdownDescription: connectedAppFieldDocs["logo_url"] + " Unset: none." + inPlace,
			Optional:            true,
			Validators:          []validator.String{stringCheck{description: "an absolute https URL", check: checkLogoURL}},
		},
		"bypass_consent_for_offline_access": firstPartyOnly(connectedAppFieldDocs["bypass_consent_for_offline_access"] + " Default `false`." + inPlace),
	}
	maps.Copy(attrs, clientSecretAttributes("The client secret, for confidential client types; null for public ones. Set at create."))
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Stytch connected-app client: the OAuth app (an integration, an agent, an MCP server) that members " +
			"authorize with `machineauth_connected_app_authorization`, with its redirect URLs, token lifetime and client secret.\n\n" +
			"**Updates** are in place but for `client_type`. Stytch replaces the whole client on every update, resetting any field " +
			"left out, so every update sends every field.\n\n" + clientSecretDoc("machineauth_connected_app.example") + "\n\n" +
			"**Destroy** deletes the client. What Stytch does with the authorizations members granted it is not documented: " +
			"the emulator revokes them, with every token issued under them, so treat destroying a client as revoking them all. " +
			"Deleting a client that is already gone counts as done.\n\n" + connectedAppCreateDoc + "\n\n" +
			"**Import** by `client_id`. Stytch never shows a secret again, so `client_secret` stays null until a rotation: change " +
			"`secret_rotation_triggers` after the import to get a secret Terraform knows.",
		Attributes: attrs,
	}
}

func (r *connectedAppResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = connectedAppKind.identity().schema()
}

func (r *connectedAppResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *connectedAppResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var clientType types.String
	var triggers types.Map
	var fullAccess, bypass types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_type"), &clientType)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_rotation_triggers"), &triggers)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("full_access_allowed"), &fullAccess)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("bypass_consent_for_offline_access"), &bypass)...)
	if resp.Diagnostics.HasError() || clientType.IsNull() || clientType.IsUnknown() {
		return
	}
	t := clientType.ValueString()
	if publicClientType(t) && !triggers.IsNull() {
		resp.Diagnostics.AddAttributeError(rotationPath, "Invalid secret_rotation_triggers",
			fmt.Sprintf("secret_rotation_triggers: a %s client has no client secret to rotate. Remove secret_rotation_triggers, or use a confidential client_type.", t))
	}
	for name, v := range map[string]types.Bool{"full_access_allowed": fullAccess, "bypass_consent_for_offline_access": bypass} {
		if v.ValueBool() && t != "first_party" && t != "first_party_public" {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Invalid "+name,
				fmt.Sprintf("%s: true is valid for first-party clients only, and client_type is %s. Remove it, or use first_party or first_party_public.", name, t))
		}
	}
}

// ModifyPlan plans the rotation step the triggers and Stytch's clock call for.
func (r *connectedAppResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	planClientRotation(ctx, req, resp, func(plan *connectedAppModel) bool {
		return !plan.ClientType.IsUnknown() && !publicClientType(plan.ClientType.ValueString())
	})
}

func (r *connectedAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m connectedAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	fields := m.request(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	app, configured := createConnectedApp(ctx, r.data.client, m.ClientType.ValueString(), fields, &resp.Diagnostics)
	if app == nil {
		return
	}
	m.ID, m.ClientID = types.StringValue(app.ClientID), types.StringValue(app.ClientID)
	m.madeWith(app.ClientSecret, app.ClientSecretLastFour)
	if !configured {
		// Saved with the error, so the client is tracked (tainted) and the
		// next apply replaces it: what Stytch holds is the marker.
		m.ClientDescription = stringOrNull(app.ClientDescription)
	}
	saveClient(ctx, &resp.State, resp.Identity, resp.Private, &m, true, &resp.Diagnostics)
}

func (r *connectedAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readClient(ctx, req, resp, connectedAppKind, r.data.client.GetConnectedAppClient, func(m *connectedAppModel, app *client.ConnectedAppClient) secretStatus {
		m.set(ctx, app, &resp.Diagnostics)
		return appSecretStatus(app)
	}, r.data.client.StytchNow)
}

// Update sends the whole client when an argument changed, then the
// rotation step the plan holds.
func (r *connectedAppResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateClient(ctx, req, resp, (*connectedAppModel).request, r.data.client.UpdateConnectedAppClient, connectedAppRotator{r.data.client}, r.data.client.StytchNow)
}

func (r *connectedAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteClient(ctx, req, resp, connectedAppKind, r.data.client.DeleteConnectedAppClient)
}

func (r *connectedAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importClient(ctx, req, resp, connectedAppKind, connectedAppIDPattern.check)
}

// The machineauth_connected_app list resource (Terraform 1.14 and later,
// `terraform query`): the project's connected-app clients, so those made in
// the dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*connectedAppListResource)(nil)

// NewConnectedAppListResource is the machineauth_connected_app list resource.
func NewConnectedAppListResource() list.ListResource {
	return &connectedAppListResource{listResults[connectedAppListModel, client.ConnectedAppClient, connectedAppModel]{
		typeName: "_connected_app",
		fetch:    listConnectedApps,
		name:     connectedAppDisplayName,
		identity: func(a client.ConnectedAppClient) any {
			return clientIDIdentity.of(types.StringValue(a.ClientID))
		},
		resource: listedConnectedApp,
	}}
}

type connectedAppListResource struct {
	listResults[connectedAppListModel, client.ConnectedAppClient, connectedAppModel]
}

type connectedAppListModel struct {
	ClientType types.String `tfsdk:"client_type"`
}

func (l *connectedAppListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the project's Stytch connected-app clients, oldest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`client_id`) and, with `include_resource = true`, as a `machineauth_connected_app` whose secrets are null, " +
			"since Stytch shows a secret only when it issues it. `terraform query -generate-config-out=apps.tf` writes a resource and an " +
			"import block for each. The search pages through every client, a thousand a request.",
		Attributes: map[string]listschema.Attribute{
			"client_type": listschema.StringAttribute{
				MarkdownDescription: "List only clients of this type. Unset: all.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(connectedAppClientTypes...)},
			},
		},
	}
}

// listConnectedApps fetches the project's clients of the type asked for,
// in the search's order.
func listConnectedApps(ctx context.Context, data *providerData, cfg connectedAppListModel) ([]client.ConnectedAppClient, diag.Diagnostics) {
	var apps []client.ConnectedAppClient
	err := eachConnectedApp(ctx, data.client, func(a client.ConnectedAppClient) {
		if cfg.ClientType.IsNull() || a.ClientType == cfg.ClientType.ValueString() {
			apps = append(apps, a)
		}
	})
	if err != nil {
		var diags diag.Diagnostics
		addClientError(&diags, "Unable to list the project's connected apps", err)
		return nil, diags
	}
	return apps, nil
}

func connectedAppDisplayName(a client.ConnectedAppClient) string {
	return a.ClientName + " (" + a.ClientType + ", " + a.ClientID + ")"
}

// listedConnectedApp is the state an import of a would reach after its
// first refresh.
func listedConnectedApp(ctx context.Context, a client.ConnectedAppClient, diags *diag.Diagnostics) connectedAppModel {
	var m connectedAppModel
	m.set(ctx, &a, diags)
	m.ID, m.ClientID = types.StringValue(a.ClientID), types.StringValue(a.ClientID)
	m.clientSecretModel = listedClientSecret(a.ClientSecretLastFour)
	return m
}
