package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// clerkKeyKind is which kind of key an endpoint accepts.
type clerkKeyKind int

const (
	clerkInstanceKey clerkKeyKind = 1 << iota // sk_test_... / sk_live_...
	clerkMachineKey
)

// clerkCaller is who a request authenticated as: the instance, or a machine.
type clerkCaller struct{ machine *machine }

// mayVerify says whether the caller may see a token scoped to scopes: the
// instance sees every token, a machine only those it is listed in.
func (c clerkCaller) mayVerify(scopes []string) bool {
	return c.machine == nil || slices.Contains(scopes, c.machine.id)
}

// owns says whether the caller may list or revoke the tokens of subject.
func (c clerkCaller) owns(subject string) bool {
	return c.machine == nil || c.machine.id == subject
}

// clerkAuth checks the bearer key against what the endpoint accepts and
// answers the 401 itself. It runs with s.mu held.
func (s *Server) clerkAuth(w http.ResponseWriter, r *http.Request, accept clerkKeyKind) (clerkCaller, bool) {
	scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimSpace(key)
	if !strings.EqualFold(scheme, "Bearer") || key == "" {
		clerkError(w, r, http.StatusUnauthorized, "authorization_header_format_invalid",
			"Invalid Authorization header format", "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'")
		return clerkCaller{}, false
	}
	c := s.clerk
	if key == c.secretKey {
		if accept&clerkInstanceKey == 0 {
			// Only POST /m2m_tokens refuses the instance key ("Must be
			// authenticated via a Machine Secret Key"), as a 401
			// machine_secret_key_invalid: the endpoint reads the bearer as
			// a machine key and an sk_ key is not one
			// (*unconfirmed*, assumption clerk_wrong_key_refusal).
			machineKeyInvalid(w, r)
			return clerkCaller{}, false
		}
		return clerkCaller{}, true
	}
	if m := c.machineByKey(key, s.clock.now()); m != nil {
		if accept&clerkMachineKey == 0 {
			// Instance-only endpoints read the bearer as a Clerk secret key,
			// and a key the instance does not hold as one is
			// clerk_key_invalid whatever its shape, ak_ included
			// (*unconfirmed*, assumption clerk_wrong_key_refusal).
			clerkKeyInvalid(w, r)
			return clerkCaller{}, false
		}
		return clerkCaller{machine: m}, true
	}
	if strings.HasPrefix(key, "ak_") {
		machineKeyInvalid(w, r)
	} else {
		clerkKeyInvalid(w, r)
	}
	return clerkCaller{}, false
}

// clerkError answers in Clerk's error shape: {"errors":[...],"clerk_trace_id"}.
func clerkError(w http.ResponseWriter, r *http.Request, status int, code, message, longMessage string) {
	clerkErrorMeta(w, r, status, code, message, longMessage, nil)
}

// clerkErrorMeta is clerkError with the error's meta (e.g. {"param_name": "subject"}).
func clerkErrorMeta(w http.ResponseWriter, r *http.Request, status int, code, message, longMessage string, meta map[string]any) {
	e := map[string]any{"message": message, "long_message": longMessage, "code": code}
	if meta != nil {
		e["meta"] = meta
	}
	writeJSON(w, status, map[string]any{
		"errors":         []any{e},
		"clerk_trace_id": requestID(r),
	})
}

func clerkKeyInvalid(w http.ResponseWriter, r *http.Request) {
	const msg = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct."
	clerkError(w, r, http.StatusUnauthorized, "clerk_key_invalid", msg, msg)
}

func machineKeyInvalid(w http.ResponseWriter, r *http.Request) {
	const msg = "The provided Machine Secret Key is invalid. Make sure that your Machine Secret Key is correct."
	clerkError(w, r, http.StatusUnauthorized, "machine_secret_key_invalid", msg, msg)
}

func clerkNotFound(w http.ResponseWriter, r *http.Request) {
	clerkError(w, r, http.StatusNotFound, "resource_not_found", "not found", "The requested resource was not found.")
}

