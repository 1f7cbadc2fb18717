variable "token_lifetime_seconds" {
  description = "Lifetime of the M2M token."
  type        = number
  default     = 24 * 3600
}

variable "token_rotate_before_seconds" {
  description = "Replace the M2M token this long before it expires."
  type        = number
  default     = 3600
}

variable "token_generation" {
  description = "Change it to rotate the M2M token now."
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

variable "scopes" {
  description = "Scopes the member grants the app."
  type        = set(string)
  default     = ["openid", "offline_access", "read:reports"]
}
