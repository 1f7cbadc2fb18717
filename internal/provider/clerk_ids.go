package provider

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Clerk's id rules, for every attribute, import id and identity that names
// a Clerk object: checked before anything is sent, since ids end up in
// request paths and queries, and a wrong one is best named at validate.
var (
	machineIDPattern = regexp.MustCompile(`^mch_\w{27}$`)
	tokenIDPattern   = regexp.MustCompile(`^mt_[0-9A-Fa-f]{32}$`)
	apiKeyIDPattern  = regexp.MustCompile(`^ak_[0-9A-Fa-f]{32}$`)
	// apiKeySubjectPattern is whom an API key may belong to: a user, an
	// organization or a machine.
	apiKeySubjectPattern = regexp.MustCompile(`^(user|org|mch)_\w{27}$`)
)

// machineIDValidators refuse at validate time what is not a machine id.
var machineIDValidators = []validator.String{stringCheck{description: "a machine id (mch_...)", check: checkMachineID}}

// checkMachineID says what is wrong with a machine id, or "".
func checkMachineID(v string) string {
	if machineIDPattern.MatchString(v) {
		return ""
	}
	return fmt.Sprintf("%q is not mch_ followed by 27 letters, digits or underscores.", client.Redact(v))
}

// checkTokenID says what is wrong with an M2M token id, or "". The value
// is never echoed: a token pasted in by mistake is a secret.
func checkTokenID(v string) string {
	if tokenIDPattern.MatchString(v) {
		return ""
	}
	return "not mt_ followed by 32 hexadecimal digits; give the token's id, not the token."
}

// m2mTokenImportIDForm is the import id of an M2M token, as diagnostics show it.
const m2mTokenImportIDForm = "mch_<machine id>/mt_<token id>" //nolint:gosec // G101: a form with placeholders, not a credential

// parseM2MTokenImportID splits an M2M token's import id strictly.
func parseM2MTokenImportID(id string) (machineID, tokenID, problem string) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 {
		return "", "", fmt.Sprintf("got %d part(s) separated by \"/\", want exactly 2.", len(parts))
	}
	if p := checkMachineID(parts[0]); p != "" {
		return "", "", "the machine id " + p
	}
	if p := checkTokenID(parts[1]); p != "" {
		return "", "", "the token id is " + p
	}
	return parts[0], parts[1], ""
}

// checkAPIKeyID says what is wrong with an API key id, or "". The value is
// never echoed: the key's secret has the same prefix, and may be what was
// pasted in by mistake.
func checkAPIKeyID(v string) string {
	if apiKeyIDPattern.MatchString(v) {
		return ""
	}
	return "not ak_ followed by 32 hexadecimal digits; give the API key's id, not its secret."
}

// checkAPIKeySubject says what is wrong with an API key's subject, or "".
func checkAPIKeySubject(v string) string {
	if apiKeySubjectPattern.MatchString(v) {
		return ""
	}
	return fmt.Sprintf("%q is not a user (user_...), organization (org_...) or machine (mch_...) id: the prefix followed by 27 letters, digits or underscores.", client.Redact(v))
}
