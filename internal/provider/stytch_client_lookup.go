package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What machineauth_connected_app and machineauth_m2m_client share to find
// their clients: what says a client is gone, Stytch's search pages, and the
// data sources' look-up of one client by its client_id, with what they
// show of its secret.

// stytchClientGone reports Stytch's answer that the client does not exist,
// in whichever shape Stytch gives it (see stytchNotFound).
func stytchClientGone(err error) bool { return stytchNotFound(err) }

// searchPageSize is the most Stytch returns in one search page.
const searchPageSize = 1000

// lookUpStytchClient gets the client with this id, or says why not at
// client_id when Stytch has none. kind names the client in messages
// ("connected app", "M2M client").
func lookUpStytchClient[C any](ctx context.Context, get func(context.Context, string) (*C, error), kind, id string, diags *diag.Diagnostics) *C {
	c, err := get(ctx, id)
	if err != nil {
		if stytchClientGone(err) {
			diags.AddAttributeError(path.Root("client_id"), strings.ToUpper(kind[:1])+kind[1:]+" not found",
				fmt.Sprintf("Stytch has no %s %s: %s", kind, id, client.Redact(err.Error())))
			return nil
		}
		addClientError(diags, "Unable to read "+kind+" "+id, err)
		return nil
	}
	return c
}

// clientSecretStatus is what a client data source shows of the secret,
// which Stytch never shows again.
type clientSecretStatus struct {
	SecretLastFour  types.String `tfsdk:"client_secret_last_four"`
	RotationPending types.Bool   `tfsdk:"secret_rotation_pending"`
}

func (s *clientSecretStatus) setSecret(lastFour string, nextLastFour *string) {
	s.SecretLastFour = stringOrNull(lastFour)
	s.RotationPending = types.BoolValue(nextLastFour != nil)
}

var secretRotationPendingAttribute = schema.BoolAttribute{
	MarkdownDescription: "Whether a secret rotation has started and is neither completed nor cancelled.",
	Computed:            true,
}
