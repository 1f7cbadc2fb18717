package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The Clerk scenarios of TestAccSwitches: machines and their key rotation,
// M2M tokens, API keys, and token verification.

const outsideReason = "revoked outside Terraform by the test"

// liveAt says whether a credential revoked so, expiring then, works at now.
func liveAt(revoked bool, expiration *time.Time, now time.Time) bool {
	return !revoked && (expiration == nil || now.Before(*expiration))
}

// rfc3339Of is a service time as the provider shows it, "" for none.
func rfc3339Of(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// noLiveTokensOf fails when any token of machine is live.
func noLiveTokensOf(srv *emulator.Server, machine *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, tok := range srv.M2MTokens(*machine) {
			if liveAt(tok.Revoked, tok.Expiration, srv.Now()) {
				return fmt.Errorf("token %s of machine %s is still live", tok.ID, *machine)
			}
		}
		return nil
	}
}

// tokenMatchesService checks that the token in state at addr is live in
// the emulator, with the expiry the state shows.
func tokenMatchesService(srv *emulator.Server, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := stateAttr(s, addr, "id")
		tok, ok := srv.M2MToken(id)
		switch {
		case !ok:
			return fmt.Errorf("%s: the emulator has no token %s", addr, id)
		case !liveAt(tok.Revoked, tok.Expiration, srv.Now()):
			return fmt.Errorf("%s: token %s is not live", addr, id)
		case stateAttr(s, addr, "expires_at") != rfc3339Of(tok.Expiration):
			return fmt.Errorf("%s: expires_at %q, the emulator's expiration %q", addr, stateAttr(s, addr, "expires_at"), rfc3339Of(tok.Expiration))
		case stateAttr(s, addr, "subject") != tok.Subject:
			return fmt.Errorf("%s: subject %q, the emulator's %q", addr, stateAttr(s, addr, "subject"), tok.Subject)
		}
		return nil
	}
}

// tokenRevokedWith checks that the token whose id is at *id is revoked
// with reason, or, when gone is allowed, absent.
func tokenRevokedWith(srv *emulator.Server, id *string, reason string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tok, ok := srv.M2MToken(*id)
		switch {
		case !ok:
			return fmt.Errorf("the emulator has no token %s", *id)
		case !tok.Revoked || tok.RevocationReason == nil || *tok.RevocationReason != reason:
			return fmt.Errorf("token %s: revoked %v with %s, want revoked with %q", *id, tok.Revoked, deref(tok.RevocationReason), reason)
		}
		return nil
	}
}

// noWarning fails when a warning the provider gave contains text.
func noWarning(rec *warningRecorder, text string) error {
	if rec.has(text) {
		return fmt.Errorf("a warning says %q; warnings:\n%s", text, rec.all())
	}
	return nil
}

// changed fails unless the attribute at addr differs from *was.
func changed(addr, attr string, was *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if now := stateAttr(s, addr, attr); now == *was {
			return fmt.Errorf("%s.%s is still %s", addr, attr, now)
		}
		return nil
	}
}

