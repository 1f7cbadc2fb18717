package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// orphanRevocationReason is what a token left behind by a lost create
// answer is revoked with, so whoever audits the machine's tokens can tell
// it apart from a destroyed one.
const orphanRevocationReason = "Revoked by Terraform: issued by a create whose answer was lost"

// createAttempts bounds the create requests for one token.
const createAttempts = 3

// orphanSearchRounds bounds how many times the search for what lost
// answers left behind is run after a transient failure; each round's
// requests already have the client's retries.
const orphanSearchRounds = 3

// orphanSearchTimeout bounds that search, which does not stop when the
// operation is cancelled (see create).
const orphanSearchTimeout = 2 * time.Minute

// ambiguousCreateDoc explains the recovery in the resource's documentation.
const ambiguousCreateDoc = "**Lost answers.** If the answer to a create is lost (a dropped connection, a timeout, a 5xx), " +
	"Clerk may or may not have issued the token, and its secret is gone either way. The provider then issues the token again (up to three requests in all), " +
	"and lists the machine's live tokens created since the lost request was sent. " +
	"Every request of one create carries the same random value in the claim `" + createMarkerClaim + "` (see `create_marker`), " +
	"so the provider revokes exactly the tokens that carry its own value and were not the one finally issued, " +
	"with the reason \"" + orphanRevocationReason + "\", and a warning names them; no token of another Terraform run, or of another resource, is ever touched. " +
	"With `create_marker = false` it falls back to claims and time: it revokes any token created since the lost request with the same claims " +
	"that this provider run did not create or read itself (after every create still under way in this run has answered). " +
	"That can revoke a token another Terraform run issued for the same machine with the same claims at the same moment: keep the marker on when runs share a machine. " +
	"A search or revoke that fails on a 429, a 5xx or the network is run again (three rounds, each with the usual retries); " +
	"if it still fails, the apply fails with an error that names the tokens found and not revoked. " +
	"A create cut off by an interrupt (Ctrl-C) is handled the same way: the search still runs before the provider returns. " +
	"So no live token is left that Terraform does not track, or the apply says which. JWT-format tokens cannot be listed or revoked: " +
	"a lost one is reported in a warning and stays valid until it expires, though nobody ever received it."

// create issues one token with the machine key for resourceKey, recovering
// from ambiguous failures as ambiguousCreateDoc describes; mark adds the
// create marker to an opaque token's claims. It returns nil after adding an
// error to diags.
func (s *m2mTokenStore) create(ctx context.Context, resourceKey string, req client.CreateM2MTokenRequest, mark bool, diags *diag.Diagnostics) *client.M2MTokenWithSecret {
	key, err := s.keys.issuing(resourceKey)
	if err != nil {
		addClientError(diags, "Unable to create the M2M token", err)
		return nil
	}
	marker := ""
	if mark && req.TokenFormat != tokenFormatJWT {
		if marker, err = newCreateMarker(); err == nil {
			req.Claims, err = withCreateMarker(req.Claims, marker)
		}
		if err != nil {
			diags.AddError("Unable to create the M2M token", err.Error())
			return nil
		}
	}
	var (
		tok           *client.M2MTokenWithSecret
		lost          error
		firstLostSent time.Time
	)
	// The retries after a lost answer are what tell the orphan search
	// which machine to search, since Clerk cannot say whose an ak_ key is;
	// a third attempt makes losing every answer (and so that knowledge)
	// rare even on a faulty link.
	unanswered := 0
	for range createAttempts {
		sent := s.localNow()
		t, err := s.send(ctx, resourceKey, key, req)
		if err == nil {
			tok = t
			break
		}
		if !client.IsAmbiguous(err) {
			addClientError(diags, "Unable to create the M2M token", err)
			break
		}
		lost = err
		unanswered++
		if firstLostSent.IsZero() {
			firstLostSent = sent
		}
		if ctx.Err() != nil {
			// Stopped: a further request would not even be sent.
			break
		}
	}
	if lost != nil {
		// The search outlives the operation's context: on an interrupt
		// Terraform cancels the operations under way and waits for them
		// to return, and a create cut off after its request went out is
		// a lost answer like any other, whose token must not outlive the
		// run unknown.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orphanSearchTimeout)
		s.reconcile(sctx, resourceKey, key, req, marker, tok, firstLostSent, diags)
		cancel()
		if tok == nil && !diags.HasError() {
			diags.AddError("Unable to create the M2M token",
				fmt.Sprintf("%d create request(s) got no answer; any token they made was revoked. Last failure: ", unanswered)+client.Redact(lost.Error()))
		}
	}
	if diags.HasError() {
		if tok != nil {
			// Not returned, so no resource holds it to revoke it later.
			diags.AddError("The M2M token issued was not kept",
				fmt.Sprintf("Token %s of machine %s was issued, but the error above keeps it from being recorded: it stays valid until it expires. "+
					"Revoke it in the Clerk dashboard or with the Backend API.", tok.ID, tok.Subject))
		}
		return nil
	}
	return tok
}

