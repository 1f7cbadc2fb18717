# Terraform 1.14 or later. Break-glass revocation of a leaked API key,
# whether Terraform made it or not, without touching any state:
#
#   terraform apply -invoke=action.machineauth_revoke_api_key.leaked
#
# The id is a machineauth_api_key's id, or comes from Clerk's dashboard or
# from `terraform query` with the machineauth_api_key list resource.
action "machineauth_revoke_api_key" "leaked" {
  config {
    api_key_id = "ak_0123456789abcdef0123456789abcdef"
    reason     = "Leaked in a support ticket: incident INC-1234"
  }
}
