package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listresourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*connectedAppAuthorizationResource)(nil)
	_ resource.ResourceWithImportState      = (*connectedAppAuthorizationResource)(nil)
	_ resource.ResourceWithConfigValidators = (*connectedAppAuthorizationResource)(nil)
)

// NewConnectedAppAuthorizationResource is the machineauth_connected_app_authorization resource.
func NewConnectedAppAuthorizationResource() resource.Resource {
	return &connectedAppAuthorizationResource{}
}

type connectedAppAuthorizationResource struct {
	data *providerData
}

type connectedAppAuthorizationModel struct {
	ID               types.String `tfsdk:"id"`
	OrganizationID   types.String `tfsdk:"organization_id"`
	MemberID         types.String `tfsdk:"member_id"`
	UserID           types.String `tfsdk:"user_id"`
	ConnectedAppID   types.String `tfsdk:"connected_app_id"`
	Scopes           types.Set    `tfsdk:"scopes"`
	RedirectURI      types.String `tfsdk:"redirect_uri"`
	ClientSecret     types.String `tfsdk:"client_secret"`
	ClientSecretWO   types.String `tfsdk:"client_secret_wo"`
	ExchangeTokens   types.Bool   `tfsdk:"exchange_tokens"`
	RevocationReason types.String `tfsdk:"revocation_reason"`
	SessionToken     types.String `tfsdk:"session_token"`
	SessionJWT       types.String `tfsdk:"session_jwt"`
	AccessToken      types.String `tfsdk:"access_token"`
	RefreshToken     types.String `tfsdk:"refresh_token"`
	IDToken          types.String `tfsdk:"id_token"`
	TokenType        types.String `tfsdk:"token_type"`
	ExpiresAt        types.String `tfsdk:"expires_at"`
	GrantedScopes    types.Set    `tfsdk:"granted_scopes"`
}

func (m *connectedAppAuthorizationModel) grantor() grantor {
	return grantor{organizationID: m.OrganizationID.ValueString(), memberID: m.MemberID.ValueString(), userID: m.UserID.ValueString()}
}

func (r *connectedAppAuthorizationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app_authorization"
}

// requiresReplaceIfSet replaces the authorization when the value changes,
// unless the state holds none: after an import Stytch cannot tell the
// redirect URI, secret or exchange mode the authorization was made with,
// and re-authorizing just to record them would throw away a working grant.
func requiresReplaceIfSet() (planmodifier.String, planmodifier.Bool) {
	const desc = "Changing this value replaces the authorization, unless the state holds no value for it (after an import), when it is recorded in place."
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		}, desc, desc),
		boolplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		}, desc, desc)
}

