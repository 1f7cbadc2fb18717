# Terraform 1.5 or later: an import block brings a connected app made in the
# dashboard under management on the next apply.
import {
  to = machineauth_connected_app.reports_agent
  id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
}
