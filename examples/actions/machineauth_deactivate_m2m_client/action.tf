# Terraform 1.14 or later. Break-glass: switch off a leaked client, whether
# Terraform manages it or not, without editing any configuration:
#
#   terraform apply -invoke=action.machineauth_deactivate_m2m_client.leaked
#
# It gets no new tokens; those already issued expire within the hour. Set
# status = "inactive" on a machineauth_m2m_client that manages it, or the
# next apply turns it back on.
action "machineauth_deactivate_m2m_client" "leaked" {
  config {
    client_id = "m2m-client-test-0b6a31e2-4b5c-4a4e-9a53-2f6c1c2d3e4f"
  }
}
