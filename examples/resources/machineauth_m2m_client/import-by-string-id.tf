# Terraform 1.5 or later: an import block brings an M2M client made outside
# Terraform under management on the next apply.
import {
  to = machineauth_m2m_client.billing
  id = "m2m-client-test-0b6a31e2-4b5c-4a4e-9a53-2f6c1c2d3e4f"
}
