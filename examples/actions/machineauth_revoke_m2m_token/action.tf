# Terraform 1.14 or later. Break-glass revocation of a leaked token, whether
# Terraform issued it or not, without touching any state:
#
#   terraform apply -invoke=action.machineauth_revoke_m2m_token.leaked
#
# The machine and token ids are a machineauth_m2m_token's subject and id, or
# come from Clerk's dashboard or from `terraform query` with the
# machineauth_m2m_token list resource.
action "machineauth_revoke_m2m_token" "leaked" {
  config {
    machine_id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    token_id   = "mt_0123456789abcdef0123456789abcdef"
    reason     = "Leaked in a CI log: incident INC-1234"
  }
}
