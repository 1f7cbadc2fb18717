package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*m2mTokenResource)(nil)
	_ resource.ResourceWithImportState      = (*m2mTokenResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*m2mTokenResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*m2mTokenResource)(nil)
	_ resource.ResourceWithConfigValidators = (*m2mTokenResource)(nil)
)

// NewM2MTokenResource is the machineauth_m2m_token resource.
func NewM2MTokenResource() resource.Resource { return &m2mTokenResource{} }

type m2mTokenResource struct {
	data *providerData
}

type m2mTokenModel struct {
	m2mTokenArgs
	m2mTokenIssued
	MachineID types.String `tfsdk:"machine_id"`
	// MachineSecretKeyWO is write-only: null in every plan and state, and
	// read from the configuration at create.
	MachineSecretKeyWO  types.String `tfsdk:"machine_secret_key_wo"`
	Keepers             types.Map    `tfsdk:"keepers"`
	RotateBeforeSeconds types.Int64  `tfsdk:"rotate_before_seconds"`
	ReadyForRotation    types.Bool   `tfsdk:"ready_for_rotation"`
}

func (r *m2mTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_m2m_token"
}

const (
	replaces = " Changing it replaces the token."
	// replacesUnlessImported is for the arguments Clerk does not report,
	// which an import therefore cannot fill in.
	replacesUnlessImported = " Changing it replaces the token, except on the first apply after an import, which records it without replacing the token (Clerk cannot report it)."
	replaceIfDesc          = "replaces the token, except on the first apply after an import"
)

