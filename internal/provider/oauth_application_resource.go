package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*oauthApplicationResource)(nil)
	_ resource.ResourceWithImportState    = (*oauthApplicationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*oauthApplicationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*oauthApplicationResource)(nil)
	_ resource.ResourceWithIdentity       = (*oauthApplicationResource)(nil)
)

// NewOAuthApplicationResource is the machineauth_oauth_application resource.
func NewOAuthApplicationResource() resource.Resource { return &oauthApplicationResource{} }

type oauthApplicationResource struct {
	data *providerData
}

type oauthApplicationModel struct {
	oauthApplicationState
	SecretRotationTriggers types.Map    `tfsdk:"secret_rotation_triggers"`
	ClientSecret           types.String `tfsdk:"client_secret"`
}

const oauthApplicationRotationDoc = "**Secret rotation.** Changing `secret_rotation_triggers` (say, from a `time_rotating`) rotates the client secret in place " +
	"(`POST /oauth_applications/{id}/rotate_secret`): the application, its id and its `client_id` stay, `client_secret` becomes the new secret. " +
	"**Clerk ends the old secret the moment it issues the new one: there is no overlap.** Every consumer must take the new secret in the same apply, " +
	"so reference `client_secret` from what consumes it (a secret manager's value, a deployment's environment): Terraform then updates it right after " +
	"the rotation. A consumer holding a copy fails at the token endpoint until it gets the new secret. A plan that rotates says so in a warning naming " +
	"the application. A rotation whose answer is lost is sent again (up to three requests): the secret in the lost answer reached nobody and the old one " +
	"is already gone, so only a new one is of any use. A public client (`public = true`) has no secret: `client_secret` is null, and " +
	"`secret_rotation_triggers` is refused at validate."

const oauthApplicationDriftDoc = "**Drift.** Every refresh reads the application (`GET /oauth_applications/{id}`): a change made in the dashboard shows in the plan " +
	"and is undone in place. An application deleted outside Terraform is removed from state with a warning naming it, and the next apply makes a new one, " +
	"with a new `client_id` and secret; 401, 403 and 5xx answers are errors, never \"gone\". Clerk never shows a client secret again, so a rotation made " +
	"outside Terraform cannot be seen: change `secret_rotation_triggers` to rotate again and get a secret Terraform knows."

const oauthApplicationDeleteDoc = "**Delete.** Destroying the resource deletes the application (`DELETE /oauth_applications/{id}`); one already gone counts as deleted. " +
	"Its client secret stops working and, in the provider's emulator, every grant users made it is revoked, so its opaque access and refresh tokens " +
	"stop working; JWT access tokens, which verifiers check locally, stay valid until they expire."

const oauthApplicationPublicDoc = "**Public clients.** Changing `public` is sent to Clerk in place. A client made public loses its secret: `client_secret` turns null. " +
	"A client made confidential gets a secret by a rotation in the same apply. Clerk's reference takes `public` in an update; an older Clerk client's " +
	"documentation says the change is refused, in which case the apply fails with Clerk's error and nothing changes."

func (r *oauthApplicationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_application"
}