// m2mTokenSwitchScenario runs machineauth_m2m_token: a machine made outside
// Terraform and one of its tokens, both imported, beside a token Terraform
// issues with the machine's key (no lifetime: the machine's, or none);
// the token revoked outside Terraform; replaced with the revoke's answer
// lost (the retry meets a token already revoked); the machine deleted
// outside Terraform (its tokens may keep working, and the imported one has
// no secret to tell by); destroy. A token of the fixture machine, which
// no one in the run made, stays live throughout.
func m2mTokenSwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	fx := srv.Info().Fixture
	c := verificationClient(t, srv)
	machineID, machineKey, err := srv.CreateMachine("switches", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := c.CreateM2MToken(ctx, machineKey, client.CreateM2MTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	bystander, err := c.CreateM2MToken(ctx, fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(86400)})
	if err != nil {
		t.Fatal(err)
	}
	p := newScriptedProxy(t, srv)
	config := func(imports bool, round int, ephemeral ...string) string {
		cfg := proxied(srv, p.URL) + strings.Join(ephemeral, "")
		if imports {
			cfg += fmt.Sprintf(`
import {
  to = machineauth_machine.m
  id = %q
}

import {
  to = machineauth_m2m_token.outside
  id = "%s/%s"
}
`, machineID, machineID, outside.ID)
		}
		return cfg + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = "switches"
}

resource "machineauth_m2m_token" "outside" {
  machine_id            = machineauth_machine.m.id
  machine_secret_key_wo = machineauth_machine.m.secret_key
}

resource "machineauth_m2m_token" "t" {
  machine_id            = machineauth_machine.m.id
  machine_secret_key_wo = machineauth_machine.m.secret_key
  keepers               = { round = "%d" }
}
`, round)
	}
	rec := &warningRecorder{}
	var first, second string
	orphanWarnings := func(*terraform.State) error {
		// The imported token has no secret: nobody can tell whether it
		// still works, so it is kept for its replacement to revoke.
		if err := warningLike(rec, "may be orphaned", machineID)(nil); err != nil {
			return err
		}
		if assumed(srv, "machine_delete_tokens") == "valid" {
			return warningLike(rec, "orphaned and still valid", machineID)(nil)
		}
		return warningLike(rec, "no longer verifies")(nil)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: withEchoProvider(recordingFactories(rec)),
		CheckDestroy: resource.ComposeTestCheckFunc(
			func(*terraform.State) error {
				if tok, _ := srv.M2MToken(bystander.ID); !liveAt(tok.Revoked, tok.Expiration, srv.Now()) {
					return fmt.Errorf("the bystander token %s, which no one in this run made, is no longer live", bystander.ID)
				}
				if live := srv.Stats().M2MTokens.Live; live != 1 {
					return fmt.Errorf("%d tokens live after destroy, want only the bystander", live)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config: config(true, 1),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("machineauth_machine.m", "id", machineID),
					resource.TestCheckResourceAttr("machineauth_m2m_token.outside", "id", outside.ID),
					tokenMatchesService(srv, "machineauth_m2m_token.outside"),
					tokenMatchesService(srv, tokenName),
					captureID(tokenName, &first),
				),
			},
			{
				// Revoked outside Terraform: issued anew, and the
				// revocation keeps its own reason.
				PreConfig: func() {
					reason := outsideReason
					if _, err := c.RevokeM2MToken(ctx, srv.Info().ClerkSecretKey, first, &reason); err != nil {
						t.Errorf("revoking outside Terraform: %v", err)
					}
				},
				Config: config(false, 1),
				Check: resource.ComposeTestCheckFunc(
					warningLike(rec, "revoked outside Terraform"),
					changed(tokenName, "id", &first), tokenMatchesService(srv, tokenName),
					tokenRevokedWith(srv, &first, outsideReason),
					captureID(tokenName, &second),
				),
			},
			{
				// Replaced, and an ephemeral token opened and closed, with
				// each revoke's answer lost: the client sends it again, and
				// Clerk answers for a token already revoked.
				PreConfig: func() {
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/revoke", times: -1, act: loseEveryOther(p)})
				},
				Config: config(false, 2, `
ephemeral "machineauth_m2m_token" "e" {
  machine_secret_key       = machineauth_machine.m.secret_key
  seconds_until_expiration = 600
}

provider "echo" {
  data = ephemeral.machineauth_m2m_token.e.token
}

resource "echo" "e" {}
`),
				Check: resource.ComposeTestCheckFunc(
					changed(tokenName, "id", &second), tokenMatchesService(srv, tokenName),
					tokenRevokedWith(srv, &second, defaultRevocationReason),
					func(s *terraform.State) error {
						if len(p.lostAnswers()) < 2 {
							return fmt.Errorf("%d answers lost, want the resource's revoke and the ephemeral token's", len(p.lostAnswers()))
						}
						// Only the tokens in state are live: the ephemeral
						// ones were revoked when Terraform closed them.
						inState := map[string]bool{stateAttr(s, tokenName, "id"): true, stateAttr(s, "machineauth_m2m_token.outside", "id"): true}
						for _, tok := range srv.M2MTokens(machineID) {
							if liveAt(tok.Revoked, tok.Expiration, srv.Now()) && !inState[tok.ID] {
								return fmt.Errorf("token %s is live and in no state", tok.ID)
							}
						}
						return noWarning(rec, "Unable to revoke")
					},
				),
			},
			{
				// The machine deleted outside Terraform: whatever Clerk did
				// to its tokens, none is left live, and none is called gone
				// while it works.
				PreConfig: func() {
					p.setRules()
					if err := adminClient(t, srv).DeleteMachine(ctx, machineID); err != nil {
						t.Errorf("deleting the machine outside Terraform: %v", err)
					}
				},
				Config: config(false, 2),
				Check: resource.ComposeTestCheckFunc(
					orphanWarnings,
					noLiveTokensOf(srv, &machineID),
					changed("machineauth_machine.m", "id", &machineID),
					tokenMatchesService(srv, tokenName), tokenMatchesService(srv, "machineauth_m2m_token.outside"),
				),
			},
		},
	})
}

// foreignMachineTokenSwitchScenario runs machineauth_m2m_token with a
// provider that has only a machine key, for a token of another machine:
// Clerk refuses that key the other machine's listing with 403, or with 404
// as for a machine that is gone. Either way the create fails saying the
// listing was refused, never that the machine is gone, and revokes what it
// issued; and an import of such a token is refused, never taken for a
// token that is gone.
func foreignMachineTokenSwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	machineID, machineKey, err := srv.CreateMachine("other", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	imported, err := verificationClient(t, srv).CreateM2MToken(ctx, machineKey, client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(3600)})
	if err != nil {
		t.Fatal(err)
	}
	provider := providerConfigWithout(srv, "secret_key")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_id            = %q
  machine_secret_key_wo = %q
}
`, machineID, machineKey),
				ExpectError: wrappedText("Unable to keep the M2M token", "cannot list machine", "was revoked"),
			},
			{
				Config: provider + fmt.Sprintf(`
import {
  to = machineauth_m2m_token.t
  id = "%s/%s"
}

resource "machineauth_m2m_token" "t" {
  machine_id = %q
}
`, machineID, imported.ID, machineID),
				ExpectError: foreignListingRefused(srv),
			},
		},
	})
	for _, tok := range srv.M2MTokens(machineID) {
		if tok.ID != imported.ID && liveAt(tok.Revoked, tok.Expiration, srv.Now()) {
			t.Errorf("token %s, issued by the failed create, is still live", tok.ID)
		}
		if tok.ID == imported.ID && tok.Revoked {
			t.Errorf("token %s, which the run did not make, was revoked", tok.ID)
		}
	}
}

