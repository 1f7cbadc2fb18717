package client

import (
	"cmp"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

const mask = "***"

// secretShapes match credentials by their look, so a secret is masked even
// when this client never saw it (a token echoed in an error, a key pasted
// into the wrong attribute). The prefix is kept: "ak_***" still tells a
// user which kind of key was involved.
var secretShapes = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Also masks mt_ token ids, which share the secret's prefix and cannot
	// be told apart from it reliably; and Clerk OAuth access tokens
	// (oat_...), whose ids share their prefix too.
	{regexp.MustCompile(`\b(mt|ak|oat)_[A-Za-z0-9_-]+`), "${1}_" + mask},
	{regexp.MustCompile(`\bsk_(test|live)_[A-Za-z0-9_-]+`), "sk_${1}_" + mask},
	{regexp.MustCompile(`\bsecret-(test|live)-[A-Za-z0-9_=-]+`), "secret-${1}-" + mask},
	// A JWT's header is a JSON object, so its base64url starts with "eyJ";
	// requiring that keeps host names and versions (a.b.c) readable.
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), "eyJ" + mask},
}

// Redact masks anything in s that looks like a Clerk or Stytch secret or a
// JWT. The provider runs its own user-facing messages through it.
func Redact(s string) string {
	for _, shape := range secretShapes {
		s = shape.re.ReplaceAllString(s, shape.repl)
	}
	return s
}

// minSecretLen is the shortest value masked literally. No issued
// credential is this short, and masking a short value would garble every
// message it occurs in (a one-letter test code would mask every "c").
const minSecretLen = 8

// redactor also masks known secret values whatever their shape: the
// configured keys and whatever a single call sends or receives.
type redactor []string

func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r = append(r, s)
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	slices.SortFunc(r, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return r
}

func (r redactor) redact(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, mask)
	}
	return Redact(s)
}

// sensitiveFields are the top-level body fields that hold secrets in these
// APIs' requests and responses. Only top-level fields are looked at, and
// those of the objects named in secretEnvelopes: other nested objects here
// hold metadata, and Clerk's nested error "code" is not a secret while
// Stytch's top-level authorization "code" is.
var sensitiveFields = map[string]bool{
	"token":              true,
	"secret_key":         true,
	"secret":             true,
	"client_secret":      true,
	"next_client_secret": true,
	"access_token":       true,
	"refresh_token":      true,
	"id_token":           true,
	"code":               true,
	"code_verifier":      true,
	"authorization_code": true,
	"session_token":      true,
	"session_jwt":        true,
}

// secretEnvelopes are the objects in which Stytch answers with a client
// and, when one is new, its secrets: {"connected_app": {"client_secret": ...}}.
var secretEnvelopes = map[string]bool{"connected_app": true, "m2m_client": true}

// bodySecrets returns the values a JSON or form body holds in sensitive
// fields, so they can be masked wherever else they show up: an
// authorization code also rides in the redirect_uri next to it.
func bodySecrets(contentType string, body []byte) []string {
	if len(body) == 0 {
		return nil
	}
	var out []string
	if strings.HasPrefix(contentType, formContentType) {
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return nil
		}
		for k, vs := range values {
			if sensitiveFields[k] {
				out = append(out, vs...)
			}
		}
		return out
	}
	return jsonSecrets(body, true)
}

// jsonSecrets is bodySecrets for a JSON object, looking one level into
// the envelopes when top is set.
func jsonSecrets(body []byte, top bool) []string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	var out []string
	for k, raw := range fields {
		var v string
		switch {
		case sensitiveFields[k] && json.Unmarshal(raw, &v) == nil:
			out = append(out, v)
		case top && secretEnvelopes[k]:
			out = append(out, jsonSecrets(raw, false)...)
		}
	}
	return out
}