func (r *oauthApplicationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true, PlanModifiers: keep}
	}
	inPlace := " Changed in place."
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Clerk OAuth application: a client that other software uses to act for Clerk users, with Clerk as its authorization server. " +
			"Every argument changes in place; the client secret is kept in state from the create (`Sensitive`) and rotated on purpose with " +
			"`secret_rotation_triggers`. Needs the provider's `clerk.secret_key`.\n\n" +
			oauthApplicationRotationDoc + "\n\n" + oauthApplicationPublicDoc + "\n\n" + oauthApplicationDriftDoc + "\n\n" +
			oauthApplicationDeleteDoc + "\n\n" + oauthApplicationCreateDoc,
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: descOAuthAppName + inPlace,
				Required:            true,
				Validators:          oauthApplicationNameValidators,
			},
			"redirect_uris": schema.SetAttribute{
				MarkdownDescription: descOAuthAppRedirect + inPlace + " (Clerk's deprecated `callback_url` is not offered: it is the first of these.)",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          oauthRedirectURIsValidators,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: descOAuthAppScopes + " At least one." + inPlace,
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{
					types.StringValue(oauthApplicationDefaultScopes[0]), types.StringValue(oauthApplicationDefaultScopes[1]),
				})),
				Validators: oauthApplicationScopeValidators,
			},
			"public": schema.BoolAttribute{
				MarkdownDescription: descOAuthAppPublic + inPlace + " See **Public clients**.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"pkce_required": schema.BoolAttribute{
				MarkdownDescription: descOAuthAppPKCE + inPlace,
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"consent_screen_enabled": schema.BoolAttribute{
				MarkdownDescription: descOAuthAppConsent + inPlace,
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"secret_rotation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values: any change rotates the client secret in place (see **Secret rotation**), " +
					"e.g. `{ rotation = time_rotating.quarterly.id }`. Setting them at create, or on the first apply after an import, rotates nothing. " +
					"Refused for a public client, which has no secret. Unset: no rotation.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The application's client secret, which its client sends to the token endpoint. Sensitive, and kept in state: " +
					"Clerk shows it only in the answer to a create or a rotation, never again. The new one after a rotation. " +
					"Null for a public client, and after an import until the next rotation (see **Import**).",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"id":                      computed(descOAuthAppID),
			"client_id":               computed(descOAuthAppClientID),
			"dynamically_registered":  schema.BoolAttribute{MarkdownDescription: descOAuthAppDynamic, Computed: true, PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}},
			"client_uri":              computed(descOAuthAppClientURI),
			"client_image_url":        computed(descOAuthAppClientImage),
			"authorize_url":           computed(descOAuthAppAuthorizeURL),
			"token_fetch_url":         computed(descOAuthAppTokenURL),
			"user_info_url":           computed(descOAuthAppUserInfoURL),
			"discovery_url":           computed(descOAuthAppDiscoveryURL),
			"token_introspection_url": computed(descOAuthAppIntrospectURL),
			"created_at":              computed(descOAuthAppCreatedAt),
			"updated_at":              schema.StringAttribute{MarkdownDescription: descOAuthAppUpdatedAt, Computed: true},
		},
	}
}

func (r *oauthApplicationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses, with no request sent, a rotation of a secret a
// public client does not have.
func (r *oauthApplicationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var public types.Bool
	var triggers types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("public"), &public)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_rotation_triggers"), &triggers)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if public.ValueBool() && !triggers.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("secret_rotation_triggers"), "Invalid secret_rotation_triggers",
			"secret_rotation_triggers rotates the client secret, and a public client (public = true) has none: it authorizes with PKCE only. "+
				"Remove secret_rotation_triggers, or set public = false.")
	}
}

// secretChange is what an update does to the client secret.
type secretChange int

const (
	secretKept secretChange = iota
	// secretRotated: a new secret, the old one ended at once.
	secretRotated
	// secretDropped: the client was made public.
	secretDropped
)

// plannedSecretChange decides what an update does to the secret, the same
// in ModifyPlan and in Update: the triggers changed (except on the first
// plan after an import, which only records them), or public changed.
func plannedSecretChange(ctx context.Context, p privateState, planned, prior oauthApplicationModel) secretChange {
	madePublic := planned.Public.ValueBool() && !prior.Public.ValueBool()
	madeConfidential := !planned.Public.IsUnknown() && !planned.Public.ValueBool() && prior.Public.ValueBool()
	triggered := !planned.SecretRotationTriggers.Equal(prior.SecretRotationTriggers) && !justImported(ctx, p)
	switch {
	case madePublic:
		return secretDropped
	case madeConfidential, triggered && !planned.Public.ValueBool():
		return secretRotated
	}
	return secretKept
}

// ModifyPlan refuses, before any request, a plan the provider has no key
// for, and plans a rotation: the secret unknown, and a warning that the
// old one ends at once.
func (r *oauthApplicationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if _, err := r.data.keys.managing(); err != nil {
		addClientError(&resp.Diagnostics, "Managing a Clerk OAuth application", err)
		return
	}
	if req.State.Raw.IsNull() {
		return
	}
	var planned, prior oauthApplicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &planned)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch plannedSecretChange(ctx, req.Private, planned, prior) {
	case secretDropped:
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringNull())...)
	case secretRotated:
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringUnknown())...)
		if !prior.Public.ValueBool() {
			resp.Diagnostics.AddWarning(
				fmt.Sprintf("The client secret of OAuth application %q (%s) will be rotated, and the old one stops working at once", prior.Name.ValueString(), prior.ID.ValueString()),
				"Clerk ends the old client secret the moment it issues the new one: there is no overlap. Every consumer of this application's "+
					"client secret must take the new one in this same apply: reference the resource's client_secret from what consumes it "+
					"(a secret manager's value, a deployment's environment), so that Terraform updates it right after the rotation. "+
					"A consumer holding a copy fails at Clerk's token endpoint until it is given the new secret.")
		}
	}
}