func (r *m2mTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Clerk machine-to-machine (M2M) token: issued on create, revoked on destroy. " +
			"Rotation, drift and import work as the provider documentation describes.\n\n" +
			"**Machine keys.** Give the machine as `machine_id` and the key that issues the token as `machine_secret_key_wo` " +
			"(Terraform 1.11 or later), typically `machineauth_machine.x.id` and `machineauth_machine.x.secret_key`: the key is used once, " +
			"to issue the token, and never stored, so a rotation of the machine's key neither replaces the token nor stops its refresh and revoke, " +
			"which use the provider's `clerk.secret_key` (or, without one, its `clerk.machine_secret_key`, which must then be this machine's current key). " +
			"The older `machine_secret_key` is deprecated: it keeps a copy of the machine's key in the token's state and replaces the token when it changes.\n\n" +
			"**JWT format.** Clerk keeps no record of JWT-format tokens: the provider keeps one in state until its expiry, and destroying it " +
			"only removes it from state, with a warning that it stays valid until it expires. Import takes opaque tokens only.\n\n" +
			"**A machine deleted outside Terraform.** Clerk then lists none of its tokens, and what it does to them is not documented: they may keep " +
			"working until they expire (see " + assumptionsGuide + ", `machine_delete_tokens`). The refresh asks Clerk to verify each such token's secret: " +
			"one that no longer verifies is removed from state; one that still does, or whose secret the state lacks (after an import), stays, with a warning " +
			"that it is orphaned, for its destroy or replacement to revoke. A JWT-format token stays until it expires. " +
			"With only `clerk.machine_secret_key`, a 404 to another machine's listing is an error: Clerk may answer so for a machine it will not show that key " +
			"(`foreign_machine_token_listing`), and a live token is never taken for gone.\n\n" +
			"**Revoke of a token already revoked** (outside Terraform since the last refresh, or a revoke sent again after its answer was lost): whatever Clerk answers, " +
			"200, 400, 404 or 409 (`revoked_m2m_token_revoke`), the destroy succeeds once a fresh search shows the token revoked, expired or gone, " +
			"and fails, naming it, while the token is still live.\n\n" + ambiguousCreateDoc,
		Attributes: map[string]schema.Attribute{
			"machine_secret_key": schema.StringAttribute{
				MarkdownDescription: descMachineSecretKey + " Deprecated: it is stored in the state, and a rotated key replaces the token; use `machine_id` with `machine_secret_key_wo`. " +
					"Changing it replaces the token, except on the first apply after an import (Clerk cannot report it), " +
					"and except when it is taken out for `machine_id` naming the token's own machine, which only updates state.",
				Optional:           true,
				Sensitive:          true,
				DeprecationMessage: "machine_secret_key keeps a copy of the machine's key in the state, and a rotated key replaces the token. Use machine_id with machine_secret_key_wo (Terraform 1.11 or later) instead: moving to them keeps the token.",
				Validators:         machineSecretKeyValidators,
				PlanModifiers:      []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceMachineSecretKey, replaceIfDesc, replaceIfDesc)},
			},
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine the token is issued for (`mch_...`), e.g. `machineauth_machine.x.id`. The key that issues it must be this machine's: " +
					"`machine_secret_key_wo`, else the provider's `clerk.machine_secret_key`; a token the key issued for another machine is revoked at once and the apply fails. " +
					"Unset: whatever machine the key belongs to. Changing it replaces the token, except when it is set, on a token that had none, to the token's own machine (`subject`).",
				Optional:      true,
				Validators:    machineIDValidators,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceMachineID, replaceIfDesc, replaceIfDesc)},
			},
			"machine_secret_key_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only machine secret key (`ak_...`, Terraform 1.11 or later) of `machine_id`, which must be set with it: " +
					"used to issue the token and never stored in the plan or state. It is read only at create, so changing it (a rotation of the machine's key) changes nothing. " +
					"Overrides the provider's `clerk.machine_secret_key`. Conflicts with `machine_secret_key`.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{prefixValidator("ak_"), stringvalidator.AlsoRequires(path.MatchRoot("machine_id"))},
			},
			"seconds_until_expiration": schema.Int64Attribute{
				MarkdownDescription: descSecondsUntilExpiration + replacesUnlessImported,
				Optional:            true,
				Validators:          secondsUntilExpirationValidators,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(replaceUnlessImportedInt64, replaceIfDesc, replaceIfDesc)},
			},
			"claims": schema.StringAttribute{
				MarkdownDescription: descClaims + replaces,
				Optional:            true,
				Validators:          claimsValidators,
				PlanModifiers:       []planmodifier.String{sameJSONKeepsState{}, stringplanmodifier.RequiresReplace()},
			},
			"token_format": schema.StringAttribute{
				MarkdownDescription: descTokenFormat + replaces,
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(tokenFormatOpaque),
				Validators:          tokenFormatValidators,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: descRevocationReason + " Sent with the revoke on destroy or replacement; changing it only updates state.",
				Optional:            true,
				Validators:          revocationReasonValidators,
			},
			"create_marker": schema.BoolAttribute{
				MarkdownDescription: descCreateMarker + " Takes effect at create; changing it only updates state.",
				Optional:            true,
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values, for tying the token to a `time_rotating` or to whatever should force a new one. Unset: none." + replacesUnlessImported,
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplaceIf(replaceUnlessImportedMap, replaceIfDesc, replaceIfDesc)},
			},
			"rotate_before_seconds": schema.Int64Attribute{
				MarkdownDescription: "Replace the token this many seconds before it expires: once Clerk's clock reaches `expires_at` minus this, " +
					"`ready_for_rotation` turns true and the plan replaces the token. Must be less than `seconds_until_expiration`. " +
					"Unset: no early rotation (an expired token is still re-created). Changing it only updates state.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxTokenLifetime)},
			},
			"ready_for_rotation": schema.BoolAttribute{
				MarkdownDescription: "Whether the token is inside its rotation window (see `rotate_before_seconds`), judged by Clerk's clock at plan time. " +
					"When true the plan replaces the token.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: descID,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: descToken + " Set once at create; null after import.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"subject": schema.StringAttribute{
				MarkdownDescription: descSubject,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: descScopes,
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: descCreatedAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: descExpiresAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_used_at": schema.StringAttribute{
				MarkdownDescription: descLastUsedAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// replaceMachineSecretKey replaces the token for a changed key, except
// after an import, and except when the key is taken out in favour of
// machine_id naming the token's own machine: the token stays valid, and
// from then on it is refreshed and revoked without a key of its own.
func replaceMachineSecretKey(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !justImported(ctx, req.Private) && (!req.PlanValue.IsNull() || !plannedOwnMachine(ctx, req.Plan, req.State))
}

// replaceMachineID replaces the token for another machine, except when
// machine_id is first set to the machine the token already belongs to.
func replaceMachineID(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() || !plannedOwnMachine(ctx, req.Plan, req.State)
}

// plannedOwnMachine reports whether the planned machine_id is known and is
// the token's subject in state.
func plannedOwnMachine(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var machineID, subject types.String
	if plan.GetAttribute(ctx, path.Root("machine_id"), &machineID).HasError() || state.GetAttribute(ctx, path.Root("subject"), &subject).HasError() {
		return false
	}
	return !machineID.IsNull() && !machineID.IsUnknown() && machineID.ValueString() == subject.ValueString()
}

func replaceUnlessImportedInt64(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !justImported(ctx, req.Private)
}

func replaceUnlessImportedMap(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !justImported(ctx, req.Private)
}

func (r *m2mTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *m2mTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("machine_secret_key"), path.MatchRoot("machine_secret_key_wo")),
	}
}

