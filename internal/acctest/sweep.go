package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What a run leaves behind when it is interrupted is swept per type, by
// the testing framework's sweepers (make sweep): only what carries Prefix
// and is older than SweepAge by the service's own clock (the Date of its
// answers), so that a run under way, and everything a person made, is never
// touched. Revoking what is revoked and deleting what is gone are skipped,
// so sweeping twice is harmless.

// SweepAge is how old a prefixed object must be to be swept: older than
// any run.
const SweepAge = time.Hour

// sweepReason is the revocation reason of everything swept.
const sweepReason = "tf-acc sweep: left behind by an interrupted test run"

// Sweeper is one type's sweeper, with the sweepers that must run first.
type Sweeper struct {
	Name         string
	Dependencies []string
	Sweep        func(ctx context.Context, s *Sweep) error
}

// Sweep is one sweeping pass over the environment's services.
type Sweep struct {
	Env    Env
	Client *client.Client
	// Logf reports each object swept; log.Printf when nil.
	Logf func(format string, args ...any)
}

// NewSweep reads the environment (see Vars) for a sweep.
func NewSweep() (*Sweep, error) {
	env, err := EnvFromEnviron()
	if err != nil {
		return nil, err
	}
	c, err := NewClient(env)
	if err != nil {
		return nil, err
	}
	return &Sweep{Env: env, Client: c}, nil
}

func (s *Sweep) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Sweepers are every type's sweeper: credentials before what they belong
// to.
func Sweepers() []Sweeper {
	return []Sweeper{
		{Name: "machineauth_m2m_token", Sweep: sweepM2MTokens},
		{Name: "machineauth_api_key", Sweep: sweepAPIKeys},
		{Name: "machineauth_machine", Dependencies: []string{"machineauth_m2m_token", "machineauth_api_key"}, Sweep: sweepMachines},
		{Name: "machineauth_connected_app_authorization", Sweep: sweepAuthorizations},
		{Name: "machineauth_connected_app", Dependencies: []string{"machineauth_connected_app_authorization"}, Sweep: sweepConnectedApps},
		{Name: "machineauth_m2m_client", Sweep: sweepM2MClients},
		{Name: "machineauth_oauth_application", Sweep: sweepOAuthApplications},
	}
}

// SweepAll runs every sweeper in order, for a test of the sweep itself.
func (s *Sweep) SweepAll(ctx context.Context) error {
	for _, sw := range Sweepers() {
		if err := sw.Sweep(ctx, s); err != nil {
			return fmt.Errorf("sweeper %s: %w", sw.Name, err)
		}
	}
	return nil
}

// Prefixed reports whether name carries the prefix of a test's object.
func Prefixed(name string) bool { return strings.HasPrefix(name, Prefix) }

// old reports whether created is more than SweepAge before now.
func old(created, now time.Time) bool { return now.Sub(created) > SweepAge }

// clerkNow is Clerk's time from the Date of its last answer.
func (s *Sweep) clerkNow() time.Time {
	now, _ := s.Client.ClerkNow()
	return now
}

// stytchNow is Stytch's time from the Date of its last answer.
func (s *Sweep) stytchNow() time.Time {
	now, _ := s.Client.StytchNow()
	return now
}