// clerkRevokedAgain answers the revoke of a credential already revoked as
// switch name says, and reports whether it did: with "200" it leaves the
// answer to the caller. what names the credential ("M2M token").
func clerkRevokedAgain(w http.ResponseWriter, r *http.Request, name, what string) bool {
	msg := "The " + what + " is already revoked."
	switch assumedOf(r).get(name) {
	case "400":
		clerkError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", msg)
	case "404":
		clerkNotFound(w, r)
	case "409":
		clerkError(w, r, http.StatusConflict, "conflict", "conflict", msg)
	default:
		return false
	}
	return true
}

// clerkVerifyRefused answers the verify of a revoked or expired credential
// as clerk_verify_refusal says, and reports whether it did: with
// "flagged_200" the caller answers the object, its flags set.
func clerkVerifyRefused(w http.ResponseWriter, r *http.Request, what string, revoked bool) bool {
	state := "expired"
	if revoked {
		state = "revoked"
	}
	switch assumedOf(r).get("clerk_verify_refusal") {
	case "404":
		clerkNotFound(w, r)
	case "400":
		clerkError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", "The "+what+" is "+state+".")
	default:
		return false
	}
	return true
}

func clerkForbidden(w http.ResponseWriter, r *http.Request) {
	clerkError(w, r, http.StatusForbidden, "authorization_invalid", "Unauthorized request", "You are not authorized to perform this request")
}

func clerkBodyInvalid(w http.ResponseWriter, r *http.Request) {
	clerkError(w, r, http.StatusBadRequest, "request_body_invalid", "Request body invalid",
		"The request body is invalid. Please consult the API documentation for more information.")
}

func clerkParamMissing(w http.ResponseWriter, r *http.Request, name string) {
	clerkErrorMeta(w, r, http.StatusUnprocessableEntity, "form_param_missing", "is missing", name+" is missing",
		map[string]any{"param_name": name})
}

func clerkParamUnknown(w http.ResponseWriter, r *http.Request, name string) {
	clerkErrorMeta(w, r, http.StatusUnprocessableEntity, "form_param_unknown", "is unknown",
		name+" is not a valid parameter for this request.", map[string]any{"param_name": name})
}

func clerkParamInvalid(w http.ResponseWriter, r *http.Request, name, longMessage string) {
	clerkErrorMeta(w, r, http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid", longMessage,
		map[string]any{"param_name": name})
}

// clerkRegexFailed answers a path or query parameter that fails its pattern the
// way the spec's 400 example reads.
func clerkRegexFailed(w http.ResponseWriter, r *http.Request, where string) {
	clerkError(w, r, http.StatusBadRequest, "bad_request", "Bad Request", "Invalid '"+where+"': Failed regex check")
}

// clerkParamError is a request parameter Clerk would refuse with 422
// form_param_value_invalid.
type clerkParamError struct{ param, message string }

func (e *clerkParamError) Error() string { return "emulator: " + e.param + ": " + e.message }

func clerkParamErr(w http.ResponseWriter, r *http.Request, err *clerkParamError) {
	clerkParamInvalid(w, r, err.param, err.message)
}

// clerkBody reads a JSON object body and refuses fields not in known, as the
// spec's additionalProperties: false asks. A null field is dropped: Clerk
// reads null as not sent. With required false an empty body reads as {}.
func clerkBody(w http.ResponseWriter, r *http.Request, required bool, known ...string) (map[string]json.RawMessage, bool) {
	return clerkReadBody(w, r, required, true, known)
}

// clerkOpenBody is clerkBody for a body the description leaves open (no
// additionalProperties: false): fields not in known are dropped, not
// refused, and an empty body reads as {}.
func clerkOpenBody(w http.ResponseWriter, r *http.Request, known ...string) (map[string]json.RawMessage, bool) {
	return clerkReadBody(w, r, false, false, known)
}

func clerkReadBody(w http.ResponseWriter, r *http.Request, required, strict bool, known []string) (map[string]json.RawMessage, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		clerkBodyInvalid(w, r)
		return nil, false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if required {
			clerkBodyInvalid(w, r)
			return nil, false
		}
		return map[string]json.RawMessage{}, true
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
			if !strict {
				delete(fields, name)
				continue
			}
			clerkParamUnknown(w, r, name)
			return nil, false
		}
		if string(fields[name]) == "null" {
			delete(fields, name)
		}
	}
	return fields, true
}

