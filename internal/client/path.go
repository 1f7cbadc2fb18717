package client

import (
	"fmt"
	"net/url"
	"strings"
)

// segment checks an id that goes into a URL path and escapes it. Ids come
// from configuration and state, so a stray "/" or ".." would otherwise let
// a typo revoke or read a different resource than the one named; and a
// percent-escape would be escaped again into something the server never
// issued. Nothing is sent for an invalid id.
func segment(name, id string) (string, error) {
	switch {
	case id == "":
		return "", fmt.Errorf("invalid %s: must not be empty", name)
	case id == ".", strings.Contains(id, ".."):
		return "", fmt.Errorf("invalid %s %q: must not contain \"..\" or be \".\"", name, Redact(id))
	case strings.ContainsAny(id, `/\`):
		return "", fmt.Errorf("invalid %s %q: must not contain a slash", name, Redact(id))
	case strings.Contains(id, "%"):
		return "", fmt.Errorf("invalid %s %q: must not contain a percent-escape", name, Redact(id))
	}
	return url.PathEscape(id), nil
}

// segments validates and escapes several named ids at once, in order.
func segments(pairs ...string) ([]string, error) {
	out := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		s, err := segment(pairs[i], pairs[i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
