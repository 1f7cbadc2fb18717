package provider

import (
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The machine resources' rows of the bad-input table (bad_input_test.go):
// each is refused before any request.
func init() { badInputs = append(badInputs, machineBadInputs...) }

// block is a resource, data source or ephemeral resource of type typ
// named "x", with body inside it.
func block(kind, typ, body string) func(*emulator.Server) string {
	return func(*emulator.Server) string {
		return kind + " \"" + typ + "\" \"x\" {\n" + body + "\n}\n"
	}
}

const (
	someMachineID  = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
	otherMachineID = "mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"
)

var machineBadInputs = []badInput{
	// machineauth_machine.
	{name: "empty machine name", config: block("resource", "machineauth_machine", `name = ""`),
		want: []string{"name", "UTF-8 character count must be between 1 and 255, got: 0"}},
	{name: "machine name of 256 characters", config: block("resource", "machineauth_machine", `name = "`+strings.Repeat("é", 256)+`"`),
		want: []string{"name", "UTF-8 character count must be between 1 and 255, got: 256"}},
	{name: "zero default_token_ttl", config: block("resource", "machineauth_machine", "name = \"m\"\ndefault_token_ttl = 0"),
		want: []string{"default_token_ttl", "must be between 1 and 315360000, got: 0"}},
	{name: "default_token_ttl above ten years", config: block("resource", "machineauth_machine", "name = \"m\"\ndefault_token_ttl = 315360001"),
		want: []string{"default_token_ttl", "must be between 1 and 315360000, got: 315360001"}},
	{name: "previous_key_ttl_seconds above eight hours", config: block("resource", "machineauth_machine", "name = \"m\"\nprevious_key_ttl_seconds = 28801"),
		want: []string{"previous_key_ttl_seconds", "must be between 0 and 28800, got: 28801"}},
	{name: "negative previous_key_ttl_seconds", config: block("resource", "machineauth_machine", "name = \"m\"\nprevious_key_ttl_seconds = -1"),
		want: []string{"previous_key_ttl_seconds", "must be between 0 and 28800, got: -1"}},
	{name: "machine without the instance key", provider: func(srv *emulator.Server) string { return providerConfigWithout(srv, "secret_key") },
		config: block("resource", "machineauth_machine", `name = "m"`),
		want:   []string{"Missing clerk.secret_key", "Managing a Clerk machine", "CLERK_SECRET_KEY"}},
	{name: "machine import id without mch_", config: block("resource", "machineauth_machine", `name = "m"`),
		importAddr: "machineauth_machine.x", importID: "machine_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		want: []string{"Expected a machine id", `"machine_2xhFjEI5X2qWRvtV13BzSj8H6Dk" is not mch_ followed by 27`}},

	// machineauth_machine_scope.
	{name: "scope of a machine to itself", config: block("resource", "machineauth_machine_scope", "machine_id = \""+someMachineID+"\"\nscoped_machine_id = \""+someMachineID+"\""),
		want: []string{"scoped_machine_id is machine_id", "a machine cannot scope itself"}},
	{name: "scope machine id without mch_", config: block("resource", "machineauth_machine_scope", "machine_id = \"machine-1\"\nscoped_machine_id = \""+someMachineID+"\""),
		want: []string{`machine_id: "machine-1" is not mch_ followed by 27 letters, digits or underscores`}},
	{name: "scoped machine id with '..'", config: block("resource", "machineauth_machine_scope", "machine_id = \""+someMachineID+"\"\nscoped_machine_id = \"mch_../x\""),
		want: []string{`scoped_machine_id: "mch_../x" is not mch_ followed by 27`}},
	{name: "scope without the instance key", provider: func(srv *emulator.Server) string { return providerConfigWithout(srv, "secret_key") },
		config: block("resource", "machineauth_machine_scope", "machine_id = \""+someMachineID+"\"\nscoped_machine_id = \""+otherMachineID+"\""),
		want:   []string{"Missing clerk.secret_key", "CLERK_SECRET_KEY"}},
	{name: "scope import id of one part", config: block("resource", "machineauth_machine_scope", "machine_id = \""+someMachineID+"\"\nscoped_machine_id = \""+otherMachineID+"\""),
		importAddr: "machineauth_machine_scope.x", importID: someMachineID,
		want: []string{"Expected mch_<machine id>/mch_<scoped machine id>", `got 1 part(s) separated by "/"`}},
	{name: "scope import id of a machine to itself", config: block("resource", "machineauth_machine_scope", "machine_id = \""+someMachineID+"\"\nscoped_machine_id = \""+otherMachineID+"\""),
		importAddr: "machineauth_machine_scope.x", importID: someMachineID + "/" + someMachineID,
		want: []string{"Expected mch_<machine id>/mch_<scoped machine id>", "a machine cannot scope itself"}},

	// The machine data source and ephemeral secret key.
	{name: "machine data source by id and name", config: block("data", "machineauth_machine", "id = \""+someMachineID+"\"\nname = \"m\""),
		want: []string{"Invalid Attribute Combination", "Exactly one of these attributes must be configured: [id,name]"}},
	{name: "machine data source by neither", config: block("data", "machineauth_machine", ""),
		want: []string{"Missing Attribute Configuration", "Exactly one of these attributes must be configured: [id,name]"}},
	{name: "machine data source id without mch_", config: block("data", "machineauth_machine", `id = "2xhFjEI5X2qWRvtV13BzSj8H6Dk"`),
		want: []string{`id: "2xhFjEI5X2qWRvtV13BzSj8H6Dk" is not mch_ followed by 27`}},
	{name: "machine secret key of an id without mch_", config: block("ephemeral", "machineauth_machine_secret_key", `machine_id = "ak_0123456789abcdef"`),
		want: []string{`machine_id: "ak_***" is not mch_ followed by 27`}},

	// machineauth_m2m_token's machine arguments.
	{name: "token machine_id without mch_", config: token(`machine_id = "mch-2xhFjEI5X2qWRvtV13BzSj8H6Dk"`),
		want: []string{`machine_id: "mch-2xhFjEI5X2qWRvtV13BzSj8H6Dk" is not mch_ followed by 27`}},
	{name: "write-only machine key without machine_id", config: token(`machine_secret_key_wo = "ak_0123456789abcdef"`),
		want: []string{`Attribute "machine_id" must be specified when "machine_secret_key_wo" is specified`}},
	{name: "write-only and stored machine key", config: token("machine_id = \"" + someMachineID + "\"\nmachine_secret_key_wo = \"ak_0123456789abcdef\"\nmachine_secret_key = \"ak_fedcba9876543210\""),
		want: []string{"These attributes cannot be configured together", "machine_secret_key", "machine_secret_key_wo"}},
	{name: "write-only machine key with an instance key's prefix", config: token("machine_id = \"" + someMachineID + "\"\nmachine_secret_key_wo = \"sk_test_0123456789\""),
		want: []string{`machine_secret_key_wo: expected a value starting with "ak_"`}},
}
