# An OAuth application made in the Clerk dashboard, looked up by its exact
# name: its client_id and endpoints for the service that uses it. The data
# source holds no secret.
data "machineauth_oauth_application" "partner" {
  name = "Partner integration"
}

output "partner_client_id" {
  value = data.machineauth_oauth_application.partner.client_id
}

output "partner_token_endpoint" {
  value = data.machineauth_oauth_application.partner.token_fetch_url
}
