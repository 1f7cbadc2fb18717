# Terraform 1.12 or later: an import block that names the M2M client by its
# identity.
import {
  to = machineauth_m2m_client.billing
  identity = {
    client_id = "m2m-client-test-0b6a31e2-4b5c-4a4e-9a53-2f6c1c2d3e4f"
  }
}
