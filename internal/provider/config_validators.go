package provider

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The checks below serve twice: as schema validators, so a bad value written
// in configuration fails at `terraform validate`, and from Configure for
// values that come from environment variables, which validate cannot see.

// checkClerkAPIURL and checkStytchBaseURL say what is wrong with a base
// URL, or "" when fine: first the client's rule for its shape, the one
// client.New applies at configure, then checkBaseURL's.
func checkClerkAPIURL(raw string) string { return checkBaseURL(raw, client.CheckClerkAPIURL) }

func checkStytchBaseURL(raw string) string { return checkBaseURL(raw, client.CheckStytchBaseURL) }

// checkBaseURL adds to the client's rule for a URL's shape that credentials
// travel in headers, so anything but https is refused unless the host is
// this machine (the emulator, a local proxy).
func checkBaseURL(raw string, shape func(string) error) string {
	if err := shape(raw); err != nil {
		return err.Error() + "."
	}
	u, _ := url.Parse(raw) // the shape check parsed it
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Sprintf("%q uses http to a host that is not loopback; use https, or http only for 127.0.0.0/8, ::1 or localhost (such as the emulator).", raw)
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkPrefix says what is wrong with a key lacking every one of prefixes.
func checkPrefix(value string, prefixes ...string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(value, p) && len(value) > len(p) {
			return ""
		}
	}
	return fmt.Sprintf("expected a value starting with %s.", quoteJoin(prefixes))
}

func quoteJoin(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// checkDuration says what is wrong with a duration string outside [lo, hi].
func checkDuration(raw string, lo, hi time.Duration) string {
	d, err := time.ParseDuration(raw)
	if err != nil {
		return fmt.Sprintf("%q is not a duration; use a number with a unit such as \"30s\" or \"2m\".", raw)
	}
	if d < lo || d > hi {
		return fmt.Sprintf("%s is out of range; allowed from %s to %s.", d, lo, hi)
	}
	return ""
}

func clerkAPIURLValidator() validator.String {
	return stringCheck{description: "must be an https URL, or http to a loopback host", check: checkClerkAPIURL}
}

func stytchBaseURLValidator() validator.String {
	return stringCheck{description: "must be an https origin, or http to a loopback host", check: checkStytchBaseURL}
}

func prefixValidator(prefixes ...string) validator.String {
	return stringCheck{
		description: "must start with " + quoteJoin(prefixes),
		check:       func(s string) string { return checkPrefix(s, prefixes...) },
	}
}

func durationValidator(lo, hi time.Duration) validator.String {
	return stringCheck{
		description: fmt.Sprintf("a duration from %s to %s", lo, hi),
		check:       func(s string) string { return checkDuration(s, lo, hi) },
	}
}
