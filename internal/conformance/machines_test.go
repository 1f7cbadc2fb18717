package conformance

import (
	"net/http"
	"slices"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Every Clerk machine route the emulator serves, through the client's own
// calls, so what the machine resources send and read is what Clerk
// describes. Create, get and delete are in conformance_test.go.
func init() { cases = append(cases, machineCases...) }

var machineCases = []opCase{
	{op: "clerk ListMachines", name: "query_order_and_page", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		page, err := h.client.ListMachines(h.ctx, client.ListMachinesRequest{Query: m.Name, OrderBy: "-created_at", Limit: 500})
		h.must(err)
		if page.TotalCount != 1 || len(page.Machines) != 1 || page.Machines[0].ID != m.ID {
			h.t.Errorf("listing by the name %q: %+v", m.Name, page)
		}
		all, err := h.client.ListMachines(h.ctx, client.ListMachinesRequest{Limit: 1, Offset: 1})
		h.must(err)
		if len(all.Machines) != 1 || all.TotalCount < 3 {
			h.t.Errorf("second page of one: %+v", all)
		}
	}},
	{op: "clerk ListMachines", name: "wrong_secret_key", status: http.StatusUnauthorized,
		config: []func(*client.Config){func(c *client.Config) { c.ClerkSecretKey = "sk_test_NotTheInstanceKey000000000000000000" }},
		run: func(h *harness) {
			_, err := h.client.ListMachines(h.ctx, client.ListMachinesRequest{})
			h.wantErr(err, http.StatusUnauthorized, "clerk_key_invalid")
		}},
	{op: "clerk UpdateMachine", name: "name_and_ttl", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		name := "renamed-" + h.env.unique()
		got, err := h.client.UpdateMachine(h.ctx, m.ID, client.UpdateMachineRequest{Name: &name, DefaultTokenTTL: ptr[int64](120)})
		h.must(err)
		if got.Name != name || got.DefaultTokenTTL != 120 {
			h.t.Errorf("updated machine: %+v", got)
		}
	}},
	{op: "clerk UpdateMachine", name: "unknown_machine", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.UpdateMachine(h.ctx, unknownMachineID, client.UpdateMachineRequest{DefaultTokenTTL: ptr[int64](60)})
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk GetMachineSecretKey", name: "fixture", status: http.StatusOK, run: func(h *harness) {
		key, err := h.client.GetMachineSecretKey(h.ctx, h.fx.ClerkMachineID)
		h.must(err)
		if key != h.fx.ClerkMachineSecretKey {
			h.t.Error("the fixture's secret key read back differs from the one it was created with")
		}
	}},
	{op: "clerk GetMachineSecretKey", name: "unknown_machine", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetMachineSecretKey(h.ctx, unknownMachineID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk RotateMachineSecretKey", name: "with_overlap", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		key, err := h.client.RotateMachineSecretKey(h.ctx, m.ID, 60)
		h.must(err)
		if !strings.HasPrefix(key, "ak_") || key == m.SecretKey {
			h.t.Fatal("the rotation returned no new ak_ key")
		}
		// Both keys issue tokens during the overlap, and the new key is
		// the one read back.
		for _, k := range []string{m.SecretKey, key} {
			_, err := h.client.CreateM2MToken(h.ctx, k, client.CreateM2MTokenRequest{})
			h.must(err)
		}
		current, err := h.client.GetMachineSecretKey(h.ctx, m.ID)
		h.must(err)
		if current != key {
			h.t.Error("the key read back after a rotation is not the new one")
		}
	}},
	{op: "clerk RotateMachineSecretKey", name: "unknown_machine", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.RotateMachineSecretKey(h.ctx, unknownMachineID, 0)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk RotateMachineSecretKey", name: "overlap_left_out_raw", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		// Raw: the client always sends previous_token_ttl, which Clerk
		// requires; this checks the emulator's refusal against the spec.
		m := h.newMachine()
		status, body := h.clerk(withInvalidRequest(h.ctx, "body/previous_token_ttl"), http.MethodPost, "/machines/"+m.ID+"/secret_key/rotate", h.env.info.ClerkSecretKey, map[string]any{})
		h.wantStatus(status, http.StatusUnprocessableEntity, body)
	}},
	{op: "clerk CreateMachineScope", name: "new_scope", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		sc, err := h.client.CreateMachineScope(h.ctx, m.ID, h.fx.ClerkScopedMachineID)
		h.must(err)
		if sc.FromMachineID != m.ID || sc.ToMachineID != h.fx.ClerkScopedMachineID || sc.CreatedAt == 0 {
			h.t.Errorf("scope: %+v", sc)
		}
		got, err := h.client.GetMachine(h.ctx, m.ID)
		h.must(err)
		if !slices.ContainsFunc(got.ScopedMachines, func(s client.Machine) bool { return s.ID == h.fx.ClerkScopedMachineID }) {
			h.t.Errorf("the machine does not list its new scope: %+v", got.ScopedMachines)
		}
	}},
	{op: "clerk CreateMachineScope", name: "duplicate_scope", status: http.StatusConflict, run: func(h *harness) {
		_, err := h.client.CreateMachineScope(h.ctx, h.fx.ClerkMachineID, h.fx.ClerkScopedMachineID)
		h.wantErr(err, http.StatusConflict, "duplicate_record")
	}},
	{op: "clerk CreateMachineScope", name: "unknown_target", status: http.StatusNotFound, run: func(h *harness) {
		m := h.newMachine()
		_, err := h.client.CreateMachineScope(h.ctx, m.ID, unknownMachineID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk DeleteMachineScope", name: "existing_then_gone", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine(h.fx.ClerkScopedMachineID)
		h.must(h.client.DeleteMachineScope(h.ctx, m.ID, h.fx.ClerkScopedMachineID))
		err := h.client.DeleteMachineScope(h.ctx, m.ID, h.fx.ClerkScopedMachineID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk DeleteMachine", name: "revokes_its_tokens", status: http.StatusOK, run: func(h *harness) {
		// What Clerk does to a deleted machine's tokens is unconfirmed; the
		// emulator revokes them, as the provider's documentation says.
		m := h.newMachine()
		tok, err := h.client.CreateM2MToken(h.ctx, m.SecretKey, client.CreateM2MTokenRequest{})
		h.must(err)
		h.must(h.client.DeleteMachine(h.ctx, m.ID))
		_, err = h.client.VerifyM2MToken(h.ctx, h.env.info.ClerkSecretKey, tok.Token)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
}
