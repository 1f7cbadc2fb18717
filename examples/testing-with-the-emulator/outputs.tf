output "m2m_token_id" {
  value = machineauth_m2m_token.service.id
}

output "m2m_token_machine" {
  value = machineauth_m2m_token.service.subject
}

output "authorization_scopes" {
  value = machineauth_connected_app_authorization.agent.granted_scopes
}

output "access_token_valid" {
  value = data.machineauth_token_verification.agent.valid
}
