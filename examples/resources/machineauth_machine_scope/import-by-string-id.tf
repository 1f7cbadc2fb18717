# Terraform 1.5 or later: adopt a scope granted in the dashboard.
import {
  to = machineauth_machine_scope.orders_to_inventory
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"
}
