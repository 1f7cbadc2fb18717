package acctest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The assumptions report: for each row of the emulator's table of
// assumptions (emulator.Assumptions, the guide emulator-assumptions.md), a
// probe asks the service the question the row leaves open, through its
// public API only, and says which of the row's choices the answer is. Run
// against real Clerk and Stytch accounts (make testacc-live) it settles the
// table; run against the emulator it must find every default, and against
// an emulator switched to an alternative, that alternative
// (TestProbesTellEveryAlternative), which is what keeps the probes honest.
// Everything a probe makes carries the test's prefix and is revoked or
// deleted when the test ends.

// Observation is what a probe saw of one row.
type Observation struct {
	Row emulator.Assumption
	// Answer is what the service answered, in short, when observed.
	Answer string
	// Choice is the row's choice the answer is: its default or one of its
	// alternatives; "" when the answer is none of them.
	Choice string
	// NotObserved says why the row was not observed; "" when it was.
	NotObserved string
}

// Line is the report's line for the row.
func (o Observation) Line() string {
	switch {
	case o.NotObserved != "":
		return fmt.Sprintf("assumption %s: not observed: %s", o.Row.Name, o.NotObserved)
	case o.Choice == o.Row.Default.Name:
		return fmt.Sprintf("assumption %s: the service answered %s: %q, the emulator's default", o.Row.Name, o.Answer, o.Choice)
	case o.Choice != "":
		return fmt.Sprintf("assumption %s: the service answered %s: %q, an alternative, NOT the emulator's default %q", o.Row.Name, o.Answer, o.Choice, o.Row.Default.Name)
	}
	return fmt.Sprintf("assumption %s: the service answered %s, which is none of the table's choices (%s)", o.Row.Name, o.Answer, strings.Join(choiceNames(o.Row), ", "))
}

func choiceNames(a emulator.Assumption) []string {
	var out []string
	for _, c := range a.Choices() {
		out = append(out, c.Name)
	}
	return out
}

// finding is what one probe returns: the answer and the choice it is, or
// why it could not tell.
type finding struct {
	answer, choice, why string
}

func saw(a fmt.Stringer, choice string) finding { return finding{answer: a.String(), choice: choice} }

func unobserved(format string, args ...any) finding {
	return finding{why: fmt.Sprintf(format, args...)}
}

func failed(err error) finding { return finding{why: "the probe failed: " + err.Error()} }

// prober is what the probes share: the target, raw HTTP with its
// credentials, and the test to clean up after.
type prober struct {
	t   testing.TB
	tg  *Target
	raw *raw
	sk  string // the instance key
	mk  string // the test's machine's key
}

// ObserveAssumptions runs every probe and returns one observation per row
// of the table, in its order.
func ObserveAssumptions(ctx context.Context, t testing.TB, tg *Target) []Observation {
	p := &prober{t: t, tg: tg, raw: newRaw(tg.Env), sk: tg.Env.ClerkSecretKey, mk: tg.Fixture.ClerkMachineSecretKey}
	var out []Observation
	for _, row := range emulator.Assumptions() {
		out = append(out, p.observe(ctx, row))
	}
	return out
}

// ObserveAssumption runs the probe of one row.
func ObserveAssumption(ctx context.Context, t testing.TB, tg *Target, name string) Observation {
	p := &prober{t: t, tg: tg, raw: newRaw(tg.Env), sk: tg.Env.ClerkSecretKey, mk: tg.Fixture.ClerkMachineSecretKey}
	for _, row := range emulator.Assumptions() {
		if row.Name == name {
			return p.observe(ctx, row)
		}
	}
	t.Fatalf("no assumption %s", name)
	return Observation{}
}

func (p *prober) observe(ctx context.Context, row emulator.Assumption) Observation {
	probe, ok := probes[row.Name]
	if !ok {
		return Observation{Row: row, NotObserved: "no probe asks this yet"}
	}
	f := probe(ctx, p)
	if f.why != "" {
		return Observation{Row: row, NotObserved: f.why}
	}
	if f.choice != "" && !slices.Contains(choiceNames(row), f.choice) {
		return Observation{Row: row, NotObserved: fmt.Sprintf("the probe named a choice %q the row does not have", f.choice)}
	}
	return Observation{Row: row, Answer: f.answer, Choice: f.choice}
}

// probes holds each row's probe, by name. A row without one is reported
// as not observed.
var probes = map[string]func(ctx context.Context, p *prober) finding{
	"clerk_wrong_key_refusal":             probeWrongKey,
	"m2m_token_default_ttl":               probeTokenDefaultTTL,
	"m2m_token_max_lifetime":              probeTokenMaxLifetime,
	"min_remaining_ttl_refusal":           probeMinRemainingTTL,
	"foreign_machine_token_listing":       probeForeignListing,
	"revoked_m2m_token_revoke":            probeRevokedTokenRevoke,
	"clerk_verify_refusal":                probeVerifyRefusal,
	"clerk_reserved_claims":               probeReservedClaims,
	"m2m_jwt_claims_shape":                probeJWTClaimsShape,
	"m2m_jwt_scopes_claim":                probeJWTScopesClaim,
	"m2m_jwt_verify_route":                probeJWTVerifyRoute,
	"api_key_error_status":                probeAPIKeyErrorStatus,
	"api_key_max_lifetime":                probeAPIKeyMaxLifetime,
	"api_key_unknown_subject":             probeAPIKeyUnknownSubject,
	"api_key_query_match":                 probeAPIKeyQueryMatch,
	"api_key_list_order":                  probeAPIKeyListOrder,
	"api_key_update_null":                 probeAPIKeyUpdateNull,
	"api_key_expiry_update":               probeAPIKeyExpiryUpdate,
	"invalid_api_key_update":              probeInvalidAPIKeyUpdate,
	"revoked_api_key_revoke":              probeRevokedAPIKeyRevoke,
	"clerk_directory_defaults":            notAsked("it needs a user and an organization made for the purpose, and a live run makes neither: the provider manages no users or organizations"),
	"clerk_identifier_rules":              notAsked("the rules are the instance's own settings, and a live run makes no users or organizations to try them: the provider manages neither"),
	"clerk_unknown_creator":               probeUnknownCreator,
	"machine_delete_tokens":               probeMachineDeleteTokens,
	"machine_delete_api_keys":             probeMachineDeleteAPIKeys,
	"previous_machine_keys":               probePreviousMachineKeys,
	"duplicate_scope_code":                probeDuplicateScope,
	"oauth_object_shapes":                 probeOAuthShapes,
	"oauth_list_order":                    probeOAuthListOrder,
	"oauth_list_dynamic_filter":           probeOAuthDynamicFilter,
	"oauth_callback_url":                  probeOAuthCallbackURL,
	"oauth_scope_values":                  probeOAuthScopes,
	"oauth_application_refusals":          probeOAuthRefusals,
	"oauth_public_change":                 probeOAuthPublicChange,
	"oauth_secret_rotation":               probeOAuthSecretRotation,
	"oauth_public_rotation":               probeOAuthPublicRotation,
	"oauth_delete_tokens":                 notAsked(needsConsent),
	"revoked_oauth_token_revoke":          notAsked(needsConsent),
	"oauth_verify_refusal":                notAsked(needsConsent),
	"oauth_verify_jwt":                    notAsked(needsConsent),
	"oauth_jwt_claims":                    notAsked(needsConsent),
	"oauth_token_issuance":                notAsked(needsConsent),
	"oauth_dynamic_registration":          probeOAuthRegistration,
	"oauth_instance_defaults":             probeOAuthInstanceDefaults,
	"stytch_bad_request_types":            probeStytchBadRequest,
	"stytch_not_found_shape":              probeStytchNotFound,
	"session_header_refusal":              probeSessionHeader,
	"stytch_directory_conflicts":          notAsked("it needs organizations, members or users to clash with, and a live run makes none: the provider manages none of them"),
	"connected_app_refusal_types":         probeConnectedAppRefusal,
	"first_party_only_fields":             probeFirstPartyOnly,
	"connected_app_delete_authorizations": probeAppDeleteAuthorizations,
	"ungranted_authorization_revoke":      probeUngrantedRevoke,
	"authorize_refusal_types":             probeAuthorizeRefusal,
	"code_replay":                         probeCodeReplay,
	"introspect_other_client":             probeIntrospectOtherClient,
	"stytch_jwks_credentials":             probeJWKSCredentials,
	"rotation_out_of_turn":                probeRotationOutOfTurn,
	"duplicate_client_id":                 probeDuplicateClientID,
	"m2m_client_update_omitted":           probeM2MClientUpdateOmitted,
	"inactive_m2m_client_token":           probeInactiveClientToken,
}

