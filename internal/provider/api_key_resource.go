package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState    = (*apiKeyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*apiKeyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*apiKeyResource)(nil)
)

// NewAPIKeyResource is the machineauth_api_key resource.
func NewAPIKeyResource() resource.Resource { return &apiKeyResource{} }

type apiKeyResource struct {
	data *providerData
}

type apiKeyModel struct {
	apiKeyArgs
	apiKeyIssued
	RenewBeforeSeconds types.Int64  `tfsdk:"renew_before_seconds"`
	ReadyForRenewal    types.Bool   `tfsdk:"ready_for_renewal"`
	LastUsedAt         types.String `tfsdk:"last_used_at"`
}

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

const (
	replacesKey = " Changing it replaces the key."
	inPlace     = " Changed in place: the key keeps its id and secret."
)

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Clerk API key for a user, an organization or a machine: made on create, changed in place, " +
			"renewed in place before it expires, revoked (never deleted) with a reason on destroy. Needs the provider's `clerk.secret_key`.\n\n" +
			"**Renewal.** With `seconds_until_expiration` and `renew_before_seconds`, once Clerk's clock reaches `expires_at` less " +
			"`renew_before_seconds`, `ready_for_renewal` turns true and the plan shows an in-place update that moves the key's expiry to " +
			"`seconds_until_expiration` from then: the same id, the same secret, so no consumer needs a new key. " +
			"The clock is Clerk's, read from the `Date` of its answers, never the local one.\n\n" +
			"**Drift.** A key revoked or expired outside Terraform is removed from state at the next refresh " +
			"with a warning that names it and the revocation reason, and the next apply makes a new one. A key whose subject was deleted " +
			"outside Terraform is read by id: what Clerk does to such keys is not documented, and they may keep working (see " + assumptionsGuide +
			", `machine_delete_api_keys`), so one that is still live stays in state, with a warning that it is orphaned, for its destroy or " +
			"replacement to revoke; one revoked or gone is removed. A refused key (401, 403) or a failing " +
			"Clerk (5xx) is an error, never taken for a key that is gone.\n\n" +
			"**Import** recovers the secret: Clerk can show an API key's secret again (`GET /api_keys/{id}/secret`), so an imported key " +
			"is complete, `secret` included, unlike an imported M2M token.\n\n" + apiKeyLostAnswerDoc + "\n\n" +
			"**Unconfirmed Clerk behaviour** (see " + assumptionsGuide + "). Clerk's API description does not say whether a new `seconds_until_expiration` " +
			"counts from the update or from the key's creation (`api_key_expiry_update`): the provider reads the expiry Clerk answers, and if it counts " +
			"from the creation sends the lifetime again lengthened by the key's age, so a renewal always moves the expiry a lifetime on from then; " +
			"`expires_at` shows what Clerk answered. Removing `description` or `claims` sends them as null; if Clerk's answer still holds them " +
			"(null read as not sent, `api_key_update_null`), they are sent again as an empty description and an empty object, which read back as none. " +
			"A revoke of a key already revoked counts as done, whatever Clerk answers (`revoked_api_key_revoke`), once a read shows the key revoked, " +
			"expired or gone. A subject that no longer exists may answer its listing with 404 or an empty page (`api_key_unknown_subject`): " +
			"either way each key is read by id.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: descAPIKeyName + replacesKey,
				Required:            true,
				Validators:          apiKeyNameValidators,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"subject": schema.StringAttribute{
				MarkdownDescription: descAPIKeySubject + replacesKey,
				Required:            true,
				Validators:          apiKeySubjectValidators,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: descAPIKeyDescription + inPlace,
				Optional:            true,
				Validators:          apiKeyDescriptionValidators,
			},
			"scopes": schema.ListAttribute{
				MarkdownDescription: descAPIKeyScopes + inPlace,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          apiKeyScopesValidators,
			},
			"claims": schema.StringAttribute{
				MarkdownDescription: descAPIKeyClaims + inPlace,
				Optional:            true,
				Validators:          apiKeyClaimsValidators,
				PlanModifiers:       []planmodifier.String{sameJSONKeepsState{}},
			},
			"seconds_until_expiration": schema.Int64Attribute{
				MarkdownDescription: descAPIKeySecondsUntilExpiration + " Changed in place: the key then expires that many seconds " +
					"after the change, by Clerk's clock, keeping its id and secret. Removing it replaces the key " +
					"(an expiry cannot be taken away), except on the first apply after an import, which records the value without a change.",
				Optional:      true,
				Validators:    secondsUntilExpirationValidators,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(expiryRemoved, "removing it replaces the key", "removing it replaces the key")},
			},
			"renew_before_seconds": schema.Int64Attribute{
				MarkdownDescription: "Renew the key this many seconds before it expires: once Clerk's clock reaches `expires_at` minus this, " +
					"`ready_for_renewal` turns true and the plan updates the key in place, extending it by `seconds_until_expiration` again. " +
					"Must be less than `seconds_until_expiration`, which it needs. Unset: no renewal (an expired key is made anew). " +
					"Changing it only updates state.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.Between(1, maxTokenLifetime),
					int64validator.AlsoRequires(path.MatchRoot("seconds_until_expiration")),
				},
			},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: descAPIKeyRevocationReason + " Sent with the revoke on destroy or replacement; changing it only updates state.",
				Optional:            true,
				Validators:          revocationReasonValidators,
			},
			"ready_for_renewal": schema.BoolAttribute{
				MarkdownDescription: "Whether the key is inside its renewal window (see `renew_before_seconds`), judged by Clerk's clock at plan time. " +
					"When true the plan renews the key in place.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: descAPIKeyID,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret": schema.StringAttribute{
				MarkdownDescription: descAPIKeySecret + " Set at create, recovered from Clerk on import; unchanged by updates and renewals.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: descAPIKeyCreatedAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: descAPIKeyExpiresAt + " Moves on renewal and when `seconds_until_expiration` changes.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_used_at": schema.StringAttribute{
				MarkdownDescription: "When Clerk last verified the key, RFC 3339, as of the last refresh; null until it is used.",
				Computed:            true,
			},
		},
	}
}

