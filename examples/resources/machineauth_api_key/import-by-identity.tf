# Terraform 1.12 or later: an import block that names the key by its
# identity.
import {
  to = machineauth_api_key.integration
  identity = {
    api_key_id = "ak_0123456789abcdef0123456789abcdef"
  }
}