func notAsked(why string) func(context.Context, *prober) finding {
	return func(context.Context, *prober) finding { return unobserved("%s", why) }
}

// --- Clerk: M2M tokens ---

// mint issues an opaque token with the test machine's key, revoked when
// the test ends.
func (p *prober) mint(ctx context.Context, body map[string]any) (answer, error) {
	return p.mintWith(ctx, p.mk, body)
}

func (p *prober) mintWith(ctx context.Context, key string, body map[string]any) (answer, error) {
	if body == nil {
		body = map[string]any{}
	}
	a, err := p.raw.clerk(ctx, "POST", "/m2m_tokens", key, body)
	if err == nil && a.ok() {
		p.revokeLater(ctx, a.str("id"))
	}
	return a, err
}

func (p *prober) revokeLater(ctx context.Context, tokenID string) {
	if tokenID == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	p.t.Cleanup(func() {
		_, _ = p.raw.clerk(ctx, "POST", "/m2m_tokens/"+tokenID+"/revoke", p.sk, map[string]any{"revocation_reason": "tf-acc probe"})
	})
}

func probeWrongKey(ctx context.Context, p *prober) finding {
	a, err := p.mintWith(ctx, p.sk, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusUnauthorized:
		return saw(a, "by_expected_kind")
	case a.status == http.StatusForbidden:
		return saw(a, "forbidden")
	}
	return saw(a, "")
}

func probeTokenDefaultTTL(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, nil)
	if err != nil {
		return failed(err)
	}
	if !a.ok() {
		return saw(a, "")
	}
	if a.body["expiration"] == nil {
		return finding{answer: "an expiration of null", choice: "never"}
	}
	m, _, err := p.tg.machineByID(ctx, p.tg.Fixture.ClerkMachineID)
	if err != nil {
		return failed(err)
	}
	exp, _ := a.body["expiration"].(float64)
	created, _ := a.body["created_at"].(float64)
	life := time.Duration(exp-created) * time.Millisecond
	if (life - time.Duration(m.DefaultTokenTTL)*time.Second).Abs() < 2*time.Second {
		return finding{answer: fmt.Sprintf("an expiration %s after creation, the machine's default_token_ttl", life.Round(time.Second)), choice: "machine_ttl"}
	}
	return finding{answer: fmt.Sprintf("an expiration %s after creation (the machine's default_token_ttl is %ds)", life.Round(time.Second), m.DefaultTokenTTL)}
}

func probeTokenMaxLifetime(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, map[string]any{"seconds_until_expiration": 315360001})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to 315360001 seconds", choice: "unbounded"}
	case a.status/100 == 4:
		return finding{answer: a.String() + " to 315360001 seconds", choice: "ten_years"}
	}
	return saw(a, "")
}

func probeMinRemainingTTL(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, map[string]any{"seconds_until_expiration": 60, "min_remaining_ttl_seconds": 60})
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusBadRequest && a.code == "bad_request":
		return saw(a, "bad_request")
	case a.status == http.StatusUnprocessableEntity && a.code == "form_param_value_invalid":
		return saw(a, "form_param_value_invalid")
	}
	return saw(a, "")
}

func probeForeignListing(ctx context.Context, p *prober) finding {
	a, err := p.raw.clerk(ctx, "GET", "/m2m_tokens?subject="+url.QueryEscape(p.tg.Fixture.ClerkScopedMachineID), p.mk, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusForbidden:
		return saw(a, "403")
	case a.status == http.StatusNotFound:
		return saw(a, "404")
	}
	return saw(a, "")
}

// revokedTwice revokes a fresh token twice and returns the second answer.
func (p *prober) revokedTwice(ctx context.Context) (tokenSecret string, second answer, err error) {
	tok, err := p.mint(ctx, nil)
	if err != nil || !tok.ok() {
		return "", tok, fmtErr(err, "minting a token", tok)
	}
	path := "/m2m_tokens/" + tok.str("id") + "/revoke"
	first, err := p.raw.clerk(ctx, "POST", path, p.sk, map[string]any{"revocation_reason": "tf-acc probe"})
	if err != nil || !first.ok() {
		return "", first, fmtErr(err, "the first revoke", first)
	}
	second, err = p.raw.clerk(ctx, "POST", path, p.sk, map[string]any{"revocation_reason": "tf-acc probe again"})
	return tok.str("token"), second, err
}

func fmtErr(err error, what string, a answer) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s was answered %s", what, a)
}

func probeRevokedTokenRevoke(ctx context.Context, p *prober) finding {
	_, a, err := p.revokedTwice(ctx)
	if err != nil {
		return failed(err)
	}
	for _, c := range []string{"200", "400", "404", "409"} {
		if fmt.Sprint(a.status) == c {
			return saw(a, c)
		}
	}
	return saw(a, "")
}

func probeVerifyRefusal(ctx context.Context, p *prober) finding {
	secret, _, err := p.revokedTwice(ctx)
	if err != nil {
		return failed(err)
	}
	a, err := p.raw.clerk(ctx, "POST", "/m2m_tokens/verify", p.sk, map[string]any{"token": secret})
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusNotFound:
		return finding{answer: a.String() + " for a revoked token", choice: "404"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " for a revoked token", choice: "400"}
	case a.ok() && a.body["revoked"] == true:
		return finding{answer: a.String() + " with revoked true", choice: "flagged_200"}
	}
	return finding{answer: a.String() + " for a revoked token"}
}

func probeReservedClaims(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, map[string]any{"claims": map[string]any{"scopes": "tf-acc"}})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to a claim named scopes", choice: "registered_jwt_claims"}
	case a.status/100 == 4:
		return finding{answer: a.String() + " to a claim named scopes", choice: "more"}
	}
	return saw(a, "")
}

func probeJWTClaimsShape(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, map[string]any{"token_format": "jwt", "claims": []string{"tf-acc"}})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to claims that are an array", choice: "nested"}
	case a.status/100 == 4:
		return finding{answer: a.String() + " to claims that are an array", choice: "object_only"}
	}
	return saw(a, "")
}

