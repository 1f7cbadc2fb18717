# An app managed elsewhere: check that the redirect URI an authorization
# uses is one the app accepts.
data "machineauth_connected_app" "crm" {
  client_id = "connected-app-test-7c1e5b8a-5d4f-4e8b-9a49-f1f0c3b2d6e7"
}

check "crm_redirect" {
  assert {
    condition     = contains(data.machineauth_connected_app.crm.redirect_urls, "https://crm.example.com/oauth/callback")
    error_message = "The CRM app no longer accepts its callback URL."
  }
}
