# Terraform 1.12 or later: an import block that names the connected app by
# its identity.
import {
  to = machineauth_connected_app.reports_agent
  identity = {
    client_id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
  }
}
