# The machine's current key for this run only, passed to a write-only
# argument: here a token's machine_secret_key_wo, just as well a secret
# manager's write-only value. It is in neither the plan nor the state.
variable "machine_id" {
  type    = string
  default = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}

ephemeral "machineauth_machine_secret_key" "worker" {
  machine_id = var.machine_id
}

resource "machineauth_m2m_token" "worker" {
  machine_id            = var.machine_id
  machine_secret_key_wo = ephemeral.machineauth_machine_secret_key.worker.secret_key
}
