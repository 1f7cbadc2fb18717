terraform {
  required_version = ">= 1.11"

  required_providers {
    # Keep the community providers here (clerk, stytch) until the apply that
    # switches has run: Terraform needs them to read their part of the state.
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

provider "machineauth" {}
