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

// httpStatus is the status of the API error in err, or 0.
func httpStatus(err error) int {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}
