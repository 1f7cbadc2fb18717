package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*machineResource)(nil)
	_ resource.ResourceWithImportState = (*machineResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*machineResource)(nil)
	_ resource.ResourceWithIdentity    = (*machineResource)(nil)
)

// NewMachineResource is the machineauth_machine resource.
func NewMachineResource() resource.Resource { return &machineResource{} }

type machineResource struct {
	data *providerData
}

type machineModel struct {
	machineState
	RotationTriggers      types.Map    `tfsdk:"rotation_triggers"`
	PreviousKeyTTLSeconds types.Int64  `tfsdk:"previous_key_ttl_seconds"`
	SecretKey             types.String `tfsdk:"secret_key"`
	SecretKeyRotatedAt    types.String `tfsdk:"secret_key_rotated_at"`
}

// machineDeleteDoc says what deleting a machine does, as far as is known.
const machineDeleteDoc = "**Delete.** Destroying the resource deletes the machine (`DELETE /machines/{id}`); one already gone counts as deleted. " +
	"Its secret key, current and previous, stops working, and other machines lose their scopes to it. " +
	"What Clerk does to the machine's live M2M tokens, and to the API keys whose subject it is, is not documented: they may keep working " +
	"(see " + assumptionsGuide + ", `machine_delete_tokens` and `machine_delete_api_keys`), and the provider relies on no answer. " +
	"Terraform destroys the `machineauth_m2m_token` and `machineauth_api_key` resources that reference the machine first, revoking each. " +
	"A token or key of a machine deleted outside Terraform that still works, or whose working nobody can check, stays in state with a warning " +
	"until its destroy or replacement revokes it; one that no longer works is removed from state. " +
	"Tokens and keys issued outside Terraform may stay valid until they expire: revoke them first."

func (r *machineResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_machine"
}