func (r *m2mTokenResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	// The two attributes alone: Terraform validates every resource in
	// every walk, and reading the whole model costs several times more.
	var ttl, before types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("seconds_until_expiration"), &ttl)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rotate_before_seconds"), &before)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A window as long as the lifetime would make every plan replace the
	// token the moment it is issued.
	if !ttl.IsNull() && !ttl.IsUnknown() && !before.IsNull() && !before.IsUnknown() && before.ValueInt64() >= ttl.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("rotate_before_seconds"), "Invalid rotate_before_seconds",
			fmt.Sprintf("rotate_before_seconds (%d) must be less than seconds_until_expiration (%d): otherwise every plan would replace the token as soon as it is issued.",
				before.ValueInt64(), ttl.ValueInt64()))
	}
}

// ModifyPlan refuses a create that has no machine key before any request,
// and replaces a token that has entered its rotation window.
func (r *m2mTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	// The few attributes needed, not the whole model: this runs for every
	// token in every plan.
	if req.State.Raw.IsNull() {
		r.checkKeysForCreate(ctx, req, resp)
		return
	}
	var id, expiresAt types.String
	var rotateBefore types.Int64
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("expires_at"), &expiresAt)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("rotate_before_seconds"), &rotateBefore)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Judged here rather than only in Read, so a changed
	// rotate_before_seconds takes effect in the same plan, and a refresh
	// skipped with -refresh=false still rotates.
	now := r.data.m2m.now()
	due := rotationDue(expiresAt, rotateBefore, now)
	expiryWarnings(&resp.Diagnostics, "M2M token "+id.ValueString(), expiresAt, !rotateBefore.IsNull(), due, r.data.expiryWarning, now)
	if !due {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ready_for_rotation"), false)...)
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ready_for_rotation"), types.BoolUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("ready_for_rotation"))
}

// checkKeysForCreate refuses, before any request, a token that no key could
// issue, or one issued with a write-only key that no key could refresh and
// revoke later. A key not yet known (a machine created in the same apply)
// counts as given.
func (r *m2mTokenResource) checkKeysForCreate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var key, keyWO types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("machine_secret_key"), &key)...)
	// A write-only value is only in the configuration, never in the plan.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("machine_secret_key_wo"), &keyWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys := r.data.m2m.keys
	own := key.ValueString()
	if !keyWO.IsNull() {
		own = keyWO.ValueString()
	}
	if !key.IsUnknown() && !keyWO.IsUnknown() && !keys.canIssue(own) {
		resp.Diagnostics.AddAttributeError(path.Root("machine_secret_key_wo"), "Missing clerk.machine_secret_key",
			"Issuing an M2M token needs a machine secret key (ak_...): set machine_secret_key_wo (with machine_id) on this resource, "+
				"clerk.machine_secret_key in the provider configuration, or the CLERK_MACHINE_SECRET_KEY environment variable.")
	}
	if keyWO.IsNull() {
		return
	}
	if _, err := keys.reading(""); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("machine_secret_key_wo"), "Missing clerk.secret_key",
			"A token issued with machine_secret_key_wo keeps no key of its own, so refreshing and revoking it later needs clerk.secret_key "+
				"(or the CLERK_SECRET_KEY environment variable) in the provider configuration, or a clerk.machine_secret_key of the token's machine.")
	}
}