// send makes one create request, registered as under way until its answer
// is in, so a concurrent orphan search waits to learn the token it made.
func (s *m2mTokenStore) send(ctx context.Context, resourceKey, key string, req client.CreateM2MTokenRequest) (*client.M2MTokenWithSecret, error) {
	s.mu.Lock()
	s.seq++
	id, done := s.seq, make(chan struct{})
	s.inflight[id] = done
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.inflight, id)
		s.mu.Unlock()
		close(done)
	}()

	t, err := s.client.CreateM2MToken(ctx, key, req)
	if err != nil {
		return nil, err
	}
	if req.TokenFormat == tokenFormatJWT {
		// Never listed, so there is no listing to add it to.
		s.remember(resourceKey, t.Subject, t.ID)
	} else {
		s.recordCreated(resourceKey, t.M2MToken)
	}
	return t, nil
}

// reconcile finds and revokes what lost create answers left behind: the
// tokens carrying marker, or without one, those that look alike. issued is
// the token finally issued, or nil.
func (s *m2mTokenStore) reconcile(ctx context.Context, resourceKey, key string, req client.CreateM2MTokenRequest, marker string, issued *client.M2MTokenWithSecret, firstLostSent time.Time, diags *diag.Diagnostics) {
	if req.TokenFormat == tokenFormatJWT {
		diags.AddWarning("A JWT-format M2M token may have been issued and lost",
			"A create request got no answer. If Clerk issued the JWT, nobody received it, and it cannot be listed or revoked: "+
				"it stays valid until it expires.")
		return
	}
	subject := s.subjectOf(key)
	if issued != nil {
		subject = issued.Subject
	}
	if subject == "" {
		diags.AddError("An M2M token may have been left behind",
			"No create request got an answer, so the machine of this key is unknown and its tokens cannot be searched. "+
				"Look for a live token of this machine created just now with these claims, and revoke it.")
		return
	}
	// The search is safe to run again: what it revoked is no longer live,
	// and what it had yet to revoke it finds again. A search that gives up
	// leaves a live token nobody tracks, so it gets more than the one
	// call's retries before it does.
	issuedID := ""
	if issued != nil {
		issuedID = issued.ID
	}
	var revoked, left []string
	var err error
	for round := 1; round <= orphanSearchRounds; round++ {
		var done []string
		done, left, err = s.revokeOrphans(ctx, resourceKey, subject, req, marker, issuedID, firstLostSent)
		revoked = append(revoked, done...)
		if err == nil || !transientFailure(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		detail := client.Redact(err.Error())
		if len(left) > 0 {
			// Token ids are no secret, but Redact masks them along with
			// the mt_ secrets they look like: named here, unmasked, so
			// they can be revoked by hand.
			detail += fmt.Sprintf("\n\nThe lost requests left these tokens of machine %s live: %s. Revoke them in the Clerk dashboard or with the Backend API.",
				subject, strings.Join(left, ", "))
		}
		diags.AddError("An M2M token may have been left behind: searching machine "+subject+"'s tokens failed", detail)
		return
	}
	if len(revoked) > 0 {
		diags.AddWarning("Revoked an M2M token left behind by a lost answer",
			fmt.Sprintf("A create request got no answer, yet Clerk issued the token: %s of machine %s, now revoked (reason %q).",
				strings.Join(revoked, ", "), subject, orphanRevocationReason))
	}
}

// transientFailure reports an error a later attempt may not run into: a
// 429, a 5xx or a network failure, not a refusal of the request itself.
func transientFailure(err error) bool {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	}
	var missing *client.MissingCredentialError
	return !errors.As(err, &missing)
}

