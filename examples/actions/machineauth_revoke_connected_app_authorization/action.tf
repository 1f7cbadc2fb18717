# Terraform 1.14 or later. Break-glass revocation of a member's consent to a
# connected app, which also revokes every token issued under it:
#
#   terraform apply -invoke=action.machineauth_revoke_connected_app_authorization.reporting_agent
action "machineauth_revoke_connected_app_authorization" "reporting_agent" {
  config {
    organization_id  = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
    member_id        = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
    connected_app_id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
    reason           = "Agent compromised: incident INC-1234"
  }
}

# For a consumer project, name the user instead:
action "machineauth_revoke_connected_app_authorization" "user_agent" {
  config {
    user_id          = "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6"
    connected_app_id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
  }
}