func (r *m2mTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m m2mTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var keyWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("machine_secret_key_wo"), &keyWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	createKey := m.MachineSecretKey.ValueString()
	if !keyWO.IsNull() {
		createKey = keyWO.ValueString()
	}
	tok := r.data.m2m.create(ctx, createKey, m.request(), m.marked(), &resp.Diagnostics)
	if tok == nil {
		return
	}
	if !r.data.m2m.keepable(ctx, tok, createKey, m.format(), !keyWO.IsNull(), m.MachineID, &resp.Diagnostics) {
		return
	}
	m.MachineSecretKeyWO = types.StringNull()
	m.set(ctx, tok.M2MToken, &resp.Diagnostics)
	m.Token = types.StringValue(tok.Token)
	m.ReadyForRotation = types.BoolValue(rotationDue(m.ExpiresAt, m.RotateBeforeSeconds, r.data.m2m.now()))
	if m.ReadyForRotation.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("rotate_before_seconds"), "Token issued inside its rotation window",
			fmt.Sprintf("Token %s expires at %s, which is less than rotate_before_seconds away: every plan will replace it. "+
				"Lower rotate_before_seconds or raise the token's lifetime.", tok.ID, m.ExpiresAt.ValueString()))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	m2mTokenIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.Subject, m.ID)
}

