package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DefaultClerkAPIURL is the Clerk Backend API base, version prefix
// included, used when Config.ClerkAPIURL is empty.
const DefaultClerkAPIURL = "https://api.clerk.com/v1"

const (
	stytchTestBaseURL    = "https://test.stytch.com"
	stytchLiveBaseURL    = "https://api.stytch.com"
	stytchLiveProjectPfx = "project-live-"
)

// DefaultStytchBaseURL is the Stytch origin used for projectID when
// Config.StytchBaseURL is empty: Stytch serves live projects and test
// projects from different hosts.
func DefaultStytchBaseURL(projectID string) string {
	if strings.HasPrefix(projectID, stytchLiveProjectPfx) {
		return stytchLiveBaseURL
	}
	return stytchTestBaseURL
}

// CheckClerkAPIURL says what makes raw unusable as Config.ClerkAPIURL, nil
// when nothing does. New applies it too, so a caller that checks a URL
// up front refuses exactly what New would.
func CheckClerkAPIURL(raw string) error {
	_, err := parseBaseURL(raw, false)
	return err
}

// CheckStytchBaseURL says what makes raw unusable as Config.StytchBaseURL,
// nil when nothing does; New applies it too.
func CheckStytchBaseURL(raw string) error {
	_, err := parseBaseURL(raw, true)
	return err
}

// parseBaseURL parses an API base URL. Stytch's is an origin: its paths are
// absolute, as in its official SDKs, and silently dropping a path the user
// wrote would send requests elsewhere.
func parseBaseURL(raw string, originOnly bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.User != nil {
		// Not quoted back: the credentials would be in the message.
		return nil, errors.New("the URL must not carry credentials; the keys are set on their own")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("%q has a query or a fragment; a base URL takes neither", raw)
	}
	if originOnly && strings.TrimSuffix(u.Path, "/") != "" {
		return nil, fmt.Errorf("%q has a path; Stytch's paths are absolute, so this must be an origin such as %s", raw, stytchTestBaseURL)
	}
	return u, nil
}
