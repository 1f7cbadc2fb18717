# Terraform 1.14 or later, in a .tfquery.hcl file beside the configuration
# that configures the provider. Lists the connected apps a member has
# authorized, on a consent screen or through Terraform:
#
#   terraform query -generate-config-out=imported_authorizations.tf
#
# Stytch never reports an authorization's redirect URI, so fill in each
# generated redirect_uri before applying.
list "machineauth_connected_app_authorization" "member" {
  provider         = machineauth
  include_resource = true

  config {
    organization_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
    member_id       = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
  }
}

# For a consumer project, name the user instead.
list "machineauth_connected_app_authorization" "user" {
  provider = machineauth

  config {
    user_id = "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6"
  }
}
