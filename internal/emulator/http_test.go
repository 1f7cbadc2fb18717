package emulator

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A request whose body is slow to arrive must not hold the state lock: the
// wrapper reads the body before it locks. Expect: 100-continue makes the
// server say when it starts reading the body, so the test knows the first
// request is past its headers without waiting on a clock.
func TestSlowBodyDoesNotHoldTheStateLock(t *testing.T) {
	h := newStytchHarness(t, Options{NoFixture: true})
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.info.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"organization_name":"slow","organization_slug":"slow-org"}`
	req, err := http.NewRequest("POST", h.info.URL+"/v1/b2b/organizations", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(h.info.StytchProjectID, h.info.StytchSecret)
	if _, err := fmt.Fprintf(conn, "POST /v1/b2b/organizations HTTP/1.1\r\nHost: emulator\r\nAuthorization: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		req.Header.Get("Authorization"), len(body)); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue, got %q (%v)", line, err)
	}
	if _, err := rd.ReadString('\n'); err != nil { // the blank line ending the interim response
		t.Fatal(err)
	}

	// The bound only turns a deadlock into a failure; it is not a timing.
	client := &http.Client{Timeout: 30 * time.Second}
	other, err := http.NewRequest("POST", h.info.URL+"/v1/b2b/organizations",
		strings.NewReader(`{"organization_name":"other","organization_slug":"other-org"}`))
	if err != nil {
		t.Fatal(err)
	}
	other.SetBasicAuth(h.info.StytchProjectID, h.info.StytchSecret)
	other.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(other)
	if err != nil {
		t.Fatalf("a request blocked behind another's unsent body: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("other request: status %d", resp.StatusCode)
	}

	if _, err := fmt.Fprint(conn, body); err != nil {
		t.Fatal(err)
	}
	slow, err := http.ReadResponse(rd, req)
	if err != nil {
		t.Fatal(err)
	}
	_ = slow.Body.Close()
	if slow.StatusCode != http.StatusOK {
		t.Fatalf("slow request: status %d", slow.StatusCode)
	}
	if n := h.srv.Stats().Count("POST", "/v1/b2b/organizations", http.StatusOK); n != 2 {
		t.Fatalf("organizations created: %d, want 2", n)
	}
}

// With NoControl the emulator's own routes answer 404, as any path Clerk
// and Stytch do not serve, while the services' routes answer as ever.
func TestNoControlAnswersItsOwnRoutesWith404(t *testing.T) {
	for _, noControl := range []bool{false, true} {
		srv := startClerkEmulator(t, Options{NoControl: noControl})
		for _, rt := range []struct{ method, path, body string }{
			{"GET", "/__emulator/stats", ""},
			{"GET", "/__emulator/assumptions", ""},
			{"POST", "/__emulator/clock", `{"advance_seconds": 60}`},
			{"POST", "/__emulator/clerk/oauth/authorize", `{}`},
		} {
			req, err := http.NewRequest(rt.method, srv.URL()+rt.path, strings.NewReader(rt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			want := http.StatusOK
			if rt.path == "/__emulator/clerk/oauth/authorize" {
				want = http.StatusBadRequest // no client_id: refused, but there
			}
			if noControl {
				want = http.StatusNotFound
			}
			if resp.StatusCode != want {
				t.Errorf("NoControl %v: %s %s answered %d, want %d", noControl, rt.method, rt.path, resp.StatusCode, want)
			}
		}
		info := srv.Info()
		res := clerkCall(t, info.ClerkAPIURL, "GET", "/machines", info.ClerkSecretKey, nil)
		if res.status != http.StatusOK {
			t.Errorf("NoControl %v: GET /machines answered %d, want 200", noControl, res.status)
		}
	}
}