// expiryRemoved replaces a key whose seconds_until_expiration is removed.
func expiryRemoved(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && req.PlanValue.IsNull()
}

func (r *apiKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *apiKeyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var ttl, before types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("seconds_until_expiration"), &ttl)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("renew_before_seconds"), &before)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A window as long as the lifetime would renew the key at every plan.
	if !ttl.IsNull() && !ttl.IsUnknown() && !before.IsNull() && !before.IsUnknown() && before.ValueInt64() >= ttl.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("renew_before_seconds"), "Invalid renew_before_seconds",
			fmt.Sprintf("renew_before_seconds (%d) must be less than seconds_until_expiration (%d): otherwise every plan would renew the key.",
				before.ValueInt64(), ttl.ValueInt64()))
	}
}

// ModifyPlan refuses a create without the instance key before any request,
// and plans a renewal, or a new expiry, as an update in place.
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if req.State.Raw.IsNull() {
		if !r.data.apiKeys.keys.canManageAPIKeys() {
			resp.Diagnostics.AddError("Missing clerk.secret_key",
				"Managing an API key needs the Clerk instance secret key (sk_...): set clerk.secret_key in the provider configuration, "+
					"or the CLERK_SECRET_KEY environment variable. A machine secret key cannot manage API keys.")
		}
		return
	}
	var id, expiresAt, subject types.String
	var stateTTL, planTTL, renewBefore types.Int64
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("expires_at"), &expiresAt)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("subject"), &subject)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("seconds_until_expiration"), &stateTTL)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("seconds_until_expiration"), &planTTL)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("renew_before_seconds"), &renewBefore)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Judged here rather than only in Read, so a changed
	// renew_before_seconds takes effect in the same plan, and a refresh
	// skipped with -refresh=false still renews. Apply plans again in a
	// provider process that may not have heard from Clerk yet: its clock
	// is learnt first, or apply would judge by the local one and drop the
	// renewal the plan showed.
	due := false
	if !planTTL.IsNull() && !renewBefore.IsNull() && !expiresAt.IsNull() {
		now, err := r.data.apiKeys.clock(ctx, subject.ValueString())
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to read Clerk's clock to judge the renewal of API key "+id.ValueString(), err)
			return
		}
		due = rotationDue(expiresAt, renewBefore, now)
	}
	if due {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ready_for_renewal"), types.BoolUnknown())...)
	} else {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ready_for_renewal"), false)...)
	}
	if due || lifetimeChanged(stateTTL, planTTL, justImported(ctx, req.Private)) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("expires_at"), types.StringUnknown())...)
	}
}

