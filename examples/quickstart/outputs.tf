# Ids, times and validity only: every secret stays in the (sensitive) state,
# or, for the ephemeral ones, nowhere.
output "machine_id" {
  value = machineauth_machine.service.id
}

output "machine_key_rotated_at" {
  value = machineauth_machine.service.secret_key_rotated_at
}

output "m2m_token_ids" {
  value = { for k, t in machineauth_m2m_token.consumer : k => t.id }
}

output "m2m_tokens_valid" {
  value = { for k, v in data.machineauth_token_verification.consumer : k => v.valid }
}

output "api_key_id" {
  value = machineauth_api_key.service.id
}

output "m2m_client_id" {
  value = machineauth_m2m_client.reports.client_id
}

output "m2m_client_status" {
  value = machineauth_m2m_client.reports.status
}

output "authorization_id" {
  value = machineauth_connected_app_authorization.agent.id
}

output "access_token_valid" {
  value = data.machineauth_token_verification.agent.valid
}
