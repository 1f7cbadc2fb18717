package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// grantRounds bounds how many times one create starts the authorization over
// after an answer was lost, so a flaky network cannot hold an apply forever.
const grantRounds = 3

// grantRequest is one create's authorization: consent for the grantor, then,
// with exchange, the code traded for tokens.
type grantRequest struct {
	grantor        grantor
	connectedAppID string
	redirectURI    string
	scopes         []string
	clientSecret   string
	exchange       bool
}

type grantResult struct {
	tokens        *client.TokenResponse // nil without exchange
	grantedScopes []string
	expiresAt     time.Time // zero when the token endpoint gave no lifetime
	// mayBeActive is set with an error when consent this create recorded
	// may still be active because revoking it failed too.
	mayBeActive bool
	// warnings are what the caller shows however the create ends.
	warnings []string
}

// run authorizes and exchanges, recovering from lost answers so that no
// consent is left active unless it is returned to the caller:
//
//   - A lost authorize answer is followed by another authorize. Consent is
//     one grant per grantor and app, so authorizing again updates the same
//     grant, and the code the lost answer carried expires unused.
//   - A lost exchange answer is followed by the same exchange again: the
//     code is good for one exchange, so the replay either gets the tokens
//     (the lost request never took effect) or is refused as spent, and the
//     flow starts over (see afterSpentCode for what the lost tokens become).
//   - Any other failure after consent was recorded, or running out of
//     rounds, revokes that consent before the error is returned.
func (g grantRequest) run(ctx context.Context, c *client.Client, listings *authorizationListings) (grantResult, error) {
	// Whether the grantor had authorized the app before this create: then
	// other runs and apps may hold tokens under the same authorization.
	before, err := listings.get(ctx, c, g.grantor)
	if err != nil {
		return grantResult{}, err
	}
	_, shared := before[g.connectedAppID]
	var warnings []string
	granted := false // whether consent from this create may be active
	for round := 1; ; round++ {
		verifier, challenge, err := newPKCE()
		if err != nil {
			return g.undo(ctx, c, listings, granted, err)
		}
		state, err := randomURLSafe(16)
		if err != nil {
			return g.undo(ctx, c, listings, granted, err)
		}
		auth, err := g.grantor.authorize(ctx, c, client.AuthorizeRequest{
			ConsentGranted: true, Scopes: g.scopes, ClientID: g.connectedAppID, RedirectURI: g.redirectURI,
			State: state, CodeChallenge: challenge,
		})
		if err != nil {
			if !client.IsAmbiguous(err) {
				return g.undo(ctx, c, listings, granted, err)
			}
			granted = true
			if round == grantRounds {
				return g.undo(ctx, c, listings, true, err)
			}
			tflog.Warn(ctx, "Connected app authorize answer lost; authorizing again, which updates the same authorization", map[string]any{"error": err.Error()})
			continue
		}
		code, err := codeFromRedirect(auth.RedirectURI, state)
		if err != nil {
			return g.undo(ctx, c, listings, true, err)
		}
		if !g.exchange {
			res, err := g.consentOnly(ctx, c, listings)
			res.warnings = append(warnings, res.warnings...)
			return res, err
		}

		requested := time.Now()
		tok, err := exchangeOrReplay(ctx, c, client.TokenRequest{
			ClientID: g.connectedAppID, ClientSecret: g.clientSecret, Code: code, RedirectURI: g.redirectURI, CodeVerifier: verifier,
		})
		if err == nil {
			res := grantResult{tokens: tok, grantedScopes: strings.Fields(tok.Scope)}
			if len(res.grantedScopes) == 0 {
				// RFC 6749 section 5.1: scope may be left out when it is
				// the one requested.
				res.grantedScopes = g.scopes
			}
			res.expiresAt = accessTokenExpiry(tok, requested)
			res.warnings = warnings
			listings.granted(g.grantor, g.connectedAppID, res.grantedScopes)
			return res, nil
		}
		if errors.Is(err, errCodeSpent) && round < grantRounds {
			tflog.Warn(ctx, "Connected app code exchange answer lost and its code spent; authorizing again", map[string]any{"error": err.Error()})
			warning, err := g.afterSpentCode(ctx, c, listings, shared)
			if err != nil {
				res, err := g.undo(ctx, c, listings, true, err)
				res.warnings = warnings
				return res, err
			}
			if warning != "" {
				warnings = append(warnings, warning)
			}
			continue
		}
		res, err := g.undo(ctx, c, listings, true, err)
		res.warnings = warnings
		return res, err
	}
}

// afterSpentCode settles what a lost exchange answer issued, once the
// replay of its code was refused as spent: tokens nobody received. What
// Stytch does on such a replay is not documented (assumption code_replay
// in the emulator assumptions guide): it may end those tokens, as RFC 6749
// section 4.1.2 advises, do nothing more, or revoke the whole
// authorization. A fresh listing tells the last apart, and then:
//
//   - The authorization is gone: Stytch revoked it on the replay. The flow
//     authorizes again; if it existed before this create, whatever others
//     held under it was revoked too, which the returned warning says.
//   - It is still active and this create made it: it is revoked, which
//     ends the lost tokens whatever Stytch did, and ends nobody else's,
//     since nobody else holds tokens under an authorization this create
//     just made.
//   - It is still active and existed before: it is kept, since other runs
//     and apps may hold tokens under it, and the warning says that the
//     lost tokens may stay valid until they expire.
func (g grantRequest) afterSpentCode(ctx context.Context, c *client.Client, listings *authorizationListings, shared bool) (string, error) {
	apps, err := g.grantor.list(ctx, c)
	if err != nil {
		return "", err
	}
	_, active := apps[g.connectedAppID]
	id := g.grantor.authorizationID(g.connectedAppID)
	switch {
	case !active && shared:
		listings.revoked(g.grantor, g.connectedAppID)
		return fmt.Sprintf("A code exchange answer for %s was lost, and when its code was sent again Stytch revoked the whole authorization, "+
			"which existed before this apply: tokens issued under it before, to other runs or apps, no longer work. It has been authorized again.", id), nil
	case !active:
		listings.revoked(g.grantor, g.connectedAppID)
		return "", nil
	case !shared:
		return "", g.revoke(ctx, c, listings)
	}
	return fmt.Sprintf("A code exchange answer for %s was lost. The authorization existed before this apply, so it was kept, for the tokens "+
		"others may hold under it: if Stytch does not end what a spent code issued, the tokens of the lost answer, which nobody received, "+
		"stay valid until they expire.", id), nil
}

