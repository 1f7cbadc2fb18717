package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Target is one test's view of the services: the credentials the provider
// is configured with, the fixture it may use, and a client of the public
// APIs to arrange and observe what Terraform cannot. Every live-capable
// test gets one from New, and nothing else of the services.
type Target struct {
	// Live is true against the environment's services.
	Live bool
	// Env is the services and the fixture ids they were given.
	Env Env
	// Fixture is what the test may use: the environment's Clerk user and
	// organization and Stytch objects, and a machine pair of its own.
	Fixture Fixture
	// Client talks to both services with every credential of Env.
	Client *client.Client

	run string // the test's own prefix: Prefix, the service's time, a random part
	// clock moves the emulator's clock in emulator mode, the one use of its
	// Go API here, standing for time passing (see Wait). The emulator
	// itself is never handed out.
	clock interface{ Advance(time.Duration) }
	// reserved is the sleeping a live test has reserved (see ReserveWait).
	reserved time.Duration

	mu       sync.Mutex
	machines []string // made for this test, deleted at its end
}

// Fixture mirrors the emulator's fixture: the machine pair is made for each
// test through the public API (named with its prefix, deleted at its end),
// the rest comes from the environment, or in emulator mode from the
// emulator's own fixture.
type Fixture struct {
	// ClerkMachineID and ClerkMachineSecretKey are a machine made for the
	// test, which may call ClerkScopedMachineID: the provider's
	// machine_secret_key is this key, so every token a test issues is one
	// of its own machine's.
	ClerkMachineID        string
	ClerkMachineSecretKey string
	ClerkScopedMachineID  string

	ClerkUserID                    string
	ClerkOrganizationID            string
	StytchOrganizationID           string
	StytchMemberID                 string
	StytchConnectedAppID           string
	StytchConnectedAppClientSecret string
	StytchRedirectURI              string
}

// New gives t its target: in live mode the environment's services (it
// fails naming every missing variable), otherwise an emulator of its own
// with its control routes off, reached over HTTP only. Either way it makes
// the test's machine pair, and deletes it (revoking what it issued) when
// the test ends.
func New(t testing.TB) *Target {
	t.Helper()
	return newTarget(t, Live(), emulator.Options{NoControl: true})
}

