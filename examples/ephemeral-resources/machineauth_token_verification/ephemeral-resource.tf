# Check a token without it, or the results, landing in plan or state
# (Terraform 1.10 or later). Here the token is itself ephemeral: issued for
# this run only, and revoked when the run ends.
ephemeral "machineauth_m2m_token" "deploy" {
  seconds_until_expiration = 900
}

ephemeral "machineauth_token_verification" "deploy" {
  token = ephemeral.machineauth_m2m_token.deploy.token

  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = "The deploy token failed verification (reason: ${self.reason})."
    }
  }
}

# A token passed in for this run only, through an ephemeral variable.
variable "incoming_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "machineauth_token_verification" "incoming" {
  token = var.incoming_token
  type  = "m2m_token"

  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = "The incoming token is not valid (reason: ${self.reason})."
    }
  }
}
