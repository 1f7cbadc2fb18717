# The billing service's M2M client: it reads and writes invoices, and its
# secret is rotated by bumping secret_generation.
variable "secret_generation" {
  type    = string
  default = "2025-q3"
}

resource "machineauth_m2m_client" "billing" {
  client_name        = "billing-service"
  client_description = "Reads and writes invoices."
  scopes             = ["read:invoices", "write:invoices"]
  trusted_metadata   = jsonencode({ team = "payments", tier = 1 })

  # The kill switch: "inactive" stops new tokens, in place.
  status = "active"

  # A new generation starts a rotation: next_client_secret appears and both
  # secrets get tokens; an hour later (by Stytch's clock) the plan completes it.
  secret_rotation_triggers        = { generation = var.secret_generation }
  secret_rotation_overlap_seconds = 3600
}

# What the service should be configured with now: during a rotation, the
# next secret.
output "billing_client_id" {
  value = machineauth_m2m_client.billing.client_id
}

output "billing_client_secret" {
  value = coalesce(
    machineauth_m2m_client.billing.next_client_secret,
    machineauth_m2m_client.billing.client_secret,
  )
  sensitive = true
}