// revokeOrphans revokes subject's live tokens created since firstLostSent
// that the lost requests made: those carrying marker other than issuedID,
// or without a marker, those with the requested claims that this process
// neither created nor read. It returns their ids; on failure, also the ids
// it found and did not revoke (none if the listing failed).
func (s *m2mTokenStore) revokeOrphans(ctx context.Context, resourceKey, subject string, req client.CreateM2MTokenRequest, marker, issuedID string, firstLostSent time.Time) (revoked, left []string, err error) {
	key, err := s.keys.reading(resourceKey)
	if err != nil {
		return nil, nil, err
	}
	recent, err := s.createdSince(ctx, key, subject, firstLostSent)
	if err != nil {
		return nil, nil, err
	}
	var orphans []string
	if marker != "" {
		for _, t := range recent {
			if t.ID != issuedID && createMarkerOf(t.Claims) == marker {
				orphans = append(orphans, t.ID)
			}
		}
	} else {
		// A token in that listing may come from another create of this
		// run whose answer is still on its way: wait until each has
		// answered, so it is known rather than taken for an orphan.
		if err := s.awaitInflight(ctx); err != nil {
			return nil, nil, err
		}
		want := string(req.Claims)
		for _, t := range recent {
			if !s.isKnown(t.ID) && claimsMatch(want, t.Claims) {
				orphans = append(orphans, t.ID)
			}
		}
	}
	for i, id := range orphans {
		reason := orphanRevocationReason
		rt, err := s.client.RevokeM2MToken(ctx, key, id, &reason)
		if err != nil && !client.IsNotFound(err) {
			return revoked, orphans[i:], err
		}
		if rt != nil {
			s.recordRevoked(resourceKey, *rt)
		}
		revoked = append(revoked, id)
	}
	return revoked, nil, nil
}

// createdSince lists subject's live tokens created since sent, by Clerk's
// clock: newest first, so the first pages hold them all.
func (s *m2mTokenStore) createdSince(ctx context.Context, key, subject string, sent time.Time) ([]client.M2MToken, error) {
	var recent []client.M2MToken
	var since int64
	for offset := 0; ; offset += listPageSize {
		// Live tokens only: an orphan is live.
		page, err := s.client.ListM2MTokens(ctx, key, client.ListM2MTokensRequest{Subject: subject, Limit: listPageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		if offset == 0 {
			// Clerk's time when the lost request was sent, never later
			// than it: Clerk's time now as learned from this answer (Date
			// is truncated and read after it was written, so it is never
			// ahead) less the local time elapsed since the send (never
			// shorter than Clerk's). The orphan was created after it.
			since = s.now().Add(-s.localNow().Sub(sent)).UnixMilli()
		}
		older := false
		for _, t := range page.Tokens {
			if t.CreatedAt < since {
				older = true
				break
			}
			recent = append(recent, t)
		}
		if older || offset+listPageSize >= page.TotalCount {
			return recent, nil
		}
	}
}

// claimsMatch compares requested claims (nil or empty for none) with a
// listed token's.
func claimsMatch(want string, got []byte) bool {
	if want == "" || len(got) == 0 {
		return want == "" && len(got) == 0
	}
	return sameClaims(want, string(bytes.TrimSpace(got)))
}

// awaitInflight waits for every create request under way right now.
func (s *m2mTokenStore) awaitInflight(ctx context.Context) error {
	s.mu.Lock()
	pending := make([]chan struct{}, 0, len(s.inflight))
	for _, ch := range s.inflight {
		pending = append(pending, ch)
	}
	s.mu.Unlock()
	for _, ch := range pending {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
