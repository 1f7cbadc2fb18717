# A member's authorization: <organization_id>/<member_id>/<connected_app_id>.
# Stytch never returns tokens again, so the token attributes stay null.
terraform import machineauth_connected_app_authorization.reports_agent \
  organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931/member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f/connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885

# A consumer user's authorization: <user_id>/<connected_app_id>.
terraform import machineauth_connected_app_authorization.mobile_companion \
  user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6/connected-app-test-7c1e5b8a-5d4f-4e8b-9a49-f1f0c3b2d6e7
