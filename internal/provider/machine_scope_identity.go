package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and later) of machineauth_machine_scope:
// the two machine ids its import id joins with "/", so an import block can
// name a scope with `identity = { ... }`.

var machineScopeIdentity = idIdentity{
	attributes: []idAttribute{
		{name: "machine_id", description: "The machine granted access (`mch_...`)."},
		{name: "scoped_machine_id", description: "The machine it may call (`mch_...`)."},
	},
	missing: "Import a machine scope by its id " + machineScopeImportIDForm + ", or by its identity (machine_id and scoped_machine_id).",
}

func (r *machineScopeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = machineScopeIdentity.schema()
}

// machineScopeImportIDForm is a scope's import id, as diagnostics show it.
const machineScopeImportIDForm = "mch_<machine id>/mch_<scoped machine id>"

// parseMachineScopeID splits a scope's import id strictly.
func parseMachineScopeID(id string) (from, to, problem string) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 {
		return "", "", fmt.Sprintf("got %d part(s) separated by \"/\", want exactly 2.", len(parts))
	}
	if p := checkMachineID(parts[0]); p != "" {
		return "", "", "the machine id " + p
	}
	if p := checkMachineID(parts[1]); p != "" {
		return "", "", "the scoped machine id " + p
	}
	if parts[0] == parts[1] {
		return "", "", "a machine cannot scope itself."
	}
	return parts[0], parts[1], ""
}