func (r *machineResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Clerk machine, the identity every M2M token is issued for, and its secret key (`ak_...`), rotated in place with an overlap. " +
			"Needs the provider's `clerk.secret_key`.\n\n" +
			"**Rotation.** Changing `rotation_triggers` (say, from a `time_rotating`) rotates the secret key in place: the machine and its id stay, " +
			"`secret_key` becomes the new key, and the previous key keeps working for `previous_key_ttl_seconds` more by Clerk's clock, " +
			"so consumers can move to the new key with no downtime. Tokens already issued stay valid: give a `machineauth_m2m_token` the key as " +
			"`machine_secret_key_wo`, and a rotation neither replaces it nor stops its refresh and revoke.\n\n" +
			"**One rotation per overlap.** Clerk is documented to keep one previous key only (see " + assumptionsGuide + ", `previous_machine_keys`): " +
			"a second rotation inside the overlap could end at once the key consumers still use. So a change of `rotation_triggers` before " +
			"`secret_key_rotated_at` plus `previous_key_ttl_seconds` (by Clerk's clock, and 2 seconds more) is refused at plan, with the time it may be applied. " +
			"A rotation whose answer is lost is settled by reading the machine's current key: it is never sent twice for one change, and when the key " +
			"has not changed yet the apply fails rather than send it again, since the request may still land. A key a refresh finds changed, outside Terraform " +
			"or by such a lost answer, is recorded, with the time of that refresh as `secret_key_rotated_at`, and a change of `rotation_triggers` " +
			"inside its overlap takes that rotation for its own rather than rotating again.\n\n" +
			"**Drift.** A rotation made outside Terraform shows at the next refresh, which reads the machine's current secret key. " +
			"A machine deleted outside Terraform is removed from state with a warning and created anew by the next apply; " +
			"401, 403 and 5xx answers are errors, never \"gone\".\n\n" +
			machineDeleteDoc + "\n\n" + machineCreateDoc,
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: descMachineName + " Changes are made in place.",
				Required:            true,
				Validators:          machineNameValidators,
			},
			"default_token_ttl": schema.Int64Attribute{
				MarkdownDescription: descTokenTTL + " Default 3600 (an hour). Changes are made in place and apply to tokens issued afterwards.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultMachineTokenTTL),
				Validators:          defaultTokenTTLValidators,
			},
			"rotation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values: any change rotates the secret key in place (see **Rotation**), e.g. `{ rotation = time_rotating.quarterly.id }`. " +
					"The first apply after an import records them without rotating. Unset: no rotation.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"previous_key_ttl_seconds": schema.Int64Attribute{
				MarkdownDescription: "How long, in seconds by Clerk's clock, the previous secret key keeps working after a rotation: 0 (at once) to 28800 (eight hours). " +
					"Default 3600. Sent with each rotation; changing it alone only updates state.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultPreviousKeyTTL),
				Validators: []validator.Int64{int64validator.Between(0, maxPreviousKeyTTL)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: descMachineID,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The machine's current secret key (`ak_...`), which issues its M2M tokens: the new one after a rotation, read afresh on every refresh. " +
					"Sensitive, and stored in state: to keep it out, read it with the `machineauth_machine_secret_key` ephemeral resource instead.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_key_rotated_at": schema.StringAttribute{
				MarkdownDescription: "When the provider last rotated the secret key, or when a refresh found it rotated outside Terraform (when the rotation was seen, not made), " +
					"by Clerk's clock, RFC 3339; null before the first rotation (and after an import: Clerk does not report it). " +
					"The previous key works until this plus `previous_key_ttl_seconds`, and no rotation is made before then (see **One rotation per overlap**).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"scoped_machines": schema.SetAttribute{
				MarkdownDescription: descScopedMachine + " Read on every refresh.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: descMachineCreatedAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *machineResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses, before any request, a plan the provider has no key
// for, and plans a new secret key when the rotation triggers change.
func (r *machineResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if _, err := r.data.machines.keys.managing(); err != nil {
		addClientError(&resp.Diagnostics, "Managing a Clerk machine", err)
		return
	}
	if req.State.Raw.IsNull() {
		return
	}
	var planned, prior types.Map
	var id, rotatedAt types.String
	var overlap types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("rotation_triggers"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("rotation_triggers"), &prior)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("secret_key_rotated_at"), &rotatedAt)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("previous_key_ttl_seconds"), &overlap)...)
	if resp.Diagnostics.HasError() || !rotates(ctx, req.Private, planned, prior) {
		return
	}
	end, inside := r.insideOverlap(ctx, id.ValueString(), rotatedAt, overlap, &resp.Diagnostics)
	switch {
	case resp.Diagnostics.HasError():
		return
	case inside && rotationObserved(ctx, req.Private):
		// The key changed since the last apply, outside Terraform or by
		// a rotation whose answer was lost: that rotation stands for this
		// change of the triggers, which are recorded without another.
		resp.Diagnostics.AddAttributeWarning(path.Root("rotation_triggers"), "Secret key of machine "+id.ValueString()+" already rotated",
			fmt.Sprintf("A refresh found the machine's key changed at about %s (outside Terraform, or by a rotation whose answer was lost). "+
				"That rotation is taken for this change of rotation_triggers, which is recorded without rotating again: a second rotation "+
				"before %s could end at once the previous key, which consumers may still hold.", rotatedAt.ValueString(), end.Format(time.RFC3339)))
		return
	case inside:
		resp.Diagnostics.AddAttributeError(path.Root("rotation_triggers"), "Machine "+id.ValueString()+" is inside its rotation overlap",
			fmt.Sprintf("The last rotation, at %s, left the key before it working until %s (previous_key_ttl_seconds). Clerk is documented "+
				"to keep one previous key only, so rotating again before then could end that key at once, while consumers may still use it. "+
				"Apply this change of rotation_triggers after %s. See the emulator assumptions guide, assumption previous_machine_keys.",
				rotatedAt.ValueString(), end.Format(time.RFC3339), end.Format(time.RFC3339)))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_key"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_key_rotated_at"), types.StringUnknown())...)
}

// rotationClockMargin is how much earlier than the rotation its recorded
// time may be: Clerk's clock is learnt from whole-second Date headers and
// the time is recorded to the second.
const rotationClockMargin = 2 * time.Second

// rotationObservedKey marks, in private state, a secret key that a refresh
// found changed since the last apply.
const rotationObservedKey = "secret_key_rotation_observed"

func rotationObserved(ctx context.Context, p privateState) bool {
	v, _ := p.GetKey(ctx, rotationObservedKey)
	return len(v) > 0
}

// insideOverlap reports whether, by Clerk's clock, the previous key of the
// last rotation (at rotatedAt, with overlap seconds) may still work, and
// until when. Clerk's clock is read from the machine when this process has
// not heard from Clerk yet (a plan with -refresh=false).
func (r *machineResource) insideOverlap(ctx context.Context, id string, rotatedAt types.String, overlap types.Int64, diags *diag.Diagnostics) (time.Time, bool) {
	at, err := time.Parse(time.RFC3339, rotatedAt.ValueString())
	if rotatedAt.IsNull() || rotatedAt.IsUnknown() || err != nil || overlap.ValueInt64() <= 0 {
		return time.Time{}, false
	}
	end := at.Add(time.Duration(overlap.ValueInt64())*time.Second + rotationClockMargin)
	now, known := r.data.client.ClerkNow()
	if !known {
		if _, err := r.data.machines.get(ctx, id); err != nil {
			addClientError(diags, "Unable to read Clerk's clock to judge whether machine "+id+"'s last rotation overlap has ended", err)
			return end, false
		}
		now, _ = r.data.client.ClerkNow()
	}
	return end, now.Before(end)
}