// foreignListingRefused is the error a read with another machine's key
// gets: Clerk's refusal, or, where Clerk answers 404, that the provider
// cannot tell "gone" from "not yours".
func foreignListingRefused(srv *emulator.Server) *regexp.Regexp {
	if assumed(srv, "foreign_machine_token_listing") == "404" {
		return wrappedText("Unable to read M2M token", "cannot tell whether", "set clerk.secret_key")
	}
	return wrappedText("Unable to read M2M token", "403 authorization_invalid")
}

// machineSwitchScenario runs machineauth_machine and its key's rotation,
// with a token issued by the key: a rotation; another inside its overlap,
// refused at plan, since Clerk may keep one previous key only and would
// end the key consumers hold; one whose answer is lost; one whose answer
// and the read that would settle it are both lost, then the apply run
// again, which must take the rotation that happened for its own rather
// than rotate twice; one refused before Clerk acted, sent once; destroy.
func machineSwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	c := verificationClient(t, srv)
	p := newScriptedProxy(t, srv)
	config := func(trigger string) string {
		return proxied(srv, p.URL) + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name                     = "rotating"
  previous_key_ttl_seconds = 600
  rotation_triggers        = { rotation = %q }
}

resource "machineauth_m2m_token" "t" {
  machine_id               = machineauth_machine.m.id
  machine_secret_key_wo    = machineauth_machine.m.secret_key
  seconds_until_expiration = 86400
}
`, trigger)
	}
	var id, tokenID string
	keys := make([]string, 6) // keys[i] after the i-th rotation
	issues := func(key *string) error {
		_, err := c.CreateM2MToken(ctx, *key, client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(60)})
		if err != nil {
			return fmt.Errorf("key %d... issues no token: %w", len(*key), err)
		}
		return nil
	}
	// rotatedTo checks the i-th rotation happened and was the only one:
	// the key before it is the one previous key, still working.
	rotatedTo := func(i int) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(
			captureAttr(machineAddr, "secret_key", &keys[i]),
			func(*terraform.State) error {
				m, _ := srv.Machine(id)
				switch {
				case keys[i] != m.SecretKey:
					return fmt.Errorf("secret_key in state is not the machine's current key")
				case keys[i] == keys[i-1]:
					return fmt.Errorf("rotation %d did not change the key", i)
				case len(m.PreviousKeys) != 1 || m.PreviousKeys[0] != keys[i-1]:
					return fmt.Errorf("after rotation %d the previous keys are %d, want only the key before it: a second rotation ended it", i, len(m.PreviousKeys))
				}
				if err := issues(&keys[i-1]); err != nil {
					return fmt.Errorf("inside the overlap, the previous %w", err)
				}
				return issues(&keys[i])
			},
			resource.TestCheckResourceAttrPtr(tokenName, "id", &tokenID),
			tokenMatchesService(srv, tokenName),
		)
	}
	rec := &warningRecorder{}
	lost := false // the rotate's answer was lost: fail the reads of the key
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: resource.ComposeTestCheckFunc(
			func(*terraform.State) error {
				// Revoked before its machine was deleted, which may delete
				// it (machine_delete_tokens).
				if tok, ok := srv.M2MToken(tokenID); ok && (tok.RevocationReason == nil || *tok.RevocationReason != defaultRevocationReason) {
					return fmt.Errorf("token %s: revoked %v with %s, want revoked by its destroy", tokenID, tok.Revoked, deref(tok.RevocationReason))
				}
				return nil
			},
			func(*terraform.State) error {
				if _, ok := srv.Machine(id); ok {
					return fmt.Errorf("machine %s still exists after destroy", id)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config: config("q0"),
				Check: resource.ComposeTestCheckFunc(
					captureID(machineAddr, &id), captureAttr(machineAddr, "secret_key", &keys[0]), captureID(tokenName, &tokenID),
				),
			},
			{Config: config("q1"), Check: rotatedTo(1)},
			{
				// Inside the overlap of rotation 1: refused at plan.
				Config:      config("q2"),
				ExpectError: regexp.MustCompile(`inside its rotation overlap`),
			},
			{
				// Past the overlap, with the rotate's answer lost: settled
				// by reading the key, not sent again.
				PreConfig: func() {
					if err := issues(&keys[0]); err != nil {
						t.Errorf("after the refused rotation, inside its overlap, the key before rotation 1: %v", err)
					}
					srv.Advance(610 * time.Second)
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/secret_key/rotate", times: 1, act: p.loseAnswer})
				},
				Config: config("q2"),
				Check:  rotatedTo(2),
			},
			{
				// The rotate's answer lost, and the reads that would settle
				// it too: the apply fails...
				PreConfig: func() {
					srv.Advance(610 * time.Second)
					var mu sync.Mutex
					p.setRules(
						&scriptRule{method: "POST", pathSuffix: "/secret_key/rotate", times: 1, act: func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
							mu.Lock()
							lost = true
							mu.Unlock()
							p.loseAnswer(w, answer)
						}},
						&scriptRule{method: "GET", pathSuffix: "/secret_key", times: -1, act: func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
							mu.Lock()
							fail := lost
							mu.Unlock()
							if fail {
								w.WriteHeader(http.StatusServiceUnavailable)
								return
							}
							passOn(w, answer)
						}},
					)
				},
				Config:      config("q3"),
				ExpectError: regexp.MustCompile(`Unable to rotate the secret key`),
			},
			{
				// ...and applied again, its refresh finds the key rotated
				// and takes that rotation for this change: a second one
				// would end the previous key at once.
				PreConfig: func() { p.setRules() },
				Config:    config("q3"),
				Check: resource.ComposeTestCheckFunc(
					rotatedTo(3),
					warningLike(rec, "already rotated"),
				),
			},
			{
				// Refused before Clerk acted (a 5xx of the proxy's own):
				// the key has not changed, and the rotation is not sent
				// again within the apply...
				PreConfig: func() {
					srv.Advance(610 * time.Second)
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/secret_key/rotate", times: 1, act: stytchAnswer(http.StatusInternalServerError, "internal_server_error")})
				},
				Config:      config("q4"),
				ExpectError: wrappedText("Unable to rotate the secret key", "not sent again"),
			},
			{
				// ...but by the next one, which rotates.
				PreConfig: func() { p.setRules() },
				Config:    config("q4"),
				Check:     rotatedTo(4),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(machineAddr, tfjsonpath.New("secret_key")),
				}},
			},
		},
	})
}

// apiKeySwitchScenario runs machineauth_api_key: a machine made outside
// Terraform with a key of its own, both imported, beside a key Terraform
// makes for it with a description, claims and a lifetime; the description
// and claims removed in place; renewed in place before it expires; revoked
// outside Terraform; replaced with the revoke's answer lost; the machine
// deleted outside Terraform (its keys may keep working); destroy. A key of
// the fixture user, which no one in the run made, stays live throughout.
func apiKeySwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	fx := srv.Info().Fixture
	admin := adminClient(t, srv)
	machineID, _, err := srv.CreateMachine("switches", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := admin.CreateAPIKey(ctx, client.CreateAPIKeyRequest{Name: "outside key", Subject: machineID})
	if err != nil {
		t.Fatal(err)
	}
	bystander, err := admin.CreateAPIKey(ctx, client.CreateAPIKeyRequest{Name: "bystander", Subject: fx.ClerkUserID})
	if err != nil {
		t.Fatal(err)
	}
	p := newScriptedProxy(t, srv)
	const keyAddr = "machineauth_api_key.k"
	config := func(imports bool, round int, described bool, ephemeral ...string) string {
		cfg := proxied(srv, p.URL) + strings.Join(ephemeral, "")
		if imports {
			cfg += fmt.Sprintf(`
