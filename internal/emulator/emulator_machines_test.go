package emulator

import (
	"slices"
	"testing"
	"time"
)

// Stats count the machines that exist and their scopes; deleting a machine
// takes its scopes and the scopes to it along. The Go API shows a rotated
// key's overlap ending at the emulator's clock.
func TestMachineStatsAndInspection(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{NoFixture: true})
	api, sk := srv.Info().ClerkAPIURL, srv.Info().ClerkSecretKey
	if got := srv.Stats().Machines; got != (MachineCounts{}) {
		t.Fatalf("empty emulator counts %+v", got)
	}
	a, aKey, err := srv.CreateMachine("a", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := srv.CreateMachine("b", []string{a}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/machines/"+a+"/scopes", sk, map[string]any{"to_machine_id": b}), 200, "")
	if got := srv.Stats().Machines; got != (MachineCounts{Live: 2, Scopes: 2}) {
		t.Errorf("two machines scoping each other count %+v", got)
	}

	res := clerkCall(t, api, "POST", "/machines/"+a+"/secret_key/rotate", sk, map[string]any{"previous_token_ttl": 60})
	clerkWant(t, res, 200, "")
	m, ok := srv.Machine(a)
	if !ok || m.SecretKey != res.body["secret"] || !slices.Equal(m.PreviousKeys, []string{aKey}) || !slices.Equal(m.ScopedMachineIDs, []string{b}) {
		t.Errorf("machine after a rotation: %+v", m)
	}
	srv.Advance(60 * time.Second)
	if m, _ := srv.Machine(a); len(m.PreviousKeys) != 0 {
		t.Errorf("the previous key outlived its overlap: %+v", m)
	}

	clerkWant(t, clerkCall(t, api, "DELETE", "/machines/"+a, sk, nil), 200, "")
	if got := srv.Stats().Machines; got != (MachineCounts{Live: 1}) {
		t.Errorf("after deleting one machine the counts are %+v", got)
	}
	if _, ok := srv.Machine(a); ok {
		t.Error("a deleted machine is still found")
	}
	if all := srv.Machines(); len(all) != 1 || all[0].ID != b || all[0].DefaultTokenTTL != time.Minute {
		t.Errorf("machines %+v", all)
	}
}