func (r *connectedAppAuthorizationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceString, replaceBool := requiresReplaceIfSet()
	nonEmpty := stringvalidator.LengthAtLeast(1)
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	sensitiveToken := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true, Sensitive: true, PlanModifiers: keep}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Grants a Stytch connected app (an integration, an agent, an MCP server) a member's consent, " +
			"as if the member had approved it on a consent screen, and revokes that consent on destroy. " +
			"Drift, lost answers and import work as the provider documentation describes.\n\n" +
			"**Create** authorizes with `consent_granted` for the member (no browser), using PKCE (S256) and a random `state` " +
			"that is checked on the returned redirect URI, then, unless `exchange_tokens` is false, exchanges the authorization " +
			"code at the token endpoint with the app's client credentials. For a consumer project, name a `user_id` instead of " +
			"`organization_id` and `member_id`. Stytch keeps one authorization per member and app: manage each pair with one resource.\n\n" +
			"**Refresh** lists the member's (or user's) connected apps, once per member for all of that member's authorizations. " +
			"The tokens are never refreshed or re-read: they are the ones issued at creation.\n\n" +
			"**Destroy** revokes the authorization, which also revokes every token issued under it. An authorization that is " +
			"already revoked, or whose member or app no longer exists, counts as destroyed: whatever Stytch answers such a revoke " +
			"(200, or 404 or 400 `connected_app_authorization_not_found`; see " + assumptionsGuide + ", `ungranted_authorization_revoke`), " +
			"a refusal counts once a fresh listing of the member's apps no longer shows it, and stays an error while it does. " +
			"A member session that Stytch refuses (404 `session_not_found` or 401, `session_header_refusal`) fails the destroy of an authorization still active, " +
			"which stays in state. Two configurations that authorize the same pair share Stytch's one authorization: destroying either revokes the other's tokens too.\n\n" +
			"**An app deleted outside Terraform.** Stytch then lists no authorization of it and refuses to revoke one, and whether deleting an app ends " +
			"what was granted to it is not documented (`connected_app_delete_authorizations`): its tokens may stay valid until they expire. The refresh " +
			"reports the app's deletion, never a revoke, and removes the authorization from state. Destroy authorizations before their app, " +
			"as Terraform does when both are in one configuration.\n\n" +
			"**A lost code exchange** is sent again with the same code, which either gets the tokens or is refused as spent. What Stytch does on such a " +
			"replay is not documented (`code_replay`): it may end what the code issued, as OAuth (RFC 6749, section 4.1.2) advises, do nothing more, " +
			"or revoke the whole authorization. So the provider lists the member's apps before the create (one listing per member, shared), and after " +
			"a spent code: an authorization this create made is revoked before it starts over, which ends the lost tokens whatever Stytch did and takes " +
			"nobody else's; one that existed before is kept, for the tokens others hold under it, and a warning says that the lost tokens may stay valid " +
			"until they expire (the refresh token too, with `offline_access`), or that Stytch revoked the whole authorization.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<organization_id>/<member_id>/<connected_app_id>`, or `<user_id>/<connected_app_id>` for a consumer user.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Id of the member's organization (`organization-test-...` or `organization-live-...`). " +
					"Only the id is accepted, not the slug or external id that some Stytch endpoints also take, so that the resource id stays the same whichever way the organization was named. " +
					"Set with `member_id`; conflicts with `user_id`. Changing it replaces the authorization.",
				Optional:      true,
				Validators:    []validator.String{organizationIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("member_id"))},
				PlanModifiers: replace,
			},
			"member_id": schema.StringAttribute{
				MarkdownDescription: "Id of the member granting consent (`member-test-...` or `member-live-...`; not an external id). " +
					"Set with `organization_id`. Changing it replaces the authorization.",
				Optional:      true,
				Validators:    []validator.String{memberIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("organization_id"))},
				PlanModifiers: replace,
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "For a Stytch consumer project: id of the user granting consent (`user-test-...` or `user-live-...`), " +
					"instead of `organization_id` and `member_id`. Consumer revokes have no member session check, so `session_token` and " +
					"`session_jwt` cannot be set with it. Changing it replaces the authorization.",
				Optional: true,
				Validators: []validator.String{userIDPattern.validator(), stringvalidator.ConflictsWith(
					path.MatchRoot("member_id"), path.MatchRoot("session_token"), path.MatchRoot("session_jwt"))},
				PlanModifiers: replace,
			},
			"connected_app_id": schema.StringAttribute{
				MarkdownDescription: "The connected app's id, which is its OAuth `client_id` (`connected-app-test-...` or `connected-app-live-...`). Changing it replaces the authorization.",
				Required:            true,
				Validators:          []validator.String{connectedAppIDPattern.validator()},
				PlanModifiers:       replace,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes to grant, at least one, such as `openid`, `offline_access` (for a refresh token) or the project's own permissions. Changing them replaces the authorization.",
				Required:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringCheck{description: "a scope token", check: checkScope}),
				},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"redirect_uri": schema.StringAttribute{
				MarkdownDescription: "One of the app's registered redirect URLs, exactly as registered. Must be https, or http to a loopback host; no fragment. Changing it replaces the authorization.",
				Required:            true,
				Validators:          []validator.String{redirectURIValidator},
				PlanModifiers:       []planmodifier.String{replaceString},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The app's client secret, for confidential apps, used once to exchange the authorization code. " +
					"It is stored in the state: with Terraform 1.11 or later prefer `client_secret_wo`. Public apps need none. Changing it replaces the authorization.",
				Optional:      true,
				Sensitive:     true,
				Validators:    []validator.String{nonEmpty, stringvalidator.ConflictsWith(path.MatchRoot("client_secret_wo"))},
				PlanModifiers: []planmodifier.String{replaceString},
			},
			"client_secret_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only form of `client_secret` (Terraform 1.11 or later): used for the code exchange and never stored in the plan or state. " +
					"It is read only when the authorization is created, so changing it alone changes nothing. Conflicts with `client_secret`.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{nonEmpty},
			},
			"exchange_tokens": schema.BoolAttribute{
				MarkdownDescription: "Whether to exchange the authorization code for tokens (default `true`). With `false` only the consent is recorded, " +
					"for an app that obtains its own tokens later, and the token attributes are null. Changing it replaces the authorization.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(true),
				PlanModifiers: []planmodifier.Bool{replaceBool},
			},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: "Why the authorization is revoked, for the record. Stytch's revoke takes no reason, so the provider writes it to its log " +
					"at info level (`TF_LOG=INFO`) when it revokes. Changes are applied in place.",
				Optional:   true,
				Validators: []validator.String{nonEmpty},
			},
			"session_token": schema.StringAttribute{
				MarkdownDescription: "A member session token sent with the revoke (as `X-Stytch-Member-Session`), so that Stytch checks that the session's member " +
					"may revoke: it needs the `revoke.connected-app` permission on `stytch.member` and must belong to the same organization. " +
					"Without it the project secret alone authorizes the revoke. Conflicts with `session_jwt`. Changes are applied in place.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{nonEmpty, stringvalidator.ConflictsWith(path.MatchRoot("session_jwt"))},
			},
			"session_jwt": schema.StringAttribute{
				MarkdownDescription: "A member session JWT sent with the revoke (as `X-Stytch-Member-SessionJWT`), checked like `session_token`. Changes are applied in place.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{nonEmpty},
			},
			"access_token": sensitiveToken("The access token issued at creation (an RS256 JWT). Null when `exchange_tokens` is false, and after an import."),
			"refresh_token": sensitiveToken("The refresh token issued at creation; null unless `offline_access` was granted, " +
				"when `exchange_tokens` is false, and after an import."),
			"id_token": sensitiveToken("The OpenID Connect ID token issued at creation; null unless `openid` was granted, " +
				"when `exchange_tokens` is false, and after an import."),
			"token_type": schema.StringAttribute{
				MarkdownDescription: "The access token's type, `bearer`. Null when no tokens were exchanged.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the access token expires (RFC 3339, UTC), by Stytch's clock: the token's own `exp` claim, or failing that the token endpoint's `expires_in` counted from the provider's clock. Null when no tokens were exchanged.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"granted_scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes Stytch granted, from the token response, or from the member's connected apps when no tokens were exchanged; kept up to date on refresh.",
				Computed:            true,
				ElementType:         types.StringType,
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *connectedAppAuthorizationResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("organization_id"), path.MatchRoot("user_id")),
		resourcevalidator.PreferWriteOnlyAttribute(path.MatchRoot("client_secret"), path.MatchRoot("client_secret_wo")),
	}
}

