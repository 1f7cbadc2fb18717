# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the project's confidential third-party
# apps:
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring apps
# made in the dashboard under management:
#
#   terraform query -generate-config-out=imported_apps.tf
list "machineauth_connected_app" "third_party" {
  provider         = machineauth
  include_resource = true

  config {
    client_type = "third_party"
  }
}
