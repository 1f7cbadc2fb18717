# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the clients that registered themselves
# at run time (MCP clients, through dynamic client registration):
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring them
# under management, or to remove them with a destroy:
#
#   terraform query -generate-config-out=registered_clients.tf
list "machineauth_oauth_application" "registered" {
  provider         = machineauth
  include_resource = true

  config {
    dynamically_registered = true
  }
}
