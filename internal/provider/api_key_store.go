package provider

import (
	"context"
	"encoding/json"
	"time"

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
// one is not found. A subject that is gone (its listing answers 404) is
// reported, and its key read by id all the same: what Clerk does to the
// keys of a deleted subject is not documented (assumption
// machine_delete_api_keys in the emulator assumptions guide), and they may
// well keep working.
func (s *apiKeyStore) lookup(ctx context.Context, subject, id string) (key client.APIKey, found, subjectGone bool, err error) {
	ix, err := s.listing(ctx, subject, false)
	if err != nil {
		return client.APIKey{}, false, false, err
	}
	if key, found = ix.get(id); found {
		return key, true, ix.gone, nil
	}
	k, err := s.client.GetAPIKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		return client.APIKey{}, false, ix.gone, nil
	case err != nil:
		return client.APIKey{}, false, false, err
	}
	return *k, true, ix.gone, nil
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
// as revoked once a fresh read shows it so (see settleRefusedRevoke).
// Never a DELETE: the revoked key keeps its record and reason.
func (s *apiKeyStore) revoke(ctx context.Context, id, reason string, diags *diag.Diagnostics) {
	if err := s.revokeKey(ctx, id, reason); err != nil {
		addClientError(diags, "Unable to revoke API key "+id, err)
	}
}

// revokeKey is revoke, returning the failure.
func (s *apiKeyStore) revokeKey(ctx context.Context, id, reason string) error {
	k, err := s.client.RevokeAPIKey(ctx, id, &reason)
	if err == nil {
		s.record(*k)
		return nil
	}
	return settleRefusedRevoke(err, func() (revokeCheck, error) {
		k, err := s.client.GetAPIKey(ctx, id)
		switch {
		case client.IsNotFound(err):
			return revokeCheck{ended: true}, nil
		case err != nil:
			return revokeCheck{}, err
		case k.Revoked || k.Expired:
			s.record(*k)
			return revokeCheck{ended: true}, nil
		}
		return revokeCheck{found: "is still live"}, nil
	})
}

// update changes a key in place, then checks Clerk's answer against what
// was asked where how Clerk reads the request is not documented, and asks
// once more, differently, when the answer shows it read it otherwise:
//
//   - A field sent as null to clear it may be taken as not sent
//     (assumption api_key_update_null in the emulator assumptions guide): a
//     description still there is cleared with "", claims still there with
//     {}, both of which the provider reads back as none.
//   - A new seconds_until_expiration may count from the key's creation
//     rather than from the update (assumption api_key_expiry_update): it is
//     then sent again, lengthened by the key's age, so that the key expires
//     when asked and a renewal moves its expiry, as consumers holding the
//     key count on.
func (s *apiKeyStore) update(ctx context.Context, id string, upd client.UpdateAPIKeyRequest) (*client.APIKey, error) {
	k, err := s.client.UpdateAPIKey(ctx, id, upd)
	if err != nil {
		return nil, err
	}
	s.record(*k)
	again := client.UpdateAPIKeyRequest{}
	if upd.ClearDescription && k.Description != nil && *k.Description != "" {
		empty := ""
		again.Description = &empty
	}
	if string(upd.Claims) == "null" && len(k.Claims) > 0 && !sameJSONObject(string(k.Claims), "{}") {
		again.Claims = json.RawMessage("{}")
	}
	if n := upd.SecondsUntilExpiration; n != nil {
		if age, fromCreation := expiryCountedFromCreation(k, *n); fromCreation {
			lengthened := *n + age
			again.SecondsUntilExpiration = &lengthened
		}
	}
	if again.Empty() {
		return k, nil
	}
	k, err = s.client.UpdateAPIKey(ctx, id, again)
	if err != nil {
		return nil, err
	}
	s.record(*k)
	return k, nil
}

// expiryCountedFromCreation reports whether the expiry Clerk answered an
// update setting a lifetime of n seconds with is n from the key's creation
// rather than from the update, and if so the key's age at the update in
// whole seconds, rounded up. A key younger than a second tells nothing:
// both readings agree.
func expiryCountedFromCreation(k *client.APIKey, n int64) (age int64, fromCreation bool) {
	if k.Expiration == nil {
		return 0, false
	}
	exp := *k.Expiration
	life := n * time.Second.Milliseconds()
	ageMillis := k.UpdatedAt - k.CreatedAt
	if ageMillis < time.Second.Milliseconds() {
		return 0, false
	}
	if absMillis(exp-(k.CreatedAt+life)) >= absMillis(exp-(k.UpdatedAt+life)) {
		return 0, false
	}
	return (ageMillis + time.Second.Milliseconds() - 1) / time.Second.Milliseconds(), true
}

func absMillis(d int64) int64 {
	if d < 0 {
		return -d
	}
	return d
}
