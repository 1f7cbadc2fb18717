# An OAuth application for the reports dashboard, which acts for Clerk users
# with their consent. Its client secret is rotated whenever the generation
# changes (or on a schedule, with a time_rotating's id). Clerk ends the old
# secret the moment it issues the new one, so everything that holds the
# secret must take it from this resource, in the same apply.
variable "reports_secret_generation" {
  type    = string
  default = "1"
}

resource "machineauth_oauth_application" "reports" {
  name          = "Reports dashboard"
  redirect_uris = ["https://reports.example.com/oauth/callback", "http://localhost:3000/oauth/callback"]
  scopes        = ["profile", "email", "public_metadata"]
  pkce_required = true

  secret_rotation_triggers = {
    generation = var.reports_secret_generation
  }
}

# What consumes the secret references it, so it is updated in the same
# apply as the rotation. Here a stand-in: in practice a secret manager's
# value, or the dashboard's deployment.
resource "terraform_data" "reports_client_config" {
  input = {
    client_id      = machineauth_oauth_application.reports.client_id
    token_endpoint = machineauth_oauth_application.reports.token_fetch_url
  }
  triggers_replace = [sha256(machineauth_oauth_application.reports.client_secret)]
}

# A single-page app: a public client, with no secret, authorized with PKCE.
resource "machineauth_oauth_application" "spa" {
  name          = "Reports SPA"
  redirect_uris = ["https://app.example.com/callback"]
  public        = true
}

output "reports_client_id" {
  value = machineauth_oauth_application.reports.client_id
}

# The secret is sensitive: hand it to a secret manager rather than printing it.
output "reports_client_secret" {
  value     = machineauth_oauth_application.reports.client_secret
  sensitive = true
}