func (r *m2mTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m m2mTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m2mTokenIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.Subject, m.ID)
	id, subject, key := m.ID.ValueString(), m.Subject.ValueString(), m.MachineSecretKey.ValueString()
	gone := func(why string) {
		resp.Diagnostics.AddWarning("M2M token "+id+" is gone: removing it from state",
			fmt.Sprintf("%s The next plan issues a new token.", why))
		resp.State.RemoveResource(ctx)
	}

	if m.format() == tokenFormatJWT {
		// Not listed: the shared listing of its machine is consulted only
		// for Clerk's clock and to see the machine still exists.
		ix, err := r.data.m2m.listing(ctx, key, subject)
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to read M2M token "+id, err)
			return
		}
		now := r.data.m2m.now()
		switch {
		case expiresWithin(m.ExpiresAt, 0, now):
			gone(fmt.Sprintf("This JWT-format token expired at %s.", m.ExpiresAt.ValueString()))
			return
		case ix.gone:
			// Verified locally against Clerk's keys, it works until it
			// expires whatever became of its machine.
			resp.Diagnostics.AddWarning("M2M token "+id+" outlives its machine",
				fmt.Sprintf("Its machine %s no longer exists in Clerk, but a JWT-format token cannot be revoked: it verifies until it expires at %s. "+
					"It stays in state until then.", subject, m.ExpiresAt.ValueString()))
		}
		m.ReadyForRotation = types.BoolValue(rotationDue(m.ExpiresAt, m.RotateBeforeSeconds, now))
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}

	tok, found, machineGone, err := r.data.m2m.lookup(ctx, key, subject, id)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read M2M token "+id, err)
		return
	}
	switch {
	case machineGone:
		if !r.keepOrphan(ctx, &m, resp) {
			gone(fmt.Sprintf("Its machine %s no longer exists in Clerk, and the token no longer verifies.", subject))
		}
		return
	case !found:
		gone(fmt.Sprintf("Clerk does not list it among machine %s's tokens.", subject))
		return
	case tok.Revoked:
		gone(fmt.Sprintf("It was revoked outside Terraform (revocation reason: %s).", shownReason(tok.RevocationReason)))
		return
	case tok.Expired:
		at := "its expiry"
		if e := tok.ExpiresAt(); e != nil {
			at = e.Format(time.RFC3339)
		}
		gone(fmt.Sprintf("It expired at %s.", at))
		return
	}
	m.set(ctx, tok, &resp.Diagnostics)
	m.Claims = claimsFromClerk(m.Claims, tok.Claims)
	m.TokenFormat = types.StringValue(tokenFormatOpaque)
	m.ReadyForRotation = types.BoolValue(rotationDue(m.ExpiresAt, m.RotateBeforeSeconds, r.data.m2m.now()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// keepOrphan handles a token whose machine was deleted outside Terraform.
// What Clerk does to such tokens is not documented (assumption
// machine_delete_tokens in the emulator assumptions guide): they may keep
// working until they expire. So a token that still verifies, or whose
// secret is unknown (after an import) so that nobody can tell, stays in
// state, with a warning, for its destroy or replacement to revoke: calling
// it gone would leave it live and forgotten. It reports false for a token
// that no longer verifies, which the caller removes.
func (r *m2mTokenResource) keepOrphan(ctx context.Context, m *m2mTokenModel, resp *resource.ReadResponse) bool {
	id, subject := m.ID.ValueString(), m.Subject.ValueString()
	valid, known, err := r.data.m2m.stillVerifies(ctx, m.Token.ValueString())
	switch {
	case err != nil:
		addClientError(&resp.Diagnostics, "Unable to verify M2M token "+id+", whose machine "+subject+" no longer exists", err)
		return true
	case known && !valid:
		return false
	case known:
		until := "it expires at " + m.ExpiresAt.ValueString()
		if m.ExpiresAt.IsNull() {
			until = "it is revoked: it never expires"
		}
		resp.Diagnostics.AddWarning("M2M token "+id+" is orphaned and still valid",
			fmt.Sprintf("Its machine %s was deleted outside Terraform, yet the token still verifies, until %s. "+
				"It stays in state so that destroying or replacing it revokes it.", subject, until))
	default:
		resp.Diagnostics.AddWarning("M2M token "+id+" may be orphaned",
			fmt.Sprintf("Its machine %s was deleted outside Terraform, and Clerk no longer lists that machine's tokens. Without the token's secret "+
				"(an imported token has none) the provider cannot tell whether it still works, so it stays in state: destroying or replacing it "+
				"revokes it, and a refused revoke is taken as already revoked.", subject))
	}
	m.ReadyForRotation = types.BoolValue(rotationDue(m.ExpiresAt, m.RotateBeforeSeconds, r.data.m2m.now()))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	return true
}

// Update changes no token: only the arguments that take effect later
// (revocation_reason, rotate_before_seconds, create_marker) or that an import could not
// know reach it, so state takes the plan.
func (r *m2mTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m m2mTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	m2mTokenIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.Subject, m.ID)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

func (r *m2mTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m m2mTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.format() == tokenFormatJWT {
		resp.Diagnostics.AddWarning("JWT-format M2M token "+m.ID.ValueString()+" stays valid until it expires",
			fmt.Sprintf("Clerk cannot revoke JWT-format tokens: this one is removed from state but stays valid until %s.", m.ExpiresAt.ValueString()))
		return
	}
	r.data.m2m.revoke(ctx, tokenRef{resourceKey: m.MachineSecretKey.ValueString(), subject: m.Subject.ValueString(), id: m.ID.ValueString(), secret: m.Token.ValueString()},
		m.revocationReason(), &resp.Diagnostics)
}

func (r *m2mTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID := req.ID
	if importID == "" { // an import block with identity = { ... }
		if importID = m2mTokenIdentity.importID(ctx, req.Identity, &resp.Diagnostics); importID == "" {
			return
		}
	}
	machineID, tokenID, problem := parseM2MTokenImportID(importID)
	if problem != "" {
		resp.Diagnostics.AddError("Invalid import id",
			"Expected "+m2mTokenImportIDForm+", such as mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mt_0123456789abcdef0123456789abcdef: "+problem)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), tokenID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("subject"), machineID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("token_format"), tokenFormatOpaque)...)
	m2mTokenIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(machineID), types.StringValue(tokenID))
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// The machineauth_m2m_token list resource (Terraform 1.14 and later,
// `terraform query`): a machine's tokens as identities and, on request,
// resource objects, so tokens issued outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*m2mTokenListResource)(nil)

