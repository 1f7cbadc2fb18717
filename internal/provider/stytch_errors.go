package provider

import (
	"net/http"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// stytchNotFound reports Stytch's answer that what a call names (a client,
// an organization, a member, a user, an app's authorization) does not
// exist: an error_type of not_found or ending in _not_found, with status
// 404 or 400. Which of these Stytch answers is partly undocumented: its
// error reference lists some _not_found types under 404 and others under
// 400, and a generic not_found is as plausible (assumption
// stytch_not_found_shape in the emulator assumptions guide). Drift must be
// seen whichever it answers, and nothing else taken for it: a 404 without
// a Stytch error type (a proxy's page, a wrong base URL) proves nothing,
// any other refusal stays an error, and a session that is not found is a
// refused revoke, never a revoked authorization.
func stytchNotFound(err error) bool {
	switch httpStatus(err) {
	case http.StatusNotFound, http.StatusBadRequest:
	default:
		return false
	}
	code := client.ErrorCode(err)
	return (code == "not_found" || strings.HasSuffix(code, "_not_found")) && code != "session_not_found"
}