// clerkStringField reads a string field; ok is false when it answered an error.
func clerkStringField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (v string, present, ok bool) {
	raw, present := fields[name]
	if !present {
		return "", false, true
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		clerkParamInvalid(w, r, name, name+" must be a string")
		return "", true, false
	}
	return v, true, true
}

// clerkNumberField reads a numeric field; ok is false when it answered an error.
func clerkNumberField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (v float64, present, ok bool) {
	raw, present := fields[name]
	if !present {
		return 0, false, true
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		clerkParamInvalid(w, r, name, name+" must be a number")
		return 0, true, false
	}
	return v, true, true
}

// clerkIntField reads an integer field within [lo, hi].
func clerkIntField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string, lo, hi int64) (v int64, present, ok bool) {
	f, present, ok := clerkNumberField(w, r, fields, name)
	if !present || !ok {
		return 0, present, ok
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		clerkParamInvalid(w, r, name, fmt.Sprintf("%s must be an integer between %d and %d", name, lo, hi))
		return 0, true, false
	}
	return int64(f), true, true
}

// clerkIntQuery reads an integer query parameter within [lo, hi].
func clerkIntQuery(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		clerkParamInvalid(w, r, name, fmt.Sprintf("%s must be an integer between %d and %d", name, lo, hi))
		return 0, false
	}
	return n, true
}

// clerkBoolQuery reads a boolean query parameter; empty means false.
func clerkBoolQuery(w http.ResponseWriter, r *http.Request, name string) (bool, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, true
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		clerkParamInvalid(w, r, name, name+" must be true or false")
		return false, false
	}
	return b, true
}

// clerkCanonicalJSON re-encodes JSON with sorted keys and exact numbers, so two
// claim sets compare equal byte for byte when they are the same JSON.
func clerkCanonicalJSON(raw json.RawMessage) (json.RawMessage, any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, nil, err
	}
	out, err := json.Marshal(v)
	return out, v, err
}

// clerkStringsField reads an array of strings.
func clerkStringsField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) ([]string, bool) {
	raw, present := fields[name]
	if !present {
		return nil, true
	}
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil {
		clerkParamInvalid(w, r, name, name+" must be an array of strings")
		return nil, false
	}
	return v, true
}

// clerkOptionalString reads a string field as a pointer, nil when absent.
func clerkOptionalString(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (*string, bool) {
	v, present, ok := clerkStringField(w, r, fields, name)
	if !ok || !present {
		return nil, ok
	}
	return &v, true
}

// clerkBoolField reads a boolean field as a pointer, nil when absent.
func clerkBoolField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (*bool, bool) {
	raw, present := fields[name]
	if !present {
		return nil, true
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		clerkParamInvalid(w, r, name, name+" must be true or false")
		return nil, false
	}
	return &v, true
}

// clerkObjectField reads a JSON object field (metadata), kept as sent.
func clerkObjectField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	raw, present := fields[name]
	if !present {
		return nil, true
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		clerkParamInvalid(w, r, name, name+" must be an object")
		return nil, false
	}
	canonical, _, err := clerkCanonicalJSON(raw)
	if err != nil {
		clerkParamInvalid(w, r, name, name+" must be an object")
		return nil, false
	}
	return canonical, true
}

// clerkTimeField reads an RFC 3339 date-time field, such as created_at.
func clerkTimeField(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage, name string) (*time.Time, bool) {
	s, present, ok := clerkStringField(w, r, fields, name)
	if !ok || !present {
		return nil, ok
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		clerkErrorMeta(w, r, http.StatusUnprocessableEntity, "form_param_format_invalid", "is invalid",
			name+" must be a date-time in RFC3339 format, e.g. 2012-10-20T07:15:20.902Z", map[string]any{"param_name": name})
		return nil, false
	}
	return &t, true
}
