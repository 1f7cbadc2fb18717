package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// apiKeyStore is this provider process's view of Clerk API keys. Each Read
// would otherwise read its key on its own: instead one listing per subject
// (user, organization or machine) of its live keys is fetched once and
// shared by every Read of that subject's keys, and Create, Update and
// Delete keep it current. A key the listing lacks is read by id, to say why
// it is gone: so a refresh costs what is live, not the subject's history.
// Only the instance key manages API keys, so the subject (and whether
// revoked and expired keys are included) names a listing.
type apiKeyStore struct {
	client   *client.Client
	keys     clerkKeys
	listings memo.Group[apiKeyListingKey, *apiKeyIndex]
}

type apiKeyListingKey struct {
	subject string
	// invalidToo: revoked and expired keys too, for the list resource.
	invalidToo bool
}

func newAPIKeyStore(c *client.Client, keys clerkKeys) *apiKeyStore {
	return &apiKeyStore{client: c, keys: keys}
}

// apiKeyIndex is one subject's keys.
type apiKeyIndex = credentialIndex[client.APIKey]

// listing returns the subject's shared listing of live keys, or with
// invalidToo of every key, fetching it on first use.
func (s *apiKeyStore) listing(ctx context.Context, subject string, invalidToo bool) (*apiKeyIndex, error) {
	return s.listings.Get(ctx, apiKeyListingKey{subject, invalidToo}, func(ctx context.Context) (*apiKeyIndex, error) {
		return fetchIndex(ctx, s.page(subject, invalidToo), func(k client.APIKey) string { return k.ID })
	})
}

// lookup finds one key in its subject's shared live listing, or, when it
// is not there, reads it by id: a revoked or expired key says so, a deleted
// one is not found.
func (s *apiKeyStore) lookup(ctx context.Context, subject, id string) (key client.APIKey, found, subjectGone bool, err error) {
	ix, err := s.listing(ctx, subject, false)
	if err != nil {
		return client.APIKey{}, false, false, err
	}
	if key, found = ix.get(id); found || ix.gone {
		return key, found, ix.gone, nil
	}
	k, err := s.client.GetAPIKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		return client.APIKey{}, false, false, nil
	case err != nil:
		return client.APIKey{}, false, false, err
	}
	return *k, true, false, nil
}

// page fetches a page of subject's keys.
func (s *apiKeyStore) page(subject string, invalidToo bool) listPage[client.APIKey] {
	return func(ctx context.Context, offset int) ([]client.APIKey, int, error) {
		p, err := s.client.ListAPIKeys(ctx, client.ListAPIKeysRequest{Subject: subject, IncludeInvalid: invalidToo, Limit: listPageSize, Offset: offset})
		if err != nil {
			return nil, 0, err
		}
		return p.Keys, p.TotalCount, nil
	}
}

// record puts k into its subject's listing, if one is held, so later
// readers see what this process changed.
func (s *apiKeyStore) record(k client.APIKey) {
	for _, invalidToo := range []bool{false, true} {
		s.listings.Update(apiKeyListingKey{k.Subject, invalidToo}, func(ix *apiKeyIndex) *apiKeyIndex { return ix.put(k.ID, k) })
	}
}

// revoke revokes a key with reason; a key already revoked or gone counts
// as revoked. Never a DELETE: the revoked key keeps its record and reason.
func (s *apiKeyStore) revoke(ctx context.Context, id, reason string, diags *diag.Diagnostics) {
	k, err := s.client.RevokeAPIKey(ctx, id, &reason)
	switch {
	case client.IsNotFound(err):
	case err != nil:
		addClientError(diags, "Unable to revoke API key "+id, err)
	default:
		s.record(*k)
	}
}
