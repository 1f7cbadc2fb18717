# <machine id>/<token id>: the machine the token belongs to (mch_...) and the
# token's id (mt_...). Opaque tokens only; `token` stays null afterwards,
# because Clerk shows a token's secret only when it issues it.
terraform import machineauth_m2m_token.billing mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/mt_0123456789abcdef0123456789abcdef
