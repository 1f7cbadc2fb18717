# <machine id>/<scoped machine id>: the machine granted access, then the
# machine it may call.
terraform import machineauth_machine_scope.orders_to_inventory mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El