import {
  to = machineauth_machine.m
  id = %q
}

import {
  to = machineauth_api_key.outside
  id = %q
}
`, machineID, outside.ID)
		}
		extra := ""
		if described {
			extra = `
  description = "made by the switches test"
  claims      = jsonencode({ team = "payments" })`
		}
		return cfg + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = "switches"
}

resource "machineauth_api_key" "outside" {
  name    = "outside key"
  subject = machineauth_machine.m.id
}

resource "machineauth_api_key" "k" {
  name                     = "switches-%d"
  subject                  = machineauth_machine.m.id%s
  seconds_until_expiration = 3600
  renew_before_seconds     = 600
}
`, round, extra)
	}
	keyMatches := func(addr string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id := stateAttr(s, addr, "id")
			k, ok := srv.APIKey(id)
			switch {
			case !ok:
				return fmt.Errorf("%s: the emulator has no key %s", addr, id)
			case !liveAt(k.Revoked, k.Expiration, srv.Now()):
				return fmt.Errorf("%s: key %s is not live", addr, id)
			case stateAttr(s, addr, "expires_at") != rfc3339Of(k.Expiration):
				return fmt.Errorf("%s: expires_at %q, the emulator's expiration %q", addr, stateAttr(s, addr, "expires_at"), rfc3339Of(k.Expiration))
			case stateAttr(s, addr, "secret") != k.Secret:
				return fmt.Errorf("%s: the secret in state is not the key's", addr)
			case stateAttr(s, addr, "description") != deref0(k.Description):
				return fmt.Errorf("%s: description %q, the emulator's %q", addr, stateAttr(s, addr, "description"), deref0(k.Description))
			}
			if _, err := admin.VerifyAPIKey(ctx, k.Secret); err != nil {
				return fmt.Errorf("%s: the key does not verify: %w", addr, err)
			}
			return nil
		}
	}
	keyRevokedWith := func(id *string, reason string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			k, ok := srv.APIKey(*id)
			if !ok || !k.Revoked || k.RevocationReason == nil || *k.RevocationReason != reason {
				return fmt.Errorf("key %s: revoked %v with %s, want revoked with %q", *id, k.Revoked, deref(k.RevocationReason), reason)
			}
			return nil
		}
	}
	noLiveKeysOf := func(subject string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, k := range srv.APIKeys(subject) {
				if liveAt(k.Revoked, k.Expiration, srv.Now()) {
					return fmt.Errorf("key %s of %s is still live", k.ID, subject)
				}
			}
			return nil
		}
	}
	rec := &warningRecorder{}
	var first, second, secret string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: withEchoProvider(recordingFactories(rec)),
		CheckDestroy: func(*terraform.State) error {
			for _, k := range srv.APIKeys(fx.ClerkUserID) {
				if k.ID == bystander.ID && !liveAt(k.Revoked, k.Expiration, srv.Now()) {
					return fmt.Errorf("the bystander key, which no one in this run made, is no longer live")
				}
			}
			if live := srv.Stats().APIKeys.Live; live != 1 {
				return fmt.Errorf("%d keys live after destroy, want only the bystander", live)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(true, 1, true),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("machineauth_api_key.outside", "id", outside.ID),
					keyMatches("machineauth_api_key.outside"), keyMatches(keyAddr),
					resource.TestCheckResourceAttr(keyAddr, "description", "made by the switches test"),
					captureID(keyAddr, &first),
				),
			},
			{
				// Description and claims removed in place: gone from the
				// key, and the next plan is empty.
				Config: config(false, 1, false),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr(keyAddr, "description"),
					resource.TestCheckNoResourceAttr(keyAddr, "claims"),
					keyMatches(keyAddr),
					func(*terraform.State) error {
						k, _ := srv.APIKey(first)
						if claims := fmt.Sprint(k.Claims); strings.Contains(claims, "payments") {
							return fmt.Errorf("the key's claims are still %s", claims)
						}
						return nil
					},
				),
			},
			{
				// Inside the renewal window: renewed in place, the expiry
				// moved a lifetime on from now, the secret unchanged.
				PreConfig: func() { srv.Advance(3100 * time.Second) },
				Config:    config(false, 1, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(keyAddr, "id", &first),
					keyMatches(keyAddr),
					captureAttr(keyAddr, "secret", &secret),
					func(*terraform.State) error {
						k, _ := srv.APIKey(first)
						if k.Expiration == nil || k.Expiration.Sub(srv.Now()) < 3500*time.Second {
							return fmt.Errorf("after the renewal the key expires at %s, not a lifetime from now (%s)", rfc3339Of(k.Expiration), srv.Now().Format(time.RFC3339))
						}
						return nil
					},
				),
			},
			{
				// Revoked outside Terraform: made anew, and the revocation
				// keeps its own reason.
				PreConfig: func() {
					reason := outsideReason
					if _, err := admin.RevokeAPIKey(ctx, first, &reason); err != nil {
						t.Errorf("revoking outside Terraform: %v", err)
					}
				},
				Config: config(false, 1, false),
				Check: resource.ComposeTestCheckFunc(
					warningLike(rec, "revoked outside Terraform"),
					changed(keyAddr, "id", &first), keyMatches(keyAddr),
					keyRevokedWith(&first, outsideReason),
					captureID(keyAddr, &second),
				),
			},
			{
				// Replaced, and an ephemeral key opened and closed, with
				// each revoke's answer lost: the client sends it again, and
				// Clerk answers for a key already revoked.
				PreConfig: func() {
					p.setRules(&scriptRule{method: "POST", pathSuffix: "/revoke", times: -1, act: loseEveryOther(p)})
				},
				Config: config(false, 2, false, `
ephemeral "machineauth_api_key" "e" {
  name                     = "ephemeral"
  subject                  = machineauth_machine.m.id
  seconds_until_expiration = 600
}

provider "echo" {
  data = ephemeral.machineauth_api_key.e.secret
}

resource "echo" "e" {}
`),
				Check: resource.ComposeTestCheckFunc(
					changed(keyAddr, "id", &second), keyMatches(keyAddr),
					keyRevokedWith(&second, defaultAPIKeyRevocationReason),
					func(s *terraform.State) error {
						inState := map[string]bool{stateAttr(s, keyAddr, "id"): true, stateAttr(s, "machineauth_api_key.outside", "id"): true}
						for _, k := range srv.APIKeys(machineID) {
							if liveAt(k.Revoked, k.Expiration, srv.Now()) && !inState[k.ID] {
								return fmt.Errorf("key %s is live and in no state", k.ID)
							}
						}
						return noWarning(rec, "Unable to revoke")
					},
				),
			},
			{
				// The machine deleted outside Terraform: whatever Clerk did
				// to its keys, none is left live, and none is called gone
				// while it works.
				PreConfig: func() {
					p.setRules()
					if err := admin.DeleteMachine(ctx, machineID); err != nil {
						t.Errorf("deleting the machine outside Terraform: %v", err)
					}
				},
				Config: config(false, 2, false),
				Check: resource.ComposeTestCheckFunc(
					noLiveKeysOf(machineID),
					changed("machineauth_machine.m", "id", &machineID),
					keyMatches(keyAddr), keyMatches("machineauth_api_key.outside"),
					func(*terraform.State) error {
						if assumed(srv, "machine_delete_api_keys") == "kept" && assumed(srv, "api_key_unknown_subject") == "404" {
							return warningLike(rec, "orphaned and still valid", machineID)(nil)
						}
						return nil
					},
				),
			},
		},
	})
}

