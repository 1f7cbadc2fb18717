# One value rotates every secret below, each with an overlap, so no
# consumer holds a dead secret: bump var.rotation (or feed it from a
# time_rotating) and apply.
terraform {
  required_version = ">= 1.11"

  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

provider "machineauth" {}

variable "rotation" {
  description = "Change it to rotate every secret."
  type        = string
  default     = "2026-q1"
}

# Clerk's overlap: the previous key keeps working for 8 hours.
resource "machineauth_machine" "service" {
  name                     = "billing-service"
  previous_key_ttl_seconds = 8 * 3600
  rotation_triggers        = { rotation = var.rotation }
}

ephemeral "machineauth_machine_secret_key" "service" {
  machine_id = machineauth_machine.service.id
}

# Terraform's overlap: the new token is issued (with the machine's new key)
# before the old one is revoked, in the same apply.
resource "machineauth_m2m_token" "service" {
  machine_id               = machineauth_machine.service.id
  machine_secret_key_wo    = ephemeral.machineauth_machine_secret_key.service.secret_key
  seconds_until_expiration = 120 * 24 * 3600
  rotate_before_seconds    = 14 * 24 * 3600
  keepers                  = { rotation = var.rotation }

  lifecycle {
    create_before_destroy = true
  }
}

# Renewal keeps the key's secret; a new secret means a new key, made before
# the old one is revoked.
resource "terraform_data" "rotation" {
  input = var.rotation
}

resource "machineauth_api_key" "service" {
  name                     = "billing-service"
  subject                  = machineauth_machine.service.id
  seconds_until_expiration = 120 * 24 * 3600
  renew_before_seconds     = 14 * 24 * 3600

  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.rotation]
  }
}

# Stytch's overlap, in two phases: both secrets work for a day, then the
# first plan after that completes the rotation.
resource "machineauth_m2m_client" "billing" {
  client_name                     = "billing-service"
  scopes                          = ["read:invoices"]
  secret_rotation_triggers        = { rotation = var.rotation }
  secret_rotation_overlap_seconds = 24 * 3600
}

resource "machineauth_connected_app" "reports_agent" {
  client_type                     = "third_party"
  client_name                     = "Reports agent"
  redirect_urls                   = ["https://agent.example.com/oauth/callback"]
  secret_rotation_triggers        = { rotation = var.rotation }
  secret_rotation_overlap_seconds = 24 * 3600
}

# What consumers should be given now: during a Stytch rotation, the next
# secret. Feed these to a secret manager in the same configuration.
output "billing_client_secret" {
  value     = coalesce(machineauth_m2m_client.billing.next_client_secret, machineauth_m2m_client.billing.client_secret)
  sensitive = true
}

output "reports_agent_client_secret" {
  value     = coalesce(machineauth_connected_app.reports_agent.next_client_secret, machineauth_connected_app.reports_agent.client_secret)
  sensitive = true
}

output "billing_token" {
  value     = machineauth_m2m_token.service.token
  sensitive = true
}

output "billing_api_key" {
  value     = machineauth_api_key.service.secret
  sensitive = true
}
