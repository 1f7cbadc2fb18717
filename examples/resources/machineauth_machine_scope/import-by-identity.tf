# Terraform 1.12 or later: the same, by the scope's identity.
import {
  to = machineauth_machine_scope.orders_to_inventory
  identity = {
    machine_id        = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    scoped_machine_id = "mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"
  }
}
