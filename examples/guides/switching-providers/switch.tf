# One apply's worth: forget the community provider's resources without
# destroying anything, and adopt the same objects under this provider.
# Delete this file once the apply has run.

# clerk_machine -> machineauth_machine: the key is read back on import.
removed {
  from = clerk_machine.billing
  lifecycle {
    destroy = false
  }
}

import {
  to = machineauth_machine.billing
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}

# clerk_machine.scoped_machines -> one machineauth_machine_scope per scoped
# machine, imported as "<machine id>/<scoped machine id>". The machines
# themselves are imported as above.
removed {
  from = clerk_machine.invoices
  lifecycle {
    destroy = false
  }
}

import {
  to = machineauth_machine.invoices
  id = "mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"
}

import {
  to = machineauth_machine_scope.billing_to_invoices
  id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El"
}

# clerk_api_key -> machineauth_api_key: the secret is read back on import.
removed {
  from = clerk_api_key.billing
  lifecycle {
    destroy = false
  }
}

import {
  to = machineauth_api_key.billing
  id = "ak_0123456789abcdef0123456789abcdef"
}

# stytch_connected_app -> machineauth_connected_app: import by client_id
# alone (the community id is "<project>.<environment>.<client_id>"). Stytch
# never shows the secret again: client_secret stays null until a rotation.
removed {
  from = stytch_connected_app.reports_agent
  lifecycle {
    destroy = false
  }
}

import {
  to = machineauth_connected_app.reports_agent
  id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
}
