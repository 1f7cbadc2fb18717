# Terraform 1.12 or later: an import block that names the token by its
# identity, its machine and its id, rather than by a joined string.
import {
  to = machineauth_m2m_token.reports
  identity = {
    machine_id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    token_id   = "mt_fedcba9876543210fedcba9876543210"
  }
}