func probeJWTScopesClaim(ctx context.Context, p *prober) finding {
	a, err := p.mint(ctx, map[string]any{"token_format": "jwt"})
	if err != nil {
		return failed(err)
	}
	if !a.ok() {
		return saw(a, "")
	}
	parts := strings.Split(a.str("token"), ".")
	if len(parts) != 3 {
		return unobserved("the JWT-format token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return failed(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return failed(err)
	}
	scoped := p.tg.Fixture.ClerkScopedMachineID
	if s, ok := claims["scopes"].(string); ok && strings.Contains(s, scoped) {
		return finding{answer: "a JWT whose scopes claim names the scoped machine", choice: "scopes"}
	}
	if aud, ok := claims["aud"].([]any); ok && slices.Contains(aud, any(scoped)) {
		return finding{answer: "a JWT whose aud claim names the scoped machine", choice: "aud"}
	}
	var names []string
	for k := range claims {
		names = append(names, k)
	}
	slices.Sort(names)
	return finding{answer: "a JWT with the claims " + strings.Join(names, ", ") + ", none naming the scoped machine"}
}

func probeJWTVerifyRoute(ctx context.Context, p *prober) finding {
	tok, err := p.mint(ctx, map[string]any{"token_format": "jwt"})
	if err != nil || !tok.ok() {
		return failed(fmtErr(err, "minting a JWT", tok))
	}
	a, err := p.raw.clerk(ctx, "POST", "/m2m_tokens/verify", p.sk, map[string]any{"token": tok.str("token")})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to a JWT-format token", choice: "verified"}
	case a.status == http.StatusNotFound:
		return finding{answer: a.String() + " to a JWT-format token", choice: "not_found"}
	}
	return saw(a, "")
}

// --- Clerk: API keys ---

// apiKey makes a key of the test's machine, revoked when the test ends.
func (p *prober) apiKey(ctx context.Context, body map[string]any) (answer, error) {
	if _, ok := body["name"]; !ok {
		body["name"] = p.tg.Name("probe")
	}
	if _, ok := body["subject"]; !ok {
		body["subject"] = p.tg.Fixture.ClerkMachineID
	}
	a, err := p.raw.clerk(ctx, "POST", "/api_keys", p.sk, body)
	if err == nil && a.ok() {
		id, ctx := a.str("id"), context.WithoutCancel(ctx)
		p.t.Cleanup(func() {
			_, _ = p.raw.clerk(ctx, "POST", "/api_keys/"+id+"/revoke", p.sk, map[string]any{"revocation_reason": "tf-acc probe"})
		})
	}
	return a, err
}

func probeAPIKeyErrorStatus(ctx context.Context, p *prober) finding {
	a, err := p.apiKey(ctx, map[string]any{"name": ""})
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to an empty name", choice: "400"}
	case a.status == http.StatusUnprocessableEntity:
		return finding{answer: a.String() + " to an empty name", choice: "422"}
	}
	return finding{answer: a.String() + " to an empty name"}
}

func probeAPIKeyMaxLifetime(ctx context.Context, p *prober) finding {
	const overACentury = 100*365*24*3600 + 30*24*3600
	a, err := p.apiKey(ctx, map[string]any{"seconds_until_expiration": overACentury})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to a hundred years and a month", choice: "unbounded"}
	case a.status/100 == 4:
		return finding{answer: a.String() + " to a hundred years and a month", choice: "hundred_years"}
	}
	return saw(a, "")
}

// randomID is an id of prefix's shape that nothing has.
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return prefix + string(b)
}

func probeAPIKeyUnknownSubject(ctx context.Context, p *prober) finding {
	a, err := p.raw.clerk(ctx, "GET", "/api_keys?subject="+randomID("user_", 27), p.sk, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusNotFound:
		return finding{answer: a.String() + " for a user that does not exist", choice: "404"}
	case a.ok():
		return finding{answer: a.String() + " with an empty page for a user that does not exist", choice: "empty"}
	}
	return saw(a, "")
}

// keysOf lists the test machine's keys, with query when not empty.
func (p *prober) keysOf(ctx context.Context, query string) ([]string, answer, error) {
	path := "/api_keys?subject=" + url.QueryEscape(p.tg.Fixture.ClerkMachineID)
	if query != "" {
		path += "&query=" + url.QueryEscape(query)
	}
	a, err := p.raw.clerk(ctx, "GET", path, p.sk, nil)
	if err != nil || !a.ok() {
		return nil, a, fmtErr(err, "listing API keys", a)
	}
	var ids []string
	data, _ := a.body["data"].([]any)
	for _, d := range data {
		m, _ := d.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	return ids, a, nil
}

func probeAPIKeyQueryMatch(ctx context.Context, p *prober) finding {
	k, err := p.apiKey(ctx, map[string]any{"name": p.tg.Name("findable")})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	byID, _, err := p.keysOf(ctx, k.str("id"))
	if err != nil {
		return failed(err)
	}
	byName, _, err := p.keysOf(ctx, "FINDABLE")
	if err != nil {
		return failed(err)
	}
	switch {
	case slices.Contains(byID, k.str("id")):
		return finding{answer: "the key to a query of its id", choice: "more_fields"}
	case slices.Contains(byName, k.str("id")):
		return finding{answer: "the key to a query of part of its name in other case, not to its id", choice: "name_substring"}
	}
	return finding{answer: "the key to a query of neither its id nor part of its name"}
}

func probeAPIKeyListOrder(ctx context.Context, p *prober) finding {
	first, err := p.apiKey(ctx, map[string]any{"name": p.tg.Name("first")})
	if err != nil || !first.ok() {
		return failed(fmtErr(err, "making a key", first))
	}
	p.tick()
	second, err := p.apiKey(ctx, map[string]any{"name": p.tg.Name("second")})
	if err != nil || !second.ok() {
		return failed(fmtErr(err, "making a key", second))
	}
	ids, _, err := p.keysOf(ctx, "")
	if err != nil {
		return failed(err)
	}
	i, j := slices.Index(ids, first.str("id")), slices.Index(ids, second.str("id"))
	switch {
	case i < 0 || j < 0:
		return unobserved("the listing's first page did not show both keys")
	case j < i:
		return finding{answer: "the newer key first", choice: "newest_first"}
	}
	return finding{answer: "the older key first", choice: "oldest_first"}
}

// tick makes sure what comes next is made later than what came before: a
// second passes on the emulator's clock; a live service's clock moves on
// by itself between two requests.
func (p *prober) tick() {
	if p.tg.clock != nil {
		p.tg.clock.Advance(time.Second)
	}
}

func probeAPIKeyUpdateNull(ctx context.Context, p *prober) finding {
	k, err := p.apiKey(ctx, map[string]any{"description": "tf-acc probe"})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	a, err := p.raw.clerk(ctx, "PATCH", "/api_keys/"+k.str("id"), p.sk, `{"description":null}`)
	if err != nil {
		return failed(err)
	}
	if !a.ok() {
		return finding{answer: a.String() + " to a description of null"}
	}
	got, err := p.raw.clerk(ctx, "GET", "/api_keys/"+k.str("id"), p.sk, nil)
	if err != nil || !got.ok() {
		return failed(fmtErr(err, "reading the key", got))
	}
	if got.body["description"] == nil {
		return finding{answer: "a description of null: cleared", choice: "clears"}
	}
	return finding{answer: "a description of null: kept", choice: "ignored"}
}

func probeAPIKeyExpiryUpdate(ctx context.Context, p *prober) finding {
	k, err := p.apiKey(ctx, map[string]any{"seconds_until_expiration": 3600})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	// Two seconds between the create and the update tell the two apart.
	if !p.tg.pass(2 * time.Second) {
		return unobserved("it waits two seconds between a create and an update, and the run's minute of sleeping is spent")
	}
	a, err := p.raw.clerk(ctx, "PATCH", "/api_keys/"+k.str("id"), p.sk, map[string]any{"seconds_until_expiration": 7200})
	if err != nil || !a.ok() {
		return failed(fmtErr(err, "the update", a))
	}
	created, _ := a.body["created_at"].(float64)
	updated, _ := a.body["updated_at"].(float64)
	exp, _ := a.body["expiration"].(float64)
	fromUpdate, fromCreation := math.Abs(exp-(updated+7200e3)), math.Abs(exp-(created+7200e3))
	gap := updated - created
	switch {
	case gap < 50:
		return unobserved("the update came %.0f ms after the create, too soon to tell where its lifetime counts from", gap)
	case fromUpdate < gap/2:
		return finding{answer: "an expiration 7200 s after the update", choice: "from_update"}
	case fromCreation < gap/2:
		return finding{answer: "an expiration 7200 s after the creation", choice: "from_creation"}
	}
	return finding{answer: fmt.Sprintf("an expiration %.0f ms after the update", exp-updated)}
}

func probeInvalidAPIKeyUpdate(ctx context.Context, p *prober) finding {
	k, err := p.apiKey(ctx, map[string]any{})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	id := k.str("id")
	if r, err := p.raw.clerk(ctx, "POST", "/api_keys/"+id+"/revoke", p.sk, map[string]any{}); err != nil || !r.ok() {
		return failed(fmtErr(err, "revoking the key", r))
	}
	a, err := p.raw.clerk(ctx, "PATCH", "/api_keys/"+id, p.sk, map[string]any{"seconds_until_expiration": 3600})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to an update of a revoked key", choice: "applied"}
	case a.status/100 == 4:
		return finding{answer: a.String() + " to an update of a revoked key", choice: "refused"}
	}
	return saw(a, "")
}

