# The machine's id (mch_...). Its secret key is read from Clerk on import.
terraform import machineauth_machine.billing mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk
