# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists a customer organization's live API
# keys:
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring keys
# made outside Terraform under management:
#
#   terraform query -generate-config-out=imported_keys.tf
list "machineauth_api_key" "acme" {
  provider         = machineauth
  include_resource = true

  config {
    subject = "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
    # include_revoked = true, include_expired = true for an audit.
  }
}
