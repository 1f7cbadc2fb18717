package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestNextRotation(t *testing.T) {
	t.Parallel()
	a, b, c := map[string]string{"v": "a"}, map[string]string{"v": "b"}, map[string]string{"v": "c"}
	for _, tc := range []struct {
		name                   string
		planned, current, base map[string]string
		haveBase, pending, due bool
		want                   rotationAction
	}{
		{"unchanged", a, a, a, true, false, false, rotationNone},
		{"changed starts", b, a, a, true, false, false, rotationStart},
		{"added starts", a, map[string]string{}, map[string]string{}, true, false, false, rotationStart},
		{"null and empty are alike", map[string]string{}, nil, nil, true, false, false, rotationNone},
		{"pending, not due", b, b, a, true, true, false, rotationNone},
		{"pending and due completes", b, b, a, true, true, true, rotationComplete},
		{"reverted while pending cancels", a, b, a, true, true, false, rotationCancel},
		{"reverted while due still cancels", a, b, a, true, true, true, rotationCancel},
		{"changed again while pending restarts", c, b, a, true, true, false, rotationRestart},
		{"after an import, triggers are adopted", b, nil, nil, false, false, false, rotationNone},
	} {
		if got := nextRotation(tc.planned, tc.current, tc.base, tc.haveBase, tc.pending, tc.due); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestPickSecret(t *testing.T) {
	t.Parallel()
	four := func(s string) *string { return &s }
	const cur, next = "current-secret-AAAA", "next-secret-BBBB"
	for _, tc := range []struct {
		name          string
		st            secretStatus
		current, nxt  string
		want, problem string
	}{
		{"no rotation", secretStatus{lastFour: "AAAA"}, cur, "", cur, ""},
		{"pending: the next one", secretStatus{lastFour: "AAAA", nextLastFour: four("BBBB")}, cur, next, next, ""},
		{"pending, next not given: the current one still works", secretStatus{lastFour: "AAAA", nextLastFour: four("BBBB")}, cur, "", cur, ""},
		{"the plan completing it gives the next one as current", secretStatus{lastFour: "AAAA", nextLastFour: four("BBBB")}, next, "", next, ""},
		{"completed outside, state behind", secretStatus{lastFour: "BBBB"}, cur, next, next, ""},
		{"stale", secretStatus{lastFour: "ZZZZ"}, cur, next, "", "ends in ZZZZ"},
		{"public", secretStatus{}, cur, "", "", "public client"},
	} {
		got, problem := pickSecret(tc.st, tc.current, tc.nxt)
		if got != tc.want || (tc.problem == "") != (problem == "") || !strings.Contains(problem, tc.problem) {
			t.Errorf("%s: got %q, %q; want %q, %q", tc.name, got, problem, tc.want, tc.problem)
		}
	}
}

// A refresh records what happened to the secrets outside Terraform.
func TestObserveSecrets(t *testing.T) {
	t.Parallel()
	pending := func() clientSecretModel {
		return clientSecretModel{
			ClientSecret: types.StringValue("current-AAAA"), NextClientSecret: types.StringValue("next-BBBB"),
			RotationStartedAt: types.StringValue("2026-01-01T00:00:00Z"),
		}
	}
	m := pending()
	if w := observeSecrets(&m, secretStatus{lastFour: "BBBB"}, "connected app", "x"); len(w) != 1 || !strings.Contains(w[0], "completed outside") ||
		m.ClientSecret.ValueString() != "next-BBBB" || !m.NextClientSecret.IsNull() || m.pending() {
		t.Errorf("completed outside: %v, %+v", w, m)
	}
	m = pending()
	if w := observeSecrets(&m, secretStatus{lastFour: "AAAA"}, "connected app", "x"); len(w) != 1 || !strings.Contains(w[0], "cancelled outside") ||
		m.ClientSecret.ValueString() != "current-AAAA" || !m.NextClientSecret.IsNull() {
		t.Errorf("cancelled outside: %v, %+v", w, m)
	}
	m = clientSecretModel{ClientSecret: types.StringValue("current-AAAA"), NextClientSecret: types.StringNull(), RotationStartedAt: types.StringNull()}
	other := "CCCC"
	if w := observeSecrets(&m, secretStatus{lastFour: "AAAA", nextLastFour: &other}, "connected app", "x"); len(w) != 1 || !strings.Contains(w[0], "started outside") {
		t.Errorf("started outside: %v", w)
	}
	if w := observeSecrets(&m, secretStatus{lastFour: "DDDD"}, "connected app", "x"); len(w) != 1 || !m.ClientSecret.IsNull() {
		t.Errorf("changed outside: %v, %+v", w, m)
	}
}

// required_scopes holds for any kind of token that reports scopes, and
// leaves an invalid token's own reason alone.
func TestRequireScopes(t *testing.T) {
	t.Parallel()
	set := func(s ...string) types.Set {
		v, _ := types.SetValueFrom(context.Background(), types.StringType, s)
		return v
	}
	for _, tc := range []struct {
		name     string
		v        verification
		required types.Set
		want     string
	}{
		{"connected-app token with the scope", verification{tokenType: tokenTypeConnectedApp, scopes: []string{"openid", "read:reports"}}, set("read:reports"), ""},
		{"connected-app token without it", verification{tokenType: tokenTypeConnectedApp, scopes: []string{"openid"}}, set("read:reports"), reasonInsufficientScope},
		{"M2M token that may not call the machine", verification{tokenType: tokenTypeM2M, scopes: []string{"mch_a"}}, set("mch_b"), reasonInsufficientScope},
		{"no scopes told", verification{tokenType: tokenTypeM2M}, set("mch_b"), reasonInsufficientScope},
		{"expired stays expired", verification{tokenType: tokenTypeM2MClient, reason: reasonExpired}, set("x"), reasonExpired},
		{"none required", verification{tokenType: tokenTypeM2MClient}, types.SetNull(types.StringType), ""},
	} {
		v := tc.v
		var diags diag.Diagnostics
		requireScopes(context.Background(), &v, tc.required, &diags)
		if v.reason != tc.want || diags.HasError() {
			t.Errorf("%s: reason %q, want %q (%v)", tc.name, v.reason, tc.want, diags)
		}
	}
}
