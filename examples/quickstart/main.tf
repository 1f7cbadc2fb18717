# The whole provider, root to leaf, in two files: clerk.tf (a machine made
# by Terraform, its key rotated in place, tokens and an API key hanging from
# it) and stytch.tf (an M2M client with a kill switch and a checked token,
# and a member's consent for a connected app). `make demo` applies it to the
# emulator and rotates the machine's key; with real accounts, set the
# CLERK_* and STYTCH_* environment variables and the variables in
# variables.tf.
terraform {
  # 1.11 for write-only arguments (machine_secret_key_wo, client_secret_wo).
  required_version = ">= 1.11"

  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

# Credentials come from the environment: CLERK_SECRET_KEY, STYTCH_PROJECT_ID
# and STYTCH_SECRET (and CLERK_API_URL, STYTCH_BASE_URL for the emulator).
provider "machineauth" {}
