# A member's consent for a reporting agent, granted as code and taken back
# with terraform destroy.
variable "reports_agent_client_secret" {
  type      = string
  sensitive = true
}

resource "machineauth_connected_app_authorization" "reports_agent" {
  organization_id  = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
  member_id        = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
  connected_app_id = "connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"
  scopes           = ["openid", "offline_access", "read:reports"]
  redirect_uri     = "https://agent.example.com/oauth/callback"

  # Write-only (Terraform 1.11+): used for the code exchange, never stored.
  client_secret_wo = var.reports_agent_client_secret

  # Recorded in the provider's log when the authorization is revoked.
  revocation_reason = "reports agent retired"
}

# A consumer project's user consents the same way, named by user_id.
resource "machineauth_connected_app_authorization" "mobile_companion" {
  user_id          = "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6"
  connected_app_id = "connected-app-test-7c1e5b8a-5d4f-4e8b-9a49-f1f0c3b2d6e7"
  scopes           = ["openid"]
  redirect_uri     = "https://companion.example.com/callback"

  # Consent only: the app obtains its own tokens later.
  exchange_tokens = false
}

output "reports_agent_access_token_expires_at" {
  value = machineauth_connected_app_authorization.reports_agent.expires_at
}
