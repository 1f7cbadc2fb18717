# A client another team manages: warn when it has been switched off.
data "machineauth_m2m_client" "ledger" {
  client_id = "m2m-client-test-0b6a31e2-4b5c-4a4e-9a53-2f6c1c2d3e4f"
}

check "ledger_active" {
  assert {
    condition     = data.machineauth_m2m_client.ledger.status == "active"
    error_message = "The ledger's M2M client is inactive: its callers get no new tokens."
  }
}
