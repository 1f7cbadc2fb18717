package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// apiKeyLostAnswerDoc explains, in the documentation of both kinds of
// machineauth_api_key, the recovery from a lost create answer.
const apiKeyLostAnswerDoc = "**Lost answers.** If the answer to a create is lost (a dropped connection, a timeout, a 5xx), " +
	"Clerk may or may not have made the key. The provider then asks again (up to three requests in all), and every request of one create " +
	"carries the same random value in the claim `" + createMarkerClaim + "`, the provider's own namespace, which configured claims may not use. " +
	"It then lists the subject's live keys and revokes exactly those that carry its value and were not the one finally made, " +
	"with the reason \"" + orphanRevocationReason + "\", and a warning names them: a key of another Terraform run, or of another resource, " +
	"never carries that value, so it is never touched. A search or revoke that fails on a 429, a 5xx or the network is run again " +
	"(three rounds, each with the usual retries); if it still fails, the apply fails with an error that names the keys found and not revoked. " +
	"A create cut off by an interrupt (Ctrl-C) is handled the same way. The marker stays among the key's claims, where verifiers see it, " +
	"until `claims` is next changed; `claims` in state never shows it."

// create makes one API key, recovering from lost answers as
// apiKeyLostAnswerDoc says. It returns nil after adding an error to diags.
func (s *apiKeyStore) create(ctx context.Context, req client.CreateAPIKeyRequest, diags *diag.Diagnostics) *client.APIKeyWithSecret {
	marker, err := newCreateMarker()
	if err == nil {
		req.Claims, err = withCreateMarker(req.Claims, marker)
	}
	if err != nil {
		diags.AddError("Unable to create the API key", err.Error())
		return nil
	}
	key, lost, refused := sendCreate(ctx, func(ctx context.Context) (*client.APIKeyWithSecret, error) {
		k, err := s.client.CreateAPIKey(ctx, req)
		if err == nil {
			s.record(k.APIKey)
		}
		return k, err
	}, nil)
	if refused != nil {
		addClientError(diags, "Unable to create the API key "+req.Name+" for "+req.Subject, refused)
	}
	if lost.any() {
		s.reconcile(ctx, req.Subject, marker, key, lost, diags)
		if key == nil && !diags.HasError() {
			diags.AddError("Unable to create the API key "+req.Name+" for "+req.Subject, lost.failure("; any key they made was revoked"))
		}
	}
	if diags.HasError() {
		return nil
	}
	return key
}

// reconcile revokes the live keys of subject that carry marker, but the
// one issued (nil if none was).
func (s *apiKeyStore) reconcile(ctx context.Context, subject, marker string, issued *client.APIKeyWithSecret, lost lostCreates, diags *diag.Diagnostics) {
	issuedID := ""
	if issued != nil {
		issuedID = issued.ID
	}
	revoked, left, err := settleLostAnswers(ctx, lost, func(ctx context.Context) ([]string, []string, error) {
		return s.revokeMarked(ctx, subject, marker, issuedID)
	})
	leftBehindReport{
		failed: "An API key may have been left behind: searching " + subject + "'s API keys failed",
		left: func(ids string) string {
			return fmt.Sprintf("The lost requests left these API keys of %s live: %s. Revoke them in the Clerk dashboard or with the Backend API.", subject, ids)
		},
		settled: "Revoked an API key left behind by a lost answer",
		settledDetail: func(ids string) string {
			return fmt.Sprintf("A create request got no answer, yet Clerk made the key: %s of %s, now revoked (reason %q).", ids, subject, orphanRevocationReason)
		},
	}.add(diags, revoked, left, err)
}

// revokeMarked revokes what one search finds. On failure it also returns
// the ids it found and did not revoke (none if the listing failed).
func (s *apiKeyStore) revokeMarked(ctx context.Context, subject, marker, issuedID string) (revoked, left []string, err error) {
	// Live keys only, fresh rather than the shared listing, which may
	// predate the lost request: an orphan is live, and carries the marker
	// whatever its age, so no time window is needed.
	live, err := fetchAllPages(ctx, s.page(subject, false))
	if err != nil {
		return nil, nil, err
	}
	var orphans []string
	for _, k := range live {
		if k.ID != issuedID && createMarkerOf(k.Claims) == marker {
			orphans = append(orphans, k.ID)
		}
	}
	reason := orphanRevocationReason
	return settleEach(orphans, func(id string) error { return s.revokeKey(ctx, id, reason) })
}

// now is Clerk's clock as last seen by this process, else the local clock:
// expiry and renewal are judged by the clock that set expires_at.
func (s *apiKeyStore) now() time.Time {
	now, _ := s.client.ClerkNow()
	return now
}

// clock is Clerk's clock, learnt from subject's shared listing when this
// process has had no Clerk answer yet.
func (s *apiKeyStore) clock(ctx context.Context, subject string) (time.Time, error) {
	if now, known := s.client.ClerkNow(); known {
		return now, nil
	}
	if _, err := s.listing(ctx, subject, false); err != nil {
		return time.Time{}, err
	}
	return s.now(), nil
}
