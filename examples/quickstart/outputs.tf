# Ids, times and validity only: the token and the access token are secrets,
# and stay in the (sensitive) state.
output "m2m_token_id" {
  value = machineauth_m2m_token.service.id
}

output "m2m_token_machine" {
  value = machineauth_m2m_token.service.subject
}

output "m2m_token_expires_at" {
  value = machineauth_m2m_token.service.expires_at
}

output "m2m_token_ready_for_rotation" {
  value = machineauth_m2m_token.service.ready_for_rotation
}

output "authorization_id" {
  value = machineauth_connected_app_authorization.agent.id
}

output "authorization_granted_scopes" {
  value = machineauth_connected_app_authorization.agent.granted_scopes
}

output "access_token_expires_at" {
  value = machineauth_connected_app_authorization.agent.expires_at
}

output "access_token_valid" {
  value = data.machineauth_token_verification.agent.valid
}
