# The client_id. client_secret stays null afterwards, because Stytch shows a
# secret only when it issues it: change secret_rotation_triggers after the
# import to rotate to a secret Terraform knows.
terraform import machineauth_connected_app.reports_agent connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885