// rotates reports whether a plan rotates the key: any change of the
// triggers, an unknown one included, except on the first plan after an
// import, which only records them.
func rotates(ctx context.Context, p privateState, planned, prior types.Map) bool {
	return !planned.Equal(prior) && !justImported(ctx, p)
}

func (r *machineResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m machineModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	made, _ := r.data.machines.createMachine(ctx, m.Name.ValueString(), m.DefaultTokenTTL.ValueInt64(), &resp.Diagnostics)
	if made == nil {
		return
	}
	r.data.machines.record(made.Machine)
	m.set(ctx, made.Machine, &resp.Diagnostics)
	m.SecretKey = types.StringValue(made.SecretKey)
	m.SecretKeyRotatedAt = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	machineIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
}

func (r *machineResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m machineModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.ID.ValueString()
	machineIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.ID)
	got, err := r.data.machines.get(ctx, id)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read machine "+id, err)
		return
	}
	if got.gone {
		resp.Diagnostics.AddWarning("Machine "+id+" is gone: removing it from state",
			"Clerk has no machine "+id+": it was deleted outside Terraform. The next plan creates a new machine, with a new id and secret key.")
		resp.State.RemoveResource(ctx)
		return
	}
	key, err := r.data.client.GetMachineSecretKey(ctx, id)
	if client.IsNotFound(err) {
		// Deleted between the two reads.
		resp.Diagnostics.AddWarning("Machine "+id+" is gone: removing it from state", "Clerk has no machine "+id+": it was deleted outside Terraform.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read the secret key of machine "+id, err)
		return
	}
	if !m.SecretKey.IsNull() && m.SecretKey.ValueString() != key {
		// Rotated since the last apply, outside Terraform or by a rotation
		// whose answer was lost: when, Clerk does not say, so this refresh's
		// time stands for it, which is never earlier. A rotation planned
		// inside its overlap takes it for its own (see ModifyPlan).
		now, _ := r.data.client.ClerkNow()
		m.SecretKeyRotatedAt = types.StringValue(now.UTC().Format(time.RFC3339))
		resp.Diagnostics.AddWarning("Secret key of machine "+id+" changed outside Terraform",
			"Clerk holds another secret key for the machine than the state did, rotated outside Terraform or by a rotation whose answer was lost: "+
				"secret_key is now the current key, and secret_key_rotated_at the time of this refresh.")
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, rotationObservedKey, []byte("true"))...)
	}
	m.set(ctx, got.machine, &resp.Diagnostics)
	m.SecretKey = types.StringValue(key)
	if m.PreviousKeyTTLSeconds.IsNull() {
		// After an import: what the configuration's default will be.
		m.PreviousKeyTTLSeconds = types.Int64Value(defaultPreviousKeyTTL)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *machineResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior machineModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	store := r.data.machines

	var change client.UpdateMachineRequest
	if !plan.Name.Equal(prior.Name) {
		change.Name = plan.Name.ValueStringPointer()
	}
	if !plan.DefaultTokenTTL.Equal(prior.DefaultTokenTTL) {
		change.DefaultTokenTTL = plan.DefaultTokenTTL.ValueInt64Pointer()
	}
	if change.Name != nil || change.DefaultTokenTTL != nil {
		if _, err := r.data.client.UpdateMachine(ctx, id, change); err != nil {
			addClientError(&resp.Diagnostics, "Unable to update machine "+id, err)
			return
		}
	}

	rotate := plan.SecretKey.IsUnknown() // as ModifyPlan decided
	plan.SecretKey, plan.SecretKeyRotatedAt = prior.SecretKey, prior.SecretKeyRotatedAt
	if rotate {
		key, err := store.rotate(ctx, id, prior.SecretKey.ValueString(), plan.PreviousKeyTTLSeconds.ValueInt64())
		if err != nil {
			addClientError(&resp.Diagnostics, "Unable to rotate the secret key of machine "+id, err)
			// The name and lifetime may have changed: what Clerk now
			// holds is read on the next refresh.
			return
		}
		plan.SecretKey = types.StringValue(key)
		now, _ := r.data.client.ClerkNow()
		plan.SecretKeyRotatedAt = types.StringValue(now.UTC().Format(time.RFC3339))
	}

	// A fresh read for scoped_machines, which a plan cannot know. Failing
	// it fails nothing that was done: the update is recorded, and the
	// next refresh reads the machine.
	if got, err := r.data.client.GetMachine(ctx, id); err == nil {
		store.record(*got)
		plan.set(ctx, *got, &resp.Diagnostics)
	} else {
		plan.ScopedMachines = prior.ScopedMachines
		resp.Diagnostics.AddWarning("Machine "+id+" was updated but could not be read back",
			"Its scoped machines are shown as before until the next refresh: "+client.Redact(err.Error()))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	machineIdentity.set(ctx, resp.Identity, &resp.Diagnostics, plan.ID)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, rotationObservedKey, nil)...)
}

