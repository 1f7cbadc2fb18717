# The client_id. client_secret stays null afterwards, because Stytch shows a
# secret only when it issues it: change secret_rotation_triggers after the
# import to rotate to a secret Terraform knows.
terraform import machineauth_m2m_client.billing m2m-client-test-0b6a31e2-4b5c-4a4e-9a53-2f6c1c2d3e4f
