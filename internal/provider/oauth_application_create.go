package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// An OAuth application's create marker makes the recovery from a lost
// create answer exact, as for machines: Clerk takes no idempotency key and
// no metadata on an application, but it lists applications by a part of
// their name (name_query), so every request of one create names the
// application with the marker (see markedName), and once it is made it is
// renamed to its name. A lost answer's client secret reached nobody, so an
// application adopted after one gets a new secret at once.

// oauthApplicationCreateDoc explains the recovery in the resource's
// documentation.
const oauthApplicationCreateDoc = "**Lost answers.** Clerk may create an application whose create answer is lost (a dropped connection, a timeout, a 5xx), " +
	"and its client secret is then lost with it. So the provider creates each application under a temporary name, " +
	"the configured `name` followed by `" + nameCreateMarkerPrefix + "` and 32 random hex digits (the name cut short to keep within 256 characters), " +
	"and renames it to `name` once it has its answer: for a moment the temporary name shows in the Clerk dashboard. " +
	"After a lost answer it lists the applications whose name holds that random value (`GET /oauth_applications?name_query=...`) before trying again: " +
	"it adopts the one a lost request made rather than making another, rotating its client secret (`POST /oauth_applications/{id}/rotate_secret`), " +
	"since the secret its lost answer held reached nobody, deletes any further one, and warns naming them. " +
	"Only applications carrying this create's own random value are adopted or deleted: never one of another run, made outside Terraform " +
	"or registered by a client, whatever its name. At most three create requests are sent. " +
	"A search or delete that fails on a 429, a 5xx or the network is run again (three rounds, each with the usual retries); " +
	"if it still fails, the apply fails with an error naming the applications found, and an interrupted create (Ctrl-C) still runs the search before the provider returns. " +
	"If the rename fails, the application is kept in state with the error, so the next apply replaces it: no application is left that Terraform does not track."

// createOAuthApplication makes one application named as req says,
// recovering from lost answers as oauthApplicationCreateDoc describes. It
// returns nil after adding an error to diags; otherwise the application
// with its secret, and whether it was renamed (if not, diags holds an
// error, and the caller keeps the application in state with it).
func createOAuthApplication(ctx context.Context, c *client.Client, req client.CreateOAuthApplicationRequest, diags *diag.Diagnostics) (made *client.OAuthApplicationWithSecret, renamed bool) {
	marker, err := newCreateMarker()
	if err != nil {
		diags.AddError("Unable to create the OAuth application", err.Error())
		return nil, false
	}
	name := req.Name
	req.Name = markedName(name, marker, oauthApplicationMaxName)
	made, lost, failed := sendCreate(ctx, func(ctx context.Context) (*client.OAuthApplicationWithSecret, error) {
		return c.CreateOAuthApplication(ctx, req)
	}, func() bool {
		// Look before sending another: the lost request may have made it.
		found, err := findMarkedOAuthApplications(ctx, c, marker)
		return err == nil && len(found) == 0
	})
	if lost.any() {
		made = reconcileOAuthApplicationCreate(ctx, c, marker, made, lost, diags)
	}
	switch {
	case failed != nil:
		if made != nil {
			// An earlier lost request made it after all: keep that one.
			break
		}
		addClientError(diags, "Unable to create the OAuth application "+name, failed)
		return nil, false
	case made == nil && !diags.HasError():
		diags.AddError("Unable to create the OAuth application "+name, lost.failure(", and no application was made by them"))
		return nil, false
	case made == nil:
		return nil, false
	}
	a, err := c.UpdateOAuthApplication(ctx, made.ID, client.UpdateOAuthApplicationRequest{Name: &name})
	if err != nil {
		addClientError(diags, fmt.Sprintf("OAuth application %s was created, but renaming it from its temporary name failed: the next apply replaces it", made.ID), err)
		return made, false
	}
	made.OAuthApplication = *a
	return made, true
}