func probeRevokedAPIKeyRevoke(ctx context.Context, p *prober) finding {
	k, err := p.apiKey(ctx, map[string]any{})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	path := "/api_keys/" + k.str("id") + "/revoke"
	if r, err := p.raw.clerk(ctx, "POST", path, p.sk, map[string]any{"revocation_reason": "tf-acc probe"}); err != nil || !r.ok() {
		return failed(fmtErr(err, "the first revoke", r))
	}
	a, err := p.raw.clerk(ctx, "POST", path, p.sk, map[string]any{"revocation_reason": "tf-acc probe again"})
	if err != nil {
		return failed(err)
	}
	for _, c := range []string{"200", "400", "404", "409"} {
		if fmt.Sprint(a.status) == c {
			return saw(a, c)
		}
	}
	return saw(a, "")
}

// --- Clerk: the directory ---

func probeUnknownCreator(ctx context.Context, p *prober) finding {
	a, err := p.raw.clerk(ctx, "POST", "/organizations", p.sk, map[string]any{"name": p.tg.Name("org"), "created_by": randomID("user_", 27)})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		// Not one of the choices, and made: remove it at once.
		_, _ = p.raw.clerk(ctx, "DELETE", "/organizations/"+a.str("id"), p.sk, nil)
		return finding{answer: a.String() + ": the organization was made (and deleted again)"}
	case a.status == http.StatusUnprocessableEntity && a.code == "form_param_value_invalid":
		return saw(a, "form_param_value_invalid")
	case a.status == http.StatusNotFound:
		return saw(a, "404")
	}
	return saw(a, "")
}

// --- Clerk: machines ---

// probeMachine makes a machine for a probe; the target deletes it at the end.
func (p *prober) probeMachine(ctx context.Context, what string) (id, key string, err error) {
	m, err := p.tg.Client.CreateMachine(ctx, client.CreateMachineRequest{Name: p.tg.Name(what)})
	if err != nil {
		return "", "", err
	}
	p.tg.mu.Lock()
	p.tg.machines = append(p.tg.machines, m.ID)
	p.tg.mu.Unlock()
	return m.ID, m.SecretKey, nil
}

func probeMachineDeleteTokens(ctx context.Context, p *prober) finding {
	id, key, err := p.probeMachine(ctx, "deleted-with-a-token")
	if err != nil {
		return failed(err)
	}
	tok, err := p.mintWith(ctx, key, map[string]any{"seconds_until_expiration": 3600})
	if err != nil || !tok.ok() {
		return failed(fmtErr(err, "minting a token", tok))
	}
	if err := p.tg.Client.DeleteMachine(ctx, id); err != nil {
		return failed(err)
	}
	v, err := p.raw.clerk(ctx, "POST", "/m2m_tokens/verify", p.sk, map[string]any{"token": tok.str("token")})
	switch {
	case err != nil:
		return failed(err)
	case v.ok() && v.body["revoked"] != true && v.body["expired"] != true:
		return finding{answer: "the token of a deleted machine still verifies", choice: "valid"}
	case v.ok() || v.status == http.StatusBadRequest:
		return finding{answer: "the token of a deleted machine verifies as revoked (" + v.String() + ")", choice: "revoked"}
	case v.status != http.StatusNotFound:
		return finding{answer: "verifying the token of a deleted machine: " + v.String()}
	}
	// 404 hides the difference between revoked and deleted: revoking it
	// tells, unless a revoked token's revoke answers 404 as well.
	r, err := p.raw.clerk(ctx, "POST", "/m2m_tokens/"+tok.str("id")+"/revoke", p.sk, map[string]any{})
	if err != nil {
		return failed(err)
	}
	if r.status != http.StatusNotFound {
		return finding{answer: "verify 404, revoke " + r.String() + ": the token is there", choice: "revoked"}
	}
	_, again, err := p.revokedTwice(ctx)
	if err != nil {
		return failed(err)
	}
	if again.status == http.StatusNotFound {
		return unobserved("a deleted machine's token answers 404 to verify and to revoke, as a revoked token does: revoked and deleted look alike")
	}
	return finding{answer: "verify 404 and revoke 404 (a revoked token's revoke answers " + again.String() + ")", choice: "deleted"}
}

func probeMachineDeleteAPIKeys(ctx context.Context, p *prober) finding {
	id, _, err := p.probeMachine(ctx, "deleted-with-a-key")
	if err != nil {
		return failed(err)
	}
	k, err := p.apiKey(ctx, map[string]any{"subject": id})
	if err != nil || !k.ok() {
		return failed(fmtErr(err, "making a key", k))
	}
	if err := p.tg.Client.DeleteMachine(ctx, id); err != nil {
		return failed(err)
	}
	a, err := p.raw.clerk(ctx, "GET", "/api_keys/"+k.str("id"), p.sk, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusNotFound:
		return finding{answer: "the key of a deleted machine: " + a.String(), choice: "deleted"}
	case a.ok() && a.body["revoked"] == true:
		return finding{answer: "the key of a deleted machine is revoked", choice: "revoked"}
	case a.ok():
		return finding{answer: "the key of a deleted machine is still valid", choice: "kept"}
	}
	return saw(a, "")
}

