package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The two-phase rotation of a Stytch client secret, which connected-app
// clients and M2M clients share: start issues a next secret and both work;
// complete makes the next one the only one; cancel drops it. The resources
// declare it: a change of secret_rotation_triggers starts a rotation, the
// plan completes it once secret_rotation_overlap_seconds have passed by
// Stytch's clock, and triggers reverted while it is pending cancel it.

const (
	defaultRotationOverlap = 3600
	maxRotationOverlap     = 365 * 24 * 3600

	// rotationBaseKey holds, in private state, the triggers under which the
	// current secret was made current: reverting to them cancels a pending
	// rotation. It is absent after an import, whose first apply adopts the
	// configured triggers without rotating.
	rotationBaseKey = "secret_rotation_base"
)

// clientSecretModel is the part of a client resource's model that rotation
// reads and writes.
type clientSecretModel struct {
	ClientSecret      types.String `tfsdk:"client_secret"`
	NextClientSecret  types.String `tfsdk:"next_client_secret"`
	SecretLastFour    types.String `tfsdk:"client_secret_last_four"`
	RotationStartedAt types.String `tfsdk:"secret_rotation_started_at"`
	RotationDue       types.Bool   `tfsdk:"secret_rotation_due"`
	RotationTriggers  types.Map    `tfsdk:"secret_rotation_triggers"`
	RotationOverlap   types.Int64  `tfsdk:"secret_rotation_overlap_seconds"`
}

// pending reports a rotation this provider started and has not finished.
func (m *clientSecretModel) pending() bool {
	return !m.RotationStartedAt.IsNull() && !m.RotationStartedAt.IsUnknown()
}

// clientSecretDoc describes the rotation in a resource's documentation; kind
// is what the secret belongs to ("connected app", "M2M client").
func clientSecretDoc(kind string) string {
	return "**Secret rotation** is declared, and keeps consumers working: " +
		"a change of `secret_rotation_triggers` starts a rotation on that apply. Stytch then issues `next_client_secret`, " +
		"and both secrets work; consumers switch to the next one in the same apply, by referring to `next_client_secret` " +
		"(for example with `coalesce(" + kind + ".next_client_secret, " + kind + ".client_secret)`). " +
		"Once `secret_rotation_overlap_seconds` have passed since `secret_rotation_started_at`, judged at refresh by Stytch's clock " +
		"(the `Date` of its answers), `secret_rotation_due` turns true and the plan shows an in-place update that completes the rotation: the next secret becomes " +
		"`client_secret`, `next_client_secret` turns null, and Stytch refuses the old secret from then on. " +
		"Reverting the triggers to their previous values while the rotation is pending cancels it: the next secret is dropped " +
		"and the current one keeps working. Changing them to yet other values while pending cancels the pending rotation and starts " +
		"a new one; the current secret works throughout. Terraform never completes a rotation early: the start is recorded a second late " +
		"rather than early, and with `-refresh=false` the plan goes by the last refresh.\n\n" +
		"A rotation completed or cancelled outside Terraform is noticed on refresh, with a warning, and recorded. " +
		"A rotation started outside Terraform has a next secret Terraform never saw: the refresh warns, and the next rotation " +
		"Terraform starts cancels it first. A lost answer to a rotation step is resolved by reading the client back, " +
		"never by repeating the step blindly. So is a step out of turn, such as a completion of a rotation cancelled outside Terraform, however " +
		"Stytch answers it (400, 409, or a 200 that changes nothing: see " + assumptionsGuide + ", `rotation_out_of_turn`): a completion is recorded only " +
		"once the client's secrets show it."
}

