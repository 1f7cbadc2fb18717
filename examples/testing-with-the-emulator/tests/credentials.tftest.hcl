# `terraform test` applies these runs in order against the emulator, then
# destroys what they made: afterwards the emulator must hold no live
# credential (its GET /__emulator/stats says).

run "plan_issues_nothing" {
  command = plan

  assert {
    condition     = machineauth_m2m_token.service.seconds_until_expiration == 3600
    error_message = "the token's lifetime is not the module's default"
  }
}

run "issues_a_token_and_an_authorization" {
  assert {
    condition     = startswith(output.m2m_token_id, "mt_")
    error_message = "no M2M token was issued"
  }

  assert {
    condition     = output.access_token_valid
    error_message = "the connected app's access token does not verify"
  }

  assert {
    condition     = contains(output.authorization_scopes, "read:reports")
    error_message = "the member did not grant read:reports"
  }
}

run "a_new_generation_rotates_the_token" {
  variables {
    token_generation = "2"
  }

  assert {
    condition     = output.m2m_token_id != run.issues_a_token_and_an_authorization.m2m_token_id
    error_message = "a new token_generation kept the old token"
  }

  assert {
    condition     = output.m2m_token_machine == run.issues_a_token_and_an_authorization.m2m_token_machine
    error_message = "the rotated token belongs to another machine"
  }
}