func probePreviousMachineKeys(ctx context.Context, p *prober) finding {
	id, first, err := p.probeMachine(ctx, "rotated-twice")
	if err != nil {
		return failed(err)
	}
	for range 2 {
		if _, err := p.tg.Client.RotateMachineSecretKey(ctx, id, 600); err != nil {
			return failed(err)
		}
	}
	a, err := p.mintWith(ctx, first, map[string]any{"seconds_until_expiration": 60})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: "the key two rotations back still issues tokens within its overlap", choice: "every"}
	case a.status == http.StatusUnauthorized:
		return finding{answer: "the key two rotations back is refused (" + a.String() + ")", choice: "latest"}
	}
	return saw(a, "")
}

func probeDuplicateScope(ctx context.Context, p *prober) finding {
	path := "/machines/" + p.tg.Fixture.ClerkMachineID + "/scopes"
	a, err := p.raw.clerk(ctx, "POST", path, p.sk, map[string]any{"to_machine_id": p.tg.Fixture.ClerkScopedMachineID})
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusConflict && a.code == "duplicate_record":
		return saw(a, "duplicate_record")
	case a.status == http.StatusConflict:
		return saw(a, "other_code")
	}
	return saw(a, "")
}

// --- Stytch ---

// probeApp makes a confidential third-party connected app for a probe,
// deleted when the test ends.
func (p *prober) probeApp(ctx context.Context, what string) (id, secret string, err error) {
	app, err := p.tg.Client.CreateConnectedAppClient(ctx, client.CreateConnectedAppClientRequest{
		ClientType:               "third_party",
		ConnectedAppClientFields: client.ConnectedAppClientFields{ClientName: p.tg.Name(what), RedirectURLs: []string{probeRedirect}},
	})
	if err != nil {
		return "", "", err
	}
	cctx := context.WithoutCancel(ctx)
	p.t.Cleanup(func() { _ = p.tg.Client.DeleteConnectedAppClient(cctx, app.ClientID) })
	return app.ClientID, app.ClientSecret, nil
}

const probeRedirect = "https://app.example.test/callback"

// authorize has the fixture member authorize app, and returns the tokens
// its code gets; the authorization is revoked when the test ends.
func (p *prober) authorize(ctx context.Context, app, secret string) (code string, tok *client.TokenResponse, err error) {
	fx := p.tg.Fixture
	auth, err := p.tg.Client.Authorize(ctx, client.AuthorizeRequest{
		ConsentGranted: true, Scopes: []string{"openid", "offline_access"}, ClientID: app, RedirectURI: probeRedirect,
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
	})
	if err != nil {
		return "", nil, fmt.Errorf("authorizing: %w", err)
	}
	cctx := context.WithoutCancel(ctx)
	p.t.Cleanup(func() {
		_ = p.tg.Client.RevokeMemberConnectedApp(cctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: app,
		})
	})
	tok, err = p.tg.Client.ExchangeAuthorizationCode(ctx, client.TokenRequest{ClientID: app, ClientSecret: secret, Code: auth.AuthorizationCode, RedirectURI: probeRedirect})
	if err != nil {
		return "", nil, fmt.Errorf("exchanging the code: %w", err)
	}
	return auth.AuthorizationCode, tok, nil
}

// memberAuthorizes reports whether the fixture member lists app.
func (p *prober) memberAuthorizes(ctx context.Context, app string) (bool, error) {
	fx := p.tg.Fixture
	apps, err := p.tg.Client.MemberConnectedApps(ctx, fx.StytchOrganizationID, fx.StytchMemberID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(apps.ConnectedApps, func(a client.MemberConnectedApp) bool { return a.ConnectedAppID == app }), nil
}

// probeClient makes an M2M client for a probe, deleted when the test ends.
func (p *prober) probeClient(ctx context.Context, what string) (answer, error) {
	a, err := p.raw.stytch(ctx, "POST", "/v1/m2m/clients", map[string]any{
		"client_name": p.tg.Name(what), "client_description": "tf-acc probe", "scopes": []string{"read:reports", "write:reports"},
	}, nil)
	if err == nil && a.ok() {
		id, cctx := a.str("m2m_client", "client_id"), context.WithoutCancel(ctx)
		p.t.Cleanup(func() { _, _ = p.raw.stytch(cctx, "DELETE", "/v1/m2m/clients/"+id, nil, nil) })
	}
	if err == nil && !a.ok() {
		err = fmtErr(nil, "making an M2M client", a)
	}
	return a, err
}

func probeStytchBadRequest(ctx context.Context, p *prober) finding {
	a, err := p.raw.stytch(ctx, "POST", "/v1/m2m/clients", map[string]any{"client_name": p.tg.Name("typed"), "scopes": "not a list"}, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		_, _ = p.raw.stytch(ctx, "DELETE", "/v1/m2m/clients/"+a.str("m2m_client", "client_id"), nil, nil)
		return finding{answer: a.String() + " to scopes that are not a list: accepted (and deleted again)"}
	case a.status == http.StatusBadRequest && a.code == "bad_request":
		return finding{answer: a.String() + " to scopes that are not a list", choice: "bad_request"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to scopes that are not a list", choice: "specific"}
	}
	return saw(a, "")
}

func probeStytchNotFound(ctx context.Context, p *prober) finding {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	id := "m2m-client-test-" + h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:]
	a, err := p.raw.stytch(ctx, "GET", "/v1/m2m/clients/"+id, nil, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusNotFound && a.code == "m2m_client_not_found":
		return saw(a, "404")
	case a.status == http.StatusBadRequest && strings.HasSuffix(a.code, "_not_found"):
		return saw(a, "400")
	case a.status == http.StatusNotFound && a.code == "not_found":
		return saw(a, "generic_404")
	}
	return saw(a, "")
}

func probeSessionHeader(ctx context.Context, p *prober) finding {
	app, _, err := p.probeApp(ctx, "session-refused")
	if err != nil {
		return failed(err)
	}
	fx := p.tg.Fixture
	a, err := answerOf(p.tg.Client.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: app, SessionToken: "tf-acc-no-such-session-" + randomID("", 16),
	}))
	switch {
	case err != nil:
		return failed(err)
	case a.status == http.StatusNotFound && a.code == "session_not_found":
		return saw(a, "404")
	case a.status == http.StatusUnauthorized:
		return saw(a, "401")
	}
	return saw(a, "")
}

