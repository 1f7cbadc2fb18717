# Terraform 1.5 or later: an import block brings a machine made in the
# dashboard under management on the next apply; its secret key is read then.
import {
  to = machineauth_machine.billing
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}
