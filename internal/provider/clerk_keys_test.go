package provider

import (
	"errors"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Which key makes each M2M call, for every mix of configured keys.
func TestClerkKeysChooseOnePolicy(t *testing.T) {
	t.Parallel()
	const (
		instance = "sk_test_instance"
		machine  = "ak_provider"
		own      = "ak_resource"
	)
	for _, tc := range []struct {
		name          string
		keys          clerkKeys
		resourceKey   string
		issue, read   string // "" means a missing credential naming missIssue / missRead
		missIssue     string
		missRead      string
		keepOwnForEnd bool
	}{
		{"both keys", clerkKeys{instance, machine}, "", machine, instance, "", "", false},
		{"both keys and the resource's own", clerkKeys{instance, machine}, own, own, instance, "", "", false},
		{"only the machine key", clerkKeys{machine: machine}, "", machine, machine, "", "", true},
		{"only the resource's own key", clerkKeys{}, own, own, own, "", "", true},
		{"the resource's own before the provider's", clerkKeys{machine: machine}, own, own, own, "", "", true},
		{"only the instance key", clerkKeys{instance: instance}, "", "", instance, "clerk.machine_secret_key", "", false},
		{"no key", clerkKeys{}, "", "", "", "clerk.machine_secret_key", "clerk.secret_key", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check := func(use, got string, err error, want, missing string) {
				t.Helper()
				var m *client.MissingCredentialError
				switch {
				case want != "" && (err != nil || got != want):
					t.Errorf("%s: %q, %v; want %q", use, got, err, want)
				case want == "" && (!errors.As(err, &m) || m.Attribute != missing):
					t.Errorf("%s: %q, %v; want a missing %s", use, got, err, missing)
				}
			}
			got, err := tc.keys.issuing(tc.resourceKey)
			check("issuing", got, err, tc.issue, tc.missIssue)
			if tc.keys.canIssue(tc.resourceKey) != (tc.issue != "") {
				t.Errorf("canIssue = %v", tc.issue == "")
			}
			got, err = tc.keys.reading(tc.resourceKey)
			check("reading", got, err, tc.read, tc.missRead)
			if tc.keys.revokeNeedsResourceKey() != tc.keepOwnForEnd {
				t.Errorf("revokeNeedsResourceKey = %v, want %v", !tc.keepOwnForEnd, tc.keepOwnForEnd)
			}
			if tc.resourceKey == "" {
				got, err = tc.keys.verifying()
				check("verifying", got, err, tc.read, tc.missRead)
			}
			wantManage, missManage := tc.keys.instance, ""
			if wantManage == "" {
				missManage = "clerk.secret_key"
			}
			got, err = tc.keys.managing()
			check("managing", got, err, wantManage, missManage)
			if tc.keys.readsEveryMachine() != (tc.keys.instance != "") {
				t.Errorf("readsEveryMachine = %v with instance key %q", tc.keys.readsEveryMachine(), tc.keys.instance)
			}
		})
	}
}
