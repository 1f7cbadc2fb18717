package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Stytch ids are a fixed prefix and a UUID. Refusing anything else at
// validate time names the attribute at fault, and keeps "/", "." and "%"
// out of the ids that become URL path segments.
var (
	organizationIDPattern = stytchIDPattern("organization-test-", "organization-live-")
	memberIDPattern       = stytchIDPattern("member-test-", "member-live-")
	userIDPattern         = stytchIDPattern("user-test-", "user-live-")
	connectedAppIDPattern = stytchIDPattern("connected-app-test-", "connected-app-live-")

	// scopeTokenPattern is RFC 6749's scope-token: Stytch joins scopes with
	// spaces, so a scope holding one would silently become two.
	scopeTokenPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
)

type idPattern struct {
	re       *regexp.Regexp
	prefixes []string
}

func stytchIDPattern(prefixes ...string) idPattern {
	quoted := make([]string, len(prefixes))
	for i, p := range prefixes {
		quoted[i] = regexp.QuoteMeta(p)
	}
	return idPattern{regexp.MustCompile(`^(` + strings.Join(quoted, "|") + `)[A-Za-z0-9_-]+$`), prefixes}
}

func (p idPattern) check(v string) string {
	if p.re.MatchString(v) {
		return ""
	}
	return fmt.Sprintf("expected an id starting with %s followed by letters, digits, '-' or '_' (such as %s<uuid>), got %q.",
		quoteJoin(p.prefixes), p.prefixes[0], client.Redact(v))
}

func (p idPattern) validator() validator.String {
	return stringCheck{description: "an id starting with " + quoteJoin(p.prefixes), check: p.check}
}

func checkScope(s string) string {
	if scopeTokenPattern.MatchString(s) {
		return ""
	}
	return fmt.Sprintf("%q is not a scope: a scope is one or more printable ASCII characters without spaces, '\"' or '\\'.", s)
}

// checkRedirectURI differs from checkBaseURL: a redirect URI may carry a
// query but, per RFC 6749 section 3.1.2, never a fragment; and it names an
// endpoint of the connected app, which receives authorization codes.
func checkRedirectURI(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Sprintf("%q is not an absolute https URL.", raw)
	case u.User != nil:
		return "the URL must not carry credentials."
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "a redirect URI must not have a fragment (#...)."
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fmt.Sprintf("%q uses http to a host that is not loopback, which would send authorization codes in clear text; use https, or http only for 127.0.0.0/8, ::1 or localhost.", raw)
	}
	return ""
}

// redirectURIValidator refuses at validate time a redirect URI Stytch would
// refuse, or one that would send authorization codes in clear text.
var redirectURIValidator = stringCheck{description: "an https URL, or http to a loopback host", check: checkRedirectURI}
