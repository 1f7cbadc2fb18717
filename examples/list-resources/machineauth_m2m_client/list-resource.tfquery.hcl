# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the project's M2M clients that may
# write invoices:
#
#   terraform query
#
# and writes an import block and a resource block for each, to bring clients
# made outside Terraform under management:
#
#   terraform query -generate-config-out=imported_clients.tf
list "machineauth_m2m_client" "invoice_writers" {
  provider         = machineauth
  include_resource = true

  config {
    scope = "write:invoices"
  }
}
