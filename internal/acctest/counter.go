package acctest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Counter counts the requests a provider sends through a counting proxy:
// a live-capable test's view of the provider's calls, which against real
// services no counter of theirs can give.
type Counter struct {
	mu    sync.Mutex
	calls []string // "METHOD /path STATUS", the path relative to the service's base
}

// Calls is how many requests with method went to a path that pattern
// matches in full, such as `/m2m_tokens/[^/]+/revoke`, leaving out those
// throttled with 429: the client sends them again, and the service did
// nothing with them, as a call budget counts.
func (c *Counter) Calls(method, pattern string) int {
	return c.Count(method, pattern, 0) - c.Count(method, pattern, http.StatusTooManyRequests)
}

// Count is how many requests with method to pattern were answered with
// status (0 for any).
func (c *Counter) Count(method, pattern string, status int) int {
	re := regexp.MustCompile(`^` + pattern + `$`)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, call := range c.calls {
		f := strings.Fields(call)
		if f[0] == method && re.MatchString(f[1]) && (status == 0 || f[2] == strconv.Itoa(status)) {
			n++
		}
	}
	return n
}

// Total is how many requests went through.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// CountingURLs starts a proxy that forwards to the target's services and
// counts what passes, and returns the base URLs to configure the provider
// with: Clerk's under /clerk, Stytch's at the root. It runs on loopback,
// where the provider accepts plain http, until the test ends.
func (tg *Target) CountingURLs(t testing.TB) (clerkAPIURL, stytchBaseURL string, c *Counter) {
	t.Helper()
	clerkBase, err := url.Parse(firstOf(tg.Env.ClerkAPIURL, client.DefaultClerkAPIURL))
	if err != nil {
		t.Fatal(err)
	}
	stytchBase, err := url.Parse(firstOf(tg.Env.StytchBaseURL, client.DefaultStytchBaseURL(tg.Env.StytchProjectID)))
	if err != nil {
		t.Fatal(err)
	}
	c = &Counter{}
	forward := func(base *url.URL, strip string) *httputil.ReverseProxy {
		return &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, strip)
				r.Out.URL.RawPath = ""
				r.SetURL(base)
				r.Out.Host = base.Host
			},
			ModifyResponse: func(resp *http.Response) error {
				c.add(resp.Request.Method, strings.TrimPrefix(resp.Request.URL.Path, strings.TrimSuffix(base.Path, "/")), resp.StatusCode)
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				c.add(r.Method, strings.TrimPrefix(r.URL.Path, strip), http.StatusBadGateway)
				w.WriteHeader(http.StatusBadGateway)
			},
		}
	}
	toClerk, toStytch := forward(clerkBase, "/clerk"), forward(stytchBase, "")
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/clerk/") {
			toClerk.ServeHTTP(w, r)
			return
		}
		toStytch.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL + "/clerk", proxy.URL, c
}

func (c *Counter) add(method, path string, status int) {
	c.mu.Lock()
	c.calls = append(c.calls, method+" "+path+" "+strconv.Itoa(status))
	c.mu.Unlock()
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
