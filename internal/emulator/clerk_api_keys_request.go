package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Reading the API key routes' requests: every refusal is a 400 in the
// shape of the description's example (see clerk_api_keys.go).

// apiKeyBadRequest answers a request that breaks the description, naming
// the place as its example does: request_body.<field>, query_parameter.<name>
// or url_parameter.<name>.
func apiKeyBadRequest(w http.ResponseWriter, r *http.Request, where, what string) {
	clerkErrorMeta(w, r, http.StatusBadRequest, "bad_request", "Bad Request", "Invalid '"+where+"': "+what,
		map[string]any{"param_name": where[strings.LastIndex(where, ".")+1:]})
}

// apiKeyBody reads a JSON object body, refusing fields not in known
// (additionalProperties: false). Nulls are kept: create reads them as not
// sent, update as "clear".
func apiKeyBody(w http.ResponseWriter, r *http.Request, known ...string) (map[string]json.RawMessage, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		clerkBodyInvalid(w, r)
		return nil, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		clerkBodyInvalid(w, r)
		return nil, false
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(known, name) {
			apiKeyBadRequest(w, r, "request_body."+name, "is not a valid parameter for this request")
			return nil, false
		}
	}
	return fields, true
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// apiKeyString reads a string field; a null reads as absent.
func apiKeyString(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (v string, present, ok bool) {
	raw, present := fields[name]
	if !present || isNull(raw) {
		return "", false, true
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		apiKeyBadRequest(w, r, "request_body."+name, "must be a string")
		return "", true, false
	}
	return v, true, true
}

// apiKeyLifetime reads seconds_until_expiration: a number above 0.
func apiKeyLifetime(w http.ResponseWriter, r *http.Request, raw json.RawMessage) (time.Duration, bool) {
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil || secs <= 0 || secs > apiKeyMaxLifetime {
		apiKeyBadRequest(w, r, "request_body.seconds_until_expiration", fmt.Sprintf("must be a number greater than 0 and at most %d", apiKeyMaxLifetime))
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}

func apiKeyScopes(w http.ResponseWriter, r *http.Request, raw json.RawMessage) ([]string, bool) {
	var scopes []string
	if err := json.Unmarshal(raw, &scopes); err != nil || isNull(raw) {
		apiKeyBadRequest(w, r, "request_body.scopes", "must be an array of strings")
		return nil, false
	}
	return scopes, true
}

func apiKeyDescription(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage) (*string, bool) {
	d, present, ok := apiKeyString(w, r, fields, "description")
	if !ok || !present {
		return nil, ok
	}
	if utf8.RuneCountInString(d) > apiKeyMaxDescription {
		apiKeyBadRequest(w, r, "request_body.description", fmt.Sprintf("must be at most %d characters long", apiKeyMaxDescription))
		return nil, false
	}
	return &d, true
}

// apiKeyIntQuery reads a numeric query parameter within [lo, hi].
func apiKeyIntQuery(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		apiKeyBadRequest(w, r, "query_parameter."+name, fmt.Sprintf("must be a number between %d and %d", lo, hi))
		return 0, false
	}
	return n, true
}