// NewM2MTokenListResource is the machineauth_m2m_token list resource.
func NewM2MTokenListResource() list.ListResource {
	return &m2mTokenListResource{listResults[m2mTokenListModel, client.M2MToken, m2mTokenModel]{
		typeName: "_m2m_token",
		fetch:    listM2MTokens,
		name:     m2mTokenDisplayName,
		identity: func(t client.M2MToken) any {
			return m2mTokenIdentity.of(types.StringValue(t.Subject), types.StringValue(t.ID))
		},
		resource: listedM2MToken,
	}}
}

type m2mTokenListResource struct {
	listResults[m2mTokenListModel, client.M2MToken, m2mTokenModel]
}

type m2mTokenListModel struct {
	MachineID      types.String `tfsdk:"machine_id"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
}

func (l *m2mTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists a machine's Clerk M2M tokens, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`machine_id` and `token_id`) and, with `include_resource = true`, as a `machineauth_m2m_token` " +
			"whose secret (`token`) is null, since Clerk shows it only when it issues a token. " +
			"`terraform query -generate-config-out=tokens.tf` writes a resource and an import block for each, so tokens issued " +
			"outside Terraform can be brought under it. Only opaque tokens are listed: Clerk keeps no record of JWT-format ones. " +
			"Lists with the provider's `clerk.secret_key` when set, else with its `clerk.machine_secret_key`, which sees only its own machine.",
		Attributes: map[string]listschema.Attribute{
			"machine_id": listschema.StringAttribute{
				MarkdownDescription: "The machine whose tokens to list (`mch_...`).",
				Required:            true,
				Validators:          machineIDValidators,
			},
			"include_revoked": listschema.BoolAttribute{
				MarkdownDescription: "Also list revoked tokens, for an audit. Default `false`. An imported revoked token leaves the state at its first refresh.",
				Optional:            true,
			},
			"include_expired": listschema.BoolAttribute{
				MarkdownDescription: "Also list expired tokens. Default `false`. An imported expired token leaves the state at its first refresh.",
				Optional:            true,
			},
		},
	}
}

// listM2MTokens fetches the machine's tokens, newest first.
func listM2MTokens(ctx context.Context, data *providerData, cfg m2mTokenListModel) ([]client.M2MToken, diag.Diagnostics) {
	var diags diag.Diagnostics
	machineID := cfg.MachineID.ValueString()
	listing := data.m2m.listing
	if cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool() {
		listing = data.m2m.fullListing
	}
	ix, err := listing(ctx, "", machineID)
	if err != nil {
		addClientError(&diags, "Unable to list the tokens of machine "+machineID, err)
		return nil, diags
	}
	if ix.gone {
		diags.AddError("Machine not found", fmt.Sprintf("Clerk has no machine %s.", machineID))
		return nil, diags
	}
	var tokens []client.M2MToken
	for _, t := range ix.all() {
		if (t.Revoked && !cfg.IncludeRevoked.ValueBool()) || (t.Expired && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		tokens = append(tokens, t)
	}
	sortNewestFirst(tokens, func(t client.M2MToken) (time.Time, string) { return t.Created(), t.ID })
	return tokens, nil
}

// listedM2MToken is the state an import of t would reach after its first
// refresh: what Clerk reports, and null for what only a configuration says.
func listedM2MToken(ctx context.Context, t client.M2MToken, diags *diag.Diagnostics) m2mTokenModel {
	var m m2mTokenModel
	m.set(ctx, t, diags)
	m.Claims = claimsFromClerk(types.StringNull(), t.Claims)
	m.TokenFormat = types.StringValue(tokenFormatOpaque)
	m.Keepers = types.MapNull(types.StringType)
	m.ReadyForRotation = types.BoolValue(false)
	return m
}

func m2mTokenDisplayName(t client.M2MToken) string {
	return t.ID + ", issued " + t.Created().Format(time.RFC3339) + lifeForDisplay(t.Revoked, t.Expired, t.ExpiresAt())
}
