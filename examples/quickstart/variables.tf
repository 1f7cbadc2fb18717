variable "machine_key_generation" {
  description = "Change it to rotate the machine's secret key in place."
  type        = string
  default     = "1"
}

variable "machine_key_overlap_seconds" {
  description = "How long the machine's previous key keeps working after a rotation (at most 28800)."
  type        = number
  default     = 1800
}

variable "token_consumers" {
  description = "One M2M token per consumer of the machine."
  type        = list(string)
  default     = ["billing", "reports"]
}

variable "token_lifetime_seconds" {
  description = "Lifetime of each M2M token."
  type        = number
  default     = 30 * 24 * 3600
}

variable "token_rotate_before_seconds" {
  description = "Replace each M2M token this long before it expires."
  type        = number
  default     = 7 * 24 * 3600
}

variable "reports_client_active" {
  description = "The Stytch M2M client's kill switch: false stops new tokens."
  type        = bool
  default     = true
}

variable "reports_client_secret_generation" {
  description = "Change it to start a rotation of the M2M client's secret."
  type        = string
  default     = "1"
}

variable "organization_id" {
  description = "Stytch organization of the member who consents (organization-test-...)."
  type        = string
}

variable "member_id" {
  description = "Stytch member who consents (member-test-...)."
  type        = string
}

variable "connected_app_id" {
  description = "The connected app's client id (connected-app-test-...)."
  type        = string
}

variable "connected_app_client_secret" {
  description = "The connected app's client secret, for the code exchange. Ephemeral: never written to a plan or the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "redirect_uri" {
  description = "One of the connected app's registered redirect URLs."
  type        = string
}