func (r *machineResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.DeleteMachine(ctx, id.ValueString())
	if err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Unable to delete machine "+id.ValueString(), err)
		return
	}
	r.data.machines.recordGone(id.ValueString())
}

func (r *machineResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" { // an import block with identity = { ... }
		if id = machineIdentity.importID(ctx, req.Identity, &resp.Diagnostics); id == "" {
			return
		}
	}
	if p := checkMachineID(id); p != "" {
		resp.Diagnostics.AddError("Invalid import id", "Expected a machine id such as mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk: "+p)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	machineIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(id))
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// rotate gives machine id a new secret key, the previous one working for
// overlap more seconds, and returns the new key. It is sent once per
// change: two rotations inside one overlap could end at once the key
// consumers hold (Clerk is documented to keep one previous key). A lost
// answer is settled by reading the current key: a key other than prior
// means the rotation happened. The same key is no proof that it did not
// (the request may still be on its way), so the rotation is not sent
// again: the apply fails, and the next one's refresh reads the key first.
func (s *machineStore) rotate(ctx context.Context, id, prior string, overlap int64) (string, error) {
	key, err := s.client.RotateMachineSecretKey(ctx, id, overlap)
	if err == nil || !client.IsAmbiguous(err) {
		return key, err
	}
	current, rerr := s.client.GetMachineSecretKey(ctx, id)
	switch {
	case rerr != nil:
		return "", fmt.Errorf("%w; then reading the current key to see whether it rotated failed too (the next refresh reads it): %w", err, rerr)
	case current != prior:
		return current, nil
	}
	return "", fmt.Errorf("%w; the machine's key has not changed since, but the request may yet reach Clerk, so it is not sent again: "+
		"two rotations inside one overlap could end at once the key consumers hold. Apply again: its refresh reads the key first, "+
		"and takes a changed one for this rotation", err)
}

// The machineauth_machine list resource (Terraform 1.14 and later,
// `terraform query`): the instance's machines, so machines made in the
// dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*machineListResource)(nil)

// NewMachineListResource is the machineauth_machine list resource.
func NewMachineListResource() list.ListResource {
	return &machineListResource{listResults[machineListModel, client.Machine, machineModel]{
		typeName: "_machine",
		fetch:    listMachines,
		name:     machineDisplayName,
		identity: func(m client.Machine) any { return machineIdentity.of(types.StringValue(m.ID)) },
		resource: listedMachine,
	}}
}

type machineListResource struct {
	listResults[machineListModel, client.Machine, machineModel]
}

type machineListModel struct {
	Query types.String `tfsdk:"query"`
}

func (l *machineListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the Clerk instance's machines, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`id`) and, with `include_resource = true`, as a `machineauth_machine` whose `secret_key` is null " +
			"(it is read when the machine is imported). `terraform query -generate-config-out=machines.tf` writes a resource and an import block for each. " +
			"Needs the provider's `clerk.secret_key`; one call per 500 machines.",
		Attributes: map[string]listschema.Attribute{
			"query": listschema.StringAttribute{
				MarkdownDescription: "Clerk's machine search: a machine id, matched exactly, or a part of a name. Unset: every machine.",
				Optional:            true,
			},
		},
	}
}

// listMachines fetches the machines the query finds, in Clerk's order; it
// needs the instance key.
func listMachines(ctx context.Context, data *providerData, cfg machineListModel) ([]client.Machine, diag.Diagnostics) {
	var diags diag.Diagnostics
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(&diags, "Listing Clerk machines", err)
		return nil, diags
	}
	machines, err := data.machines.listAll(ctx, cfg.Query.ValueString())
	if err != nil {
		addClientError(&diags, "Unable to list the machines", err)
		return nil, diags
	}
	return machines, nil
}

// listedMachine is the state an import of m reaches, less its secret key.
func listedMachine(ctx context.Context, m client.Machine, diags *diag.Diagnostics) machineModel {
	var s machineModel
	s.set(ctx, m, diags)
	s.RotationTriggers = types.MapNull(types.StringType)
	s.PreviousKeyTTLSeconds = types.Int64Value(defaultPreviousKeyTTL)
	s.SecretKey = types.StringNull()
	s.SecretKeyRotatedAt = types.StringNull()
	return s
}

func machineDisplayName(m client.Machine) string {
	name := m.Name
	if strings.Contains(name, machineCreateMarkerPrefix) {
		name += " (a create still under way, or left by a lost answer)"
	}
	return name + " (" + m.ID + ")"
}
