# A Stytch M2M client. reports_client_active = false is the kill switch:
# the client gets no new tokens.
resource "machineauth_m2m_client" "reports" {
  client_name = "quickstart-reports"
  scopes      = ["read:reports", "write:reports"]
  status      = var.reports_client_active ? "active" : "inactive"

  # A new generation starts a two-phase rotation: both secrets work for
  # secret_rotation_overlap_seconds, then the plan completes it.
  secret_rotation_triggers = { generation = var.reports_client_secret_generation }
}

# A token for this run only, asked for only while the client is active: an
# inactive client gets none, and Terraform opens ephemeral resources at plan
# too. Turning the client back on works in one apply.
ephemeral "machineauth_m2m_client_token" "reports" {
  count = var.reports_client_active ? 1 : 0

  client_id     = machineauth_m2m_client.reports.client_id
  client_secret = machineauth_m2m_client.reports.client_secret
  scopes        = ["read:reports"]
}

ephemeral "machineauth_token_verification" "reports" {
  count = var.reports_client_active ? 1 : 0

  token           = ephemeral.machineauth_m2m_client_token.reports[count.index].access_token
  required_scopes = ["read:reports"]
}

check "reports_token" {
  assert {
    condition     = alltrue([for v in ephemeral.machineauth_token_verification.reports : v.valid])
    error_message = "The reports client's token does not verify with the read:reports scope."
  }
}

# A member's consent for a connected app, granted without a browser; the
# app's secret is write-only, never in plan or state.
resource "machineauth_connected_app_authorization" "agent" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.connected_app_id
  scopes           = ["openid", "offline_access", "read:reports"]
  redirect_uri     = var.redirect_uri
  client_secret_wo = var.connected_app_client_secret

  revocation_reason = "quickstart destroyed"
}

# The access token, checked locally against the project's keys.
data "machineauth_token_verification" "agent" {
  token = machineauth_connected_app_authorization.agent.access_token
}
