package provider

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

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
	// The retries after a lost answer are what tell the orphan search
	// which machine to search, since Clerk cannot say whose an ak_ key is;
	// a third attempt makes losing every answer (and so that knowledge)
	// rare even on a faulty link.
	var firstLostSent time.Time
	tok, lost, refused := sendCreate(ctx, func(ctx context.Context) (*client.M2MTokenWithSecret, error) {
		sent := s.localNow()
		t, err := s.send(ctx, resourceKey, key, req)
		if client.IsAmbiguous(err) && firstLostSent.IsZero() {
			firstLostSent = sent
		}
		return t, err
	}, nil)
	if refused != nil {
		addClientError(diags, "Unable to create the M2M token", refused)
	}
	if lost.any() {
		s.reconcile(ctx, resourceKey, key, req, marker, tok, firstLostSent, lost, diags)
		if tok == nil && !diags.HasError() {
			diags.AddError("Unable to create the M2M token", lost.failure("; any token they made was revoked"))
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
func (s *m2mTokenStore) reconcile(ctx context.Context, resourceKey, key string, req client.CreateM2MTokenRequest, marker string, issued *client.M2MTokenWithSecret, firstLostSent time.Time, lost lostCreates, diags *diag.Diagnostics) {
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
	issuedID := ""
	if issued != nil {
		issuedID = issued.ID
	}
	if marker == "" {
		// No later look: without a marker, a token made meanwhile by
		// another run with the same claims would look like ours.
		lost = lostCreates{}
	}
	revoked, left, err := settleLostAnswers(ctx, lost, func(ctx context.Context) ([]string, []string, error) {
		return s.revokeOrphans(ctx, resourceKey, subject, req, marker, issuedID, firstLostSent)
	})
	leftBehindReport{
		failed: "An M2M token may have been left behind: searching machine " + subject + "'s tokens failed",
		left: func(ids string) string {
			return fmt.Sprintf("The lost requests left these tokens of machine %s live: %s. Revoke them in the Clerk dashboard or with the Backend API.", subject, ids)
		},
		settled: "Revoked an M2M token left behind by a lost answer",
		settledDetail: func(ids string) string {
			return fmt.Sprintf("A create request got no answer, yet Clerk issued the token: %s of machine %s, now revoked (reason %q).", ids, subject, orphanRevocationReason)
		},
	}.add(diags, revoked, left, err)
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
	reason := orphanRevocationReason
	return settleEach(orphans, func(id string) error {
		return s.revokeToken(ctx, tokenRef{resourceKey: resourceKey, subject: subject, id: id}, reason)
	})
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
	return sameJSONObject(want, string(bytes.TrimSpace(got)))
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
