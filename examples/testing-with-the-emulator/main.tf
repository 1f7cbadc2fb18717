# A module as a user would write one: a service's M2M token, rotated by
# generation, and a member's consent for a connected app. Its tests, in
# tests/, run against the emulator; see README.md for the CI steps.
terraform {
  # 1.11 for client_secret_wo, a write-only argument.
  required_version = ">= 1.11"

  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

# Credentials and base URLs come from the environment: the emulator's env
# file sets CLERK_* and STYTCH_*.
provider "machineauth" {}

resource "machineauth_m2m_token" "service" {
  seconds_until_expiration = var.token_lifetime_seconds

  keepers = {
    generation = var.token_generation
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "machineauth_connected_app_authorization" "agent" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.connected_app_id
  scopes           = ["openid", "read:reports"]
  redirect_uri     = var.redirect_uri
  client_secret_wo = var.connected_app_client_secret
}

data "machineauth_token_verification" "agent" {
  token = machineauth_connected_app_authorization.agent.access_token
}