// codeReplays bounds the exchanges of one code after lost answers.
const codeReplays = 3

// errCodeSpent says a replayed exchange found its code already used: the
// lost request was answered, and Stytch ends what it issued.
var errCodeSpent = errors.New("the authorization code was spent by an exchange whose answer was lost")

// exchangeOrReplay exchanges a code, sending the same exchange again while
// answers are lost. That is exact where revoking the grant is not: only
// the one exchange of a code succeeds, and a replay of a used code is
// refused with invalid_grant, on which RFC 6749 section 4.1.2 has the
// server revoke what the code issued. errCodeSpent is returned then.
func exchangeOrReplay(ctx context.Context, c *client.Client, req client.TokenRequest) (*client.TokenResponse, error) {
	tok, err := c.ExchangeAuthorizationCode(ctx, req)
	for replay := 1; replay <= codeReplays && client.IsAmbiguous(err) && ctx.Err() == nil; replay++ {
		tflog.Warn(ctx, "Connected app code exchange answer lost; sending the same exchange again", map[string]any{"error": err.Error()})
		tok, err = c.ExchangeAuthorizationCode(ctx, req)
		if client.ErrorCode(err) == "invalid_grant" {
			return nil, fmt.Errorf("%w (%w)", errCodeSpent, err)
		}
	}
	return tok, err
}

// consentOnly finishes a create that exchanges no code. The granted scopes
// come from Stytch's own listing, fetched afresh: a shared listing may
// predate this consent.
func (g grantRequest) consentOnly(ctx context.Context, c *client.Client, listings *authorizationListings) (grantResult, error) {
	apps, err := g.grantor.list(ctx, c)
	if err != nil {
		return g.undo(ctx, c, listings, true, err)
	}
	scopes, ok := apps[g.connectedAppID]
	if !ok {
		return g.undo(ctx, c, listings, true, fmt.Errorf("stytch does not list connected app %s among the apps %s has authorized, right after authorizing it", g.connectedAppID, g.grantor.key()))
	}
	listings.granted(g.grantor, g.connectedAppID, scopes)
	return grantResult{grantedScopes: scopes}, nil
}

// revoke ends the consent with the project's credentials alone: it undoes
// this create's own work, which the member session settings do not govern.
func (g grantRequest) revoke(ctx context.Context, c *client.Client, listings *authorizationListings) error {
	if err := g.grantor.revokeSettled(ctx, c, g.connectedAppID, "", ""); err != nil && !authorizationGone(err) {
		return err
	}
	listings.revoked(g.grantor, g.connectedAppID)
	return nil
}

// undo reports cause after revoking any consent this create recorded.
func (g grantRequest) undo(ctx context.Context, c *client.Client, listings *authorizationListings, granted bool, cause error) (grantResult, error) {
	if !granted {
		return grantResult{}, cause
	}
	if err := g.revoke(ctx, c, listings); err != nil {
		return grantResult{mayBeActive: true}, fmt.Errorf("%w\n\nRevoking the consent this apply recorded failed too (%w), so it may still be active. "+
			"It is saved in the state as tainted: the next apply revokes it and authorizes again.", cause, err)
	}
	return grantResult{}, fmt.Errorf("%w\n\nThe consent this apply recorded has been revoked, so no authorization is left that Terraform does not track.", cause)
}

// accessTokenExpiry is when the access token expires by Stytch's own clock:
// the exp it signed into the token, read without checking the signature,
// since the token came straight from the token endpoint. Failing that,
// expires_in counted from before the request, so expires_at never promises
// more than the token has. Zero when neither is given.
func accessTokenExpiry(tok *client.TokenResponse, requested time.Time) time.Time {
	if jwt, err := jwtverify.Parse(tok.AccessToken); err == nil {
		if exp, ok, err := jwt.TimeClaim("exp"); ok && err == nil {
			return exp
		}
	}
	if tok.ExpiresIn > 0 {
		return requested.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	return time.Time{}
}

// newPKCE returns an RFC 7636 code verifier (32 random bytes, 43
// characters) and its S256 challenge.
func newPKCE() (verifier, challenge string, err error) {
	verifier, err = randomURLSafe(32)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

func randomURLSafe(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// codeFromRedirect takes the authorization code from the redirect URI Stytch
// answered with, after checking it carries the state this request sent: an
// answer with another state belongs to another request, and its code must
// not be exchanged. The URI itself is never quoted, since it holds the code.
func codeFromRedirect(raw, state string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("stytch answered the authorization with a redirect_uri that is not a URL")
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("stytch refused the authorization: %s: %s", e, q.Get("error_description"))
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return "", errors.New("the state on the redirect_uri Stytch answered with is not the one sent, so the answer does not belong to this request; its code was not used")
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("the redirect_uri Stytch answered with carries no authorization code")
	}
	return code, nil
}
