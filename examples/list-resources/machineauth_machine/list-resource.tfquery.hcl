# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the instance's machines whose name
# holds "service":
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring
# machines made in the dashboard under management:
#
#   terraform query -generate-config-out=imported_machines.tf
list "machineauth_machine" "services" {
  provider         = machineauth
  include_resource = true

  config {
    query = "service"
  }
}
