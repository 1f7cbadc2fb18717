resource "machineauth_m2m_client" "smoke_test" {
  client_name = "smoke-test"
  scopes      = ["read:invoices"]
}

# A token for this run only, never in plan or state. Stytch cannot revoke
# it: it expires within the hour.
ephemeral "machineauth_m2m_client_token" "smoke_test" {
  client_id     = machineauth_m2m_client.smoke_test.client_id
  client_secret = machineauth_m2m_client.smoke_test.client_secret
  scopes        = ["read:invoices"]
}

# Checked locally against the project's keys, and for the scope the smoke
# test needs.
ephemeral "machineauth_token_verification" "smoke_test" {
  token           = ephemeral.machineauth_m2m_client_token.smoke_test.access_token
  required_scopes = ["read:invoices"]
}

check "smoke_test_token" {
  assert {
    condition     = ephemeral.machineauth_token_verification.smoke_test.valid
    error_message = "The smoke test's token does not verify with the read:invoices scope."
  }
}
