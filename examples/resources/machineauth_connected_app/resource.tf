# A reporting agent's OAuth client, whose secret is rotated by bumping
# secret_generation (or by tying it to a time_rotating).
variable "secret_generation" {
  type    = string
  default = "2025-q3"
}

resource "machineauth_connected_app" "reports_agent" {
  client_type        = "third_party"
  client_name        = "Reports agent"
  client_description = "Reads the quarterly reports for the finance team."
  redirect_urls      = ["https://agent.example.com/oauth/callback"]
  logo_url           = "https://agent.example.com/logo.png"

  access_token_expiry_minutes = 30

  # A new generation starts a rotation: next_client_secret appears and both
  # secrets work; an hour later (by Stytch's clock) the plan completes it.
  secret_rotation_triggers        = { generation = var.secret_generation }
  secret_rotation_overlap_seconds = 3600
}

# The secret a consumer should use now: the next one while a rotation is
# pending, else the current one. Never stored in plan or state.
ephemeral "machineauth_connected_app_secret" "reports_agent" {
  client_id          = machineauth_connected_app.reports_agent.client_id
  client_secret      = machineauth_connected_app.reports_agent.client_secret
  next_client_secret = machineauth_connected_app.reports_agent.next_client_secret
}

# A member's consent to the app, exchanging the code with its secret.
resource "machineauth_connected_app_authorization" "reports_agent" {
  organization_id  = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
  member_id        = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
  connected_app_id = machineauth_connected_app.reports_agent.client_id
  redirect_uri     = "https://agent.example.com/oauth/callback"
  scopes           = ["openid", "offline_access"]
  client_secret_wo = ephemeral.machineauth_connected_app_secret.reports_agent.secret
}
