terraform {
  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}

# Credentials usually come from the environment (CLERK_SECRET_KEY,
# CLERK_MACHINE_SECRET_KEY, STYTCH_PROJECT_ID, STYTCH_SECRET), so the block
# can stay empty. Written out, with variables:
provider "machineauth" {
  clerk {
    secret_key         = var.clerk_secret_key         # sk_test_... or sk_live_...
    machine_secret_key = var.clerk_machine_secret_key # ak_...
  }

  stytch {
    project_id = var.stytch_project_id # project-test-... or project-live-...
    secret     = var.stytch_secret
  }
}

variable "clerk_secret_key" {
  type      = string
  sensitive = true
}

variable "clerk_machine_secret_key" {
  type      = string
  sensitive = true
}

variable "stytch_project_id" {
  type = string
}

variable "stytch_secret" {
  type      = string
  sensitive = true
}