func deref0(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// verificationSwitchScenario runs machineauth_token_verification over every
// kind of credential, live and ended, under Clerk's and Stytch's possible
// answers: a live one is valid, an ended one is not, and neither is an
// error; a JWT-format token carries its machine's scopes; an access token
// is valid for its own app and not for another.
func verificationSwitchScenario(t *testing.T, srv *emulator.Server) {
	ctx := t.Context()
	fx := srv.Info().Fixture
	c := verificationClient(t, srv)
	admin := adminClient(t, srv)
	issue := func(req client.CreateM2MTokenRequest) *client.M2MTokenWithSecret {
		tok, err := c.CreateM2MToken(ctx, fx.ClerkMachineSecretKey, req)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	live := issue(client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(3600)})
	revoked := issue(client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(3600)})
	expiring := issue(client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(60)})
	jwt := issue(client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(3600), TokenFormat: "jwt"})
	reason := outsideReason
	if _, err := c.RevokeM2MToken(ctx, srv.Info().ClerkSecretKey, revoked.ID, &reason); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAPIKey(ctx, client.CreateAPIKeyRequest{Name: "verified", Subject: fx.ClerkUserID})
	if err != nil {
		t.Fatal(err)
	}
	revokedKey, err := admin.CreateAPIKey(ctx, client.CreateAPIKeyRequest{Name: "revoked", Subject: fx.ClerkUserID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RevokeAPIKey(ctx, revokedKey.ID, &reason); err != nil {
		t.Fatal(err)
	}
	accessToken := mintAccessToken(t, c, fx)
	otherApp, otherSecret, err := srv.CreateConnectedApp("third_party", "other", []string{fx.StytchRedirectURI}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Minute) // the short token expires
	check := func(name, token, extra string) string {
		return fmt.Sprintf(`
data "machineauth_token_verification" %q {
  token = %q%s
}
`, name, token, extra)
	}
	config := providerConfig(srv) +
		check("live", live.Token, "") +
		check("revoked", revoked.Token, "") +
		check("expired", expiring.Token, "") +
		check("jwt", jwt.Token, fmt.Sprintf("\n  required_scopes = [%q]", fx.ClerkScopedMachineID)) +
		check("key", key.Secret, "") +
		check("revoked_key", revokedKey.Secret, "") +
		check("own_app", accessToken, fmt.Sprintf("\n  client_id     = %q\n  client_secret = %q", fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret)) +
		check("other_app", accessToken, fmt.Sprintf("\n  client_id     = %q\n  client_secret = %q", otherApp, otherSecret))
	valid := func(name string, want bool, reasons ...string) resource.TestCheckFunc {
		addr := "data.machineauth_token_verification." + name
		checks := []resource.TestCheckFunc{resource.TestCheckResourceAttr(addr, "valid", fmt.Sprint(want))}
		if len(reasons) > 0 {
			checks = append(checks, resource.TestCheckResourceAttrWith(addr, "reason", func(v string) error {
				for _, r := range reasons {
					if v == r {
						return nil
					}
				}
				return fmt.Errorf("reason %q, want one of %q", v, reasons)
			}))
		}
		return resource.ComposeTestCheckFunc(checks...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				valid("live", true),
				valid("revoked", false, reasonRevoked, reasonInvalid),
				valid("expired", false, reasonExpired, reasonInvalid),
				valid("jwt", true),
				resource.TestCheckTypeSetElemAttr("data.machineauth_token_verification.jwt", "scopes.*", fx.ClerkScopedMachineID),
				valid("key", true),
				valid("revoked_key", false, reasonRevoked, reasonInvalid),
				valid("own_app", true),
				valid("other_app", false, reasonInactive, reasonInvalid),
			),
		}},
	})
}
