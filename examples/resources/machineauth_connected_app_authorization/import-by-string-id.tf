# Terraform 1.5 or later: an import block, with the same id as terraform import.
import {
  to = machineauth_connected_app_authorization.reports_agent
  id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931/member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f/connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
}
