package provider

import (
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// providerData is what Configure hands to every resource, data source,
// ephemeral resource, action and list resource: the objects they share for
// the life of one provider configuration, which Terraform builds anew for
// every command. It holds them and does nothing itself.
type providerData struct {
	client *client.Client
	// verifier checks tokens, with each service's signing keys fetched once.
	verifier *tokenVerifier
	// authorizations shares each member's connected-app listing among all
	// of that member's authorizations for the life of this configuration.
	authorizations authorizationListings
	// m2m shares token listings among the machineauth_m2m_token reads of a run.
	m2m *m2mTokenStore
}

// newProviderData builds the shared objects around one client; instanceKey
// and machineKey are the provider's own Clerk keys ("" when not configured).
func newProviderData(c *client.Client, instanceKey, machineKey string) *providerData {
	return &providerData{
		client:   c,
		verifier: newTokenVerifier(c),
		m2m:      newM2MTokenStore(c, instanceKey, machineKey),
	}
}
