# Terraform 1.14 or later. Break-glass revocation of the grant of a leaked
# opaque access or refresh token: every token of that grant stops working.
#
#   terraform apply -invoke=action.machineauth_revoke_oauth_token.leaked \
#     -var leaked_token=...
#
# JWT access tokens cannot be revoked and are refused before any request.
variable "leaked_token" {
  type      = string
  sensitive = true
}

action "machineauth_revoke_oauth_token" "leaked" {
  config {
    oauth_application_id = "oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    token                = var.leaked_token
  }
}
