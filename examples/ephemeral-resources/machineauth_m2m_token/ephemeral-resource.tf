# A token for this run only (Terraform 1.10 or later): issued when Terraform
# opens it, revoked when the run ends, and never written to plan or state.
# Keep it short-lived: if the revoke fails, it lives until it expires.
ephemeral "machineauth_m2m_token" "deploy" {
  seconds_until_expiration = 900

  claims = jsonencode({
    purpose = "deploy"
  })

  revocation_reason = "deploy run finished"
}

# Ephemeral values may go where Terraform keeps nothing: another provider's
# configuration, a write-only argument, or a provisioner, as here, which
# registers the release with an internal API during apply.
resource "terraform_data" "register_release" {
  input = "v1.4.2"

  provisioner "local-exec" {
    command = "curl -fsS -H \"Authorization: Bearer $TOKEN\" -d version=v1.4.2 https://releases.internal.example.com/register"
    environment = {
      TOKEN = ephemeral.machineauth_m2m_token.deploy.token
    }
  }
}
