# Terraform 1.5 or later: an import block brings the token under management
# on the next apply, so that `terraform destroy` revokes it.
import {
  to = machineauth_m2m_token.billing
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mt_0123456789abcdef0123456789abcdef"
}
