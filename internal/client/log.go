package client

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxLoggedBody keeps trace logs of large answers (a page of tokens)
// readable; the head is what tells a bug apart.
const maxLoggedBody = 16 << 10

var shapeRegexes = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(secretShapes))
	for i, s := range secretShapes {
		out[i] = s.re
	}
	return out
}()

// maskLogs makes tflog mask the call's secrets in everything logged with
// ctx. The client redacts what it logs itself already; this second layer
// also covers fields added later or by code that did not think of it.
func maskLogs(ctx context.Context, r redactor) context.Context {
	ctx = tflog.MaskAllFieldValuesStrings(ctx, r...)
	ctx = tflog.MaskMessageStrings(ctx, r...)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, shapeRegexes...)
	return tflog.MaskMessageRegexes(ctx, shapeRegexes...)
}

// logAttempt logs one attempt at Debug and, at Trace, both bodies with
// every secret masked. Headers are never logged: they carry credentials.
func (c *Client) logAttempt(ctx context.Context, cl *call, n int, elapsed time.Duration, resp *http.Response, body []byte, err error, red redactor) {
	if !tflog.IsDebug(ctx) {
		// tflog masks the fields before it checks the level: return
		// before paying for that, and for building them.
		return
	}
	fields := map[string]any{
		"service":     cl.service,
		"method":      cl.method,
		"path":        cl.route,
		"attempt":     n,
		"duration_ms": elapsed.Milliseconds(),
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
		if id := requestID(cl.service, resp, body); id != "" {
			fields["request_id"] = red.redact(id)
		}
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	tflog.Debug(ctx, "machineauth API request", fields)

	if !tflog.IsTrace(ctx) {
		return
	}
	respType := ""
	if resp != nil {
		respType = resp.Header.Get("Content-Type")
	}
	// An answer's own secrets (a new token, an authorization code) are
	// masked wherever they appear, e.g. the code inside redirect_uri.
	all := newRedactor(slices.Concat([]string(red), bodySecrets(respType, body))...)
	tflog.Trace(ctx, "machineauth API request bodies", map[string]any{
		"service":       cl.service,
		"method":        cl.method,
		"path":          cl.route,
		"attempt":       n,
		"request_body":  truncate(all.redact(string(cl.body)), maxLoggedBody),
		"response_body": truncate(all.redact(string(body)), maxLoggedBody),
	})
}
