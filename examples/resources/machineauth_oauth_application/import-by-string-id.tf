# Terraform 1.5 or later: an import block brings an application made in the
# dashboard, or one that registered itself, under management on the next
# apply. Its client secret is not imported: Clerk shows it only once.
import {
  to = machineauth_oauth_application.reports
  id = "oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
}
