package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The recovery from a lost create answer, which every credential type
// follows: a create whose answer is lost (a dropped connection, a timeout, a
// 5xx) may or may not have made the credential, so it is sent again, a few
// times at most, and then what the lost requests made is searched for and
// settled (revoked, deleted or adopted). Each type keeps its own request and
// its own search, which finds exactly what its create made (see
// credential_create_marker.go); the attempts, the rounds of the search, its
// detached timeout and the report of what was left behind are here.

// createAttempts bounds the create requests for one credential.
const createAttempts = 3

// orphanSearchRounds bounds how many times the search for what lost
// answers left behind is run after a transient failure; each round's
// requests already have the client's retries.
const orphanSearchRounds = 3

// orphanSearchTimeout bounds that search, which does not stop when the
// operation is cancelled (see settleLostAnswers).
const orphanSearchTimeout = 2 * time.Minute

// lateCommitPause is how long a search that found nothing waits before it
// looks once more, when a lost create got no answer at all (an interrupt,
// a timeout, a dropped connection) or only a gateway's: its request may
// have waited in a queue on the way and be carried out after the first
// look. The service's own 5xx is an answer: that request is over.
const lateCommitPause = 2 * time.Second

// orphanRevocationReason is what a credential left behind by a lost create
// answer is revoked with, so whoever audits them can tell it apart from a
// destroyed one.
const orphanRevocationReason = "Revoked by Terraform: issued by a create whose answer was lost"

// lostCreates is what the attempts of one create went through: how many
// answers were lost, and the last loss.
type lostCreates struct {
	count int
	last  error
}

func (l lostCreates) any() bool { return l.last != nil }

// unanswered reports whether the last loss may still be carried out: no
// answer came, or only a gateway's (502, 504), which the service behind it
// may not have seen the end of.
func (l lostCreates) unanswered() bool {
	var apiErr *client.APIError
	if !errors.As(l.last, &apiErr) {
		return l.last != nil
	}
	return apiErr.StatusCode == http.StatusBadGateway || apiErr.StatusCode == http.StatusGatewayTimeout
}

// failure is the error detail of a create none of whose answers came:
// outcome says what became of what they made ("; any key they made was
// revoked").
func (l lostCreates) failure(outcome string) string {
	return fmt.Sprintf("%d create request(s) got no answer%s. Last failure: %s", l.count, outcome, client.Redact(l.last.Error()))
}

// sendCreate sends create until it is answered, refused, or createAttempts
// requests went unanswered. again, when set, is asked after each lost answer
// whether to send once more (a look for what the lost request made may say
// no). It returns the answer, the losses, and the refusal.
func sendCreate[T any](ctx context.Context, create func(context.Context) (T, error), again func() bool) (made T, lost lostCreates, refused error) {
	for range createAttempts {
		out, err := create(ctx)
		if err == nil {
			return out, lost, nil
		}
		if !client.IsAmbiguous(err) {
			return made, lost, err
		}
		lost.count, lost.last = lost.count+1, err
		if ctx.Err() != nil {
			// Stopped: a further request would not even be sent.
			break
		}
		if again != nil && !again() {
			break
		}
	}
	return made, lost, nil
}

// settleLostAnswers runs round, one search for what lost create answers
// left behind and the settling of what it finds, until it succeeds, fails
// for good, or orphanSearchRounds have run. The search is safe to run again:
// what it settled is no longer found, and what it had yet to settle it finds
// again. A search that gives up leaves a credential nobody tracks, so it
// gets more than one call's retries before it does.
//
// It outlives the operation's context: on an interrupt Terraform cancels
// the operations under way and waits for them to return, and a create cut
// off after its request went out is a lost answer like any other, whose
// credential must not outlive the run unknown. When lost went unanswered
// and the search found nothing, it looks once more after lateCommitPause.
// It returns what every round settled, and on failure the ids found and
// not settled.
func settleLostAnswers(ctx context.Context, lost lostCreates, round func(ctx context.Context) (settled, left []string, err error)) (settled, left []string, err error) {
	ctx, cancel := detachedSearch(ctx)
	defer cancel()
	rounds := func() {
		for range orphanSearchRounds {
			var done []string
			done, left, err = round(ctx)
			settled = append(settled, done...)
			if err == nil || !transientFailure(err) || ctx.Err() != nil {
				break
			}
		}
	}
	rounds()
	if err == nil && len(settled) == 0 && lost.unanswered() {
		select {
		case <-time.After(lateCommitPause):
			rounds()
		case <-ctx.Done():
		}
	}
	return settled, left, err
}

// settleEach settles (revokes, deletes) each of found in turn, stopping at
// the first failure: it returns what it settled and, on failure, what it
// left. settle counts a credential already gone as settled.
func settleEach(found []string, settle func(id string) error) (settled, left []string, err error) {
	for i, id := range found {
		if err := settle(id); err != nil {
			return settled, found[i:], err
		}
		settled = append(settled, id)
	}
	return settled, nil, nil
}

// detachedSearch is the context of a search for what lost answers made:
// not cancelled with ctx, for the reason settleLostAnswers gives, and bounded
// by orphanSearchTimeout instead.
func detachedSearch(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), orphanSearchTimeout)
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

// leftBehindReport words, for one credential type, what settleLostAnswers
// found: ids are joined with ", ". Ids are no secret, but client.Redact
// masks many of them along with the secrets they look like, so they are
// named here unmasked, to be removed by hand.
type leftBehindReport struct {
	// failed is the error's summary when the search failed for good, and
	// left the sentence added to its detail that names what is left.
	failed string
	left   func(ids string) string
	// settled is the warning's summary when the search settled something,
	// and settledDetail its detail.
	settled       string
	settledDetail func(ids string) string
}

// add reports the search's outcome: its failure, or what it settled.
func (r leftBehindReport) add(diags *diag.Diagnostics, settled, left []string, err error) {
	if err != nil {
		r.fail(diags, left, err)
		return
	}
	r.warn(diags, settled)
}

// warn names what the search settled, if anything.
func (r leftBehindReport) warn(diags *diag.Diagnostics, settled []string) {
	if len(settled) > 0 {
		diags.AddWarning(r.settled, r.settledDetail(strings.Join(settled, ", ")))
	}
}

// fail reports a search that failed for good, naming what it left.
func (r leftBehindReport) fail(diags *diag.Diagnostics, left []string, err error) {
	detail := client.Redact(err.Error())
	if len(left) > 0 {
		detail += "\n\n" + r.left(strings.Join(left, ", "))
	}
	diags.AddError(r.failed, detail)
}
