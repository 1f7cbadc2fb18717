# Two services that call each other: each machine scopes the other. The
# scopes are resources of their own, so there is no dependency cycle.
resource "machineauth_machine" "orders" {
  name = "orders-service"
}

resource "machineauth_machine" "inventory" {
  name = "inventory-service"
}

resource "machineauth_machine_scope" "orders_to_inventory" {
  machine_id        = machineauth_machine.orders.id
  scoped_machine_id = machineauth_machine.inventory.id
}

resource "machineauth_machine_scope" "inventory_to_orders" {
  machine_id        = machineauth_machine.inventory.id
  scoped_machine_id = machineauth_machine.orders.id
}

# Tokens copy their machine's scopes when issued: this one is issued after
# the scope exists, so it carries the inventory machine in its scopes.
resource "machineauth_m2m_token" "orders" {
  machine_id            = machineauth_machine.orders.id
  machine_secret_key_wo = machineauth_machine.orders.secret_key
  depends_on            = [machineauth_machine_scope.orders_to_inventory]
}
