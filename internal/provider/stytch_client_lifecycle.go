package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What the resources machineauth_connected_app and machineauth_m2m_client
// do alike around their own calls: both are Stytch clients named by their
// client_id, with a two-phase secret rotation, so their plan, refresh,
// update, save, delete and import differ only in those calls and in the
// words for them.

// stytchClientKind names one kind of client in messages.
type stytchClientKind struct {
	name    string // "connected app"
	article string // "a"
	// identityDoc describes the client_id in the resource's identity.
	identityDoc string
}

var (
	connectedAppKind = stytchClientKind{name: "connected app", article: "a",
		identityDoc: "The connected app's client_id (`connected-app-test-...` or `connected-app-live-...`)."}
	m2mClientKind = stytchClientKind{name: "M2M client", article: "an", identityDoc: "The M2M client's client_id."}
)

// title is the name at the start of a sentence: "Connected app".
func (k stytchClientKind) title() string { return strings.ToUpper(k.name[:1]) + k.name[1:] }

// stytchClientIDs are a client resource's id, which is its client_id, and
// the client_id.
type stytchClientIDs struct {
	ID       types.String `tfsdk:"id"`
	ClientID types.String `tfsdk:"client_id"`
}

func (ids *stytchClientIDs) ids() *stytchClientIDs { return ids }

func (m *clientSecretModel) secrets() *clientSecretModel { return m }

// stytchClientModel is either resource's model, as the phases here see it.
type stytchClientModel interface {
	ids() *stytchClientIDs
	secrets() *clientSecretModel
}

// planClientRotation plans, on an update, the rotation step the triggers
// and Stytch's clock call for. rotates says whether the planned client has
// a secret to rotate; nil, it always has.
func planClientRotation[M any, P interface {
	*M
	stytchClientModel
}](ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, rotates func(plan P) bool) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var state, plan M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || (rotates != nil && !rotates(&plan)) {
		return
	}
	if planRotation(ctx, P(&state).secrets(), P(&plan).secrets(), req.Private) != rotationNone {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
}

// madeWith sets the secret attributes of a client just made: the secret it
// was made with (none for a public client), and no rotation.
func (m *clientSecretModel) madeWith(secret, lastFour string) {
	m.ClientSecret, m.SecretLastFour = stringOrNull(secret), stringOrNull(lastFour)
	m.NextClientSecret, m.RotationStartedAt, m.RotationDue = types.StringNull(), types.StringNull(), types.BoolValue(false)
}

// saveClient records m after a create or an update: its state, its
// identity, and, with rebase, its triggers as those its current secret was
// made under.
func saveClient(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, private privateStateWriter, m stytchClientModel, rebase bool, diags *diag.Diagnostics) {
	diags.Append(state.Set(ctx, m)...)
	clientIDIdentity.set(ctx, identity, diags, m.ids().ClientID)
	if rebase {
		setRotationBase(ctx, private, triggers(ctx, m.secrets().RotationTriggers), diags)
	}
}

// readClient refreshes the client in the state: get reads it, and set
// records its fields in m and returns what it says of the secrets. A
// client deleted outside Terraform leaves the state, with a warning; the
// secrets' changes made outside Terraform are recorded, with warnings, and
// a pending rotation is judged by Stytch's clock.
func readClient[M any, P interface {
	*M
	stytchClientModel
}, C any](ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, kind stytchClientKind,
	get func(context.Context, string) (*C, error), set func(P, *C) secretStatus, stytchNow func() (time.Time, bool)) {
	var m M
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ids, secrets := P(&m).ids(), P(&m).secrets()
	id := ids.ClientID.ValueString()
	clientIDIdentity.set(ctx, resp.Identity, &resp.Diagnostics, ids.ClientID)
	c, err := get(ctx, id)
	if err != nil {
		if stytchClientGone(err) {
			resp.Diagnostics.AddWarning(kind.title()+" "+id+" is gone: removing it from state",
				fmt.Sprintf("Stytch has no %s %s: it was deleted outside Terraform (%s). The next apply creates a new one, with a new client_id and secret.",
					kind.name, id, client.Redact(err.Error())))
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, "Unable to read "+kind.name+" "+id, err)
		return
	}
	st := set(&m, c)
	ids.ID = ids.ClientID
	if secrets.RotationOverlap.IsNull() {
		// Imported: the default, as a configuration without it has.
		secrets.RotationOverlap = types.Int64Value(defaultRotationOverlap)
	}
	for _, w := range observeSecrets(secrets, st, kind.name, id) {
		resp.Diagnostics.AddWarning(kind.title()+" "+id+": secret changed outside Terraform", w)
	}
	judgeRotation(secrets, stytchNow)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if _, known := rotationBase(ctx, req.Private); known && !secrets.pending() {
		setRotationBase(ctx, resp.Private, triggers(ctx, secrets.RotationTriggers), &resp.Diagnostics)
	}
}

// updateClient sends, on an update, the client's writable fields (as
// fields makes them) with send when they changed, then the rotation step
// the plan holds, and saves the outcome.
func updateClient[M any, P interface {
	*M
	stytchClientModel
}, F, R any](ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse,
	fields func(P, context.Context, *diag.Diagnostics) F, send func(context.Context, string, F) (R, error), rot secretRotator, stytchNow func() (time.Time, bool)) {
	var state, plan M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	was, m := P(&state), P(&plan)
	id := was.ids().ClientID.ValueString()
	*m.ids() = *was.ids()
	want, had := fields(m, ctx, &resp.Diagnostics), fields(was, ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !reflect.DeepEqual(want, had) {
		if _, err := send(ctx, id, want); err != nil {
			addClientError(&resp.Diagnostics, "Unable to update "+rot.kind()+" "+id, err)
			return
		}
	}
	applyRotation(ctx, rot, id, was.secrets(), m.secrets(), stytchNow, &resp.Diagnostics)
	saveClient(ctx, &resp.State, resp.Identity, resp.Private, m, !m.secrets().pending(), &resp.Diagnostics)
}

// deleteClient deletes the client in the state with del; one already gone
// counts as deleted.
func deleteClient(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse, kind stytchClientKind, del func(ctx context.Context, id string) error) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("client_id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "Deleting "+kind.name, map[string]any{"client_id": id.ValueString()})
	if err := del(ctx, id.ValueString()); err != nil && !stytchClientGone(err) {
		addClientError(&resp.Diagnostics, "Unable to delete "+kind.name+" "+id.ValueString(), err)
	}
}

// importClient imports a client by its client_id, given as the import id
// or by identity; check says what is wrong with an id, "" if nothing.
func importClient(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, kind stytchClientKind, check func(string) string) {
	id := req.ID
	if id == "" { // an import block with identity = { ... }
		if id = kind.identity().importID(ctx, req.Identity, &resp.Diagnostics); id == "" {
			return
		}
	}
	if problem := check(id); problem != "" {
		resp.Diagnostics.AddError("Invalid import id", "Expected the "+kind.name+"'s client_id: "+problem)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("client_id"), id)...)
	clientIDIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(id))
}
