package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Either client data source reports a client Stytch does not have as not
// found, naming it and quoting Stytch, rather than as a failed read.
func TestAccStytchClientDataSources_notFound(t *testing.T) {
	for _, tc := range []struct {
		dataSource, clientID string
		want                 []string
	}{
		{"machineauth_connected_app", "connected-app-test-00000000-0000-4000-8000-000000000000",
			[]string{"Connected app not found", "Stytch has no connected app connected-app-test-00000000-0000-4000-8000-000000000000: ", "connected_app_not_found"}},
		{"machineauth_m2m_client", "m2m-client-test-00000000-0000-4000-8000-000000000000",
			[]string{"M2M client not found", "Stytch has no M2M client m2m-client-test-00000000-0000-4000-8000-000000000000: ", "m2m_client_not_found"}},
	} {
		t.Run(tc.dataSource, func(t *testing.T) {
			tg := newTarget(t)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tg.providerConfig() + fmt.Sprintf("data %q \"c\" {\n  client_id = %q\n}\n", tc.dataSource, tc.clientID),
					ExpectError: diagMatching(tc.want...),
				}},
			})
		})
	}
}
