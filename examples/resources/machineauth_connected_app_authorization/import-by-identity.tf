# Terraform 1.12 or later: an import block that names the authorization by
# its identity. A member's takes organization_id, member_id and
# connected_app_id; a consumer user's, as here, user_id and connected_app_id.
import {
  to = machineauth_connected_app_authorization.mobile_companion
  identity = {
    user_id          = "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6"
    connected_app_id = "connected-app-test-7c1e5b8a-5d4f-4e8b-9a49-f1f0c3b2d6e7"
  }
}