// machines are every machine of the instance.
func (s *Sweep) machines(ctx context.Context) ([]client.Machine, error) {
	var out []client.Machine
	for offset := 0; ; {
		page, err := s.Client.ListMachines(ctx, client.ListMachinesRequest{Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Machines...)
		offset += len(page.Machines)
		if len(page.Machines) == 0 || offset >= page.TotalCount {
			return out, nil
		}
	}
}

// taggedClaims reports whether claims carry TagClaim with a prefixed value.
func taggedClaims(claims json.RawMessage) bool {
	var obj map[string]any
	if json.Unmarshal(claims, &obj) != nil {
		return false
	}
	tag, _ := obj[TagClaim].(string)
	return Prefixed(tag)
}

// sweepM2MTokens revokes the live tokens older than an hour that a prefixed
// machine issued, or that carry the test tag whatever machine issued them.
func sweepM2MTokens(ctx context.Context, s *Sweep) error {
	machines, err := s.machines(ctx)
	if err != nil {
		return err
	}
	for _, m := range machines {
		toks, err := m2mTokens(ctx, s.Client, s.Env.ClerkSecretKey, m.ID)
		if client.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("listing the tokens of %s: %w", m.ID, err)
		}
		now := s.clerkNow()
		for _, tok := range toks {
			tests := Prefixed(m.Name) || taggedClaims(tok.Claims)
			if tok.Revoked || tok.Expired || !tests || !old(tok.Created(), now) {
				continue
			}
			reason := sweepReason
			if _, err := s.Client.RevokeM2MToken(ctx, s.Env.ClerkSecretKey, tok.ID, &reason); err != nil && !client.IsNotFound(err) {
				return fmt.Errorf("revoking token %s of %s: %w", tok.ID, m.ID, err)
			}
			s.logf("swept: revoked M2M token %s of machine %s (%s)", tok.ID, m.ID, m.Name)
		}
	}
	return nil
}

// sweepAPIKeys revokes the valid API keys older than an hour that are named
// with the prefix, or whose subject is a prefixed machine, among the keys
// of the fixture user and organization and of every machine.
func sweepAPIKeys(ctx context.Context, s *Sweep) error {
	machines, err := s.machines(ctx)
	if err != nil {
		return err
	}
	subjects := map[string]bool{s.Env.ClerkUserID: false, s.Env.ClerkOrganizationID: false}
	for _, m := range machines {
		subjects[m.ID] = Prefixed(m.Name)
	}
	for subject, prefixedSubject := range subjects {
		keys, err := apiKeys(ctx, s.Client, subject)
		if client.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("listing the API keys of %s: %w", subject, err)
		}
		now := s.clerkNow()
		for _, k := range keys {
			tests := Prefixed(k.Name) || prefixedSubject
			if k.Revoked || k.Expired || !tests || !old(k.Created(), now) {
				continue
			}
			reason := sweepReason
			if _, err := s.Client.RevokeAPIKey(ctx, k.ID, &reason); err != nil && !client.IsNotFound(err) {
				return fmt.Errorf("revoking API key %s: %w", k.ID, err)
			}
			s.logf("swept: revoked API key %s (%s) of %s", k.ID, k.Name, subject)
		}
	}
	return nil
}

// sweepMachines deletes the prefixed machines older than an hour.
func sweepMachines(ctx context.Context, s *Sweep) error {
	machines, err := s.machines(ctx)
	if err != nil {
		return err
	}
	now := s.clerkNow()
	for _, m := range machines {
		if !Prefixed(m.Name) || !old(m.Created(), now) {
			continue
		}
		if err := s.Client.DeleteMachine(ctx, m.ID); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("deleting machine %s: %w", m.ID, err)
		}
		s.logf("swept: deleted machine %s (%s)", m.ID, m.Name)
	}
	return nil
}

// stampedOld reports whether a prefixed name's stamp (see RunPrefix) is
// more than SweepAge before now; a name without a readable stamp is never
// old, so never swept.
func stampedOld(name string, now time.Time) bool {
	at, ok := stampOf(name)
	return ok && old(at, now)
}

// sweepAuthorizations revokes the fixture member's authorizations of
// prefixed apps named more than an hour ago. Stytch dates neither apps nor
// authorizations: the app's name carries its date.
func sweepAuthorizations(ctx context.Context, s *Sweep) error {
	apps, err := s.Client.MemberConnectedApps(ctx, s.Env.StytchOrganizationID, s.Env.StytchMemberID)
	if err != nil {
		return fmt.Errorf("listing the fixture member's authorizations: %w", err)
	}
	now := s.stytchNow()
	for _, a := range apps.ConnectedApps {
		if !Prefixed(a.Name) || !stampedOld(a.Name, now) {
			continue
		}
		err := s.Client.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: s.Env.StytchOrganizationID, MemberID: s.Env.StytchMemberID, ConnectedAppID: a.ConnectedAppID,
		})
		if err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("revoking the authorization of %s: %w", a.ConnectedAppID, err)
		}
		s.logf("swept: revoked the fixture member's authorization of connected app %s (%s)", a.ConnectedAppID, a.Name)
	}
	return nil
}

