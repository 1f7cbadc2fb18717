# Or, with Terraform 1.5 or later, an import block: the token is brought
# under management by the next apply, and revoked by `terraform destroy`.
import {
  to = machineauth_m2m_token.billing
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mt_0123456789abcdef0123456789abcdef"
}
