# The same objects as this provider's resources, written to match what the
# community configuration declared, so the import changes nothing at the
# services.
resource "machineauth_machine" "billing" {
  name              = "billing-service"
  default_token_ttl = 3600

  # New here: rotate the key in place with an overlap. Recorded without a
  # rotation by the apply that imports; change it later to rotate.
  previous_key_ttl_seconds = 3600
  rotation_triggers        = { generation = "1" }
}

resource "machineauth_machine" "invoices" {
  name = "invoices-service"
}

resource "machineauth_machine_scope" "billing_to_invoices" {
  machine_id        = machineauth_machine.billing.id
  scoped_machine_id = machineauth_machine.invoices.id
}

resource "machineauth_api_key" "billing" {
  name                     = "billing-backend"
  subject                  = machineauth_machine.billing.id
  description              = "Used by the billing backend"
  scopes                   = ["invoices:read"]
  seconds_until_expiration = 90 * 24 * 3600
}

resource "machineauth_connected_app" "reports_agent" {
  client_type                 = "third_party"
  client_name                 = "Reports agent"
  redirect_urls               = ["https://agent.example.com/oauth/callback"]
  access_token_expiry_minutes = 30

  # Recorded without a rotation by the apply that imports; change it to
  # rotate to a secret Terraform knows, with an overlap.
  secret_rotation_triggers = { generation = "1" }
}