// newTarget is New, in emulator mode against an emulator started with
// opts: the probes' own test switches its assumptions.
func newTarget(t testing.TB, live bool, opts emulator.Options) *Target {
	t.Helper()
	tg := &Target{Live: live}
	if tg.Live {
		env, err := liveEnv()
		if err != nil {
			t.Fatal(err)
		}
		tg.Env = env
	} else {
		srv, err := emulator.Start(opts)
		if err != nil {
			t.Fatalf("starting an emulator without its control routes: %v", err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		tg.Env = envOfEmulator(srv.Info())
		tg.clock = srv
	}
	c, err := NewClient(tg.Env)
	if err != nil {
		t.Fatal(err)
	}
	tg.Client = c
	tg.Fixture = Fixture{
		ClerkUserID:                    tg.Env.ClerkUserID,
		ClerkOrganizationID:            tg.Env.ClerkOrganizationID,
		StytchOrganizationID:           tg.Env.StytchOrganizationID,
		StytchMemberID:                 tg.Env.StytchMemberID,
		StytchConnectedAppID:           tg.Env.StytchConnectedAppID,
		StytchConnectedAppClientSecret: tg.Env.StytchConnectedAppClientSecret,
		StytchRedirectURI:              tg.Env.StytchRedirectURI,
	}
	ctx := context.Background()
	// One cheap request first: the prefix carries the service's time, by
	// which the sweepers judge the age of what has no creation time.
	if _, err := c.ListMachines(ctx, client.ListMachinesRequest{Limit: 1}); err != nil {
		t.Fatalf("reaching Clerk: %v", err)
	}
	now, _ := c.ClerkNow()
	tg.run = RunPrefix(now)
	t.Cleanup(func() { tg.deleteMachines(t) })
	scoped, _ := tg.CreateMachine(t, "scoped-service", nil)
	id, key := tg.CreateMachine(t, "service", []string{scoped})
	tg.Fixture.ClerkMachineID, tg.Fixture.ClerkMachineSecretKey, tg.Fixture.ClerkScopedMachineID = id, key, scoped
	countTarget(t)
	return tg
}

// providerVars are the variables the provider itself reads its
// credentials from when its configuration leaves them out.
var providerVars = []string{"CLERK_API_URL", "CLERK_SECRET_KEY", "CLERK_MACHINE_SECRET_KEY", "STYTCH_BASE_URL", "STYTCH_PROJECT_ID", "STYTCH_SECRET"}

var live struct {
	once sync.Once
	env  Env
	err  error
}

// liveEnv reads the environment once, then takes the provider's own
// variables out of it: the provider runs in the test process, and would
// otherwise fall back on them where a test leaves a setting out on
// purpose, which against the emulator it never does. A test wants them
// set says so with t.Setenv (see Environ).
func liveEnv() (Env, error) {
	live.once.Do(func() {
		live.env, live.err = EnvFromEnviron()
		for _, v := range providerVars {
			_ = os.Unsetenv(v)
		}
	})
	return live.env, live.err
}

// NewClient is a public-API client with every credential of env, paced
// and retried like the provider's.
func NewClient(env Env) (*client.Client, error) {
	return client.New(client.Config{
		ClerkAPIURL:     env.ClerkAPIURL,
		ClerkSecretKey:  env.ClerkSecretKey,
		Secrets:         []string{env.ClerkMachineSecretKey, env.StytchConnectedAppClientSecret},
		StytchBaseURL:   env.StytchBaseURL,
		StytchProjectID: env.StytchProjectID,
		StytchSecret:    env.StytchSecret,
		Version:         "acctest",
		MaxRetryWait:    5 * time.Second,
	})
}

// envOfEmulator is what `machineauth-emulator -env-file` writes, read as a
// live run reads its environment.
func envOfEmulator(info emulator.Info) Env {
	fx := info.Fixture
	return Env{
		ClerkAPIURL:                    info.ClerkAPIURL,
		ClerkSecretKey:                 info.ClerkSecretKey,
		ClerkMachineSecretKey:          fx.ClerkMachineSecretKey,
		StytchBaseURL:                  info.StytchBaseURL,
		StytchProjectID:                info.StytchProjectID,
		StytchSecret:                   info.StytchSecret,
		ClerkUserID:                    fx.ClerkUserID,
		ClerkOrganizationID:            fx.ClerkOrganizationID,
		StytchOrganizationID:           fx.StytchOrganizationID,
		StytchMemberID:                 fx.StytchMemberID,
		StytchConnectedAppID:           fx.StytchConnectedAppID,
		StytchConnectedAppClientSecret: fx.StytchConnectedAppClientSecret,
		StytchRedirectURI:              fx.StytchRedirectURI,
	}
}

// EnvOfEmulator is envOfEmulator for the harnesses of emulator-only tests,
// which share the provider configuration and environment code.
func EnvOfEmulator(info emulator.Info) Env { return envOfEmulator(info) }

// RunPrefix is a test's prefix made at now: Prefix, now in Unix seconds, a
// random part. Its second field is how the sweepers date what has no
// creation time of its own.
func RunPrefix(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return Prefix + strconv.FormatInt(now.Unix(), 10) + "-" + hex.EncodeToString(b)
}

// stampOf is the time in a prefixed name, or false.
func stampOf(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, Prefix)
	if !ok {
		return time.Time{}, false
	}
	digits, _, _ := strings.Cut(rest, "-")
	secs, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// Run is the test's own prefix, shared by every name it makes: a listing
// filtered by it shows only the test's objects.
func (tg *Target) Run() string { return tg.run }

// Name is the name of something the test makes: its prefix and what.
func (tg *Target) Name(what string) string { return tg.run + "-" + what }

// TagClaims is claims with the test's tag added, as JSON, for an M2M token
// issued with a key no test made.
func (tg *Target) TagClaims(claims map[string]any) string {
	out := map[string]any{TagClaim: tg.run}
	for k, v := range claims {
		out[k] = v
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// Environ is the provider's environment for the target: what a CI job
// would set, with the test's machine key as CLERK_MACHINE_SECRET_KEY.
func (tg *Target) Environ() []string {
	env := []string{
		"CLERK_SECRET_KEY=" + tg.Env.ClerkSecretKey,
		"CLERK_MACHINE_SECRET_KEY=" + tg.Fixture.ClerkMachineSecretKey,
		"STYTCH_PROJECT_ID=" + tg.Env.StytchProjectID,
		"STYTCH_SECRET=" + tg.Env.StytchSecret,
		"CLERK_API_URL=" + tg.Env.ClerkAPIURL,
		"STYTCH_BASE_URL=" + tg.Env.StytchBaseURL,
	}
	return env
}

// ClerkNow is the time by Clerk's clock, from the Date of its last answer.
func (tg *Target) ClerkNow() time.Time {
	now, _ := tg.Client.ClerkNow()
	return now
}

// StytchNow is the time by Stytch's clock, asking it when no answer has
// come from it yet.
func (tg *Target) StytchNow(t testing.TB) time.Time {
	now, ok := tg.Client.StytchNow()
	if !ok {
		if _, err := tg.Client.SearchM2MClients(context.Background(), client.M2MSearchRequest{Limit: 1}); err != nil {
			t.Fatalf("reaching Stytch: %v", err)
		}
		now, _ = tg.Client.StytchNow()
	}
	return now
}

// Lifetime is how long a credential a test waits out should live: as in
// emulator mode, where waiting is moving a clock, or live, where it is
// sleeping, as short as the service allows and the steps before the wait
// still fit in.
func (tg *Target) Lifetime(emulatorSeconds, liveSeconds int64) int64 {
	if tg.Live {
		return liveSeconds
	}
	return emulatorSeconds
}

// liveSleep is what a live run may still sleep, across all its tests:
// never more than a minute in all.
var liveSleep = struct {
	sync.Mutex
	left time.Duration
}{left: time.Minute}

// ReserveWait claims, before the test makes anything, the time its Wait
// calls will sleep in live mode; when the run's minute of sleeping cannot
// hold it, the test is skipped, saying so. In emulator mode waiting is
// free.
func (tg *Target) ReserveWait(t testing.TB, total time.Duration, why string) {
	t.Helper()
	if !tg.Live {
		return
	}
	liveSleep.Lock()
	left := liveSleep.left
	if total <= left {
		liveSleep.left -= total
	}
	liveSleep.Unlock()
	if total > left {
		t.Skipf("live mode would sleep %s %s, and only %s of the run's minute of sleeping is left", total, why, left)
	}
	tg.reserved += total
}

// pass lets d pass as Wait does, but out of the run's minute of sleeping
// directly: false, and no sleep, when too little of it is left.
func (tg *Target) pass(d time.Duration) bool {
	if tg.clock != nil {
		tg.clock.Advance(d)
		return true
	}
	liveSleep.Lock()
	ok := d <= liveSleep.left
	if ok {
		liveSleep.left -= d
	}
	liveSleep.Unlock()
	if ok {
		time.Sleep(d)
	}
	return ok
}

// LongWait skips a test in live mode that would have to wait d: longer
// than the run may sleep.
func (tg *Target) LongWait(t testing.TB, d time.Duration, why string) {
	t.Helper()
	if tg.Live {
		t.Skipf("live mode would wait %s %s, longer than the minute a run may sleep", d, why)
	}
}

// Wait lets d pass at the services: the emulator's clock moves on (its
// one use of the emulator's Go API, standing for time itself), or, live,
// the test sleeps out time it reserved.
func (tg *Target) Wait(t testing.TB, d time.Duration) {
	t.Helper()
	if tg.clock != nil {
		tg.clock.Advance(d)
		return
	}
	if d > tg.reserved {
		t.Fatalf("waiting %s, but only %s was reserved with ReserveWait", d, tg.reserved)
	}
	tg.reserved -= d
	time.Sleep(d)
}

// shared are the locks of fixtures that live tests must not use at once.
var shared sync.Map

// Lock holds, in live mode, each named fixture until t ends: a member can
// authorize an app only once, so the tests of one member and app take
// turns against real services. The lock is this process's: make
// testacc-live runs the packages one at a time. Call it once t runs in
// parallel: a test
// holding a lock while waiting for the parallel phase would block the
// serial tests it waits for.
func (tg *Target) Lock(t testing.TB, fixtures ...string) {
	if !tg.Live {
		return
	}
	for _, f := range fixtures {
		v, _ := shared.LoadOrStore(f, &sync.Mutex{})
		mu := v.(*sync.Mutex)
		mu.Lock()
		t.Cleanup(mu.Unlock)
	}
}

// FixtureAuthorization names the Stytch fixture member's authorization
// of the fixture app, for Lock.
const FixtureAuthorization = "stytch fixture member and app"

// CreateMachine makes a machine named tg.Name(what), allowed to call
// scoped, and deletes it when the test ends.
func (tg *Target) CreateMachine(t testing.TB, what string, scoped []string) (id, secretKey string) {
	t.Helper()
	m, err := tg.Client.CreateMachine(context.Background(), client.CreateMachineRequest{Name: tg.Name(what), ScopedMachines: scoped})
	if err != nil {
		t.Fatalf("creating machine %s: %v", tg.Name(what), err)
	}
	tg.mu.Lock()
	tg.machines = append(tg.machines, m.ID)
	tg.mu.Unlock()
	return m.ID, m.SecretKey
}

// deleteMachines revokes what the test's machines issued or own, which a
// failed test may have left, then deletes them, newest first.
func (tg *Target) deleteMachines(t testing.TB) {
	ctx := context.Background()
	tg.mu.Lock()
	ids := tg.machines
	tg.mu.Unlock()
	for i := len(ids) - 1; i >= 0; i-- {
		id := ids[i]
		if err := revokeMachineCredentials(ctx, tg.Client, tg.Env.ClerkSecretKey, id, nil); err != nil {
			t.Errorf("cleaning up machine %s: %v", id, err)
		}
		if err := tg.Client.DeleteMachine(ctx, id); err != nil && !client.IsNotFound(err) {
			t.Errorf("deleting machine %s: %v", id, err)
		}
	}
}

// Machines are the ids of the machines made for the test, the fixture's
// first.
func (tg *Target) Machines() []string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	ids := slices.Clone(tg.machines)
	// The pair was made scoped machine first.
	if len(ids) >= 2 {
		ids[0], ids[1] = ids[1], ids[0]
	}
	return ids
}

// M2MToken finds token id of machine among its tokens, revoked and expired
// ones included: what Clerk shows of it.
func (tg *Target) M2MToken(t testing.TB, machine, id string) (*client.M2MToken, bool) {
	t.Helper()
	toks, err := m2mTokens(context.Background(), tg.Client, tg.Env.ClerkSecretKey, machine)
	if err != nil {
		t.Fatalf("listing the tokens of %s: %v", machine, err)
	}
	for i := range toks {
		if toks[i].ID == id {
			return &toks[i], true
		}
	}
	return nil, false
}

// M2MTokens is every token of machine, revoked and expired ones included,
// newest first.
func (tg *Target) M2MTokens(t testing.TB, machine string) []client.M2MToken {
	t.Helper()
	toks, err := m2mTokens(context.Background(), tg.Client, tg.Env.ClerkSecretKey, machine)
	if err != nil {
		t.Fatalf("listing the tokens of %s: %v", machine, err)
	}
	return toks
}

// m2mTokens pages through every token of machine.
func m2mTokens(ctx context.Context, c *client.Client, key, machine string) ([]client.M2MToken, error) {
	var out []client.M2MToken
	for offset := 0; ; {
		page, err := c.ListM2MTokens(ctx, key, client.ListM2MTokensRequest{Subject: machine, Revoked: true, Expired: true, Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Tokens...)
		offset += len(page.Tokens)
		if len(page.Tokens) == 0 || offset >= page.TotalCount {
			return out, nil
		}
	}
}

// apiKeys pages through every key of subject, revoked and expired ones
// included.
func apiKeys(ctx context.Context, c *client.Client, subject string) ([]client.APIKey, error) {
	var out []client.APIKey
	for offset := 0; ; {
		page, err := c.ListAPIKeys(ctx, client.ListAPIKeysRequest{Subject: subject, IncludeInvalid: true, Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Keys...)
		offset += len(page.Keys)
		if len(page.Keys) == 0 || offset >= page.TotalCount {
			return out, nil
		}
	}
}

// revokeMachineCredentials revokes the live tokens machine issued and the
// valid API keys it is the subject of, those keep says to keep aside.
func revokeMachineCredentials(ctx context.Context, c *client.Client, key, machine string, keep func(created time.Time) bool) error {
	reason := "tf-acc cleanup"
	toks, err := m2mTokens(ctx, c, key, machine)
	if err != nil {
		if client.IsNotFound(err) {
			return nil
		}
		return err
	}
	for _, tok := range toks {
		if tok.Revoked || tok.Expired || (keep != nil && keep(tok.Created())) {
			continue
		}
		if _, err := c.RevokeM2MToken(ctx, key, tok.ID, &reason); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("revoking token %s: %w", tok.ID, err)
		}
	}
	keys, err := apiKeys(ctx, c, machine)
	if err != nil {
		if client.IsNotFound(err) {
			return nil
		}
		return err
	}
	for _, k := range keys {
		if k.Revoked || k.Expired || (keep != nil && keep(k.Created())) {
			continue
		}
		if _, err := c.RevokeAPIKey(ctx, k.ID, &reason); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("revoking API key %s: %w", k.ID, err)
		}
	}
	return nil
}

// IssueM2MToken issues an opaque token with a machine key, as a service
// holding that key would outside Terraform, tagged when the key is the
// environment's own machine's.
func (tg *Target) IssueM2MToken(t testing.TB, machineKey string) *client.M2MTokenWithSecret {
	t.Helper()
	req := client.CreateM2MTokenRequest{TokenFormat: "opaque"}
	if machineKey == tg.Env.ClerkMachineSecretKey {
		req.Claims = json.RawMessage(tg.TagClaims(nil))
	}
	tok, err := tg.Client.CreateM2MToken(context.Background(), machineKey, req)
	if err != nil {
		t.Fatalf("issuing a token outside Terraform: %v", err)
	}
	return tok
}

// RevokeM2MToken revokes a token as someone in Clerk's dashboard would.
func (tg *Target) RevokeM2MToken(t testing.TB, id, reason string) {
	t.Helper()
	if _, err := tg.Client.RevokeM2MToken(context.Background(), tg.Env.ClerkSecretKey, id, &reason); err != nil {
		t.Fatalf("revoking %s outside Terraform: %v", id, err)
	}
}

// machineByID is what Clerk shows of machine id, and whether it exists.
func (tg *Target) machineByID(ctx context.Context, id string) (*client.Machine, bool, error) {
	m, err := tg.Client.GetMachine(ctx, id)
	if client.IsNotFound(err) {
		return nil, false, nil
	}
	return m, err == nil, err
}