func probeConnectedAppRefusal(ctx context.Context, p *prober) finding {
	a, err := p.raw.stytch(ctx, "POST", "/v1/connected_apps/clients", map[string]any{
		"client_type": "third_party", "client_name": p.tg.Name("relative-redirect"), "redirect_urls": []string{"/callback"},
	}, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		_, _ = p.raw.stytch(ctx, "DELETE", "/v1/connected_apps/clients/"+a.str("connected_app", "client_id"), nil, nil)
		return finding{answer: a.String() + " to a relative redirect URL: accepted (and deleted again)"}
	case a.status == http.StatusBadRequest && a.code == "bad_request":
		return finding{answer: a.String() + " to a relative redirect URL", choice: "bad_request"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to a relative redirect URL", choice: "specific"}
	}
	return saw(a, "")
}

func probeFirstPartyOnly(ctx context.Context, p *prober) finding {
	a, err := p.raw.stytch(ctx, "POST", "/v1/connected_apps/clients", map[string]any{
		"client_type": "third_party", "client_name": p.tg.Name("full-access"), "redirect_urls": []string{probeRedirect}, "full_access_allowed": true,
	}, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		_, _ = p.raw.stytch(ctx, "DELETE", "/v1/connected_apps/clients/"+a.str("connected_app", "client_id"), nil, nil)
		return finding{answer: a.String() + " to full_access_allowed on a third-party client (deleted again)", choice: "ignored"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to full_access_allowed on a third-party client", choice: "refused"}
	}
	return saw(a, "")
}

func probeAppDeleteAuthorizations(ctx context.Context, p *prober) finding {
	app, secret, err := p.probeApp(ctx, "deleted-while-authorized")
	if err != nil {
		return failed(err)
	}
	_, tok, err := p.authorize(ctx, app, secret)
	if err != nil {
		return failed(err)
	}
	if err := p.tg.Client.DeleteConnectedAppClient(ctx, app); err != nil {
		return failed(err)
	}
	// Only the deleted app itself may introspect its tokens: if Stytch
	// still lets it, the answer tells.
	in, err := p.tg.Client.Introspect(ctx, client.IntrospectRequest{Token: tok.AccessToken, ClientID: app, ClientSecret: secret})
	if a, aerr := answerOf(err); aerr != nil {
		return failed(aerr)
	} else if err != nil {
		return unobserved("once the app is deleted no public route shows its authorizations, and introspecting its token as the app is refused (%s)", a)
	}
	if in.Active {
		return finding{answer: "the deleted app's access token still introspects active", choice: "kept"}
	}
	return finding{answer: "the deleted app's access token introspects inactive", choice: "revoked"}
}

func probeUngrantedRevoke(ctx context.Context, p *prober) finding {
	app, _, err := p.probeApp(ctx, "never-authorized")
	if err != nil {
		return failed(err)
	}
	fx := p.tg.Fixture
	a, err := answerOf(p.tg.Client.RevokeMemberConnectedApp(ctx, client.RevokeMemberConnectedAppRequest{
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: app,
	}))
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return saw(a, "200")
	case a.status == http.StatusNotFound:
		return saw(a, "404")
	case a.status == http.StatusBadRequest:
		return saw(a, "400")
	}
	return saw(a, "")
}

func probeAuthorizeRefusal(ctx context.Context, p *prober) finding {
	fx := p.tg.Fixture
	a, err := answerOf(func() error {
		_, err := p.tg.Client.Authorize(ctx, client.AuthorizeRequest{
			ConsentGranted: true, Scopes: []string{"openid"}, ClientID: fx.StytchConnectedAppID, RedirectURI: "https://unregistered.example.test/callback",
			OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
		})
		return err
	}())
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to an unregistered redirect URI"}
	case a.code == "invalid_redirect_uri":
		return finding{answer: a.String() + " to an unregistered redirect URI", choice: "specific"}
	case a.code == "bad_request":
		return finding{answer: a.String() + " to an unregistered redirect URI", choice: "bad_request"}
	}
	return finding{answer: a.String() + " to an unregistered redirect URI"}
}

func probeCodeReplay(ctx context.Context, p *prober) finding {
	app, secret, err := p.probeApp(ctx, "code-replayed")
	if err != nil {
		return failed(err)
	}
	code, tok, err := p.authorize(ctx, app, secret)
	if err != nil {
		return failed(err)
	}
	_, replayErr := p.tg.Client.ExchangeAuthorizationCode(ctx, client.TokenRequest{ClientID: app, ClientSecret: secret, Code: code, RedirectURI: probeRedirect})
	replay, err := answerOf(replayErr)
	if err != nil {
		return failed(err)
	}
	if replay.ok() {
		return finding{answer: "a used code was exchanged again"}
	}
	in, err := p.tg.Client.Introspect(ctx, client.IntrospectRequest{Token: tok.AccessToken, ClientID: app, ClientSecret: secret})
	if err != nil {
		return failed(err)
	}
	still, err := p.memberAuthorizes(ctx, app)
	if err != nil {
		return failed(err)
	}
	switch {
	case !still:
		return finding{answer: "the replay (" + replay.String() + ") ended the whole authorization", choice: "ends_authorization"}
	case in.Active:
		return finding{answer: "the replay (" + replay.String() + ") left the first exchange's token active", choice: "refused_only"}
	}
	return finding{answer: "the replay (" + replay.String() + ") ended the first exchange's token, the authorization kept", choice: "ends_issued"}
}

func probeIntrospectOtherClient(ctx context.Context, p *prober) finding {
	app, secret, err := p.probeApp(ctx, "token-holder")
	if err != nil {
		return failed(err)
	}
	other, otherSecret, err := p.probeApp(ctx, "other-introspector")
	if err != nil {
		return failed(err)
	}
	_, tok, err := p.authorize(ctx, app, secret)
	if err != nil {
		return failed(err)
	}
	in, err := p.tg.Client.Introspect(ctx, client.IntrospectRequest{Token: tok.AccessToken, ClientID: other, ClientSecret: otherSecret})
	if a, aerr := answerOf(err); aerr != nil {
		return failed(aerr)
	} else if err != nil {
		return finding{answer: a.String() + " to another client's introspection"}
	}
	if in.Active {
		return finding{answer: "another client's token introspects active", choice: "active"}
	}
	return finding{answer: "another client's token introspects inactive", choice: "inactive"}
}

func probeJWKSCredentials(ctx context.Context, p *prober) finding {
	a, err := p.raw.stytch(ctx, "GET", "/v1/b2b/sessions/jwks/"+p.tg.Env.StytchProjectID, nil, func(r *http.Request) {
		r.SetBasicAuth(p.tg.Env.StytchProjectID, "secret-test-wrong-tf-acc-probe")
	})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " with a wrong secret", choice: "ignored"}
	case a.status == http.StatusUnauthorized:
		return finding{answer: a.String() + " with a wrong secret", choice: "checked"}
	}
	return saw(a, "")
}

func probeRotationOutOfTurn(ctx context.Context, p *prober) finding {
	c, err := p.probeClient(ctx, "rotated-out-of-turn")
	if err != nil {
		return failed(err)
	}
	a, err := p.raw.stytch(ctx, "POST", "/v1/m2m/clients/"+c.str("m2m_client", "client_id")+"/secrets/rotate", map[string]any{}, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to completing a rotation never started", choice: "lenient"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to completing a rotation never started", choice: "400"}
	case a.status == http.StatusConflict:
		return finding{answer: a.String() + " to completing a rotation never started", choice: "409"}
	}
	return saw(a, "")
}

func probeDuplicateClientID(ctx context.Context, p *prober) finding {
	c, err := p.probeClient(ctx, "taken-id")
	if err != nil {
		return failed(err)
	}
	a, err := p.raw.stytch(ctx, "POST", "/v1/m2m/clients", map[string]any{
		"client_id": c.str("m2m_client", "client_id"), "client_name": p.tg.Name("same-id"), "scopes": []string{"read:reports"},
	}, nil)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to a client_id that is taken"}
	case a.code == "duplicate_client_id":
		return saw(a, "duplicate_client_id")
	case a.status == http.StatusBadRequest:
		return saw(a, "other_type")
	}
	return saw(a, "")
}

