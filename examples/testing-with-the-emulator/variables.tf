variable "token_lifetime_seconds" {
  description = "Lifetime of the service's M2M token."
  type        = number
  default     = 3600
}

variable "token_generation" {
  description = "Change it to rotate the M2M token."
  type        = string
  default     = "1"
}

variable "organization_id" {
  description = "Stytch organization of the consenting member."
  type        = string
}

variable "member_id" {
  description = "Stytch member who consents."
  type        = string
}

variable "connected_app_id" {
  description = "The connected app's client id."
  type        = string
}

variable "connected_app_client_secret" {
  description = "The connected app's client secret, for the code exchange."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "redirect_uri" {
  description = "One of the connected app's registered redirect URLs."
  type        = string
}
