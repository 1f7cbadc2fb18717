# Terraform 1.12 or later: an import block that names the machine by its
# identity.
import {
  to = machineauth_machine.billing
  identity = {
    id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
  }
}