func probeM2MClientUpdateOmitted(ctx context.Context, p *prober) finding {
	c, err := p.probeClient(ctx, "partly-updated")
	if err != nil {
		return failed(err)
	}
	id := c.str("m2m_client", "client_id")
	a, err := p.raw.stytch(ctx, "PUT", "/v1/m2m/clients/"+id, map[string]any{"client_name": p.tg.Name("renamed")}, nil)
	if err != nil || !a.ok() {
		return failed(fmtErr(err, "the update", a))
	}
	got, err := p.raw.stytch(ctx, "GET", "/v1/m2m/clients/"+id, nil, nil)
	if err != nil || !got.ok() {
		return failed(fmtErr(err, "reading the client", got))
	}
	scopes, _ := got.obj("m2m_client")["scopes"].([]any)
	if len(scopes) == 2 {
		return finding{answer: "an update naming only client_name kept the scopes", choice: "kept"}
	}
	return finding{answer: fmt.Sprintf("an update naming only client_name left the scopes %v", scopes), choice: "reset"}
}

func probeInactiveClientToken(ctx context.Context, p *prober) finding {
	c, err := p.probeClient(ctx, "inactive")
	if err != nil {
		return failed(err)
	}
	id, secret := c.str("m2m_client", "client_id"), c.str("m2m_client", "client_secret")
	up, err := p.raw.stytch(ctx, "PUT", "/v1/m2m/clients/"+id, map[string]any{
		"client_name": p.tg.Name("inactive"), "client_description": "tf-acc probe", "status": "inactive", "scopes": []string{"read:reports", "write:reports"},
	}, nil)
	if err != nil || !up.ok() {
		return failed(fmtErr(err, "deactivating the client", up))
	}
	_, tokErr := p.tg.Client.ClientCredentialsToken(ctx, client.CredentialsRequest{ClientID: id, ClientSecret: secret})
	a, err := answerOf(tokErr)
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: "an inactive client got a token"}
	case a.status == http.StatusUnauthorized:
		return saw(a, "401")
	case a.status == http.StatusBadRequest:
		return saw(a, "400")
	}
	return saw(a, "")
}

// --- Clerk: OAuth applications ---

// needsConsent is why the rows about OAuth tokens are not observed: a
// token comes from a user's consent in a browser.
const needsConsent = "it needs an OAuth access token, which only a user's consent in a browser gets at Clerk; a live run has neither"

// oauthApp makes an OAuth application for a probe with body, deleted when
// the test ends.
func (p *prober) oauthApp(ctx context.Context, what string, body map[string]any) (answer, error) {
	body["name"] = p.tg.Name(what)
	a, err := p.raw.clerk(ctx, "POST", "/oauth_applications", p.sk, body)
	if err == nil && a.ok() {
		id, cctx := a.str("id"), context.WithoutCancel(ctx)
		p.t.Cleanup(func() { _, _ = p.raw.clerk(cctx, "DELETE", "/oauth_applications/"+id, p.sk, nil) })
	}
	return a, err
}

// mustOAuthApp is oauthApp that must succeed.
func (p *prober) mustOAuthApp(ctx context.Context, what string, body map[string]any) (answer, error) {
	a, err := p.oauthApp(ctx, what, body)
	if err == nil && !a.ok() {
		err = fmtErr(nil, "making an OAuth application", a)
	}
	return a, err
}

// oauthIDs lists the ids of the applications whose name matches query.
func (p *prober) oauthIDs(ctx context.Context, query string) ([]string, error) {
	a, err := p.raw.clerk(ctx, "GET", "/oauth_applications?limit=100&name_query="+url.QueryEscape(query), p.sk, nil)
	if err != nil || !a.ok() {
		return nil, fmtErr(err, "listing OAuth applications", a)
	}
	var ids []string
	data, _ := a.body["data"].([]any)
	for _, d := range data {
		m, _ := d.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	return ids, nil
}

var (
	oauthAppIDRe  = regexp.MustCompile(`^oa_[A-Za-z0-9]{27}$`)
	oauthClientRe = regexp.MustCompile(`^[A-Za-z0-9]{16}$`)
	oauthSecretRe = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
)

func probeOAuthShapes(ctx context.Context, p *prober) finding {
	a, err := p.mustOAuthApp(ctx, "shapes", map[string]any{"redirect_uris": []string{probeRedirect}})
	if err != nil {
		return failed(err)
	}
	created, _ := a.body["created_at"].(float64)
	unit := "milliseconds"
	if created < 1e12 {
		unit = "seconds"
	}
	shapes := oauthAppIDRe.MatchString(a.str("id")) && oauthClientRe.MatchString(a.str("client_id")) && oauthSecretRe.MatchString(a.str("client_secret"))
	answer := fmt.Sprintf("an id of %d characters (%s...), a client_id of %d, a secret of %d, times in %s",
		len(a.str("id")), a.str("id")[:min(3, len(a.str("id")))], len(a.str("client_id")), len(a.str("client_secret")), unit)
	switch {
	case !shapes:
		return finding{answer: answer}
	case unit == "milliseconds":
		return finding{answer: answer, choice: "clerk_like"}
	}
	return finding{answer: answer, choice: "seconds"}
}

func probeOAuthListOrder(ctx context.Context, p *prober) finding {
	first, err := p.mustOAuthApp(ctx, "listed-first", map[string]any{})
	if err != nil {
		return failed(err)
	}
	p.tick()
	second, err := p.mustOAuthApp(ctx, "listed-second", map[string]any{})
	if err != nil {
		return failed(err)
	}
	ids, err := p.oauthIDs(ctx, p.tg.Name("listed-"))
	if err != nil {
		return failed(err)
	}
	i, j := slices.Index(ids, first.str("id")), slices.Index(ids, second.str("id"))
	switch {
	case i < 0 || j < 0:
		return unobserved("the listing did not show both applications")
	case j < i:
		return finding{answer: "the newer application first", choice: "newest_first"}
	}
	return finding{answer: "the older application first", choice: "oldest_first"}
}

func probeOAuthDynamicFilter(ctx context.Context, p *prober) finding {
	a, err := p.mustOAuthApp(ctx, "not-registered", map[string]any{})
	if err != nil {
		return failed(err)
	}
	l, err := p.raw.clerk(ctx, "GET", "/oauth_applications?dynamically_registered=true&name_query="+url.QueryEscape(p.tg.Name("not-registered")), p.sk, nil)
	if err != nil || !l.ok() {
		return failed(fmtErr(err, "listing", l))
	}
	data, _ := l.body["data"].([]any)
	for _, d := range data {
		if m, _ := d.(map[string]any); m["id"] == a.str("id") {
			return finding{answer: "an application made through the API among those listed as dynamically registered", choice: "ignored"}
		}
	}
	return finding{answer: "dynamically_registered=true leaves out an application made through the API", choice: "honoured"}
}

func probeOAuthCallbackURL(ctx context.Context, p *prober) finding {
	a, err := p.oauthApp(ctx, "callback", map[string]any{"redirect_uris": []string{probeRedirect}, "callback_url": "https://callback.example.test/cb"})
	switch {
	case err != nil:
		return failed(err)
	case !a.ok():
		return finding{answer: a.String() + " to redirect_uris and callback_url together"}
	}
	uris, _ := a.body["redirect_uris"].([]any)
	switch {
	case len(uris) == 1 && uris[0] == probeRedirect:
		return finding{answer: "redirect_uris kept as sent, callback_url set beside them", choice: "one_redirect_uri"}
	case len(uris) == 2:
		return finding{answer: "callback_url added to redirect_uris", choice: "added"}
	}
	return finding{answer: fmt.Sprintf("redirect_uris %v", uris)}
}

func probeOAuthScopes(ctx context.Context, p *prober) finding {
	a, err := p.oauthApp(ctx, "scoped", map[string]any{"scopes": "profile tf_acc_probe"})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		return finding{answer: a.String() + " to a scope outside Clerk's list", choice: "any_names"}
	case a.status == http.StatusUnprocessableEntity:
		return finding{answer: a.String() + " to a scope outside Clerk's list", choice: "listed_only"}
	}
	return finding{answer: a.String() + " to a scope outside Clerk's list"}
}

