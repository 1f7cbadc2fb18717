# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the billing machine's live tokens:
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring tokens
# issued outside Terraform under management:
#
#   terraform query -generate-config-out=imported_tokens.tf
list "machineauth_m2m_token" "billing" {
  provider         = machineauth
  include_resource = true

  config {
    machine_id = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    # include_revoked = true, include_expired = true for an audit.
  }
}
