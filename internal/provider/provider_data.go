package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// providerData is what Configure hands to every resource, data source,
// ephemeral resource, action and list resource: the objects they share for
// the life of one provider configuration, which Terraform builds anew for
// every command. It holds them and does nothing itself.
type providerData struct {
	client *client.Client
	// keys are the provider's own Clerk keys, for the calls that decide
	// by clerkKeys alone which one to send (OAuth applications).
	keys clerkKeys
	// verifier checks tokens, with each service's signing keys fetched once.
	verifier *tokenVerifier
	// authorizations shares each member's connected-app listing among all
	// of that member's authorizations for the life of this configuration.
	authorizations authorizationListings
	// m2m shares token listings among the machineauth_m2m_token reads of a run.
	m2m *m2mTokenStore
	// expiryWarning is how close to expiry a credential gets a warning at
	// plan; 0 for none.
	expiryWarning time.Duration
	// machines shares each machine's read among the machine and scope
	// resources of a run.
	machines *machineStore
	// apiKeys shares each subject's API key listing among the
	// machineauth_api_key reads of a run.
	apiKeys *apiKeyStore
}

// defaultExpiryWarning is a week: time for a weekly pipeline to act.
const defaultExpiryWarning = 7 * 24 * time.Hour

// newProviderData builds the shared objects around one client; keys are the
// provider's own Clerk keys.
func newProviderData(c *client.Client, keys clerkKeys) *providerData {
	return &providerData{
		client:   c,
		keys:     keys,
		verifier: newTokenVerifier(c, keys),
		m2m:      newM2MTokenStore(c, keys),
		machines: newMachineStore(c, keys),
		apiKeys:  newAPIKeyStore(c, keys),
	}
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
