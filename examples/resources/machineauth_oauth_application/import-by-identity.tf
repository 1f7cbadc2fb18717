# Terraform 1.12 or later: an import block that names the application by its
# identity. Clerk never shows a client secret again: client_secret stays null
# until the next rotation (change secret_rotation_triggers to get one).
import {
  to = machineauth_oauth_application.reports
  identity = {
    id = "oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
  }
}
