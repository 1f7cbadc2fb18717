package provider

import (
	"bytes"
	"context"
	"fmt"
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

// ambiguousCreateDoc explains the recovery in the resource's documentation.
const ambiguousCreateDoc = "**Lost answers.** If the answer to a create is lost (a dropped connection, a timeout, a 5xx), " +
	"Clerk may or may not have issued the token, and its secret is gone either way. The provider then issues the token again (up to three requests in all), " +
	"and lists the machine's live tokens: any token created since the lost request was sent, with the same claims, " +
	"that this provider run did not create or read itself (after every create still under way in this run has answered) " +
	"is revoked with the reason \"" + orphanRevocationReason + "\", and a warning names it. " +
	"So no live token is left that Terraform does not track. JWT-format tokens cannot be listed or revoked: " +
	"a lost one is reported in a warning and stays valid until it expires, though nobody ever received it."

// create issues one token with the machine key for resourceKey, recovering
// from ambiguous failures as ambiguousCreateDoc describes. It returns nil
// after adding an error to diags.
func (s *m2mTokenStore) create(ctx context.Context, resourceKey string, req client.CreateM2MTokenRequest, diags *diag.Diagnostics) *client.M2MTokenWithSecret {
	key := s.createKey(resourceKey)
	var (
		tok           *client.M2MTokenWithSecret
		lost          error
		firstLostSent time.Time
	)
	// The retries after a lost answer are what tell the orphan search
	// which machine to search, since Clerk cannot say whose an ak_ key is;
	// a third attempt makes losing every answer (and so that knowledge)
	// rare even on a faulty link.
	for range createAttempts {
		sent := time.Now()
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
		if firstLostSent.IsZero() {
			firstLostSent = sent
		}
	}
	if lost != nil {
		s.reconcile(ctx, resourceKey, key, req, tok, firstLostSent, diags)
		if tok == nil && !diags.HasError() {
			diags.AddError("Unable to create the M2M token",
				fmt.Sprintf("%d create requests got no answer; any token they made was revoked. Last failure: ", createAttempts)+client.Redact(lost.Error()))
		}
	}
	if diags.HasError() {
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

// reconcile finds and revokes what lost create answers left behind.
// issued is the token finally issued, or nil.
func (s *m2mTokenStore) reconcile(ctx context.Context, resourceKey, key string, req client.CreateM2MTokenRequest, issued *client.M2MTokenWithSecret, firstLostSent time.Time, diags *diag.Diagnostics) {
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
	revoked, err := s.revokeOrphans(ctx, resourceKey, subject, req, firstLostSent)
	if err != nil {
		addClientError(diags, "An M2M token may have been left behind: searching machine "+subject+"'s tokens failed", err)
		return
	}
	if len(revoked) > 0 {
		diags.AddWarning("Revoked an M2M token left behind by a lost answer",
			fmt.Sprintf("A create request got no answer, yet Clerk issued the token: %s of machine %s, now revoked (reason %q).",
				strings.Join(revoked, ", "), subject, orphanRevocationReason))
	}
}

// revokeOrphans revokes subject's live tokens created since firstLostSent
// with the requested claims that this process neither created nor read,
// and returns their ids.
func (s *m2mTokenStore) revokeOrphans(ctx context.Context, resourceKey, subject string, req client.CreateM2MTokenRequest, firstLostSent time.Time) ([]string, error) {
	key := s.readKey(resourceKey)
	var recent []client.M2MToken
	var since int64
	for offset := 0; ; offset += listPageSize {
		// Live tokens only: an orphan is live, and newest first means the
		// first pages hold everything from the request's time on.
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
			since = s.now().Add(-time.Since(firstLostSent)).UnixMilli()
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
			break
		}
	}
	// A token in that listing may come from another create of this run
	// whose answer is still on its way: wait until each has answered, so
	// it is known rather than taken for an orphan.
	if err := s.awaitInflight(ctx); err != nil {
		return nil, err
	}

	want := string(req.Claims)
	var revoked []string
	for _, t := range recent {
		if s.isKnown(t.ID) || !claimsMatch(want, t.Claims) {
			continue
		}
		reason := orphanRevocationReason
		rt, err := s.client.RevokeM2MToken(ctx, key, t.ID, &reason)
		if err != nil && !client.IsNotFound(err) {
			return revoked, err
		}
		if rt != nil {
			s.recordRevoked(resourceKey, *rt)
		}
		revoked = append(revoked, t.ID)
	}
	return revoked, nil
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
