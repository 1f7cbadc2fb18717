package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// A connected app is created with a create marker in its description, a
// random value of this create's own, then updated to the configured values.
// Stytch chooses the client_id, so after a lost create answer the marker is
// the only way to tell the client that request made from every other:
// a search finds exactly the clients carrying it, and no client another run
// made (or this run made for another resource) is ever touched.

// connectedAppMarkerPrefix starts the description of a client being created.
const connectedAppMarkerPrefix = reservedClaimPrefix + "create_id="

const connectedAppCreateDoc = "**Lost answers.** Stytch chooses the `client_id`, so a create whose answer is lost (a dropped connection, " +
	"a timeout, a 5xx) may or may not have made a client, whose secret is gone either way. Every create request therefore carries, as " +
	"the client's description, the value `" + connectedAppMarkerPrefix + "<random>`, the same for every request of one create and " +
	"different for every other create; the provider then updates the client to the configured values (so a create is two requests). " +
	"After a lost answer it creates again (up to three requests), then pages through the project's clients and deletes exactly those " +
	"carrying its own value but the one it keeps, with a warning that names them: no client of another Terraform run, or of another " +
	"resource, is ever touched. A search or delete that fails on a 429, a 5xx or the network is run again (three rounds, each with the " +
	"client's retries); if it still fails, the apply fails with an error naming the clients found and not deleted. A create cut off by " +
	"an interrupt (Ctrl-C) is resolved the same way before the provider returns."

// createConnectedApp creates a client and updates it to fields, recovering
// from lost answers as connectedAppCreateDoc says. It returns nil after an
// error when no client is left; configured is false when the client exists
// but still carries the marker (the update failed, and diags says so).
func createConnectedApp(ctx context.Context, c *client.Client, clientType string, fields client.ConnectedAppClientFields, diags *diag.Diagnostics) (app *client.ConnectedAppClientWithSecrets, configured bool) {
	marker, err := newCreateMarker()
	if err != nil {
		diags.AddError("Unable to create the connected app", err.Error())
		return nil, false
	}
	req := client.CreateConnectedAppClientRequest{ClientType: clientType, ConnectedAppClientFields: fields}
	req.ClientDescription = connectedAppMarkerPrefix + marker
	app, lost, refused := sendCreate(ctx, func(ctx context.Context) (*client.ConnectedAppClientWithSecrets, error) {
		return c.CreateConnectedAppClient(ctx, req)
	}, nil)
	if refused != nil {
		addClientError(diags, "Unable to create the connected app", refused)
	}
	if lost.any() {
		keep := ""
		if app != nil {
			keep = app.ClientID
		}
		deleteMarkedApps(ctx, c, req.ClientDescription, keep, lost, diags)
		if app == nil && !diags.HasError() {
			diags.AddError("Unable to create the connected app", lost.failure("; any client they made was deleted"))
		}
	}
	if app == nil {
		return nil, false
	}
	if _, err := c.UpdateConnectedAppClient(ctx, app.ClientID, fields); err != nil {
		addClientError(diags, "Created connected app "+app.ClientID+" but could not set its configured values; the next apply replaces it", err)
		return app, false
	}
	app.ConnectedAppClientFields = fields
	return app, true
}

// deleteMarkedApps deletes the clients whose description is marker, but
// keep, and warns naming them.
func deleteMarkedApps(ctx context.Context, c *client.Client, marker, keep string, lost lostCreates, diags *diag.Diagnostics) {
	deleted, left, err := settleLostAnswers(ctx, lost, func(ctx context.Context) ([]string, []string, error) {
		return deleteMarkedOnce(ctx, c, marker, keep)
	})
	leftBehindReport{
		failed: "A connected app may have been left behind: searching the project's connected apps failed",
		left: func(ids string) string {
			return "The lost requests left these connected apps: " + ids + ". Delete them in the Stytch dashboard or with the API."
		},
		settled: "Deleted a connected app left behind by a lost answer",
		settledDetail: func(ids string) string {
			return fmt.Sprintf("A create request got no answer, yet Stytch made the client: %s, now deleted. Nobody ever received its client_id or secret.", ids)
		},
	}.add(diags, deleted, left, err)
}

// deleteMarkedOnce is one round of deleteMarkedApps: it returns the
// clients deleted and, on failure, those found and not deleted.
func deleteMarkedOnce(ctx context.Context, c *client.Client, marker, keep string) (deleted, left []string, err error) {
	var found []string
	err = eachConnectedApp(ctx, c, func(a client.ConnectedAppClient) {
		if a.ClientDescription == marker && a.ClientID != keep {
			found = append(found, a.ClientID)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return settleEach(found, func(id string) error {
		if err := c.DeleteConnectedAppClient(ctx, id); err != nil && !stytchClientGone(err) {
			return err
		}
		return nil
	})
}

// eachConnectedApp pages through every client of the project.
func eachConnectedApp(ctx context.Context, c *client.Client, f func(client.ConnectedAppClient)) error {
	req := client.SearchRequest{Limit: searchPageSize}
	for {
		page, err := c.SearchConnectedAppClients(ctx, req)
		if err != nil {
			return err
		}
		for _, a := range page.ConnectedApps {
			f(a)
		}
		if page.ResultsMetadata.NextCursor == nil || *page.ResultsMetadata.NextCursor == "" || len(page.ConnectedApps) == 0 {
			return nil
		}
		req.Cursor = *page.ResultsMetadata.NextCursor
	}
}
