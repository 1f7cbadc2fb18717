// Package gcs stands in for terraform's gcs state backend in the terraform
// that make tools builds for the provider's test matrix, which keeps state
// locally: configuring the backend fails and says so.
package gcs

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
)

// New returns a backend that refuses every use.
func New() backend.Backend { return absent{} }

type absent struct{}

func (absent) ConfigSchema() *configschema.Block { return &configschema.Block{} }

func (absent) PrepareConfig(v cty.Value) (cty.Value, tfdiags.Diagnostics) { return v, refuse() }

func (absent) Configure(cty.Value) tfdiags.Diagnostics { return refuse() }

func (absent) StateMgr(string) (statemgr.Full, tfdiags.Diagnostics) { return nil, refuse() }

func (absent) DeleteWorkspace(string, bool) tfdiags.Diagnostics { return refuse() }

func (absent) Workspaces() ([]string, tfdiags.Diagnostics) { return nil, refuse() }

func refuse() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(tfdiags.Sourceless(tfdiags.Error,
		"The \"gcs\" backend is not in this build",
		"This terraform was built by make tools for the provider's test matrix, without the remote state backends; use the local backend."))
}
