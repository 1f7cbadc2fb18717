# The secret to hand a consumer now, picked and checked against what Stytch
# holds: during a rotation, the next one.
ephemeral "machineauth_connected_app_secret" "reports_agent" {
  client_id          = machineauth_connected_app.reports_agent.client_id
  client_secret      = machineauth_connected_app.reports_agent.client_secret
  next_client_secret = machineauth_connected_app.reports_agent.next_client_secret
}

resource "machineauth_connected_app" "reports_agent" {
  client_type              = "third_party"
  client_name              = "Reports agent"
  redirect_urls            = ["https://agent.example.com/oauth/callback"]
  secret_rotation_triggers = { generation = "1" }
}

resource "machineauth_connected_app_authorization" "reports_agent" {
  organization_id  = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
  member_id        = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
  connected_app_id = machineauth_connected_app.reports_agent.client_id
  redirect_uri     = "https://agent.example.com/oauth/callback"
  scopes           = ["openid"]
  client_secret_wo = ephemeral.machineauth_connected_app_secret.reports_agent.secret
}