// sweepConnectedApps deletes the prefixed connected apps named more than an
// hour ago.
func sweepConnectedApps(ctx context.Context, s *Sweep) error {
	var apps []client.ConnectedAppClient
	for cursor := ""; ; {
		page, err := s.Client.SearchConnectedAppClients(ctx, client.SearchRequest{Cursor: cursor, Limit: 100})
		if err != nil {
			return fmt.Errorf("listing connected apps: %w", err)
		}
		apps = append(apps, page.ConnectedApps...)
		if page.ResultsMetadata.NextCursor == nil || *page.ResultsMetadata.NextCursor == "" {
			break
		}
		cursor = *page.ResultsMetadata.NextCursor
	}
	now := s.stytchNow()
	for _, a := range apps {
		if !Prefixed(a.ClientName) || !stampedOld(a.ClientName, now) {
			continue
		}
		if err := s.Client.DeleteConnectedAppClient(ctx, a.ClientID); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("deleting connected app %s: %w", a.ClientID, err)
		}
		s.logf("swept: deleted connected app %s (%s)", a.ClientID, a.ClientName)
	}
	return nil
}

// sweepM2MClients deletes the prefixed M2M clients named more than an hour
// ago.
func sweepM2MClients(ctx context.Context, s *Sweep) error {
	var clients []client.M2MClient
	for cursor := ""; ; {
		page, err := s.Client.SearchM2MClients(ctx, client.M2MSearchRequest{Cursor: cursor, Limit: 100})
		if err != nil {
			return fmt.Errorf("listing M2M clients: %w", err)
		}
		clients = append(clients, page.M2MClients...)
		if page.ResultsMetadata.NextCursor == nil || *page.ResultsMetadata.NextCursor == "" {
			break
		}
		cursor = *page.ResultsMetadata.NextCursor
	}
	now := s.stytchNow()
	for _, c := range clients {
		if !Prefixed(c.ClientName) || !stampedOld(c.ClientName, now) {
			continue
		}
		if err := s.Client.DeleteM2MClient(ctx, c.ClientID); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("deleting M2M client %s: %w", c.ClientID, err)
		}
		s.logf("swept: deleted M2M client %s (%s)", c.ClientID, c.ClientName)
	}
	return nil
}

// unixTime reads a Clerk time in milliseconds, or in seconds when it is
// too small to be milliseconds (see the assumption oauth_object_shapes).
func unixTime(t int64) time.Time {
	if t < 1e12 {
		return time.Unix(t, 0)
	}
	return time.UnixMilli(t)
}

// sweepOAuthApplications deletes the prefixed OAuth applications older
// than an hour, and with them the tokens they were issued.
func sweepOAuthApplications(ctx context.Context, s *Sweep) error {
	var apps []client.OAuthApplication
	for offset := 0; ; {
		page, err := s.Client.ListOAuthApplications(ctx, client.ListOAuthApplicationsRequest{NameQuery: Prefix, Limit: 100, Offset: offset})
		if err != nil {
			return fmt.Errorf("listing OAuth applications: %w", err)
		}
		apps = append(apps, page.Applications...)
		offset += len(page.Applications)
		if len(page.Applications) == 0 || offset >= page.TotalCount {
			break
		}
	}
	now := s.clerkNow()
	for _, a := range apps {
		if !Prefixed(a.Name) || !old(unixTime(a.CreatedAt), now) {
			continue
		}
		if err := s.Client.DeleteOAuthApplication(ctx, a.ID); err != nil && !client.IsNotFound(err) {
			return fmt.Errorf("deleting OAuth application %s: %w", a.ID, err)
		}
		s.logf("swept: deleted OAuth application %s (%s)", a.ID, a.Name)
	}
	return nil
}
