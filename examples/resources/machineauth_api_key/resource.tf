# An API key for a customer's integration, owned by their organization.
# It lives 90 days and is renewed in place once it is within 14 days of
# expiry: the same id and secret, a new expiry, so the integration never
# needs a new key. Destroying it revokes it with the reason below.
variable "customer_organization_id" {
  type    = string
  default = "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}

resource "machineauth_api_key" "integration" {
  name        = "acme-integration"
  subject     = var.customer_organization_id
  description = "Order sync for Acme"

  # Scopes and claims change in place; key order and whitespace in the
  # claims make no difference to the plan.
  scopes = ["orders:read", "orders:write"]
  claims = jsonencode({
    plan = "enterprise"
  })

  seconds_until_expiration = 90 * 24 * 3600
  renew_before_seconds     = 14 * 24 * 3600

  revocation_reason = "Acme integration retired by Terraform"
}

output "integration_key_id" {
  value = machineauth_api_key.integration.id
}

output "integration_key_expires_at" {
  value = machineauth_api_key.integration.expires_at
}

# The secret is sensitive: hand it to whatever needs it (a secret manager
# resource, say) rather than printing it.
output "integration_key" {
  value     = machineauth_api_key.integration.secret
  sensitive = true
}
