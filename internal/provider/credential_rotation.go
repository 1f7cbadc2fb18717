package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A credential's lifetime, and its replacement before it ends: a token is
// rotated (replaced), a key renewed (extended in place) once the service's
// clock reaches its expiry less the window configured for it.

// maxTokenLifetime is ten years, Clerk's ceiling on a machine's default
// token TTL; a longer lifetime is a mistake, not a need.
const maxTokenLifetime = 315360000

// secondsUntilExpirationValidators refuse at validate time a lifetime Clerk
// would refuse at apply.
var secondsUntilExpirationValidators = []validator.Int64{int64validator.Between(1, maxTokenLifetime)}

// rotationDue reports whether now is within rotateBefore seconds of
// expiry; never without a window (rotate_before_seconds,
// renew_before_seconds).
func rotationDue(expiresAt types.String, rotateBefore types.Int64, now time.Time) bool {
	if rotateBefore.IsNull() || rotateBefore.IsUnknown() {
		return false
	}
	return expiresWithin(expiresAt, time.Duration(rotateBefore.ValueInt64())*time.Second, now)
}

// expiresWithin reports whether now is at or past expiresAt less lead;
// never for a credential that does not expire.
func expiresWithin(expiresAt types.String, lead time.Duration, now time.Time) bool {
	if expiresAt.IsNull() || expiresAt.IsUnknown() {
		return false
	}
	exp, err := time.Parse(time.RFC3339, expiresAt.ValueString())
	if err != nil {
		return false
	}
	return !now.Before(exp.Add(-lead))
}