func (r *connectedAppAuthorizationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *connectedAppAuthorizationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppAuthorizationModel
	var secretWO types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// A write-only value is only in the configuration, never in the plan.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret_wo"), &secretWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var scopes []string
	resp.Diagnostics.Append(plan.Scopes.ElementsAs(ctx, &scopes, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	slices.Sort(scopes)
	who, appID := plan.grantor(), plan.ConnectedAppID.ValueString()
	secret := secretWO.ValueString()
	if secret == "" {
		secret = plan.ClientSecret.ValueString()
	}
	g := grantRequest{
		grantor:        who,
		connectedAppID: appID,
		redirectURI:    plan.RedirectURI.ValueString(),
		scopes:         scopes,
		clientSecret:   secret,
		exchange:       plan.ExchangeTokens.ValueBool(),
	}
	res, err := g.run(ctx, r.data.client, &r.data.authorizations)
	for _, w := range res.warnings {
		resp.Diagnostics.AddWarning("Connected app authorization: a lost answer", w)
	}

	plan.ID = types.StringValue(who.authorizationID(appID))
	for _, tok := range []*types.String{&plan.AccessToken, &plan.RefreshToken, &plan.IDToken, &plan.TokenType, &plan.ExpiresAt} {
		*tok = types.StringNull()
	}
	plan.GrantedScopes = types.SetNull(types.StringType)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to authorize connected app "+appID, err)
		if res.mayBeActive {
			// Saved with an error, the resource is tainted: the next
			// apply revokes it and authorizes again, so the consent is
			// never left active without Terraform knowing of it.
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			setAuthorizationIdentity(ctx, resp.Identity, &plan, &resp.Diagnostics)
		}
		return
	}
	granted, diags := types.SetValueFrom(ctx, types.StringType, res.grantedScopes)
	resp.Diagnostics.Append(diags...)
	plan.GrantedScopes = granted
	if t := res.tokens; t != nil {
		plan.AccessToken = types.StringValue(t.AccessToken)
		plan.RefreshToken = stringOrNull(t.RefreshToken)
		plan.IDToken = stringOrNull(t.IDToken)
		plan.TokenType = stringOrNull(t.TokenType)
		if !res.expiresAt.IsZero() {
			plan.ExpiresAt = types.StringValue(res.expiresAt.UTC().Format(time.RFC3339))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setAuthorizationIdentity(ctx, resp.Identity, &plan, &resp.Diagnostics)
}

func (r *connectedAppAuthorizationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppAuthorizationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	setAuthorizationIdentity(ctx, resp.Identity, &state, &resp.Diagnostics)
	who, appID := state.grantor(), state.ConnectedAppID.ValueString()
	id := who.authorizationID(appID)
	apps, err := r.data.authorizations.get(ctx, r.data.client, who)
	if err != nil {
		if authorizationGone(err) {
			resp.Diagnostics.AddWarning("Connected app authorization no longer exists",
				fmt.Sprintf("Listing the connected apps of %s found that it no longer exists (%s), so authorization %s cannot exist either. "+
					"It has been removed from the state; the next apply authorizes again.", who.key(), client.Redact(err.Error()), id))
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, "Unable to read connected app authorization "+id, err)
		return
	}
	scopes, ok := apps[appID]
	if !ok {
		r.unlisted(ctx, who, appID, state.ExpiresAt, resp)
		return
	}
	granted, diags := types.SetValueFrom(ctx, types.StringType, scopes)
	resp.Diagnostics.Append(diags...)
	state.GrantedScopes = granted
	if state.Scopes.IsNull() {
		// Imported: the scopes asked for are those granted last.
		state.Scopes = granted
	}
	state.ID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// unlisted removes from state an authorization the grantor's listing no
// longer shows, and says why. Stytch lists no authorization of an app that
// no longer exists, and what deleting an app does to the authorizations
// granted it is not documented: they may stay active, with their tokens,
// though nothing lists or revokes them any more (assumption
// connected_app_delete_authorizations in the emulator assumptions guide).
// So the app is looked up, and its deletion reported as such, never as a
// revoke.
func (r *connectedAppAuthorizationResource) unlisted(ctx context.Context, who grantor, appID string, expiresAt types.String, resp *resource.ReadResponse) {
	_, err := r.data.client.GetConnectedAppClient(ctx, appID)
	switch {
	case err == nil:
		resp.Diagnostics.AddWarning("Connected app authorization revoked outside Terraform",
			fmt.Sprintf("Connected app %s is no longer among the authorized apps of %s: it was revoked outside Terraform. "+
				"It has been removed from the state; the next apply authorizes again.", appID, who.key()))
	case stytchNotFound(err):
		until := "until they expire"
		if !expiresAt.IsNull() {
			until = "the access token until " + expiresAt.ValueString() + ", a refresh token until it expires"
		}
		resp.Diagnostics.AddWarning("Connected app of an authorization deleted outside Terraform",
			fmt.Sprintf("Connected app %s no longer exists, so Stytch neither lists nor revokes the authorization %s granted it. "+
				"Whether deleting an app ends what was granted to it is not documented: the tokens issued under this authorization may stay valid "+
				"%s. The authorization has been removed from the state; the next apply authorizes again, if the app exists by then. "+
				"To be sure nothing outlives an app, destroy its authorizations before the app, as Terraform does when both are in one configuration.",
				appID, who.key(), until))
	default:
		addClientError(&resp.Diagnostics, fmt.Sprintf("Connected app %s is no longer among the authorized apps of %s, and reading the app failed", appID, who.key()), err)
		return
	}
	resp.State.RemoveResource(ctx)
}

// Update records the arguments that change nothing at Stytch: every other
// argument replaces the authorization, and computed values keep their state
// through UseStateForUnknown.
func (r *connectedAppAuthorizationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan connectedAppAuthorizationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setAuthorizationIdentity(ctx, resp.Identity, &plan, &resp.Diagnostics)
}

func (r *connectedAppAuthorizationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppAuthorizationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	who, appID := state.grantor(), state.ConnectedAppID.ValueString()
	id := who.authorizationID(appID)
	fields := map[string]any{"id": id}
	if !state.RevocationReason.IsNull() {
		// Stytch's revoke has no field for a reason: the log is its record.
		fields["revocation_reason"] = state.RevocationReason.ValueString()
	}
	tflog.Info(ctx, "Revoking connected app authorization", fields)

	err := who.revokeSettled(ctx, r.data.client, appID, state.SessionToken.ValueString(), state.SessionJWT.ValueString())
	if err == nil {
		r.data.authorizations.revoked(who, appID)
		return
	}
	sessionAttr := "session_token"
	if state.SessionToken.IsNull() {
		sessionAttr = "session_jwt"
	}
	sessionSent := !state.SessionToken.IsNull() || !state.SessionJWT.IsNull()
	code := client.ErrorCode(err)
	if sessionSent && client.IsUnauthorized(err) {
		// How Stytch refuses a session that leads nowhere is not
		// documented: 404 session_not_found or 401 (assumption
		// session_header_refusal). A 401 to a revoke that sent one is
		// the session's, unless the project's credentials are wrong,
		// which the same 401 on every other call would show.
		code = "session_not_found"
	}
	switch code {
	case "session_authorization_error":
		resp.Diagnostics.AddAttributeError(path.Root(sessionAttr), "Member session may not revoke this authorization",
			fmt.Sprintf("Stytch refused to revoke %s: the member session in %s lacks the `revoke.connected-app` permission on `stytch.member` "+
				"(granted for example by the stytch_admin role), or belongs to another organization. The authorization is still active. "+
				"Use a session of a member with that permission, or remove %s so the project secret alone authorizes the revoke.\n\n%s",
				id, sessionAttr, sessionAttr, client.Redact(err.Error())))
	case "session_not_found":
		resp.Diagnostics.AddAttributeError(path.Root(sessionAttr), "Member session not found",
			fmt.Sprintf("Stytch did not revoke %s: the member session in %s is invalid or has expired (or, if Stytch refuses every call so, "+
				"the provider's project secret is wrong). The authorization is still active. "+
				"Set a live session, or remove %s so the project secret alone authorizes the revoke.\n\n%s",
				id, sessionAttr, sessionAttr, client.Redact(err.Error())))
	default:
		addClientError(&resp.Diagnostics, "Unable to revoke connected app authorization "+id, err)
	}
}

// authorizationGone reports Stytch's answer that the organization, member,
// user, app or authorization no longer exists, so neither can the
// authorization, in whichever shape Stytch gives it (see stytchNotFound).
func authorizationGone(err error) bool { return stytchNotFound(err) }

func (r *connectedAppAuthorizationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID := req.ID
	if importID == "" { // an import block with identity = { ... }
		if importID = authorizationImportID(ctx, req.Identity, &resp.Diagnostics); importID == "" {
			return
		}
	}
	parts := strings.Split(importID, "/")
	type part struct {
		attr    string
		pattern idPattern
	}
	var want []part
	switch len(parts) {
	case 3:
		want = []part{{"organization_id", organizationIDPattern}, {"member_id", memberIDPattern}, {"connected_app_id", connectedAppIDPattern}}
	case 2:
		want = []part{{"user_id", userIDPattern}, {"connected_app_id", connectedAppIDPattern}}
	default:
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q: expected <organization_id>/<member_id>/<connected_app_id>, or <user_id>/<connected_app_id> for a consumer user.", client.Redact(importID)))
		return
	}
	for i, p := range want {
		if problem := p.pattern.check(parts[i]); problem != "" {
			resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("%s in import id: %s", p.attr, problem))
			continue
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(p.attr), parts[i])...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), importID)...)
	if !resp.Diagnostics.HasError() {
		setAuthorizationIdentityFromParts(ctx, resp.Identity, parts, &resp.Diagnostics)
	}
}

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
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Stytch connected apps a member (or a consumer user) has authorized, for `terraform query` " +
			"(Terraform 1.14 and later): each as its identity and, with `include_resource = true`, as a " +
			"`machineauth_connected_app_authorization` with the granted scopes. Stytch never returns an authorization's tokens, " +
			"redirect URI or client secret, so those are null: `terraform query -generate-config-out=authorizations.tf` writes a " +
			"resource and an import block for each, and `redirect_uri` (required) has to be filled in before applying; the first " +
			"apply then records it without authorizing again.",
		Attributes: map[string]listschema.Attribute{
			"organization_id": listschema.StringAttribute{
				MarkdownDescription: "The member's organization (`organization-test-...` or `organization-live-...`). Set with `member_id`; conflicts with `user_id`.",
				Optional:            true,
				Validators:          []validator.String{organizationIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("member_id"))},
			},
			"member_id": listschema.StringAttribute{
				MarkdownDescription: "The member whose authorizations to list (`member-test-...` or `member-live-...`). Set with `organization_id`.",
				Optional:            true,
				Validators:          []validator.String{memberIDPattern.validator(), stringvalidator.AlsoRequires(path.MatchRoot("organization_id"))},
			},
			"user_id": listschema.StringAttribute{
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
