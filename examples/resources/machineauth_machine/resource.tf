# A machine for the billing service, its secret key rotated whenever the key
# generation changes (or on a schedule: see below). After each rotation the
# previous key keeps working for two hours, by Clerk's clock, while the
# service picks up the new one.
variable "billing_key_generation" {
  type    = string
  default = "1"
}

resource "machineauth_machine" "billing" {
  name                     = "billing-service"
  default_token_ttl        = 3600
  previous_key_ttl_seconds = 2 * 3600

  rotation_triggers = {
    generation = var.billing_key_generation
  }
}

# A token issued with the machine's key, given write-only: the token keeps
# no copy of the key, so a rotation neither replaces the token nor stops
# its refresh and revoke.
resource "machineauth_m2m_token" "billing" {
  machine_id               = machineauth_machine.billing.id
  machine_secret_key_wo    = machineauth_machine.billing.secret_key
  seconds_until_expiration = 7 * 24 * 3600
}

output "billing_machine_id" {
  value = machineauth_machine.billing.id
}

# The key is sensitive: hand it to a secret manager rather than printing it.
output "billing_machine_secret_key" {
  value     = machineauth_machine.billing.secret_key
  sensitive = true
}
