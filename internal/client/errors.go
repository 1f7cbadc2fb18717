package client

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// maxErrorBody bounds how much of a non-JSON error body reaches a message:
// enough to recognise a proxy's error page, not enough to flood a plan.
const maxErrorBody = 512

// APIError is a non-2xx answer from either service, decoded from Clerk's
// {"errors": [...]}, Stytch's {"error_type", ...} or the OAuth
// {"error", "error_description"} shape. Every text field is redacted.
type APIError struct {
	Service     string // "clerk" or "stytch"
	StatusCode  int
	Code        string // Clerk's errors[0].code, Stytch's error_type or OAuth's error
	Message     string
	LongMessage string
	// RequestID is Clerk's trace id or Stytch's request_id: what either
	// vendor's support asks for first, so Error always shows it.
	RequestID string
	Method    string
	Path      string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: %d", e.Service, e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	text := e.LongMessage
	if text == "" {
		text = e.Message
	}
	if text != "" {
		b.WriteString(": " + text)
	}
	label := "request_id"
	if e.Service == serviceClerk {
		label = "clerk_trace_id"
	}
	id := e.RequestID
	if id == "" {
		id = "none returned"
	}
	fmt.Fprintf(&b, " (%s: %s)", label, id)
	return Redact(b.String())
}

// AmbiguousError means a non-idempotent call (a create, an authorization, a
// code exchange) may or may not have taken effect: the request may have
// reached the server, but no answer came back (5xx, timeout, dropped
// connection, unreadable success body). It is not retried, since a retry
// could mint a second credential; the caller reconciles, e.g. by listing.
type AmbiguousError struct {
	Op  string
	Err error
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s: outcome unknown, the request may have been applied (not retried, to avoid a duplicate): %v", e.Op, e.Err)
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// MissingCredentialError is returned, before anything is sent, by a call
// that needs a credential the provider was not configured with.
type MissingCredentialError struct {
	Service   string
	Attribute string // provider attribute, e.g. "clerk.secret_key"
	EnvVar    string // environment variable that can supply it instead
}

func (e *MissingCredentialError) Error() string {
	return fmt.Sprintf("%s: missing credential: set %s in the provider configuration or the %s environment variable", e.Service, e.Attribute, e.EnvVar)
}

// IsAmbiguous reports whether err means a create may have happened.
func IsAmbiguous(err error) bool {
	var a *AmbiguousError
	return errors.As(err, &a)
}

// IsNotFound reports a 404. Only this status means a resource is gone:
// 401 and 403 mean the credential is wrong, not the resource.
func IsNotFound(err error) bool { return status(err) == http.StatusNotFound }

// IsUnauthorized reports a 401.
func IsUnauthorized(err error) bool { return status(err) == http.StatusUnauthorized }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return status(err) == http.StatusForbidden }

// IsRateLimited reports a 429.
func IsRateLimited(err error) bool { return status(err) == http.StatusTooManyRequests }

// IsServerError reports a 5xx.
func IsServerError(err error) bool {
	s := status(err)
	return s >= 500 && s <= 599
}

// ErrorCode returns the API's error code (e.g. "resource_not_found"), or ""
// if err is not an APIError.
func ErrorCode(err error) string {
	var a *APIError
	if errors.As(err, &a) {
		return a.Code
	}
	return ""
}

// status is the HTTP status of the APIError in err's chain, or 0.
func status(err error) int {
	var a *APIError
	if errors.As(err, &a) {
		return a.StatusCode
	}
	return 0
}

// errorBody is the union of the three error shapes; whichever fields are
// set say which one arrived.
type errorBody struct {
	Errors []struct {
		Message     string `json:"message"`
		LongMessage string `json:"long_message"`
		Code        string `json:"code"`
	} `json:"errors"`

	ErrorType    string `json:"error_type"`
	ErrorMessage string `json:"error_message"`

	OAuthError       string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// decodeAPIError builds the APIError for a non-2xx response. A body that is
// not one of the known shapes (a proxy's HTML page) is kept, truncated, as
// the message, so the user still sees what answered.
func decodeAPIError(service, method, path string, resp *http.Response, body []byte, r redactor) *APIError {
	e := &APIError{Service: service, StatusCode: resp.StatusCode, Method: method, Path: r.redact(path)}
	var eb errorBody
	decoded := json.Unmarshal(body, &eb) == nil
	switch {
	case decoded && len(eb.Errors) > 0:
		e.Code = eb.Errors[0].Code
		e.Message = eb.Errors[0].Message
		longs := make([]string, 0, len(eb.Errors))
		for _, item := range eb.Errors {
			if item.LongMessage != "" {
				longs = append(longs, item.LongMessage)
			}
		}
		e.LongMessage = strings.Join(longs, "; ")
	case decoded && eb.ErrorType != "":
		e.Code = eb.ErrorType
		e.Message = eb.ErrorMessage
	case decoded && eb.OAuthError != "":
		e.Code = eb.OAuthError
		e.Message = eb.ErrorDescription
	default:
		// Redact before truncating: a cut secret no longer matches its
		// literal value or, if short enough, its shape.
		e.Message = truncate(strings.TrimSpace(r.redact(string(body))), maxErrorBody)
	}
	e.Code = r.redact(e.Code)
	e.Message = r.redact(e.Message)
	e.LongMessage = r.redact(e.LongMessage)

	e.RequestID = r.redact(requestID(service, resp, body))
	return e
}

// requestID finds the id the vendor's support asks for first: Clerk's
// trace id, Stytch's request_id. Both may come in the body or a header;
// the body wins, since a proxy in between may set headers of its own.
func requestID(service string, resp *http.Response, body []byte) string {
	var b struct {
		ClerkTraceID string `json:"clerk_trace_id"`
		RequestID    string `json:"request_id"`
	}
	_ = json.Unmarshal(body, &b)
	if service == serviceClerk {
		return cmp.Or(b.ClerkTraceID, resp.Header.Get("Clerk-Trace-Id"))
	}
	return cmp.Or(b.RequestID, resp.Header.Get("X-Request-Id"))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "... (first " + strconv.Itoa(n) + " bytes)"
}
