# Terraform 1.5 or later: an import block brings the key under management
# on the next apply, secret included, so that `terraform destroy` revokes it.
import {
  to = machineauth_api_key.integration
  id = "ak_0123456789abcdef0123456789abcdef"
}