func probeOAuthRefusals(ctx context.Context, p *prober) finding {
	a, err := p.raw.clerk(ctx, "POST", "/oauth_applications", p.sk, map[string]any{"name": ""})
	switch {
	case err != nil:
		return failed(err)
	case a.ok():
		_, _ = p.raw.clerk(ctx, "DELETE", "/oauth_applications/"+a.str("id"), p.sk, nil)
		return finding{answer: a.String() + " to an empty name: made (and deleted again)"}
	case a.status == http.StatusUnprocessableEntity && strings.HasPrefix(a.code, "form_param_"):
		return finding{answer: a.String() + " to an empty name", choice: "form_param_value_invalid"}
	case a.status == http.StatusBadRequest:
		return finding{answer: a.String() + " to an empty name", choice: "bad_request"}
	}
	return finding{answer: a.String() + " to an empty name"}
}

func probeOAuthPublicChange(ctx context.Context, p *prober) finding {
	a, err := p.mustOAuthApp(ctx, "made-public", map[string]any{"redirect_uris": []string{probeRedirect}})
	if err != nil {
		return failed(err)
	}
	u, err := p.raw.clerk(ctx, "PATCH", "/oauth_applications/"+a.str("id"), p.sk, map[string]any{"public": true})
	switch {
	case err != nil:
		return failed(err)
	case u.ok() && u.body["public"] == true:
		return finding{answer: u.String() + ": a confidential client made public", choice: "allowed"}
	case u.status == http.StatusUnprocessableEntity || u.status == http.StatusBadRequest:
		return finding{answer: u.String() + " to making a confidential client public", choice: "refused"}
	}
	return finding{answer: u.String() + " to making a confidential client public"}
}

// tokenEndpointAnswer asks app's token endpoint for a token with a code
// that is none: a secret it takes is refused for the code (invalid_grant),
// one it does not, for itself (invalid_client).
func (p *prober) tokenEndpointAnswer(ctx context.Context, tokenURL, clientID, secret string) (answer, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"tf-acc-no-such-code"}, "redirect_uri": {probeRedirect}}
	return p.raw.do(ctx, "POST", tokenURL, form.Encode(), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(clientID, secret)
	})
}

func probeOAuthSecretRotation(ctx context.Context, p *prober) finding {
	a, err := p.mustOAuthApp(ctx, "rotated", map[string]any{"redirect_uris": []string{probeRedirect}})
	if err != nil {
		return failed(err)
	}
	r, err := p.raw.clerk(ctx, "POST", "/oauth_applications/"+a.str("id")+"/rotate_secret", p.sk, map[string]any{})
	if err != nil || !r.ok() {
		return failed(fmtErr(err, "rotating the secret", r))
	}
	tokenURL, clientID := a.str("token_fetch_url"), a.str("client_id")
	current, err := p.tokenEndpointAnswer(ctx, tokenURL, clientID, r.str("client_secret"))
	if err != nil {
		return failed(err)
	}
	if current.code == "invalid_client" {
		return unobserved("the token endpoint refuses even the new secret (%s)", current)
	}
	old, err := p.tokenEndpointAnswer(ctx, tokenURL, clientID, a.str("client_secret"))
	switch {
	case err != nil:
		return failed(err)
	case old.code == "invalid_client":
		return finding{answer: "the old secret refused at once (" + old.String() + "), the new one taken (" + current.String() + ")", choice: "at_once"}
	case old.code == current.code:
		return finding{answer: "the old secret still taken after the rotation (" + old.String() + ")", choice: "overlap"}
	}
	return finding{answer: "the old secret answered " + old.String() + ", the new one " + current.String()}
}

func probeOAuthPublicRotation(ctx context.Context, p *prober) finding {
	a, err := p.mustOAuthApp(ctx, "public", map[string]any{"redirect_uris": []string{probeRedirect}, "public": true})
	if err != nil {
		return failed(err)
	}
	r, err := p.raw.clerk(ctx, "POST", "/oauth_applications/"+a.str("id")+"/rotate_secret", p.sk, map[string]any{})
	switch {
	case err != nil:
		return failed(err)
	case r.ok() && r.str("client_secret") == "":
		return finding{answer: r.String() + " with an empty secret", choice: "empty_secret"}
	case r.status == http.StatusUnprocessableEntity:
		return finding{answer: r.String() + " to rotating a public client's secret", choice: "form_param_value_invalid"}
	case r.status == http.StatusBadRequest:
		return finding{answer: r.String() + " to rotating a public client's secret", choice: "bad_request"}
	}
	return finding{answer: r.String() + " to rotating a public client's secret"}
}

// oauthSettings is the instance's OAuth application settings.
func (p *prober) oauthSettings(ctx context.Context) (answer, error) {
	a, err := p.raw.clerk(ctx, "GET", "/instance/oauth_application_settings", p.sk, nil)
	if err == nil && !a.ok() {
		err = fmtErr(nil, "reading the instance's OAuth settings", a)
	}
	return a, err
}

func probeOAuthInstanceDefaults(ctx context.Context, p *prober) finding {
	s, err := p.oauthSettings(ctx)
	if err != nil {
		return failed(err)
	}
	on, _ := s.body["dynamic_oauth_client_registration"].(bool)
	jwt, _ := s.body["oauth_jwt_access_tokens"].(bool)
	answer := fmt.Sprintf("dynamic registration %v, JWT access tokens %v (this instance's settings now: a new instance's unless someone changed them)", on, jwt)
	if on {
		return finding{answer: answer, choice: "dynamic_on"}
	}
	return finding{answer: answer, choice: "off"}
}

func probeOAuthRegistration(ctx context.Context, p *prober) finding {
	s, err := p.oauthSettings(ctx)
	if err != nil {
		return failed(err)
	}
	if on, _ := s.body["dynamic_oauth_client_registration"].(bool); on {
		return unobserved("dynamic registration is on at this instance, and a probe would register a client")
	}
	// The Frontend API is where an application's token endpoint is.
	a, err := p.mustOAuthApp(ctx, "fapi", map[string]any{})
	if err != nil {
		return failed(err)
	}
	fapi := strings.TrimSuffix(a.str("token_fetch_url"), "/oauth/token")
	r, err := p.raw.do(ctx, "POST", fapi+"/oauth/register", map[string]any{"client_name": p.tg.Name("registered"), "redirect_uris": []string{probeRedirect}}, func(*http.Request) {})
	switch {
	case err != nil:
		return failed(err)
	case r.ok():
		return finding{answer: r.String() + " while registration is off: a client was registered"}
	case r.status == http.StatusForbidden && r.code == "access_denied":
		return finding{answer: r.String() + " while registration is off", choice: "rfc7591"}
	case r.status == http.StatusNotFound:
		return finding{answer: r.String() + " while registration is off", choice: "not_found"}
	}
	return finding{answer: r.String() + " while registration is off"}
}
