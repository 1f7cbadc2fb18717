package conformance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const (
	// referenceDirEnv points the test at the API descriptions when they
	// are not at the default place.
	referenceDirEnv = "MACHINEAUTH_REFERENCE_DIR"
	// defaultReferenceDir is ../shared/reference from the repository root,
	// written from this package's directory, where go test runs.
	defaultReferenceDir = "../../../shared/reference"

	// clerkSpecFile is Clerk's own description: authoritative for Clerk.
	clerkSpecFile = "clerk-bapi-2026-05-12.yml"
	// The Stytch descriptions are third-party (api-evangelist/stytch). The
	// B2B one holds the Connected Apps endpoints the provider is built on;
	// the consumer one holds the connected app clients, users and the
	// consumer revoke, which the emulator also serves. Neither holds the
	// OAuth token and introspection endpoints (see undescribedRoutes).
	stytchB2BSpecFile      = "stytch-b2b-openapi.yml"
	stytchConsumerSpecFile = "stytch-consumer-openapi.yml"
)

// description is one loaded API description with a router whose servers are
// the emulator's URLs instead of the vendor's.
type description struct {
	name    string // "clerk", "stytch-b2b" or "stytch-consumer"
	service string // "clerk" or "stytch": which error shape applies
	doc     *openapi3.T
	router  routers.Router
}

// referenceDir finds the folder holding the descriptions. It skips the test
// only when the default folder is absent, as on a checkout without the
// shared reference data; an explicitly configured folder must exist.
func referenceDir(t *testing.T) string {
	t.Helper()
	dir, explicit := os.LookupEnv(referenceDirEnv)
	if !explicit {
		dir = defaultReferenceDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("resolving reference folder %q: %v", dir, err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		if explicit {
			t.Fatalf("%s=%s: no such folder", referenceDirEnv, dir)
		}
		t.Skipf("API descriptions not found: looked for %s (../shared/reference beside the repository; set %s to use another folder). CI has them, so there this test always runs.", abs, referenceDirEnv)
	}
	return abs
}

// loadDescriptions loads and strictly validates the three descriptions in
// parallel (each takes a few hundred milliseconds to parse) and routes each
// to the emulator: Clerk's server https://api.clerk.com/v1 becomes the
// emulator's /clerk/v1 and also /clerk (the JS SDK's form without /v1, which
// the emulator serves too); Stytch's servers become the emulator's origin,
// since Stytch's paths are absolute.
func loadDescriptions(ctx context.Context, dir string, clerkURLs []string, stytchURL string) ([]*description, error) {
	specs := []struct {
		name, service, file string
		servers             []string
	}{
		{"clerk", "clerk", clerkSpecFile, clerkURLs},
		{"stytch-b2b", "stytch", stytchB2BSpecFile, []string{stytchURL}},
		{"stytch-consumer", "stytch", stytchConsumerSpecFile, []string{stytchURL}},
	}
	out := make([]*description, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		wg.Go(func() {
			out[i], errs[i] = loadDescription(ctx, filepath.Join(dir, s.file), s.servers)
			if out[i] != nil {
				out[i].name, out[i].service = s.name, s.service
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func loadDescription(ctx context.Context, path string, servers []string) (*description, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	// Strict validation, examples included: all three descriptions pass it,
	// so a failure means the reference data changed and needs a look
	// rather than a quietly relaxed check.
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validating %s: %w", path, err)
	}
	doc.Servers = nil
	for _, u := range servers {
		doc.Servers = append(doc.Servers, &openapi3.Server{URL: u})
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing %s: %w", path, err)
	}
	return &description{doc: doc, router: router}, nil
}
