# Warn, without failing the run, when a token Terraform manages is no longer
# valid: revoked in the Clerk dashboard, say, or past its expiry. A failed
# check block is reported as a warning on every plan and apply.
resource "machineauth_m2m_token" "reporting" {
  seconds_until_expiration = 30 * 24 * 3600
}

check "reporting_token_valid" {
  data "machineauth_token_verification" "reporting" {
    token = machineauth_m2m_token.reporting.token
  }

  assert {
    condition     = data.machineauth_token_verification.reporting.valid
    error_message = "The reporting M2M token ${machineauth_m2m_token.reporting.id} is no longer valid (reason: ${data.machineauth_token_verification.reporting.reason})."
  }
}