// lifetimeChanged reports whether an update must send a new lifetime: not
// when a just-imported key, whose lifetime Clerk cannot report, merely
// records the configured one.
func lifetimeChanged(state, plan types.Int64, imported bool) bool {
	if plan.Equal(state) || plan.IsNull() {
		return false
	}
	return !imported || !state.IsNull()
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := m.request(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	k := r.data.apiKeys.create(ctx, body, &resp.Diagnostics)
	if k == nil {
		return
	}
	m.set(k.APIKey)
	m.Secret = types.StringValue(k.Secret)
	m.LastUsedAt = rfc3339OrNull(k.LastUsed())
	m.ReadyForRenewal = types.BoolValue(rotationDue(m.ExpiresAt, m.RenewBeforeSeconds, r.data.apiKeys.now()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	apiKeyIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
}

func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	apiKeyIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
	id, subject := m.ID.ValueString(), m.Subject.ValueString()
	k, found, subjectGone, err := r.data.apiKeys.lookup(ctx, subject, id)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read API key "+id, err)
		return
	}
	if why := apiKeyGone(k, found, subjectGone, subject); why != "" {
		resp.Diagnostics.AddWarning("API key "+id+" is gone: removing it from state", why+" The next plan makes a new key.")
		resp.State.RemoveResource(ctx)
		return
	}
	if subjectGone {
		// Removing it would leave a working key that no destroy revokes.
		resp.Diagnostics.AddWarning("API key "+id+" is orphaned and still valid",
			fmt.Sprintf("Its subject %s no longer exists in Clerk, yet the key is still live: deleting a subject does not end its keys. "+
				"It stays in state so that destroying or replacing it revokes it.", subject))
	}
	m.setFromClerk(ctx, k, &resp.Diagnostics)
	m.set(k)
	m.LastUsedAt = rfc3339OrNull(k.LastUsed())
	m.ReadyForRenewal = types.BoolValue(!m.SecondsUntilExpiration.IsNull() && rotationDue(m.ExpiresAt, m.RenewBeforeSeconds, r.data.apiKeys.now()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// apiKeyGone says why a key is no longer one to keep in state, or "".
func apiKeyGone(k client.APIKey, found, subjectGone bool, subject string) string {
	prefix := ""
	if subjectGone {
		prefix = fmt.Sprintf("Its subject %s no longer exists in Clerk. ", subject)
	}
	switch {
	case !found && subjectGone:
		return prefix + "Neither does the key."
	case !found:
		return fmt.Sprintf("Clerk does not list it among %s's API keys.", subject)
	case k.Revoked && subjectGone:
		return prefix + fmt.Sprintf("The key was revoked (revocation reason: %s).", shownReason(k.RevocationReason))
	case k.Revoked:
		return fmt.Sprintf("It was revoked outside Terraform (revocation reason: %s).", shownReason(k.RevocationReason))
	case k.Expired:
		at := "its expiry"
		if e := k.ExpiresAt(); e != nil {
			at = e.Format(time.RFC3339)
		}
		return prefix + fmt.Sprintf("It expired at %s.", at)
	}
	return ""
}

// Update changes the key in place with one PATCH of what changed, or none
// when only arguments that take effect later changed.
func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	upd := client.UpdateAPIKeyRequest{}
	if !plan.Description.Equal(state.Description) {
		if plan.Description.IsNull() {
			upd.ClearDescription = true
		} else {
			d := plan.Description.ValueString()
			upd.Description = &d
		}
	}
	if !plan.Scopes.Equal(state.Scopes) {
		upd.Scopes = []string{}
		if !plan.Scopes.IsNull() {
			resp.Diagnostics.Append(plan.Scopes.ElementsAs(ctx, &upd.Scopes, false)...)
		}
	}
	if !plan.Claims.Equal(state.Claims) {
		upd.Claims = []byte("null")
		if !plan.Claims.IsNull() {
			upd.Claims, _ = canonicalAPIKeyClaims(plan.Claims.ValueString())
		}
	}
	renew := plan.ReadyForRenewal.IsUnknown()
	if renew || lifetimeChanged(state.SecondsUntilExpiration, plan.SecondsUntilExpiration, justImported(ctx, req.Private)) {
		n := plan.SecondsUntilExpiration.ValueInt64()
		upd.SecondsUntilExpiration = &n
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Whatever Clerk does not change is as it was.
	plan.apiKeyIssued, plan.LastUsedAt = state.apiKeyIssued, state.LastUsedAt
	if !upd.Empty() {
		k, err := r.data.apiKeys.update(ctx, state.ID.ValueString(), upd)
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to update API key "+state.ID.ValueString(), err)
			return
		}
		plan.set(*k)
		plan.LastUsedAt = rfc3339OrNull(k.LastUsed())
	}
	plan.ReadyForRenewal = types.BoolValue(rotationDue(plan.ExpiresAt, plan.RenewBeforeSeconds, r.data.apiKeys.now()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	apiKeyIdentity.set(ctx, resp.Identity, &resp.Diagnostics, plan.ID)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

// Delete revokes the key with the configured reason: never a DELETE, so
// Clerk keeps the key's record and why it ended.
func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.data.apiKeys.revoke(ctx, m.ID.ValueString(), m.revocationReason(), &resp.Diagnostics)
}

// ImportState reads the key and its secret, so that an imported key is
// complete; the refresh that follows fills in the rest from the listing.
func (r *apiKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" { // an import block with identity = { ... }
		if id = apiKeyIdentity.importID(ctx, req.Identity, &resp.Diagnostics); id == "" {
			return
		}
	} else if p := checkAPIKeyID(id); p != "" {
		resp.Diagnostics.AddError("Invalid import id", "Expected an API key id such as ak_0123456789abcdef0123456789abcdef: the id is "+p)
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The machineauth provider was not configured before the import: this is a bug in the provider.")
		return
	}
	k, err := r.data.client.GetAPIKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		resp.Diagnostics.AddError("API key not found", fmt.Sprintf("Clerk has no API key %s.", id))
		return
	case err != nil:
		addClientError(&resp.Diagnostics, "Unable to read API key "+id, err)
		return
	}
	if why := apiKeyGone(*k, true, false, k.Subject); why != "" {
		resp.Diagnostics.AddError("API key "+id+" cannot be imported", why+" Only a live key can be managed.")
		return
	}
	secret, err := r.data.client.GetAPIKeySecret(ctx, id)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read the secret of API key "+id, err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("subject"), k.Subject)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("secret"), secret)...)
	apiKeyIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(id))
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// The machineauth_api_key list resource (Terraform 1.14 and later,
// `terraform query`): a subject's API keys as identities and, on request,
// resource objects, so keys made outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)

// NewAPIKeyListResource is the machineauth_api_key list resource.
func NewAPIKeyListResource() list.ListResource {
	return &apiKeyListResource{listResults[apiKeyListModel, client.APIKey, apiKeyModel]{
		typeName: "_api_key",
		fetch:    listAPIKeys,
		name:     apiKeyDisplayName,
		identity: func(k client.APIKey) any { return apiKeyIdentity.of(types.StringValue(k.ID)) },
		resource: listedAPIKey,
	}}
}

type apiKeyListResource struct {
	listResults[apiKeyListModel, client.APIKey, apiKeyModel]
}

type apiKeyListModel struct {
	Subject        types.String `tfsdk:"subject"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
}

func (l *apiKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists a user's, an organization's or a machine's Clerk API keys, newest first, for `terraform query` " +
			"(Terraform 1.14 and later): each as its identity (`api_key_id`) and, with `include_resource = true`, as a `machineauth_api_key` " +
			"whose `secret` is null: the listing does not fetch secrets, one call each. An import fetches it. " +
			"`terraform query -generate-config-out=keys.tf` writes a resource and an import block for each, so keys made outside Terraform " +
			"can be brought under it. One listing call per 100 keys, with the provider's `clerk.secret_key`.",
		Attributes: map[string]listschema.Attribute{
			"subject": listschema.StringAttribute{
				MarkdownDescription: "Whose keys to list: a user (`user_...`), an organization (`org_...`) or a machine (`mch_...`).",
				Required:            true,
				Validators:          apiKeySubjectValidators,
			},
			"include_revoked": listschema.BoolAttribute{
				MarkdownDescription: "Also list revoked keys, for an audit. Default `false`. An imported revoked key cannot be managed: its import fails.",
				Optional:            true,
			},
			"include_expired": listschema.BoolAttribute{
				MarkdownDescription: "Also list expired keys. Default `false`. An imported expired key cannot be managed: its import fails.",
				Optional:            true,
			},
		},
	}
}

// listAPIKeys fetches the subject's keys, newest first.
func listAPIKeys(ctx context.Context, data *providerData, cfg apiKeyListModel) ([]client.APIKey, diag.Diagnostics) {
	var diags diag.Diagnostics
	subject := cfg.Subject.ValueString()
	ix, err := data.apiKeys.listing(ctx, subject, cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool())
	if err != nil {
		addClientError(&diags, "Unable to list the API keys of "+subject, err)
		return nil, diags
	}
	if ix.gone {
		diags.AddError("Subject not found", fmt.Sprintf("Clerk has no user, organization or machine %s.", subject))
		return nil, diags
	}
	var keys []client.APIKey
	for _, k := range ix.all() {
		if (k.Revoked && !cfg.IncludeRevoked.ValueBool()) || (k.Expired && !k.Revoked && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		keys = append(keys, k)
	}
	sortNewestFirst(keys, func(k client.APIKey) (time.Time, string) { return k.Created(), k.ID })
	return keys, nil
}

// listedAPIKey is the state an import of k would reach, but for the secret,
// which the import fetches: what Clerk reports, null for what only a
// configuration says.
func listedAPIKey(ctx context.Context, k client.APIKey, diags *diag.Diagnostics) apiKeyModel {
	m := apiKeyModel{}
	m.Scopes = types.ListNull(types.StringType)
	m.setFromClerk(ctx, k, diags)
	m.set(k)
	m.Secret = types.StringNull()
	m.LastUsedAt = rfc3339OrNull(k.LastUsed())
	m.ReadyForRenewal = types.BoolValue(false)
	return m
}

func apiKeyDisplayName(k client.APIKey) string {
	return fmt.Sprintf("%s (%s), made %s", k.Name, k.ID, k.Created().Format(time.RFC3339)) + lifeForDisplay(k.Revoked, k.Expired, k.ExpiresAt())
}
