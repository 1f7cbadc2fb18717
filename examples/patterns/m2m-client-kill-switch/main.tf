# An M2M client's kill switch and its token in one configuration. One
# variable drives both: the token is asked for only while the client is
# active, since an inactive client gets none and Terraform opens ephemeral
# resources during plan as well as apply. Turning the client off is one
# apply; turning it back on is one apply too, because client_secret is
# unknown at plan while the client is being reactivated, so Terraform asks
# for the token during the apply, once the client is active.
terraform {
  required_version = ">= 1.10"

  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

variable "billing_active" {
  description = "false turns the billing client off: no new tokens."
  type        = bool
  default     = true
}

resource "machineauth_m2m_client" "billing" {
  client_name = "billing-service"
  scopes      = ["read:invoices"]
  status      = var.billing_active ? "active" : "inactive"
}

ephemeral "machineauth_m2m_client_token" "billing" {
  count = var.billing_active ? 1 : 0

  client_id = machineauth_m2m_client.billing.client_id
  # From the resource, not a copy: that is what defers the token to the
  # apply that reactivates the client.
  client_secret = machineauth_m2m_client.billing.client_secret
  scopes        = ["read:invoices"]
}

ephemeral "machineauth_token_verification" "billing" {
  count = var.billing_active ? 1 : 0

  token           = ephemeral.machineauth_m2m_client_token.billing[count.index].access_token
  required_scopes = ["read:invoices"]
}

check "billing_token" {
  assert {
    condition     = alltrue([for v in ephemeral.machineauth_token_verification.billing : v.valid])
    error_message = "The billing client's token does not verify with read:invoices."
  }
}
