# The application's id (not its client_id). client_secret stays null until
# the next rotation: Clerk never shows a client secret again.
terraform import machineauth_oauth_application.reports oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk
