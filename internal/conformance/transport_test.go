package conformance

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Phases of an exchange a finding can belong to.
const (
	phaseRequest  = "request"
	phaseResponse = "response"
)

// finding is one way an exchange differs from its description: where (a
// parameter, "body/<json pointer>" or "status") and what.
type finding struct {
	where, what string
}

// exchange is one validated request and its answer, as the test records it.
type exchange struct {
	op     string // "<description> <operationId>", or "undescribed <route>"
	route  string // "METHOD /path/{template}"; empty when undescribed
	status int
}

// validator is an http.RoundTripper that checks every request against the
// descriptions before sending it and every response after. It reports
// findings on the test that owns it, so a failure shows in the subtest (and
// so under the name of the operation) that caused it.
type validator struct {
	next   http.RoundTripper
	descs  []*description
	allow  *allowList
	record func(exchange)
	t      *testing.T

	mu        sync.Mutex
	exchanges []exchange
}

var (
	requestOptions = &openapi3filter.Options{
		// The emulator's auth rules are tested in its own package; here a
		// request is judged on its shape alone.
		AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
		MultiError:                        true,
		RejectWhenRequestBodyNotSpecified: true,
		// Defaults would be written into the request being validated.
		SkipSettingDefaults: true,
	}
	responseOptions = &openapi3filter.Options{
		MultiError: true,
		// A status the description does not list is a finding, not a pass.
		IncludeResponseStatus: true,
	}
)

// expectKey carries, in a request's context, where the test deliberately
// breaks the description so that the error answer can be validated too.
type expectKey struct{}

// withInvalidRequest marks requests made with ctx as expected to break the
// description at where (e.g. "query subject"). The break must be found.
func withInvalidRequest(ctx context.Context, where string) context.Context {
	return context.WithValue(ctx, expectKey{}, where)
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	// A RoundTripper must not change the caller's request, so the request
	// sent and the one validated are both copies with their own body.
	send := req.Clone(req.Context())
	send.Body = bodyOf(body, req.Body != nil)

	desc, route, params := v.find(req)
	if route == nil {
		return v.sendUndescribed(req, send)
	}
	op := desc.name + " " + route.Operation.OperationID
	checked := req.Clone(req.Context())
	checked.Body = bodyOf(body, req.Body != nil)
	in := &openapi3filter.RequestValidationInput{Request: checked, PathParams: params, Route: route, Options: requestOptions}
	reqFindings := flatten("", openapi3filter.ValidateRequest(req.Context(), in))
	reqFindings = append(reqFindings, undeclaredQuery(req, route)...)
	if route.Operation.RequestBody == nil && len(body) > 0 && req.ContentLength <= 0 {
		// kin-openapi looks for a body only through ContentLength, which
		// a client that sets the body after building the request (as
		// clerk-sdk-go does) leaves at 0: the body is sent all the same.
		reqFindings = append(reqFindings, finding{"body", "request body not allowed for this request"})
	}

	resp, err := v.next.RoundTrip(send)
	if err != nil {
		v.t.Errorf("%s: %v", op, err)
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                responseOptions,
	}
	out.SetBodyBytes(respBody)
	respFindings := flatten("", openapi3filter.ValidateResponse(req.Context(), out))
	if resp.StatusCode >= 400 && documentedSchema(route, resp.StatusCode) == nil {
		// The description lists no schema for this error (Stytch's only
		// give examples) or not the status at all: the body must still
		// have the service's error shape.
		respFindings = append(respFindings, errorShape(desc, respBody)...)
	}

	v.judge(req.Context(), op, resp.StatusCode, reqFindings, respFindings)
	v.note(exchange{op: op, route: route.Method + " " + route.Path, status: resp.StatusCode})
	return resp, nil
}

// sendUndescribed forwards a request to an endpoint no description
// contains. Only the endpoints listed in undescribedRoutes may be called;
// anything else is a path the emulator (or the client) made up.
func (v *validator) sendUndescribed(req, send *http.Request) (*http.Response, error) {
	route := undescribedRoute(req)
	if route == "" {
		v.t.Errorf("%s %s: no operation in any description matches, and it is not a known undescribed endpoint", req.Method, req.URL.Path)
	}
	resp, err := v.next.RoundTrip(send)
	if err == nil {
		v.note(exchange{op: "undescribed " + route, status: resp.StatusCode})
	}
	return resp, err
}

func bodyOf(b []byte, had bool) io.ReadCloser {
	if !had {
		return nil
	}
	return io.NopCloser(bytes.NewReader(b))
}

// find routes a request to the first description that contains it.
func (v *validator) find(req *http.Request) (*description, *routers.Route, map[string]string) {
	for _, d := range v.descs {
		route, params, err := d.router.FindRoute(req)
		if err == nil {
			return d, route, params
		}
	}
	return nil, nil, nil
}

// judge reports every finding that is neither allow-listed nor the break
// the test asked for.
func (v *validator) judge(ctx context.Context, op string, status int, reqFindings, respFindings []finding) {
	v.t.Helper()
	expected, _ := ctx.Value(expectKey{}).(string)
	found := false
	for _, f := range reqFindings {
		if expected != "" && f.where == expected {
			found = true
			continue
		}
		if !v.allow.covers(op, phaseRequest, 0, f.where) {
			v.t.Errorf("%s: request breaks the description at %s: %s", op, f.where, f.what)
		}
	}
	if expected != "" && !found {
		v.t.Errorf("%s: request was meant to break the description at %s but did not", op, expected)
	}
	for _, f := range respFindings {
		if !v.allow.covers(op, phaseResponse, status, f.where) {
			v.t.Errorf("%s: %d response breaks the description at %s: %s", op, status, f.where, f.what)
		}
	}
}

func (v *validator) note(e exchange) {
	v.mu.Lock()
	v.exchanges = append(v.exchanges, e)
	v.mu.Unlock()
	v.record(e)
}

// saw reports whether op was answered with status through this validator.
func (v *validator) saw(op string, status int) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.ContainsFunc(v.exchanges, func(e exchange) bool { return e.op == op && e.status == status })
}

// undeclaredQuery finds query parameters the operation does not declare:
// kin-openapi lets them through, but a server may refuse or ignore them.
func undeclaredQuery(req *http.Request, route *routers.Route) []finding {
	var out []finding
	for name := range req.URL.Query() {
		declared := route.Operation.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) != nil ||
			route.PathItem.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) != nil
		if !declared {
			out = append(out, finding{"query " + name, "not a parameter of this operation"})
		}
	}
	return out
}

// documentedSchema is the JSON schema the description gives for status, or
// nil when it gives none or does not list the status.
func documentedSchema(route *routers.Route, status int) *openapi3.Schema {
	ref := route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// errorShape checks an error body against the service's error schema:
// Clerk's ClerkErrors from its own description, and for Stytch the shape
// its documentation gives, which the descriptions only show as examples.
func errorShape(desc *description, body []byte) []finding {
	schema := stytchErrorSchema
	if desc.service == "clerk" {
		schema = desc.doc.Components.Schemas["ClerkErrors"].Value
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return []finding{{"body", "error body is not JSON: " + err.Error()}}
	}
	return flatten("", schema.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse()))
}

// stytchErrorSchema is Stytch's documented error body: status_code,
// request_id, error_type, error_message and error_url.
var stytchErrorSchema = func() *openapi3.Schema {
	s := openapi3.NewObjectSchema().
		WithProperty("status_code", openapi3.NewIntegerSchema()).
		WithProperty("request_id", openapi3.NewStringSchema().WithPattern(`^request-id-test-[0-9a-f-]{36}$`)).
		WithProperty("error_type", openapi3.NewStringSchema().WithMinLength(1)).
		WithProperty("error_message", openapi3.NewStringSchema().WithMinLength(1)).
		WithProperty("error_url", openapi3.NewStringSchema().WithPattern(`^https://stytch\.com/docs/`))
	s.Required = []string{"status_code", "request_id", "error_type", "error_message", "error_url"}
	return s
}()

// arrayIndex matches a JSON pointer segment that indexes an array, so that
// findings in any element of a list read the same.
var arrayIndex = regexp.MustCompile(`^[0-9]+$`)

// flatten turns kin-openapi's nested errors into findings.
func flatten(where string, err error) []finding {
	// Each node of kin-openapi's error tree is matched by its own type and
	// its children walked explicitly, so errors.As would skip levels.
	switch e := err.(type) { //nolint:errorlint // see above: a walk, not a test for a wrapped error
	case nil:
		return nil
	case openapi3.MultiError:
		var out []finding
		for _, inner := range e {
			out = append(out, flatten(where, inner)...)
		}
		return out
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			where = e.Parameter.In + " " + e.Parameter.Name
		case e.RequestBody != nil, e.Err != nil && e.Err.Error() == "request body not allowed for this request":
			where = "body"
		}
		if e.Err == nil {
			return []finding{{where, e.Reason}}
		}
		return flatten(where, e.Err)
	case *openapi3filter.ResponseError:
		switch {
		case e.Reason == "status is not supported":
			return []finding{{"status", "not a documented status of this operation"}}
		case strings.HasPrefix(e.Reason, "response body doesn't match"):
			return flatten("body", e.Err)
		}
		return []finding{{cmp.Or(where, "response"), e.Error()}}
	case *openapi3.SchemaError:
		segs := e.JSONPointer()
		for i, s := range segs {
			if arrayIndex.MatchString(s) {
				segs[i] = "*"
			}
		}
		at := strings.Join(append([]string{cmp.Or(where, "body")}, segs...), "/")
		return []finding{{at, fmt.Sprintf("%s (schema keyword %q)", e.Reason, e.SchemaField)}}
	}
	return []finding{{cmp.Or(where, "exchange"), err.Error()}}
}
