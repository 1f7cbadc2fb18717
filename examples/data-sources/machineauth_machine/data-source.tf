# A machine made in the Clerk dashboard, looked up by its exact name, and a
# token issued for it with its current key, read without storing it.
data "machineauth_machine" "reports" {
  name = "reports-service"
}

ephemeral "machineauth_machine_secret_key" "reports" {
  machine_id = data.machineauth_machine.reports.id
}

resource "machineauth_m2m_token" "reports" {
  machine_id            = data.machineauth_machine.reports.id
  machine_secret_key_wo = ephemeral.machineauth_machine_secret_key.reports.secret_key
}

output "reports_scoped_machines" {
  value = data.machineauth_machine.reports.scoped_machines
}