// clientSecretAttributes are the rotation's schema attributes; secretDoc
// says when client_secret is set.
func clientSecretAttributes(secretDoc string) map[string]schema.Attribute {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return map[string]schema.Attribute{
		"client_secret": schema.StringAttribute{
			MarkdownDescription: secretDoc + " After a completed rotation, the former `next_client_secret`. Null after an import: Stytch shows a secret only once.",
			Computed:            true,
			Sensitive:           true,
			PlanModifiers:       keep,
		},
		"next_client_secret": schema.StringAttribute{
			MarkdownDescription: "The secret a pending rotation issued, which works alongside `client_secret` until the rotation completes; null when no rotation is pending.",
			Computed:            true,
			Sensitive:           true,
			PlanModifiers:       keep,
		},
		"client_secret_last_four": schema.StringAttribute{
			MarkdownDescription: "The last four characters of `client_secret`, as Stytch reports them: enough to tell which secret a consumer holds.",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"secret_rotation_started_at": schema.StringAttribute{
			MarkdownDescription: "When the pending rotation started, by Stytch's clock (RFC 3339); null when no rotation is pending.",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"secret_rotation_due": schema.BoolAttribute{
			MarkdownDescription: "Whether the pending rotation's overlap had passed at the last refresh, by Stytch's clock: when true, the plan completes the rotation.",
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"secret_rotation_triggers": schema.MapAttribute{
			MarkdownDescription: "Arbitrary values whose change starts a secret rotation, for example `{ rotated = time_rotating.quarterly.id }`. " +
				"Reverting them while the rotation is pending cancels it. Setting them at create, or on the first apply after an import, " +
				"rotates nothing.",
			ElementType: types.StringType,
			Optional:    true,
		},
		"secret_rotation_overlap_seconds": schema.Int64Attribute{
			MarkdownDescription: "How long both secrets of a rotation work before the plan completes it, by Stytch's clock: from 0 (the next plan) " +
				"to a year. Default 3600. A change takes effect on the pending rotation too, from the refresh after it is applied; it changes nothing at Stytch.",
			Optional:   true,
			Computed:   true,
			Default:    int64default.StaticInt64(defaultRotationOverlap),
			Validators: []validator.Int64{int64validator.Between(0, maxRotationOverlap)},
		},
	}
}

// listedClientSecret is the secret part of a listed Stytch client's state:
// no secrets, since Stytch shows one only when it issues it, no rotation
// under way, and the overlap a configuration without one has.
func listedClientSecret(lastFour string) clientSecretModel {
	return clientSecretModel{
		ClientSecret:      types.StringNull(),
		NextClientSecret:  types.StringNull(),
		SecretLastFour:    stringOrNull(lastFour),
		RotationStartedAt: types.StringNull(),
		RotationDue:       types.BoolValue(false),
		RotationTriggers:  types.MapNull(types.StringType),
		RotationOverlap:   types.Int64Value(defaultRotationOverlap),
	}
}

// triggers is a triggers map as Go, nil and empty alike.
func triggers(ctx context.Context, m types.Map) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	_ = m.ElementsAs(ctx, &out, false) // a map of strings by schema
	return out
}

// rotationBase reads the triggers the current secret was made under, and
// whether they are known.
func rotationBase(ctx context.Context, p privateState) (map[string]string, bool) {
	raw, _ := p.GetKey(ctx, rotationBaseKey)
	if len(raw) == 0 {
		return nil, false
	}
	var base map[string]string
	if json.Unmarshal(raw, &base) != nil {
		return nil, false
	}
	return base, true
}

func setRotationBase(ctx context.Context, p privateStateWriter, t map[string]string, diags *diag.Diagnostics) {
	if t == nil {
		t = map[string]string{}
	}
	b, _ := json.Marshal(t) // a map of strings always encodes
	diags.Append(p.SetKey(ctx, rotationBaseKey, b)...)
}

type rotationAction int

const (
	rotationNone rotationAction = iota
	rotationStart
	// rotationRestart cancels a pending rotation and starts another.
	rotationRestart
	rotationComplete
	rotationCancel
)

// nextRotation decides what a plan does to the secret. planned and current
// are the configured and recorded triggers; base is what the current secret
// was made under (unknown after an import: then triggers are adopted);
// due says a pending rotation's overlap has passed.
func nextRotation(planned, current, base map[string]string, haveBase, pending, due bool) rotationAction {
	switch {
	case !haveBase:
		return rotationNone
	case !maps.Equal(planned, current) && pending && maps.Equal(planned, base):
		return rotationCancel
	case !maps.Equal(planned, current) && pending:
		return rotationRestart
	case !maps.Equal(planned, current):
		return rotationStart
	case pending && due:
		return rotationComplete
	}
	return rotationNone
}

// rotationDueAt reports whether the overlap of a rotation started at
// startedAt has passed at now.
func rotationDueAt(startedAt types.String, overlap types.Int64, now time.Time) bool {
	start, err := time.Parse(time.RFC3339, startedAt.ValueString())
	if err != nil || overlap.IsUnknown() {
		return false
	}
	secs := int64(defaultRotationOverlap)
	if !overlap.IsNull() {
		secs = overlap.ValueInt64()
	}
	return !now.Before(start.Add(time.Duration(secs) * time.Second))
}

// planRotation sets the plan's secret attributes for what nextRotation
// decides. Whether a pending rotation is due comes from the state, as the
// last refresh judged it: Terraform plans again during apply, without a
// refresh, and that plan must decide the same.
func planRotation(ctx context.Context, state, plan *clientSecretModel, private privateState) rotationAction {
	base, haveBase := rotationBase(ctx, private)
	due := state.pending() && state.RotationDue.ValueBool()
	action := nextRotation(triggers(ctx, plan.RotationTriggers), triggers(ctx, state.RotationTriggers), base, haveBase, state.pending(), due)
	switch action {
	case rotationStart, rotationRestart:
		plan.NextClientSecret, plan.RotationStartedAt = types.StringUnknown(), types.StringUnknown()
	case rotationComplete:
		next := state.NextClientSecret.ValueString()
		plan.ClientSecret, plan.NextClientSecret, plan.RotationStartedAt = state.NextClientSecret, types.StringNull(), types.StringNull()
		if len(next) >= 4 {
			plan.SecretLastFour = types.StringValue(next[len(next)-4:])
		}
	case rotationCancel:
		plan.NextClientSecret, plan.RotationStartedAt = types.StringNull(), types.StringNull()
	}
	if action != rotationNone {
		plan.RotationDue = types.BoolValue(false)
	}
	return action
}

// judgeRotation records at refresh whether a pending rotation is due by
// Stytch's clock, which the read that precedes it has just shown.
func judgeRotation(m *clientSecretModel, stytchNow func() (time.Time, bool)) {
	now, known := stytchNow()
	m.RotationDue = types.BoolValue(m.pending() && known && rotationDueAt(m.RotationStartedAt, m.RotationOverlap, now))
}

// plannedRotation reads back from the plan what planRotation decided.
func plannedRotation(state, plan *clientSecretModel) rotationAction {
	switch {
	case plan.NextClientSecret.IsUnknown() && state.pending():
		return rotationRestart
	case plan.NextClientSecret.IsUnknown():
		return rotationStart
	case state.pending() && plan.RotationStartedAt.IsNull() && !state.NextClientSecret.IsNull() && plan.ClientSecret.Equal(state.NextClientSecret):
		return rotationComplete
	case state.pending() && plan.RotationStartedAt.IsNull():
		return rotationCancel
	}
	return rotationNone
}

// secretStatus is what Stytch says of a client's secrets: the last four of
// the current one and, during a rotation, of the next one.
type secretStatus struct {
	lastFour     string
	nextLastFour *string
}

// secretRotator makes the rotation calls for one kind of client.
type secretRotator interface {
	// kind names the client in messages: "connected app", "M2M client".
	kind() string
	start(ctx context.Context, id string) (next string, err error)
	// complete and cancel return the secrets as Stytch answered them.
	complete(ctx context.Context, id string) (secretStatus, error)
	cancel(ctx context.Context, id string) (secretStatus, error)
	status(ctx context.Context, id string) (secretStatus, error)
}

// rotationAttempts bounds the requests of one rotation step whose answers
// are lost.
const rotationAttempts = 3

func lastFourOf(secret string) string {
	if len(secret) < 4 {
		return ""
	}
	return secret[len(secret)-4:]
}

// applyRotation carries out on Stytch the step the plan holds, moving the
// model from state to plan; the model's secret fields are set from what
// happened. stytchNow stamps a start.
func applyRotation(ctx context.Context, rot secretRotator, id string, state, plan *clientSecretModel, stytchNow func() (time.Time, bool), diags *diag.Diagnostics) {
	out := *plan
	out.ClientSecret, out.NextClientSecret = state.ClientSecret, state.NextClientSecret
	out.SecretLastFour, out.RotationStartedAt = state.SecretLastFour, state.RotationStartedAt
	out.RotationDue = types.BoolValue(false)
	defer func() { *plan = out }()
	// A failed step keeps the triggers recorded before it, so the next
	// plan asks for the step again.
	fail := func(err error) {
		addClientError(diags, fmt.Sprintf("Unable to rotate the secret of %s %s", rot.kind(), id), err)
		out.RotationTriggers = state.RotationTriggers
	}
	switch plannedRotation(state, plan) {
	case rotationRestart:
		if err := cancelRotation(ctx, rot, id, state.NextClientSecret.ValueString()); err != nil {
			fail(err)
			return
		}
		out.NextClientSecret, out.RotationStartedAt = types.StringNull(), types.StringNull()
		fallthrough
	case rotationStart:
		next, err := startRotation(ctx, rot, id)
		if err != nil {
			fail(err)
			return
		}
		out.NextClientSecret = types.StringValue(next)
		out.RotationStartedAt = types.StringValue(rotationStamp(stytchNow).Format(time.RFC3339))
	case rotationComplete:
		if err := completeRotation(ctx, rot, id, state.NextClientSecret.ValueString()); err != nil {
			fail(err)
			return
		}
		out.ClientSecret, out.NextClientSecret, out.RotationStartedAt = state.NextClientSecret, types.StringNull(), types.StringNull()
		out.SecretLastFour = plan.SecretLastFour
	case rotationCancel:
		if err := cancelRotation(ctx, rot, id, state.NextClientSecret.ValueString()); err != nil {
			fail(err)
			return
		}
		out.NextClientSecret, out.RotationStartedAt = types.StringNull(), types.StringNull()
	}
}

// rotationStamp is when a rotation that just started did, by Stytch's
// clock, never earlier: the clock is learned from Date headers, which are
// whole seconds and so run behind, and RFC 3339 here drops the fraction.
// Judging the overlap by a later start can only complete a rotation late.
func rotationStamp(stytchNow func() (time.Time, bool)) time.Time {
	now, _ := stytchNow()
	return now.UTC().Truncate(time.Second).Add(time.Second)
}

// outOfTurn reports Stytch's refusal of a rotation step out of turn: a
// start while one is pending, a complete or cancel with none. How Stytch
// refuses it is not documented: 400 or 409 (assumption rotation_out_of_turn
// in the emulator assumptions guide), or not at all (see finishRotation).
// Either refusal is settled by reading the client back.
func outOfTurn(err error) bool {
	s := httpStatus(err)
	return s == http.StatusBadRequest || s == http.StatusConflict
}

// startRotation starts a rotation and returns the next secret. A lost
// answer, or Stytch's refusal because a rotation is already under way (one
// whose answer was lost, or one started outside Terraform), is resolved by
// reading the client: a rotation whose next secret nobody here holds is
// cancelled and the start sent again. A Stytch that answers such a start
// with a new next secret in place of the pending one needs nothing more.
func startRotation(ctx context.Context, rot secretRotator, id string) (string, error) {
	var last error
	for range rotationAttempts {
		next, err := rot.start(ctx, id)
		if err == nil {
			return next, nil
		}
		if !client.IsAmbiguous(err) && !outOfTurn(err) {
			return "", err
		}
		st, serr := rot.status(ctx, id)
		if serr != nil {
			return "", serr
		}
		if st.nextLastFour == nil {
			if !client.IsAmbiguous(err) {
				// Refused, and not for a rotation under way.
				return "", err
			}
			last = err
			continue
		}
		if _, cerr := rot.cancel(ctx, id); cerr != nil && !client.IsAmbiguous(cerr) && !outOfTurn(cerr) {
			return "", cerr
		}
		last = err
	}
	return "", fmt.Errorf("%d attempts to start the rotation went unanswered or were refused; last: %w", rotationAttempts, last)
}

// completeRotation completes the rotation whose next secret is next. It is
// done once Stytch's current secret ends like next.
func completeRotation(ctx context.Context, rot secretRotator, id, next string) error {
	return finishRotation(ctx, rot, id, rot.complete, func(st secretStatus) (bool, error) {
		if st.nextLastFour == nil && st.lastFour == lastFourOf(next) {
			return true, nil
		}
		if st.nextLastFour == nil {
			return false, fmt.Errorf("the rotation is no longer pending at Stytch and the secret is not the next one Terraform holds: it was cancelled or redone outside Terraform")
		}
		return false, nil
	})
}

// cancelRotation cancels a pending rotation; done once none is pending.
func cancelRotation(ctx context.Context, rot secretRotator, id, next string) error {
	return finishRotation(ctx, rot, id, rot.cancel, func(st secretStatus) (bool, error) {
		if st.nextLastFour == nil && next != "" && st.lastFour == lastFourOf(next) {
			return false, fmt.Errorf("the rotation was completed outside Terraform, so it can no longer be cancelled: the next secret is now the client's only one")
		}
		return st.nextLastFour == nil, nil
	})
}

// finishRotation sends step until done says the client reached its end
// state, reading the client back after a lost answer or a refusal. A step
// out of turn may also be answered 200 and change nothing (assumption
// rotation_out_of_turn): an answer whose secrets are not where the step
// leaves them is checked against a fresh read too, so a complete that
// changed nothing is never taken for one that did.
func finishRotation(ctx context.Context, rot secretRotator, id string, step func(context.Context, string) (secretStatus, error), done func(secretStatus) (bool, error)) error {
	var last error
	for range rotationAttempts {
		answered, err := step(ctx, id)
		if err == nil {
			if ok, derr := done(answered); derr == nil && ok {
				return nil
			}
			st, serr := rot.status(ctx, id)
			if serr != nil {
				return serr
			}
			switch ok, derr := done(st); {
			case derr != nil:
				return derr
			case !ok:
				return fmt.Errorf("stytch accepted the step, yet the client's secrets are not as it leaves them")
			}
			return nil
		}
		if !client.IsAmbiguous(err) && !outOfTurn(err) {
			return err
		}
		st, serr := rot.status(ctx, id)
		if serr != nil {
			return serr
		}
		ok, derr := done(st)
		switch {
		case derr != nil:
			return derr
		case ok:
			return nil
		case !client.IsAmbiguous(err):
			return err
		}
		last = err
	}
	return fmt.Errorf("%d attempts went unanswered; last: %w", rotationAttempts, last)
}

// observeSecrets records on refresh what Stytch says of the secrets when it
// differs from the state: a rotation completed, cancelled or started outside
// Terraform, or a secret changed outside it. It returns the warnings to
// show.
func observeSecrets(m *clientSecretModel, st secretStatus, kind, id string) (warnings []string) {
	m.SecretLastFour = stringOrNull(st.lastFour)
	if m.pending() && st.nextLastFour == nil {
		next := m.NextClientSecret.ValueString()
		if st.lastFour == lastFourOf(next) {
			m.ClientSecret = m.NextClientSecret
			warnings = append(warnings, fmt.Sprintf("The secret rotation of %s %s was completed outside Terraform: next_client_secret is now client_secret.", kind, id))
		} else {
			warnings = append(warnings, fmt.Sprintf("The secret rotation of %s %s was cancelled outside Terraform: next_client_secret no longer works and is now null.", kind, id))
		}
		m.NextClientSecret, m.RotationStartedAt = types.StringNull(), types.StringNull()
	}
	if !m.pending() && st.nextLastFour != nil {
		warnings = append(warnings, fmt.Sprintf("A secret rotation of %s %s was started outside Terraform: its next secret (ending in %s) was never shown to Terraform. "+
			"The next rotation Terraform starts cancels it first.", kind, id, *st.nextLastFour))
	}
	if cur := m.ClientSecret.ValueString(); cur != "" && lastFourOf(cur) != st.lastFour {
		warnings = append(warnings, fmt.Sprintf("The secret of %s %s was changed outside Terraform: Stytch's ends in %s, not as client_secret does, so client_secret is now null. "+
			"Change secret_rotation_triggers to rotate to a secret Terraform knows.", kind, id, st.lastFour))
		m.ClientSecret = types.StringNull()
	}
	return warnings
}

// rotationPath is where diagnostics about rotation point.
var rotationPath = path.Root("secret_rotation_triggers")
