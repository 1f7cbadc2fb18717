package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The probes send requests the provider never would (a wrong kind of key,
// a malformed body, a null field), so they speak HTTP themselves rather
// than through internal/client, which refuses some of them before sending
// and would hide the answer's details in an error.

// answer is what a service said: its status, its error code (Clerk's
// errors[0].code, Stytch's error_type, OAuth's error) and its body.
type answer struct {
	status int
	code   string
	body   map[string]any
}

// String is the answer as the report shows it, e.g. "400 bad_request".
func (a answer) String() string {
	if a.code == "" {
		return strconv.Itoa(a.status)
	}
	return fmt.Sprintf("%d %s", a.status, a.code)
}

func (a answer) ok() bool { return a.status >= 200 && a.status < 300 }

// str is a string field of the body, or of an object in it: str("m2m_client", "client_id").
func (a answer) str(path ...string) string {
	var v any = a.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// obj is an object field of the body.
func (a answer) obj(key string) map[string]any {
	m, _ := a.body[key].(map[string]any)
	return m
}

// answerOf is the answer an internal/client error carries, or 2xx for none.
func answerOf(err error) (answer, error) {
	if err == nil {
		return answer{status: http.StatusOK}, nil
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return answer{status: apiErr.StatusCode, code: apiErr.Code}, nil
	}
	return answer{}, err
}

// raw sends requests with the target's credentials.
type raw struct {
	env  Env
	http *http.Client
}

func newRaw(env Env) *raw { return &raw{env: env, http: cleanhttp.DefaultPooledClient()} }

// clerk sends method path (below the API's version) with key as the bearer
// token; body is JSON-encoded, or sent as is when a string.
func (r *raw) clerk(ctx context.Context, method, path, key string, body any) (answer, error) {
	base := strings.TrimSuffix(firstOf(r.env.ClerkAPIURL, client.DefaultClerkAPIURL), "/")
	return r.do(ctx, method, base+path, body, func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+key)
	})
}

// stytch sends method path as the project, unless edit authenticates
// otherwise.
func (r *raw) stytch(ctx context.Context, method, path string, body any, edit func(*http.Request)) (answer, error) {
	base := strings.TrimSuffix(firstOf(r.env.StytchBaseURL, client.DefaultStytchBaseURL(r.env.StytchProjectID)), "/")
	return r.do(ctx, method, base+path, body, func(req *http.Request) {
		req.SetBasicAuth(r.env.StytchProjectID, r.env.StytchSecret)
		if edit != nil {
			edit(req)
		}
	})
}

// do sends one request, again after each 429 for up to two minutes
// (waiting as Retry-After says, up to ten seconds at a time: the tests
// beside it share the instance's limit), and decodes the answer.
func (r *raw) do(ctx context.Context, method, url string, body any, auth func(*http.Request)) (answer, error) {
	var payload []byte
	switch b := body.(type) {
	case nil:
	case string:
		payload = []byte(b)
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			return answer{}, err
		}
	}
	giveUp := time.Now().Add(2 * time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
		if err != nil {
			return answer{}, err
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("User-Agent", "terraform-provider-machineauth-acctest")
		auth(req)
		resp, err := r.http.Do(req)
		if err != nil {
			return answer{}, err
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if err != nil {
			return answer{}, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && time.Now().Before(giveUp) {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(min(max(wait, 1), 10)) * time.Second):
				continue
			case <-ctx.Done():
				return answer{}, ctx.Err()
			}
		}
		a := answer{status: resp.StatusCode}
		_ = json.Unmarshal(b, &a.body)
		if errs, _ := a.body["errors"].([]any); len(errs) > 0 {
			first, _ := errs[0].(map[string]any)
			a.code, _ = first["code"].(string)
		}
		if a.code == "" {
			a.code, _ = a.body["error_type"].(string)
		}
		if a.code == "" {
			a.code, _ = a.body["error"].(string)
		}
		return a, nil
	}
}
