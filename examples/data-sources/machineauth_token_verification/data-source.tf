# Check a Clerk M2M token handed to Terraform, here through a variable. The
# data source is read again on every plan, so the answer is always current.
variable "billing_service_token" {
  type      = string
  sensitive = true
}

data "machineauth_token_verification" "billing" {
  token = var.billing_service_token

  # Stop the run, saying why, when the token is not valid. An invalid token
  # is a result (valid = false and a reason), never an error of its own.
  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = "The billing service token is not valid (reason: ${self.reason})."
    }
  }
}

output "billing_service_machine" {
  value = data.machineauth_token_verification.billing.subject
}

output "billing_service_token_expires_at" {
  value = data.machineauth_token_verification.billing.expires_at
}

# A Stytch connected-app access token, introspected as the connected app, so
# a revoked authorization shows as valid = false with reason "inactive".
# Without client_secret the token is only checked locally against the
# project's keys, which cannot see a revocation.
variable "reports_access_token" {
  type      = string
  sensitive = true
}

variable "reports_client_secret" {
  type      = string
  sensitive = true
}

data "machineauth_token_verification" "reports" {
  token         = var.reports_access_token
  client_id     = "connected-app-test-6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"
  client_secret = var.reports_client_secret
}

output "reports_scopes" {
  value = data.machineauth_token_verification.reports.scopes
}
