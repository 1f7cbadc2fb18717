// Command machineauth-emulator serves the in-memory Clerk and Stytch emulator
// until SIGINT or SIGTERM. When ready it prints one JSON line with its URLs,
// credentials and fixture ids, so scripts can read it with jq.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	faults := flag.String("faults", "", `fault spec, e.g. "429=0.1,500=0.05,drop_after_commit=0.02,latency=5ms"`)
	rateLimit := flag.String("rate-limit", "", `Clerk's request limit per instance (sliding window), answered with 429 + Retry-After, e.g. "100/10s"`)
	stytchRateLimit := flag.String("stytch-rate-limit", "", `Stytch's request limit per endpoint (fixed windows), answered with 429 + Retry-After, e.g. "20/1s"`)
	seed := flag.Int64("seed", 1, "seed for the fault draws")
	fixture := flag.Bool("fixture", true, "seed a machine pair, an organization with a member and a connected app")
	latency := flag.Duration("latency", 0, "latency added to every API request, e.g. 50ms")
	control := flag.Bool("control", true, "serve the emulator's own routes (/__emulator/stats, /assumptions, /clock); with -control=false they answer 404, so the emulator offers nothing the real services do not")
	envFile := flag.String("env-file", "", "also write the URLs, credentials and fixture ids as KEY=value lines to this file, for shell scripts to source")
	assume := &assumeFlag{set: map[string]string{}}
	flag.Var(assume, "assume", "answer as `NAME=ALTERNATIVE` where Clerk's or Stytch's reference leaves room (repeatable); \"-assume list\" prints every switch with its default and alternatives")
	flag.Parse()
	if assume.list {
		if err := listSwitches(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}

	srv, err := emulator.Start(emulator.Options{
		Listen:          *listen,
		Faults:          *faults,
		RateLimit:       *rateLimit,
		StytchRateLimit: *stytchRateLimit,
		Seed:            *seed,
		NoFixture:       !*fixture,
		Latency:         *latency,
		Assume:          assume.set,
		NoControl:       !*control,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	line, err := json.Marshal(srv.Info())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(envLines(srv.Info())), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	fmt.Println(string(line))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	// What was asked of it, on stderr: how many requests a run against it
	// sends, which its control routes, when off, cannot say.
	fmt.Fprintln(os.Stderr, servedLine(srv.Stats()))
	done := make(chan struct{})
	go func() { _ = srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// servedLine says how many requests the emulator answered, per service.
func servedLine(st emulator.Stats) string {
	clerk, stytch := 0, 0
	for route, n := range st.Requests {
		if _, path, _ := strings.Cut(route, " "); strings.HasPrefix(path, "/clerk/") {
			clerk += n
		} else {
			stytch += n
		}
	}
	return fmt.Sprintf("machineauth-emulator: served %d requests (Clerk %d, Stytch %d), %d of them answered 429", st.TotalRequests, clerk, stytch, st.Faults["rate_limited"]+st.Faults["429"])
}

// envLines renders info as the environment the provider reads, plus the
// fixture ids, so a shell script needs no JSON parser. Values are quoted for
// POSIX shells; none of them contains a quote.
func envLines(info emulator.Info) string {
	vars := [][2]string{
		{"MACHINEAUTH_EMULATOR_URL", info.URL},
		{"CLERK_API_URL", info.ClerkAPIURL},
		{"CLERK_SECRET_KEY", info.ClerkSecretKey},
		// Where OAuth applications' users authorize and their tokens come from.
		{"MACHINEAUTH_CLERK_FRONTEND_API_URL", info.ClerkFrontendAPIURL},
		{"STYTCH_BASE_URL", info.StytchBaseURL},
		{"STYTCH_PROJECT_ID", info.StytchProjectID},
		{"STYTCH_SECRET", info.StytchSecret},
	}
	if fx := info.Fixture; fx != nil {
		vars = append(vars,
			[2]string{"CLERK_MACHINE_SECRET_KEY", fx.ClerkMachineSecretKey},
			[2]string{"MACHINEAUTH_FIXTURE_CLERK_MACHINE_ID", fx.ClerkMachineID},
			[2]string{"MACHINEAUTH_FIXTURE_CLERK_SCOPED_MACHINE_ID", fx.ClerkScopedMachineID},
			[2]string{"MACHINEAUTH_FIXTURE_CLERK_USER_ID", fx.ClerkUserID},
			[2]string{"MACHINEAUTH_FIXTURE_CLERK_ORGANIZATION_ID", fx.ClerkOrganizationID},
			[2]string{"MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID", fx.StytchOrganizationID},
			[2]string{"MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID", fx.StytchMemberID},
			[2]string{"MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID", fx.StytchConnectedAppID},
			[2]string{"MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET", fx.StytchConnectedAppClientSecret},
			[2]string{"MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI", fx.StytchRedirectURI},
		)
	}
	var b strings.Builder
	for _, kv := range vars {
		fmt.Fprintf(&b, "%s='%s'\n", kv[0], kv[1])
	}
	return b.String()
}

// assumeFlag collects -assume NAME=ALTERNATIVE pairs; "list" asks for the
// switches instead. Start checks the names and alternatives.
type assumeFlag struct {
	set  map[string]string
	list bool
}

func (f *assumeFlag) String() string { return "" }

func (f *assumeFlag) Set(v string) error {
	if v == "list" {
		f.list = true
		return nil
	}
	name, alt, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=ALTERNATIVE, or list")
	}
	if prev, dup := f.set[name]; dup && prev != alt {
		return fmt.Errorf("%s given twice, as %s and %s", name, prev, alt)
	}
	f.set[name] = alt
	return nil
}

// listSwitches prints one line per switch: its name, its default and its
// alternatives. The tabwriter holds every line until Flush, which reports
// a failed write.
func listSwitches() error {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, a := range emulator.Switches() {
		var alts []string
		for _, c := range a.Alternatives {
			alts = append(alts, c.Name)
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\n", a.Name, a.Default.Name, strings.Join(alts, " "))
	}
	return w.Flush()
}