// findMarkedOAuthApplications lists the applications carrying marker,
// oldest first. Clerk matches name_query in part and ignoring case, so the
// exact suffix is checked here too.
func findMarkedOAuthApplications(ctx context.Context, c *client.Client, marker string) ([]client.OAuthApplication, error) {
	suffix := nameCreateMarkerPrefix + marker
	all, err := listAllOAuthApplications(ctx, c, marker)
	if err != nil {
		return nil, err
	}
	found := slices.DeleteFunc(all, func(a client.OAuthApplication) bool { return !strings.HasSuffix(a.Name, suffix) })
	slices.SortFunc(found, func(a, b client.OAuthApplication) int {
		return cmp.Or(cmp.Compare(a.CreatedAt, b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return found, nil
}

// reconcileOAuthApplicationCreate settles what lost answers left: it keeps
// made, or else adopts the oldest application carrying marker (with a new
// secret), and deletes every other one. It returns the application kept,
// or nil, adding a warning naming what it adopted or deleted and an error
// naming what it could not settle.
func reconcileOAuthApplicationCreate(ctx context.Context, c *client.Client, marker string, made *client.OAuthApplicationWithSecret, lost lostCreates, diags *diag.Diagnostics) *client.OAuthApplicationWithSecret {
	var adopted string
	var left []string
	deleted, _, err := settleLostAnswers(ctx, lost, func(ctx context.Context) (deleted, _ []string, err error) {
		found, err := findMarkedOAuthApplications(ctx, c, marker)
		if err == nil && made == nil && len(found) > 0 {
			if made, err = adoptOAuthApplication(ctx, c, found[0]); err == nil {
				adopted = made.ID
			}
		}
		if err != nil {
			return nil, left, err
		}
		var extras []string
		for _, a := range found {
			if made == nil || a.ID != made.ID {
				extras = append(extras, a.ID)
			}
		}
		deleted, left, err = settleEach(extras, func(id string) error {
			if err := c.DeleteOAuthApplication(ctx, id); err != nil && !client.IsNotFound(err) {
				return err
			}
			return nil
		})
		return deleted, left, err
	})
	if adopted != "" {
		diags.AddWarning("Adopted an OAuth application made by a create whose answer was lost",
			fmt.Sprintf("A create request got no answer, yet Clerk made OAuth application %s: the provider uses it, with a new client secret, "+
				"since the secret in the lost answer reached nobody.", adopted))
	}
	report := leftBehindReport{
		failed: "An OAuth application may have been left behind: searching for applications named with " + nameCreateMarkerPrefix + marker + " failed",
		left: func(ids string) string {
			return fmt.Sprintf("The lost requests left these OAuth applications, named with %q: %s. Delete them in the Clerk dashboard or with the Backend API.",
				nameCreateMarkerPrefix+marker, ids)
		},
		settled: "Deleted an OAuth application left behind by a lost answer",
		settledDetail: func(ids string) string {
			return fmt.Sprintf("A create request got no answer, yet Clerk made an OAuth application: %s, now deleted.", ids)
		},
	}
	report.warn(diags, deleted)
	if err != nil {
		report.fail(diags, left, err)
	}
	return made
}

// adoptOAuthApplication makes a listed application the one created: a
// confidential one gets a new secret, the one its lost answer held being
// unknown; a public one has none.
func adoptOAuthApplication(ctx context.Context, c *client.Client, a client.OAuthApplication) (*client.OAuthApplicationWithSecret, error) {
	if a.Public {
		return &client.OAuthApplicationWithSecret{OAuthApplication: a}, nil
	}
	return rotateOAuthApplicationSecret(ctx, c, a.ID)
}

// rotateOAuthApplicationSecret gives application id a new client secret.
// Clerk ends the old one at once, so a rotation whose answer is lost is
// sent again, up to createAttempts requests: the secret the lost answer
// held reached nobody, and the old one is gone already, so only a new one
// is of any use.
func rotateOAuthApplicationSecret(ctx context.Context, c *client.Client, id string) (*client.OAuthApplicationWithSecret, error) {
	var lost error
	sent := 0
	for range createAttempts {
		a, err := c.RotateOAuthApplicationSecret(ctx, id)
		sent++
		if err == nil {
			return a, nil
		}
		if !client.IsAmbiguous(err) {
			return nil, err
		}
		lost = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w; %d rotation request(s) got no answer, so the client secret is now unknown: the old one may already have stopped working, "+
		"and the next apply rotates again", lost, sent)
}
