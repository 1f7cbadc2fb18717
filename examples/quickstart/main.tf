# A complete configuration: a Clerk M2M token that rotates itself, a Stytch
# connected-app authorization, and a check that the token stays valid.
# `make demo` runs it against the emulator; with real accounts, set the
# CLERK_* and STYTCH_* environment variables and the variables below.
terraform {
  # 1.11 for client_secret_wo, a write-only argument.
  required_version = ">= 1.11"

  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

# Credentials come from the environment: CLERK_SECRET_KEY,
# CLERK_MACHINE_SECRET_KEY, STYTCH_PROJECT_ID and STYTCH_SECRET (and
# CLERK_API_URL, STYTCH_BASE_URL to point at the emulator).
provider "machineauth" {}

# The service's token: replaced once it is within rotate_before_seconds of
# expiry, or when token_generation changes, with the new token issued before
# the old one is revoked.
resource "machineauth_m2m_token" "service" {
  seconds_until_expiration = var.token_lifetime_seconds
  rotate_before_seconds    = var.token_rotate_before_seconds

  claims = jsonencode({
    purpose = "quickstart"
  })

  keepers = {
    generation = var.token_generation
  }

  lifecycle {
    create_before_destroy = true
  }
}

# A member's consent for the connected app, granted without a browser; the
# client secret is write-only, so it never reaches the plan or the state.
resource "machineauth_connected_app_authorization" "agent" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.connected_app_id
  scopes           = var.scopes
  redirect_uri     = var.redirect_uri
  client_secret_wo = var.connected_app_client_secret

  revocation_reason = "quickstart destroyed"
}

# Warns on every plan and apply, without failing it, once the token is no
# longer valid (revoked in the Clerk dashboard, say).
check "service_token_valid" {
  data "machineauth_token_verification" "service" {
    token = machineauth_m2m_token.service.token
  }

  assert {
    condition     = data.machineauth_token_verification.service.valid
    error_message = "M2M token ${machineauth_m2m_token.service.id} is not valid (reason: ${data.machineauth_token_verification.service.reason})."
  }
}

# The connected app's access token, checked locally against the Stytch
# project's keys, for the outputs.
data "machineauth_token_verification" "agent" {
  token = machineauth_connected_app_authorization.agent.access_token
}
