# The key's id (ak_...), not its secret. The secret is recovered from Clerk
# during the import, so the imported key is complete.
terraform import machineauth_api_key.integration ak_0123456789abcdef0123456789abcdef
