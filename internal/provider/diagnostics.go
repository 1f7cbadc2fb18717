package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// addClientError reports a client error as a diagnostic. The client's
// errors already carry the service's request id and are redacted; a missing
// credential becomes a diagnostic that says which attribute or environment
// variable to set, since that is the only fix.
func addClientError(diags *diag.Diagnostics, summary string, err error) {
	var missing *client.MissingCredentialError
	if errors.As(err, &missing) {
		diags.AddError("Missing "+missing.Attribute,
			fmt.Sprintf("%s: this needs %s. Set it in the provider configuration, or set the %s environment variable.", summary, missing.Attribute, missing.EnvVar))
		return
	}
	diags.AddError(summary, client.Redact(err.Error()))
}

// configuredProviderData unpacks what Configure handed a resource, data source
// or ephemeral resource. Nil data means the provider is not configured yet
// (Terraform validates before it configures); callers then do nothing.
func configuredProviderData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T: this is a bug in the provider", data))
		return nil
	}
	return pd
}
