# A token for the billing service to call other machines, valid for 30 days.
# It is replaced once it is within 7 days of expiry, whenever the deploy
# generation changes, and the new token is issued before the old one is
# revoked, so the service never holds a dead token.
variable "billing_deploy_generation" {
  type    = string
  default = "1"
}

resource "machineauth_m2m_token" "billing" {
  seconds_until_expiration = 30 * 24 * 3600
  rotate_before_seconds    = 7 * 24 * 3600

  # Custom claims, written with jsonencode: key order and whitespace make no
  # difference to the plan.
  claims = jsonencode({
    team        = "payments"
    environment = "production"
  })

  # Any change here replaces the token: bump the generation to rotate now,
  # or feed it from a time_rotating resource for a fixed schedule.
  keepers = {
    generation = var.billing_deploy_generation
  }

  revocation_reason = "billing token rotated or retired by Terraform"

  lifecycle {
    create_before_destroy = true
  }
}

# A token for a second machine, issued with that machine's own key. The key
# is write-only (Terraform 1.11 or later): it is used once, to issue the
# token, and never stored, so rotating the machine's key (say with
# machineauth_machine's rotation_triggers) leaves the token as it is.
variable "reports_machine_id" {
  type    = string
  default = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}

variable "reports_machine_secret_key" {
  type      = string
  sensitive = true
}

resource "machineauth_m2m_token" "reports" {
  machine_id               = var.reports_machine_id
  machine_secret_key_wo    = var.reports_machine_secret_key
  seconds_until_expiration = 3600
}

output "billing_token_id" {
  value = machineauth_m2m_token.billing.id
}

output "billing_token_expires_at" {
  value = machineauth_m2m_token.billing.expires_at
}

# The secret itself is sensitive: hand it to whatever needs it (a secret
# manager resource, say) rather than printing it.
output "billing_token" {
  value     = machineauth_m2m_token.billing.token
  sensitive = true
}