func (r *oauthApplicationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m oauthApplicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := client.CreateOAuthApplicationRequest{
		Name:                 m.Name.ValueString(),
		RedirectURIs:         oauthApplicationStrings(ctx, m.RedirectURIs, &resp.Diagnostics),
		Scopes:               new(strings.Join(oauthApplicationStrings(ctx, m.Scopes, &resp.Diagnostics), " ")),
		Public:               m.Public.ValueBoolPointer(),
		PKCERequired:         m.PKCERequired.ValueBoolPointer(),
		ConsentScreenEnabled: m.ConsentScreenEnabled.ValueBoolPointer(),
	}
	if resp.Diagnostics.HasError() {
		return
	}
	made, _ := createOAuthApplication(ctx, r.data.client, body, &resp.Diagnostics)
	if made == nil {
		return
	}
	m.set(ctx, made.OAuthApplication, &resp.Diagnostics)
	m.ClientSecret = stringOrNull(made.ClientSecret)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	oauthApplicationIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
}

func (r *oauthApplicationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m oauthApplicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.ID.ValueString()
	oauthApplicationIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
	a, err := r.data.client.GetOAuthApplication(ctx, id)
	if client.IsNotFound(err) {
		name := m.Name.ValueString()
		resp.Diagnostics.AddWarning(fmt.Sprintf("OAuth application %q (%s) is gone: removing it from state", name, id),
			fmt.Sprintf("Clerk has no OAuth application %s (%q): it was deleted outside Terraform. The next plan creates a new application, "+
				"with a new client_id and client secret, which every client of the old one must be given.", id, name))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read OAuth application "+id, err)
		return
	}
	m.set(ctx, *a, &resp.Diagnostics)
	if a.Public {
		m.ClientSecret = types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update changes the application in place with one PATCH of what changed,
// then rotates the secret when the plan says so.
func (r *oauthApplicationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior oauthApplicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	change := plannedSecretChange(ctx, req.Private, plan, prior)
	upd := client.UpdateOAuthApplicationRequest{}
	if !plan.Name.Equal(prior.Name) {
		upd.Name = plan.Name.ValueStringPointer()
	}
	if !plan.RedirectURIs.Equal(prior.RedirectURIs) {
		upd.RedirectURIs = nonNilStrings(oauthApplicationStrings(ctx, plan.RedirectURIs, &resp.Diagnostics))
	}
	if !plan.Scopes.Equal(prior.Scopes) {
		upd.Scopes = new(strings.Join(oauthApplicationStrings(ctx, plan.Scopes, &resp.Diagnostics), " "))
	}
	if !plan.Public.Equal(prior.Public) {
		upd.Public = plan.Public.ValueBoolPointer()
	}
	if !plan.PKCERequired.Equal(prior.PKCERequired) {
		upd.PKCERequired = plan.PKCERequired.ValueBoolPointer()
	}
	if !plan.ConsentScreenEnabled.Equal(prior.ConsentScreenEnabled) {
		upd.ConsentScreenEnabled = plan.ConsentScreenEnabled.ValueBoolPointer()
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Whatever Clerk does not change is as it was; the redirect URIs keep
	// the plan's null or empty, which set goes by.
	redirectURIs := plan.RedirectURIs
	plan.oauthApplicationState = prior.oauthApplicationState
	plan.RedirectURIs = redirectURIs
	plan.ClientSecret = prior.ClientSecret
	if !upd.Empty() {
		a, err := r.data.client.UpdateOAuthApplication(ctx, id, upd)
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to update OAuth application "+id, err)
			return
		}
		plan.set(ctx, *a, &resp.Diagnostics)
	}
	switch change {
	case secretDropped:
		plan.ClientSecret = types.StringNull()
	case secretRotated:
		a, err := rotateOAuthApplicationSecret(ctx, r.data.client, id)
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to rotate the client secret of OAuth application "+id, err)
			// What the PATCH changed is read on the next refresh; the
			// triggers stay as they were, so the next apply rotates again.
			return
		}
		plan.set(ctx, a.OAuthApplication, &resp.Diagnostics)
		plan.ClientSecret = stringOrNull(a.ClientSecret)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauthApplicationIdentity.set(ctx, resp.Identity, &resp.Diagnostics, plan.ID)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

// Delete deletes the application; one already gone counts as deleted.
func (r *oauthApplicationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.data.client.DeleteOAuthApplication(ctx, id.ValueString()); err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Unable to delete OAuth application "+id.ValueString(), err)
	}
}

// ImportState takes the application's id; the refresh that follows reads
// the rest. The secret cannot be read back: it stays null until the next
// rotation.
func (r *oauthApplicationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" { // an import block with identity = { ... }
		if id = oauthApplicationIdentity.importID(ctx, req.Identity, &resp.Diagnostics); id == "" {
			return
		}
	} else if p := checkOAuthApplicationID(id); p != "" {
		resp.Diagnostics.AddError("Invalid import id", "The import id is "+p)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	oauthApplicationIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(id))
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// The machineauth_oauth_application list resource (Terraform 1.14 and
// later, `terraform query`): the instance's applications, those that
// registered themselves (MCP clients, say) apart if asked, so a team can
// find, import or remove what appeared at run time.

var _ list.ListResourceWithConfigure = (*oauthApplicationListResource)(nil)

// NewOAuthApplicationListResource is the machineauth_oauth_application list
// resource.
func NewOAuthApplicationListResource() list.ListResource {
	return &oauthApplicationListResource{listResults[oauthApplicationListModel, client.OAuthApplication, oauthApplicationModel]{
		typeName: "_oauth_application",
		fetch:    listOAuthApplications,
		name:     oauthApplicationDisplayName,
		identity: func(a client.OAuthApplication) any { return oauthApplicationIdentity.of(types.StringValue(a.ID)) },
		resource: listedOAuthApplication,
	}}
}

type oauthApplicationListResource struct {
	listResults[oauthApplicationListModel, client.OAuthApplication, oauthApplicationModel]
}

type oauthApplicationListModel struct {
	NameQuery             types.String `tfsdk:"name_query"`
	DynamicallyRegistered types.Bool   `tfsdk:"dynamically_registered"`
}

func (l *oauthApplicationListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Clerk instance's OAuth applications, newest first, for `terraform query` (Terraform 1.14 and later): each as its identity (`id`) " +
			"and, with `include_resource = true`, as a `machineauth_oauth_application` whose `client_secret` is null (Clerk never shows it again). " +
			"With `dynamically_registered = true`, only the clients that registered themselves at run time, such as MCP clients through dynamic client " +
			"registration, so a team can find them, import them (`terraform query -generate-config-out=clients.tf` writes a resource and an import block " +
			"for each) or remove them. Needs the provider's `clerk.secret_key`; one call per 500 applications.",
		Attributes: map[string]listschema.Attribute{
			"name_query": listschema.StringAttribute{
				MarkdownDescription: "Clerk's search: a part of a name, ignoring case, or a `client_id`, matched exactly. Unset: every application.",
				Optional:            true,
			},
			"dynamically_registered": listschema.BoolAttribute{
				MarkdownDescription: "`true`: only the applications that registered themselves (dynamic client registration); `false`: only those made by hand " +
					"or by Terraform. Unset: both.",
				Optional: true,
			},
		},
	}
}

// listOAuthApplications fetches the applications the query finds, newest
// first, filtered by how they were made.
func listOAuthApplications(ctx context.Context, data *providerData, cfg oauthApplicationListModel) ([]client.OAuthApplication, diag.Diagnostics) {
	var diags diag.Diagnostics
	if _, err := data.keys.managing(); err != nil {
		addClientError(&diags, "Listing Clerk OAuth applications", err)
		return nil, diags
	}
	all, err := listAllOAuthApplications(ctx, data.client, cfg.NameQuery.ValueString())
	if err != nil {
		addClientError(&diags, "Unable to list the OAuth applications", err)
		return nil, diags
	}
	if !cfg.DynamicallyRegistered.IsNull() {
		want := cfg.DynamicallyRegistered.ValueBool()
		all = slices.DeleteFunc(all, func(a client.OAuthApplication) bool { return a.DynamicallyRegistered != want })
	}
	sortNewestFirst(all, func(a client.OAuthApplication) (time.Time, string) { return a.Created(), a.ID })
	return all, nil
}

// listedOAuthApplication is the state an import of a reaches, less the
// secret, which Clerk never shows again.
func listedOAuthApplication(ctx context.Context, a client.OAuthApplication, diags *diag.Diagnostics) oauthApplicationModel {
	var m oauthApplicationModel
	m.RedirectURIs = types.SetNull(types.StringType)
	m.set(ctx, a, diags)
	m.SecretRotationTriggers = types.MapNull(types.StringType)
	m.ClientSecret = types.StringNull()
	return m
}

func oauthApplicationDisplayName(a client.OAuthApplication) string {
	var notes []string
	if a.DynamicallyRegistered {
		notes = append(notes, "registered itself")
	}
	if a.Public {
		notes = append(notes, "public")
	}
	if strings.Contains(a.Name, nameCreateMarkerPrefix) {
		notes = append(notes, "a create still under way, or left by a lost answer")
	}
	name := fmt.Sprintf("%s (%s, client_id %s)", a.Name, a.ID, a.ClientID)
	if len(notes) > 0 {
		name += ", " + strings.Join(notes, ", ")
	}
	return name
}
