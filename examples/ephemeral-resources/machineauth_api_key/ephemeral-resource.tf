# An API key for this run only (Terraform 1.10 or later): made when
# Terraform opens it, revoked when the run ends, and never written to plan
# or state. Keep it short-lived: if the revoke fails, it lives until it
# expires.
variable "ci_user_id" {
  type    = string
  default = "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}

ephemeral "machineauth_api_key" "smoke_test" {
  name                     = "smoke-test"
  subject                  = var.ci_user_id
  scopes                   = ["orders:read"]
  seconds_until_expiration = 900
  revocation_reason        = "smoke test run finished"
}

# Ephemeral values may go where Terraform keeps nothing: another provider's
# configuration, a write-only argument, or a provisioner, as here, which
# calls the API with the key during apply.
resource "terraform_data" "smoke_test" {
  input = "v1.4.2"

  provisioner "local-exec" {
    command = "curl -fsS -H \"Authorization: Bearer $API_KEY\" https://api.example.com/v1/orders?limit=1"
    environment = {
      API_KEY = ephemeral.machineauth_api_key.smoke_test.secret
    }
  }
}
