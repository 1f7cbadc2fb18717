package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// oauthAppProxy stands between the provider and the emulator: it answers
// the reads of an application with readStatus instead of the emulator's
// answer when set, and, with goneOnDelete, lets a delete through but
// answers it 404, as when someone deleted the application between the
// refresh and the destroy.
type oauthAppProxy struct {
	*httptest.Server
	readStatus   atomic.Int32
	goneOnDelete atomic.Bool
}

func newOAuthAppProxy(t *testing.T, srv *emulator.Server) *oauthAppProxy {
	t.Helper()
	target, _ := url.Parse(srv.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &oauthAppProxy{}
	codes := map[int32]string{http.StatusUnauthorized: "clerk_key_invalid", http.StatusForbidden: "authorization_invalid", http.StatusInternalServerError: "internal_clerk_error"}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		single := strings.Contains(r.URL.Path, "/oauth_applications/oa_")
		status := p.readStatus.Load()
		switch {
		case r.Method == http.MethodGet && single && status != 0:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(status))
			_, _ = fmt.Fprintf(w, `{"errors":[{"message":"refused","long_message":"refused by the test","code":%q}],"clerk_trace_id":"trace_test"}`, codes[status])
		case r.Method == http.MethodDelete && single && p.goneOnDelete.Load():
			rp.ServeHTTP(httptest.NewRecorder(), r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"message":"not found","long_message":"not found","code":"resource_not_found"}],"clerk_trace_id":"trace_test"}`))
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

// An application deleted outside Terraform is removed from state with a
// warning naming it and made anew; a refresh refused with 401, 403 or a
// 5xx is an error that leaves it in state; a destroy that finds it gone
// succeeds.
func TestAccOAuthApplication_drift(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := newOAuthAppProxy(t, srv)
	rec := &warningRecorder{}
	proxied := strings.Replace(oauthAppConfig(srv, "tf-acc-drift", "  "+oauthAppRedirects, ""), srv.Info().ClerkAPIURL, p.URL+"/clerk/v1", 1)
	var id, recreated string
	refused := func(status int32, want string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   func() { p.readStatus.Store(status) },
			Config:      proxied,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: func(s *terraform.State) error {
			if apps := srv.OAuthApplications(); len(apps) != 0 {
				return fmt.Errorf("applications left after destroy: %+v", apps)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: proxied, Check: captureID(oauthAppAddr, &id)},
			refused(http.StatusUnauthorized, `(?s)Unable to read OAuth application.*401.*clerk_key_invalid`),
			refused(http.StatusForbidden, `(?s)Unable to read OAuth application.*403.*authorization_invalid`),
			refused(http.StatusInternalServerError, `(?s)Unable to read OAuth application.*500`),
			{
				// None of them lost the application.
				PreConfig: func() { p.readStatus.Store(0) },
				Config:    proxied,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionNoop),
				}},
				Check: resource.TestCheckResourceAttrPtr(oauthAppAddr, "id", &id),
			},
			{
				PreConfig: func() {
					if err := adminClient(t, srv).DeleteOAuthApplication(t.Context(), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: proxied,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(oauthAppAddr, &recreated),
					expectWarning(rec, str(`OAuth application "tf-acc-drift"`), &id, str("is gone: removing it from state"), str("deleted outside Terraform")),
					expectOAuthSecret(srv, oauthAppAddr),
					func(*terraform.State) error {
						if recreated == id {
							return fmt.Errorf("the application was not made anew")
						}
						return nil
					},
				),
			},
			{
				// Deleted by someone else during the destroy: success.
				PreConfig: func() { p.goneOnDelete.Store(true) },
				Config:    proxied,
				Destroy:   true,
			},
		},
	})
}
