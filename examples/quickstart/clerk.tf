# A Clerk machine. Bumping machine_key_generation rotates its secret key in
# place: same machine, new key, and the old key keeps working for
# machine_key_overlap_seconds (by Clerk's clock).
resource "machineauth_machine" "service" {
  name                     = "quickstart-service"
  previous_key_ttl_seconds = var.machine_key_overlap_seconds

  rotation_triggers = {
    generation = var.machine_key_generation
  }
}

# The machine's current key, for this run only: never in plan or state.
ephemeral "machineauth_machine_secret_key" "service" {
  machine_id = machineauth_machine.service.id
}

# Tokens for the machine's consumers, issued with that key. It is
# write-only, used once at create: a key rotation leaves the tokens alone.
resource "machineauth_m2m_token" "consumer" {
  for_each = toset(var.token_consumers)

  machine_id               = machineauth_machine.service.id
  machine_secret_key_wo    = ephemeral.machineauth_machine_secret_key.service.secret_key
  seconds_until_expiration = var.token_lifetime_seconds
  rotate_before_seconds    = var.token_rotate_before_seconds
  claims                   = jsonencode({ consumer = each.key })

  lifecycle {
    create_before_destroy = true
  }
}

# An API key owned by the machine, renewed in place (same secret) before it
# expires.
resource "machineauth_api_key" "service" {
  name                     = "quickstart-service-key"
  subject                  = machineauth_machine.service.id
  scopes                   = ["reports:read"]
  seconds_until_expiration = 90 * 24 * 3600
  renew_before_seconds     = 14 * 24 * 3600
}

# Every token checked on every plan and apply.
data "machineauth_token_verification" "consumer" {
  for_each = machineauth_m2m_token.consumer

  token = each.value.token
}
