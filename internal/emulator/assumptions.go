package emulator

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Where Clerk's or Stytch's reference leaves room, the emulator has to pick
// an answer, and the provider is proven only against that pick. This file
// is the one table of those picks: every comment in the package that marks
// an answer as unconfirmed names its row in the form
// "(*unconfirmed*, assumption NAME)", the guide
// templates/guides/emulator-assumptions.md.tmpl is rendered from it, and
// `machineauth-emulator -assume list` prints its switches. A row is a
// switch when some provider behaviour depends on the answer: Options.Assume
// (and -assume NAME=ALTERNATIVE) then picks one of its alternatives, so
// the provider can be run against each.

// Assumption is one answer the emulator gives where the reference leaves
// room.
type Assumption struct {
	// Name is the row's stable name, which comments and -assume use.
	Name string
	// Service is "Clerk" or "Stytch".
	Service string
	// Question is what the reference leaves open.
	Question string
	// Default is what the emulator answers unless told otherwise.
	Default Choice
	// Alternatives are the other plausible answers.
	Alternatives []Choice
	// Switch says the emulator implements the alternatives, so that
	// Options.Assume can pick one: some provider behaviour depends on the
	// answer. A row that is no switch documents a shape no provider
	// behaviour depends on.
	Switch bool
	// Evidence is where the default and the alternatives come from.
	Evidence string
	// Provider is the provider behaviour that depends on the answer, by
	// file and function, or why none does.
	Provider string
}

// Choice is one possible answer.
type Choice struct {
	// Name is what -assume NAME= takes.
	Name string
	// Answer is what the emulator then does.
	Answer string
}

// Choices are the default and then the alternatives.
func (a Assumption) Choices() []Choice {
	return append([]Choice{a.Default}, a.Alternatives...)
}

func (a Assumption) choiceNames() []string {
	var out []string
	for _, c := range a.Choices() {
		out = append(out, c.Name)
	}
	return out
}

// Assumptions returns the table, Clerk's rows first, each service's in
// the order of its API areas.
func Assumptions() []Assumption {
	out := slices.Clone(assumptionTable)
	for i := range out {
		out[i].Alternatives = slices.Clone(out[i].Alternatives)
	}
	return out
}

// Switches returns the rows Options.Assume can change.
func Switches() []Assumption {
	var out []Assumption
	for _, a := range Assumptions() {
		if a.Switch {
			out = append(out, a)
		}
	}
	return out
}

func findAssumption(name string) (Assumption, bool) {
	for _, a := range assumptionTable {
		if a.Name == name {
			return a, true
		}
	}
	return Assumption{}, false
}

func switchNames() string {
	var names []string
	for _, a := range Switches() {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

// assumed maps every switch to the choice in force.
type assumed map[string]string

// resolveAssumptions checks what Options.Assume asks for against the table
// and fills in the defaults. The errors list what would have been valid.
func resolveAssumptions(set map[string]string) (assumed, error) {
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a, ok := findAssumption(name)
		switch {
		case !ok:
			return nil, fmt.Errorf("emulator: unknown assumption %q: the switches are %s", name, switchNames())
		case !a.Switch:
			return nil, fmt.Errorf("emulator: assumption %q is not a switch, since no provider behaviour depends on it: the switches are %s", name, switchNames())
		case !slices.Contains(a.choiceNames(), set[name]):
			return nil, fmt.Errorf("emulator: assumption %s=%q: want one of %s (default %s)", name, set[name], strings.Join(a.choiceNames(), ", "), a.Default.Name)
		}
	}
	out := assumed{}
	for _, a := range assumptionTable {
		if a.Switch {
			out[a.Name] = a.Default.Name
			if v, ok := set[a.Name]; ok {
				out[a.Name] = v
			}
		}
	}
	return out, nil
}

// get is the choice in force for switch name. An unknown name is a bug in
// the emulator, not in its caller, hence the panic.
func (a assumed) get(name string) string {
	if row, ok := findAssumption(name); !ok || !row.Switch {
		panic("emulator: no switch " + name)
	}
	if v, ok := a[name]; ok {
		return v
	}
	row, _ := findAssumption(name)
	return row.Default.Name
}

// is says whether choice is in force for switch name; a choice the table
// does not list is a bug, as for get.
func (a assumed) is(name, choice string) bool {
	row, _ := findAssumption(name)
	if !slices.Contains(row.choiceNames(), choice) {
		panic(fmt.Sprintf("emulator: switch %s has no choice %q", name, choice))
	}
	return a.get(name) == choice
}

// assumedOf is the server's choices, which the request wrapper puts in
// every API request's context, so that the error writers, which have only
// the request, can answer by them too. Outside a request: the defaults.
func assumedOf(r *http.Request) assumed {
	if a, ok := r.Context().Value(assumedKey).(assumed); ok {
		return a
	}
	return assumed{}
}

func withAssumed(r *http.Request, a assumed) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), assumedKey, a))
}

// assumptionTable is the table itself. Evidence names the reference
// description (clerk-bapi-2026-05-12, the Stytch OpenAPI descriptions),
// Stytch's error reference, the official clients (clerk-sdk-go,
// @clerk/backend, stytch-node) and comparable APIs.
var assumptionTable = []Assumption{
	// Clerk: keys.
	{
		Name:     "clerk_wrong_key_refusal",
		Service:  "Clerk",
		Question: "How a key of the wrong kind is refused: an instance key (`sk_`) on `POST /m2m_tokens`, a machine key (`ak_`) on an instance-only route.",
		Default:  Choice{"by_expected_kind", "401 `machine_secret_key_invalid` where a machine key is expected, 401 `clerk_key_invalid` where an instance key is."},
		Alternatives: []Choice{
			{"forbidden", "403 `authorization_invalid`: the key is genuine, only not allowed here."},
		},
		Evidence: "The description says `POST /m2m_tokens` \"must be authenticated via a Machine Secret Key\" and declares 401 and 403 on the machine routes, without codes.",
		Provider: "None: `clerk_keys.go` sends the instance key to instance routes and a machine key to `POST /m2m_tokens` only, and any 401 or 403 is shown as an error.",
	},
	// Clerk: M2M tokens.
	{
		Name:     "m2m_token_default_ttl",
		Service:  "Clerk",
		Question: "How long an M2M token lives when its create sends no `seconds_until_expiration`.",
		Default:  Choice{"machine_ttl", "The machine's `default_token_ttl`."},
		Alternatives: []Choice{
			{"never", "An opaque token never expires: its `expiration` is null. A JWT-format token keeps the machine's TTL."},
		},
		Switch:   true,
		Evidence: "The description makes `expiration` nullable and gives machines a `default_token_ttl`; other Clerk documentation says such tokens never expire. @clerk/backend's `M2MToken.fromJwtPayload` reads `exp` unconditionally, so a JWT-format token always has one.",
		Provider: "`machineauth_m2m_token` without `seconds_until_expiration` (`m2m_token.go` `m2mTokenArgs.request` leaves it out): `expires_at` is what Clerk answers, null for a token that never expires, and `ready_for_rotation` (`m2m_token_resource.go` `rotationDue`) and the expiry warnings (`expiry_warnings.go` `expiryWarnings`) follow it; the same for the `machineauth_m2m_token` ephemeral resource.",
	},
	{
		Name:     "m2m_token_max_lifetime",
		Service:  "Clerk",
		Question: "The largest `seconds_until_expiration` an M2M token create accepts.",
		Default:  Choice{"ten_years", "315360000 seconds, `default_token_ttl`'s maximum; more is 422 `form_param_value_invalid`."},
		Alternatives: []Choice{
			{"unbounded", "Any positive number."},
		},
		Evidence: "The description sets no maximum for `seconds_until_expiration`, and ten years for `default_token_ttl`.",
		Provider: "None: the provider bounds `seconds_until_expiration` to ten years itself (`m2m_token.go` `maxTokenLifetime`).",
	},
	{
		Name:     "min_remaining_ttl_refusal",
		Service:  "Clerk",
		Question: "The error for a `min_remaining_ttl_seconds` at least as long as the token's lifetime.",
		Default:  Choice{"bad_request", "400 `bad_request` with `meta.param_name`."},
		Alternatives: []Choice{
			{"form_param_value_invalid", "422 `form_param_value_invalid`, the older routes' answer to a bad parameter."},
		},
		Evidence: "The description: \"A value greater than or equal to the lifetime is rejected with a 400\", without a code.",
		Provider: "None: the provider never sends `min_remaining_ttl_seconds` (`m2m_token.go` `m2mTokenArgs.request`).",
	},
	{
		Name:     "foreign_machine_token_listing",
		Service:  "Clerk",
		Question: "How `GET /m2m_tokens` refuses a machine key asking for another machine's tokens.",
		Default:  Choice{"403", "403 `authorization_invalid`."},
		Alternatives: []Choice{
			{"404", "404 `resource_not_found`, as for a machine that does not exist."},
		},
		Switch:   true,
		Evidence: "The description declares both 403 and 404 for the listing; the revoke route hides another machine's token behind 404.",
		Provider: "`m2m_token_store.go` `unseen`: a 404 to a listing made with a machine key is an error, never \"machine gone\" (only the instance key's 404 is), so `m2m_token_resource.go` `Read`, `m2m_token_machine.go` `keepable` and the `machineauth_m2m_token` list resource (`listM2MTokens`) never drop or misreport a live token over it.",
	},
	{
		Name:     "revoked_m2m_token_revoke",
		Service:  "Clerk",
		Question: "The answer to revoking an M2M token that is already revoked.",
		Default:  Choice{"200", "200 with the token; the first revocation reason stays."},
		Alternatives: []Choice{
			{"400", "400 `bad_request`: the token is already revoked."},
			{"404", "404 `resource_not_found`, as verify hides a revoked token."},
			{"409", "409 `conflict`: the token is already revoked."},
		},
		Switch:   true,
		Evidence: "The description declares 200, 400 and 404 for the revoke; 409 is what comparable APIs answer a state conflict with. The official clients (clerk-sdk-go, @clerk/backend `M2MTokenApi.revokeToken`) pass any status through as an error.",
		Provider: "`m2m_token_store.go` `revokeToken`: a 400, 404 or 409 counts as done once a fresh search of the machine's tokens (`checkEnded`) shows the token revoked, expired or gone (with its machine gone: once it no longer verifies), and stays an error otherwise (`credential_revocation.go` `settleRefusedRevoke`): `m2m_token_resource.go` `Delete`, `m2m_token_revoke_action.go` `revokeM2MToken`, `m2m_token_create.go` `revokeOrphans`, `m2m_token_machine.go` `keepable`, the ephemeral resource's `Close`. A revoke retried after a lost answer, or a token revoked outside Terraform since the last refresh, meets this answer.",
	},
	{
		Name:     "clerk_verify_refusal",
		Service:  "Clerk",
		Question: "How `POST /m2m_tokens/verify` and `POST /api_keys/verify` answer a revoked or expired credential (an unknown one is 404 throughout).",
		Default:  Choice{"404", "404 `resource_not_found`, the same as for an unknown one, so the holder of a secret learns nothing more."},
		Alternatives: []Choice{
			{"400", "400 `bad_request`, saying it is revoked or expired."},
			{"flagged_200", "200 with the object, `revoked` or `expired` true."},
		},
		Switch:   true,
		Evidence: "The description declares 200, 400 and 404 for both; the 200 object carries `revoked` and `expired`, which would only matter if a 200 could set them. @clerk/backend (`tokens/verify.ts` `handleClerkAPIError`) maps 404 to \"token not found\" and any other status to an unexpected error; it and the Python client take any 200 as valid.",
		Provider: "`token_verification.go` `verifyRefusal`, for `verifyOpaqueM2MToken` and `token_verification_api_key.go` `verifyAPIKey`: 404 and 400 `bad_request` are `valid = false` (`reason` `revoked` or `expired` where a 400's message says so, else `invalid`), the flags of a 200 win, any other status fails the `machineauth_token_verification` data source and ephemeral resource. `m2m_token_store.go` `stillVerifies`, which tells whether a token of a deleted machine still works, reads them alike.",
	},
	{
		Name:     "clerk_reserved_claims",
		Service:  "Clerk",
		Question: "Which custom claims an M2M token create refuses as reserved.",
		Default:  Choice{"registered_jwt_claims", "`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `azp`: 400 `machine_token_reserved_claim`."},
		Alternatives: []Choice{
			{"more", "Also Clerk's own claims, such as `scopes`."},
		},
		Evidence: "The error code and message are in Clerk's answers; the list is not documented.",
		Provider: "None for correctness: `m2m_token_claims.go` refuses the same eight at plan; a claim Clerk also reserves fails at apply instead, with Clerk's error.",
	},
	{
		Name:     "m2m_jwt_claims_shape",
		Service:  "Clerk",
		Question: "What a JWT-format token create does with `claims` that are not an object.",
		Default:  Choice{"object_only", "422 `form_param_value_invalid`: a JWT's custom claims must be named."},
		Alternatives: []Choice{
			{"nested", "Accepted and put under one claim."},
		},
		Evidence: "The description accepts any JSON for `claims`; a JWT payload is an object.",
		Provider: "None: the provider accepts a JSON object only (`m2m_token_claims.go`).",
	},
	{
		Name:     "m2m_jwt_scopes_claim",
		Service:  "Clerk",
		Question: "Which claim of a JWT-format M2M token carries its scopes, the machines it may call.",
		Default:  Choice{"scopes", "`scopes`, the machine ids separated by spaces."},
		Alternatives: []Choice{
			{"aud", "`aud`, the machine ids as an array, and no `scopes` claim."},
		},
		Switch:   true,
		Evidence: "@clerk/backend's `M2MToken.fromJwtPayload` reads `payload.scopes?.split(' ') ?? payload.aud`: either may be what Clerk signs.",
		Provider: "`token_verification.go` `clerkJWTScopes` reads `scopes`, else the machine ids in `aud`, as Clerk's SDK does: the `scopes` of the `machineauth_token_verification` data source and ephemeral resource, and `required_scopes` (`requireScopes`), for JWT-format tokens.",
	},
	{
		Name:     "m2m_jwt_verify_route",
		Service:  "Clerk",
		Question: "What `POST /m2m_tokens/verify` does with a JWT-format M2M token.",
		Default:  Choice{"verified", "Answers a valid one as it answers an opaque token."},
		Alternatives: []Choice{
			{"not_found", "404: JWT-format tokens are not stored."},
		},
		Evidence: "Clerk's SDKs verify JWT-format tokens locally against `GET /jwks` and never send them to the route.",
		Provider: "None: `token_verification.go` `verifyClerkJWT` checks them locally as well.",
	},
	// Clerk: API keys.
	{
		Name:     "api_key_error_status",
		Service:  "Clerk",
		Question: "The status of a malformed API key request.",
		Default:  Choice{"400", "400 `bad_request` in the description's example shape (\"Invalid 'request_body.name': ...\")."},
		Alternatives: []Choice{
			{"422", "422 `form_param_*`, as on the older routes."},
		},
		Evidence: "The description shows 400 and 404 for the API key routes (and 409 for create), no 422.",
		Provider: "None: the provider's validators refuse what Clerk would, and any other 4xx is an error.",
	},
	{
		Name:     "api_key_max_lifetime",
		Service:  "Clerk",
		Question: "The largest `seconds_until_expiration` of an API key.",
		Default:  Choice{"hundred_years", "A hundred years, so the expiry cannot overflow."},
		Alternatives: []Choice{
			{"unbounded", "Any positive number."},
		},
		Evidence: "The description sets no maximum.",
		Provider: "None: the provider bounds it to ten years itself (`api_key_resource.go` `Schema`).",
	},
	{
		Name:     "api_key_unknown_subject",
		Service:  "Clerk",
		Question: "How `GET /api_keys` answers a subject (user, organization, machine) that does not exist. A create or update naming one is 404 `resource_not_found` whatever the choice.",
		Default:  Choice{"404", "404 `resource_not_found`."},
		Alternatives: []Choice{
			{"empty", "200 with an empty page, as a filter that matches nothing."},
		},
		Switch:   true,
		Evidence: "The description declares 400 and 404 for the listing without saying when 404 applies; Clerk answers an unknown object elsewhere with 404; filtering listings of comparable APIs answer an empty page.",
		Provider: "`api_key_store.go` `lookup` reads each key its subject's listing lacks by id, whether the listing answered 404 (`apiKeyIndex.gone`) or an empty page, so `api_key_resource.go` `Read` keeps a live key of a deleted subject either way (see `machine_delete_api_keys`). `api_key_create.go` `revokeMarked` lists live keys only; the `machineauth_api_key` list resource (`listAPIKeys`) reports a 404 as the subject missing, an empty page as no keys.",
	},
	{
		Name:     "api_key_query_match",
		Service:  "Clerk",
		Question: "What the `query` parameter of `GET /api_keys` matches.",
		Default:  Choice{"name_substring", "Names, in part, ignoring case."},
		Alternatives: []Choice{
			{"more_fields", "Also ids, descriptions or secrets' prefixes."},
		},
		Evidence: "The description does not say.",
		Provider: "None: the provider never sends `query`.",
	},
	{
		Name:     "api_key_list_order",
		Service:  "Clerk",
		Question: "The order of `GET /api_keys`.",
		Default:  Choice{"newest_first", "Newest first, as the M2M token listing."},
		Alternatives: []Choice{
			{"oldest_first", "Oldest first."},
		},
		Evidence: "The description gives no order.",
		Provider: "None: `api_key_store.go` `list` reads every page, again while the total grows, whatever the order.",
	},
	{
		Name:     "api_key_update_null",
		Service:  "Clerk",
		Question: "What `PATCH /api_keys/{id}` does with a field sent as null.",
		Default:  Choice{"clears", "Clears it, as a JSON merge patch: `description` and `claims` go, `seconds_until_expiration` null makes the key never expire."},
		Alternatives: []Choice{
			{"ignored", "Reads null as not sent, as Clerk's older routes do: the field keeps its value."},
		},
		Switch:   true,
		Evidence: "The description marks these fields nullable without saying what null means; on the older routes Clerk reads null as not sent.",
		Provider: "`api_key_store.go` `update`, for `api_key_resource.go` `Update`: `description` and `claims` are cleared with null, and sent again as \"\" and `{}` (which the provider reads back as none) when Clerk's answer still holds them. Removing `seconds_until_expiration` replaces the key instead (`expiryRemoved`).",
	},
	{
		Name:     "api_key_expiry_update",
		Service:  "Clerk",
		Question: "Where a `seconds_until_expiration` sent in an update counts from.",
		Default:  Choice{"from_update", "From the update."},
		Alternatives: []Choice{
			{"from_creation", "From the key's creation."},
		},
		Switch:   true,
		Evidence: "The description does not say; a create's counts from the create.",
		Provider: "`api_key_store.go` `update` (`expiryCountedFromCreation`), for `api_key_resource.go` `Update`: when the expiry answered counts from the key's creation, the lifetime is sent again lengthened by the key's age, so a renewal (`renew_before_seconds`, `ready_for_renewal`) and an in-place change of `seconds_until_expiration` count from the update under either answer.",
	},
	{
		Name:     "invalid_api_key_update",
		Service:  "Clerk",
		Question: "Whether an update applies to a revoked or expired API key.",
		Default:  Choice{"refused", "400 `bad_request`: an update does not bring an invalid key back."},
		Alternatives: []Choice{
			{"applied", "The update applies; a new `seconds_until_expiration` revives an expired key."},
		},
		Evidence: "The description does not say.",
		Provider: "None for an outcome: `api_key_resource.go` `Update` shows a refusal as an error and the next refresh removes the key, which is gone either way; an applied update is the renewal asked for.",
	},
	{
		Name:     "revoked_api_key_revoke",
		Service:  "Clerk",
		Question: "The answer to revoking an API key that is already revoked.",
		Default:  Choice{"200", "200 with the key; the first revocation reason stays."},
		Alternatives: []Choice{
			{"400", "400 `bad_request`: the key is already revoked."},
			{"404", "404 `resource_not_found`, as verify hides a revoked key."},
			{"409", "409 `conflict`: the key is already revoked."},
		},
		Switch:   true,
		Evidence: "The description declares 200, 400 and 404 for the revoke; 409 is what comparable APIs answer a state conflict with. The official clients pass any status through as an error.",
		Provider: "`api_key_store.go` `revokeKey`: a 400, 404 or 409 counts as done once a read of the key shows it revoked, expired or gone, and stays an error otherwise (`credential_revocation.go` `settleRefusedRevoke`): `api_key_resource.go` `Delete`, `api_key_revoke_action.go` `revokeAPIKey` (after its own lookup, on a race), `api_key_create.go` `revokeMarked`, the ephemeral resource's `Close`.",
	},
	// Clerk: the directory.
	{
		Name:     "clerk_directory_defaults",
		Service:  "Clerk",
		Question: "Values a new user or organization gets that the request does not set.",
		Default:  Choice{"instance_defaults", "`max_allowed_memberships` 5; `verification_attempts_remaining` 100; a reserved identification has no verification."},
		Alternatives: []Choice{
			{"other_settings", "Whatever the instance's settings say."},
		},
		Evidence: "Defaults of a new instance's settings; the description's verification objects all carry a status other than \"reserved\".",
		Provider: "None: the provider manages no users or organizations.",
	},
	{
		Name:     "clerk_identifier_rules",
		Service:  "Clerk",
		Question: "Which emails, phone numbers, usernames and slugs a create accepts, how identifiers compare, and how a slug is derived from a name.",
		Default:  Choice{"approximate", "Patterns that refuse what is plainly not an identifier, comparisons ignoring case, a slug of the name's lowercase words joined by dashes."},
		Alternatives: []Choice{
			{"instance_rules", "The instance's configurable rules."},
		},
		Evidence: "Clerk's rules are configurable per instance and not in the description.",
		Provider: "None: the provider manages no users or organizations.",
	},
	{
		Name:     "clerk_unknown_creator",
		Service:  "Clerk",
		Question: "How an organization create refuses a `created_by` user that does not exist.",
		Default:  Choice{"form_param_value_invalid", "422 `form_param_value_invalid`."},
		Alternatives: []Choice{
			{"404", "404 `resource_not_found`."},
		},
		Evidence: "The description declares both.",
		Provider: "None: the provider manages no organizations.",
	},
	// Clerk: machines.
	{
		Name:     "machine_delete_tokens",
		Service:  "Clerk",
		Question: "What deleting a machine does to its M2M tokens.",
		Default:  Choice{"revoked", "Revokes them, without a reason: none verifies any more. Listing them is 404 with the machine gone."},
		Alternatives: []Choice{
			{"valid", "Nothing: they verify until they expire, and the instance key can still revoke them by id."},
			{"deleted", "Deletes them: verify and revoke answer 404."},
		},
		Switch:   true,
		Evidence: "The description says only \"Deletes a machine\". Stytch documents that deleting an M2M client leaves its tokens valid until they expire; other APIs revoke what a deleted client issued.",
		Provider: "`m2m_token_resource.go` `keepOrphan`: with the machine's listing answering 404, `Read` asks Clerk to verify each token's secret (`m2m_token_store.go` `stillVerifies`); one that no longer verifies is removed from state, one that still does, or whose secret the state lacks (after an import), stays with a warning for `Delete` to revoke, and a JWT-format token stays until it expires. `machine_resource.go` `machineDeleteDoc` says what deletion does.",
	},
	{
		Name:     "machine_delete_api_keys",
		Service:  "Clerk",
		Question: "What deleting a machine does to the API keys whose subject it is.",
		Default:  Choice{"kept", "Nothing: they verify and can be read and revoked by id; the subject's listing answers 404."},
		Alternatives: []Choice{
			{"revoked", "Revokes them, without a reason."},
			{"deleted", "Deletes them: reading, revoking and verifying answer 404."},
		},
		Switch:   true,
		Evidence: "The description's `DELETE /machines/{id}` and API key routes say nothing of it.",
		Provider: "`api_key_store.go` `lookup` reads a deleted subject's keys by id: `api_key_resource.go` `Read` keeps a live one in state with an \"orphaned and still valid\" warning, for `Delete` to revoke, and removes one revoked or gone (`apiKeyGone`).",
	},
	{
		Name:     "previous_machine_keys",
		Service:  "Clerk",
		Question: "Which rotated-out machine secret keys keep working after another rotation.",
		Default:  Choice{"every", "Every one, each until its own `previous_token_ttl` runs out."},
		Alternatives: []Choice{
			{"latest", "Only the one the latest rotation replaced: a rotation ends the key an earlier rotation left working, at once."},
		},
		Switch:   true,
		Evidence: "The description: \"The previous secret key will remain valid for the duration specified by the previous_token_ttl parameter\": one previous key.",
		Provider: "`machine_resource.go` `ModifyPlan` (`insideOverlap`) refuses a rotation before `secret_key_rotated_at` plus `previous_key_ttl_seconds` by Clerk's clock; `Read` records a key changed outside Terraform or by a rotation whose answer was lost, which `ModifyPlan` takes for a pending change of `rotation_triggers`; `machineStore.rotate` never sends a rotation twice. So no second rotation falls inside an overlap under either answer.",
	},
	{
		Name:     "duplicate_scope_code",
		Service:  "Clerk",
		Question: "The code of the 409 for a machine scope that exists already.",
		Default:  Choice{"duplicate_record", "409 `duplicate_record`."},
		Alternatives: []Choice{
			{"other_code", "409 with another code."},
		},
		Evidence: "The description declares 409 for `POST /machines/{id}/scopes` without a code.",
		Provider: "None: `machine_scope_resource.go` `machineStore.grant` reads the status only (`client.IsConflict`).",
	},
	// Clerk: OAuth applications.
	{
		Name:     "oauth_object_shapes",
		Service:  "Clerk",
		Question: "The shape of an OAuth application's ids and secret, and the unit of its times and its access tokens'.",
		Default:  Choice{"clerk_like", "Ids `oa_` and 27 letters or digits, a `client_id` of 16 and a `client_secret` of 32 letters or digits; times in milliseconds, as every other Clerk timestamp."},
		Alternatives: []Choice{
			{"seconds", "The same shapes, times in seconds, as the verify answer's example (`1716883200`) suggests."},
		},
		Evidence: "The description gives no pattern for these ids and calls the times \"Unix timestamp\"; its verify example counts seconds, every other Clerk example milliseconds.",
		Provider: "None: `oauth_application.go` checks an id only as one path segment, and `token_verification_oauth.go` `clerkTime` reads either unit by its size.",
	},
	{
		Name:     "oauth_list_order",
		Service:  "Clerk",
		Question: "The order of `GET /oauth_applications` without `order_by`.",
		Default:  Choice{"newest_first", "Newest first, as the description's text says (\"ordered by descending creation date\")."},
		Alternatives: []Choice{
			{"oldest_first", "Oldest first, as the parameter's declared default `+created_at` says."},
		},
		Evidence: "The description contradicts itself: its text says newest first, `order_by`'s default says `+created_at`.",
		Provider: "None: `oauth_application.go` `oauthApplicationStore.listAll` reads every page and the list resource sorts what it shows itself.",
	},
	{
		Name:     "oauth_list_dynamic_filter",
		Service:  "Clerk",
		Question: "Whether `GET /oauth_applications` filters by `dynamically_registered`, which clerk-sdk-go v2.7.0's `ListParams` sends and the description does not declare.",
		Default:  Choice{"honoured", "A filter: `true` lists only the applications that registered themselves, `false` only the others."},
		Alternatives: []Choice{
			{"ignored", "Ignored: every application is listed."},
		},
		Evidence: "clerk-sdk-go v2.7.0 (`oauthapplication.ListParams.DynamicallyRegistered`); the description lists `limit`, `offset`, `order_by` and `name_query` only.",
		Provider: "None: the provider never sends it; the list resource (`oauth_application_resource.go` `listOAuthApplications`) filters on the `dynamically_registered` of each application.",
	},
	{
		Name:     "oauth_callback_url",
		Service:  "Clerk",
		Question: "What the deprecated `callback_url` does on create and update, and what the answer's `callback_url` holds.",
		Default:  Choice{"one_redirect_uri", "A non-empty `callback_url` is a one-element `redirect_uris`; `\"\"` (what clerk-sdk-go sends when unset) is none; `redirect_uris` wins when both come. The answer's `callback_url` is the first redirect URI, or `\"\"`."},
		Alternatives: []Choice{
			{"added", "`callback_url` is added to `redirect_uris`."},
		},
		Evidence: "The description marks `callback_url` deprecated for `redirect_uris`; clerk-sdk-go v2.7.0 sends `callback_url` always (`\"\"` when unset) and cannot send `redirect_uris`; @clerk/backend 3.25.0 sends `redirect_uris`.",
		Provider: "None: the provider sends `redirect_uris` only and never offers `callback_url`.",
	},
	{
		Name:     "oauth_scope_values",
		Service:  "Clerk",
		Question: "Which `scopes` an OAuth application create or update takes, and what an empty string means.",
		Default:  Choice{"any_names", "Any space-separated names, beyond the four the description lists; `\"\"` (clerk-sdk-go's unset) is taken as not sent: `profile email`."},
		Alternatives: []Choice{
			{"listed_only", "Only `profile`, `email`, `public_metadata` and `private_metadata`; others are refused with 422."},
		},
		Evidence: "The description: \"Available scopes are profile, email, public_metadata, private_metadata\", default `profile email`, without saying what happens to others or to `\"\"`.",
		Provider: "None for correctness: `oauth_application.go` passes scopes outside Clerk's list through and refuses an empty set at validate; a refusal would fail the apply with Clerk's error.",
	},
	{
		Name:     "oauth_application_refusals",
		Service:  "Clerk",
		Question: "How the OAuth application routes refuse a bad field: an empty or too long name, a redirect URI that is no URL, the consent screen turned off for a client that registered itself.",
		Default:  Choice{"form_param_value_invalid", "422 `form_param_value_invalid` naming the field; a missing name 422 `form_param_missing`."},
		Alternatives: []Choice{
			{"bad_request", "400 `bad_request`."},
		},
		Evidence: "The routes declare 400 and 422 without codes; the older Clerk routes answer 422 `form_param_*`.",
		Provider: "None: `oauth_application.go` refuses the same values at validate, and any refusal is an error.",
	},
	{
		Name:     "oauth_public_change",
		Service:  "Clerk",
		Question: "What `PATCH /oauth_applications/{id}` does with a changed `public`.",
		Default:  Choice{"allowed", "Changes it in place: a client made public loses its secret at once; one made confidential has no secret until it is rotated."},
		Alternatives: []Choice{
			{"refused", "422 `form_param_value_invalid`: a client stays public or confidential for life."},
		},
		Switch:   true,
		Evidence: "The description accepts `public` in the update; an older Clerk client's documentation (clerk-http-client-ruby) says \"Public clients cannot be updated to be confidential clients, and vice versa\".",
		Provider: "`oauth_application_resource.go` `Update` sends a changed `public` in place and, for a client made confidential, rotates its secret to get one (`oauthApplicationStore.rotate`); with `refused` the apply fails with Clerk's error and the application is left as it was.",
	},
	{
		Name:     "oauth_secret_rotation",
		Service:  "Clerk",
		Question: "How long the old client secret works after `POST /oauth_applications/{id}/rotate_secret`.",
		Default:  Choice{"at_once", "Not at all: the token endpoint refuses it from the rotation on."},
		Alternatives: []Choice{
			{"overlap", "For a while, beside the new one."},
		},
		Evidence: "The description: \"When the client secret is rotated, make sure to update it in authorized OAuth clients\"; no overlap is described, and the route takes no parameter for one.",
		Provider: "None for correctness: `oauth_application_resource.go` `ModifyPlan` warns that the old secret stops at once and `oauthApplicationStore.rotate` sends a rotation whose answer was lost again; with an overlap the warning is only cautious.",
	},
	{
		Name:     "oauth_public_rotation",
		Service:  "Clerk",
		Question: "How rotating a public client's secret is refused.",
		Default:  Choice{"form_param_value_invalid", "422 `form_param_value_invalid` on `public`."},
		Alternatives: []Choice{
			{"bad_request", "400 `bad_request`."},
			{"empty_secret", "200 with an empty `client_secret`."},
		},
		Evidence: "The route declares 200, 403 and 404 only; a public client has no secret (\"Empty if public client\").",
		Provider: "None: `oauth_application_resource.go` `ValidateConfig` refuses `secret_rotation_triggers` on a public client, so the provider never asks.",
	},
	{
		Name:     "oauth_delete_tokens",
		Service:  "Clerk",
		Question: "What deleting an OAuth application does to the access and refresh tokens it was issued.",
		Default:  Choice{"revoked", "Revokes every grant: no opaque token verifies or refreshes any more."},
		Alternatives: []Choice{
			{"valid", "Nothing: opaque tokens verify until they expire."},
		},
		Evidence: "The description says only \"Deletes the given OAuth application\"; comparable authorization servers end a deleted client's grants.",
		Provider: "None: the provider reports what verify answers, and its docs say a JWT access token, checked locally, outlives its application until it expires.",
	},
	{
		Name:     "revoked_oauth_token_revoke",
		Service:  "Clerk",
		Question: "The answer to `POST /oauth_applications/{id}/revoke_token` for a token whose grant is already revoked. A token of no grant of the application (another application's included) is 404 and a JWT 400 `bad_request` whatever the choice.",
		Default:  Choice{"204", "204, as the first time."},
		Alternatives: []Choice{
			{"404", "404 `resource_not_found`, as for a token never issued."},
			{"400", "400 `bad_request`: the token is already revoked."},
		},
		Switch:   true,
		Evidence: "The description declares 204, 400, 403, 404 and 422 without saying which answers what; \"JWT access tokens cannot be revoked\".",
		Provider: "`oauth_application_revoke_token_action.go` `revokeOAuthToken`: 204 is revoked, 404 a warning that nothing was left to revoke; with `400` the action fails on a grant already revoked.",
	},
	{
		Name:     "oauth_verify_refusal",
		Service:  "Clerk",
		Question: "How `POST /oauth_applications/access_tokens/verify` answers a revoked or expired opaque access token (an unknown one is 404 throughout).",
		Default:  Choice{"404", "404 `resource_not_found`, as for an unknown one."},
		Alternatives: []Choice{
			{"400", "400 `bad_request`, saying it is revoked or expired."},
			{"flagged_200", "200 with the token, `revoked` or `expired` true."},
		},
		Switch:   true,
		Evidence: "The description declares 200, 400 and 404; the 200 object carries `revoked` and `expired`, as for M2M tokens and API keys (see `clerk_verify_refusal`).",
		Provider: "`token_verification_oauth.go` `verifyOpaqueOAuthToken`: 404 is `valid = false` (`reason = \"invalid\"`), the flags of a 200 win, any other status fails the `machineauth_token_verification` data source and ephemeral resource.",
	},
	{
		Name:     "oauth_verify_jwt",
		Service:  "Clerk",
		Question: "What `POST /oauth_applications/access_tokens/verify` answers for a JWT access token.",
		Default:  Choice{"verified", "A live one as an opaque token; an expired one 200 `{\"active\": false}`; one the instance did not sign 404."},
		Alternatives: []Choice{
			{"inactive_only", "200 `{\"active\": false}` for any JWT that is not live, 404 never."},
		},
		Evidence: "The description's 200 allows `{\"active\": false}`, \"a JWT access token is not active (expired)\"; Clerk's SDKs check JWT access tokens locally.",
		Provider: "None: `token_verification_oauth.go` `verifyClerkOAuthJWT` checks JWT access tokens locally against the instance's key set.",
	},
	{
		Name:     "oauth_jwt_claims",
		Service:  "Clerk",
		Question: "The header and claims of a JWT access token.",
		Default:  Choice{"rfc9068_like", "Header `typ: at+jwt`, the instance's `kid`; claims `iss` (the Frontend API), `sub` (the user), `client_id`, `jti` (`oat_...`), `scope` (space separated), `iat`, `nbf`, `exp`; no `aud`."},
		Alternatives: []Choice{
			{"scp_array", "The scopes in `scp`, an array, as @clerk/backend also reads."},
		},
		Evidence: "RFC 9068; @clerk/backend's `IdPOAuthAccessToken.fromJwtPayload` reads `jti`, `client_id`, `sub`, `scp` or else `scope`, `exp` and `iat`.",
		Provider: "None: `token_verification_oauth.go` `verifyClerkOAuthJWT` reads `scp` and `scope` alike, and tells the token from an M2M JWT by `typ`.",
	},
	{
		Name:     "oauth_token_issuance",
		Service:  "Clerk",
		Question: "What the Frontend API's token endpoint issues: lifetimes, refresh tokens, an ID token.",
		Default:  Choice{"day_access", "An access token of a day (opaque `oat_` and 32 hex digits, or a JWT when `oauth_jwt_access_tokens` is on); a refresh token with every code, kept by a refresh, living until its grant is revoked; no `id_token`."},
		Alternatives: []Choice{
			{"rotating_refresh", "A refresh also issues a new refresh token and ends the old one."},
		},
		Evidence: "Clerk's documentation describes the authorization code flow with PKCE and refresh tokens without these details.",
		Provider: "None: the provider never calls the Frontend API; tests obtain tokens with it.",
	},
	{
		Name:     "oauth_dynamic_registration",
		Service:  "Clerk",
		Question: "How the Frontend API's `POST /oauth/register` (RFC 7591) answers, on and off.",
		Default:  Choice{"rfc7591", "While `dynamic_oauth_client_registration` is on, 201 with RFC 7591's client information, `client_secret` unless `token_endpoint_auth_method` is `none`; while off, 403 `access_denied`."},
		Alternatives: []Choice{
			{"not_found", "404 while off."},
		},
		Evidence: "The instance setting's description (\"Whether dynamic OAuth client registration is enabled for the instance (RFC 7591)\"); RFC 7591's answers.",
		Provider: "None: the provider never registers clients; it lists, imports and deletes those that did (`dynamically_registered`).",
	},
	{
		Name:     "oauth_instance_defaults",
		Service:  "Clerk",
		Question: "A new instance's OAuth application settings.",
		Default:  Choice{"off", "Dynamic registration off, opaque access tokens, Clerk's default scopes, no Client ID Metadata Documents."},
		Alternatives: []Choice{
			{"dynamic_on", "Dynamic registration on."},
		},
		Evidence: "The description gives the settings no defaults.",
		Provider: "None: the provider reads no instance settings.",
	},
	// Stytch: errors shared by every route.
	{
		Name:     "stytch_bad_request_types",
		Service:  "Stytch",
		Question: "The `error_type` of a malformed or incomplete body, for each kind of mistake.",
		Default:  Choice{"bad_request", "400 `bad_request` with a message that names the mistake."},
		Alternatives: []Choice{
			{"specific", "400 with a type per mistake, as Stytch's error reference lists many."},
		},
		Evidence: "Stytch's error reference lists 400 types but not which route answers which.",
		Provider: "None: any 400 is shown as an error; the rotation steps read the status, not the type (see `rotation_out_of_turn`).",
	},
	{
		Name:     "stytch_not_found_shape",
		Service:  "Stytch",
		Question: "The status and `error_type` for an organization, member or M2M client that does not exist.",
		Default:  Choice{"404", "404 `organization_not_found`, `member_not_found`, `m2m_client_not_found`."},
		Alternatives: []Choice{
			{"400", "400 with the same types."},
			{"generic_404", "404 `not_found`."},
		},
		Switch:   true,
		Evidence: "The OpenAPI descriptions declare 200, 400, 401, 429 and 500 on these routes, no 404; Stytch's error reference lists some `_not_found` types under 404 (`connected_app_not_found`, which the emulator keeps) and others under 400.",
		Provider: "`stytch_errors.go` `stytchNotFound`, behind `stytch_client_lookup.go` `stytchClientGone` and `connected_app_authorization_resource.go` `authorizationGone`: a Stytch-shaped 404 or 400 whose `error_type` is `not_found` or ends in `_not_found` (never `session_not_found`) means gone, any other answer is an error. M2M clients: `stytch_client_lifecycle.go` `readClient`, `deleteClient`; `m2m_client_resource.go` `createM2MClient`; `m2m_client_deactivate_action.go` `deactivateM2MClient`. Authorizations: `Read`, `Delete`, `connected_app_authorization_flow.go` `grantRequest.revoke`, `connected_app_authorization_revoke_action.go`.",
	},
	{
		Name:     "session_header_refusal",
		Service:  "Stytch",
		Question: "How a revoke refuses an `X-Stytch-Member-Session` or `X-Stytch-Member-SessionJWT` that leads to no live session.",
		Default:  Choice{"404", "404 `session_not_found`."},
		Alternatives: []Choice{
			{"401", "401 `unauthorized_credentials`."},
		},
		Switch:   true,
		Evidence: "Stytch documents 404 `session_not_found` for session authentication; the descriptions declare 400 and 401 on the revoke; 401 `unauthorized_credentials` is how Stytch refuses other credentials.",
		Provider: "`connected_app_authorization_grantor.go` `revokeSettled`: a revoke refused with 404 `session_not_found` or, when it sent a session, 401, counts as done only when a fresh listing shows the authorization over; otherwise `connected_app_authorization_resource.go` `Delete` reports the member session as refused, under either answer, and the authorization stays in state.",
	},
	{
		Name:     "stytch_directory_conflicts",
		Service:  "Stytch",
		Question: "The `error_type` when an organization slug, a member's email in its organization or a consumer user's email is taken.",
		Default:  Choice{"specific", "400 `organization_slug_already_used`, `duplicate_member_email`, `duplicate_email`."},
		Alternatives: []Choice{
			{"other_types", "400 with other types."},
		},
		Evidence: "Not documented for these routes.",
		Provider: "None: the provider creates no organizations, members or users.",
	},
	// Stytch: connected apps.
	{
		Name:     "connected_app_refusal_types",
		Service:  "Stytch",
		Question: "How a client create or update refuses a redirect URL that is not absolute, and how rotating a public client's secret is refused.",
		Default:  Choice{"bad_request", "400 `bad_request` with a message."},
		Alternatives: []Choice{
			{"specific", "400 with a type of its own."},
		},
		Evidence: "Not documented.",
		Provider: "None: `connected_app_resource.go` `ValidateConfig` refuses `secret_rotation_triggers` on public clients, and any refusal is an error.",
	},
	{
		Name:     "first_party_only_fields",
		Service:  "Stytch",
		Question: "Whether `full_access_allowed` and `bypass_consent_for_offline_access` are refused on a third-party client.",
		Default:  Choice{"refused", "400 `bad_request`."},
		Alternatives: []Choice{
			{"ignored", "Accepted and without effect."},
		},
		Evidence: "Stytch documents both as valid for first-party clients only.",
		Provider: "None: `connected_app_resource.go` `ValidateConfig` refuses them at plan.",
	},
	{
		Name:     "connected_app_delete_authorizations",
		Service:  "Stytch",
		Question: "What deleting a connected-app client does to the authorizations members and users granted it.",
		Default:  Choice{"revoked", "Revokes each, with every code and token issued under it."},
		Alternatives: []Choice{
			{"kept", "Nothing: the authorizations stay active (counted in the stats) and their tokens unrevoked, though no listing shows the deleted app."},
		},
		Switch:   true,
		Evidence: "The descriptions say only that the client is deleted. Comparable authorization servers revoke the grants of a deleted client; Stytch does not say.",
		Provider: "`connected_app_authorization_resource.go` `unlisted`: an authorization the member's listing lacks is looked up by its app, and an app that is gone is reported as deleted (the tokens granted may stay valid), never as a revoke; `Delete` counts `connected_app_not_found` as destroyed once a fresh listing confirms it (`connected_app_authorization_grantor.go` `revokeSettled`). With `kept`, nothing can revoke an authorization of a deleted app: the resource's page says to destroy authorizations before their app. `connected_app_resource.go` `Delete`.",
	},
	{
		Name:     "ungranted_authorization_revoke",
		Service:  "Stytch",
		Question: "The answer to revoking a connected app the member or user has not authorized (never, or not since the last revoke).",
		Default:  Choice{"200", "200: nothing changes. An unknown app is still 404 `connected_app_not_found`."},
		Alternatives: []Choice{
			{"404", "404 `connected_app_authorization_not_found`."},
			{"400", "400 `connected_app_authorization_not_found`."},
		},
		Switch:   true,
		Evidence: "The descriptions declare 200 and 400 (no 404) for both revokes; Stytch's error reference lists `_not_found` types under 404 and under 400.",
		Provider: "`connected_app_authorization_grantor.go` `revokeSettled`: success, or a 400, 404 or 409 that a fresh listing shows was of an authorization already over, is destroyed; any other answer is an error: `connected_app_authorization_resource.go` `Delete`, `connected_app_authorization_flow.go` `grantRequest.revoke` (undoing a failed create) and `connected_app_authorization_revoke_action.go` `revokeConnectedAppAuthorization`. A revoke retried after a lost answer, or an authorization revoked outside Terraform since the last refresh, meets this answer.",
	},
	{
		Name:     "authorize_refusal_types",
		Service:  "Stytch",
		Question: "The `error_type` of an authorization request with a redirect URI not registered, a `response_type` other than `code`, a scope the app may not have, or a public client without PKCE.",
		Default:  Choice{"specific", "400 `invalid_redirect_uri`, `unsupported_response_type`, `invalid_scope`, and `bad_request` for the missing PKCE."},
		Alternatives: []Choice{
			{"bad_request", "400 `bad_request` for all."},
		},
		Evidence: "The OAuth error names of RFC 6749, which Stytch's authorize routes are not documented to use.",
		Provider: "None: `connected_app_authorization_resource.go` checks the redirect URI at plan (`checkRedirectURI`), and `connected_app_authorization_flow.go` `grantRequest.run` takes any refusal as an error after revoking what it granted.",
	},
	{
		Name:     "code_replay",
		Service:  "Stytch",
		Question: "What a used authorization code presented again does, besides being refused with `invalid_grant`.",
		Default:  Choice{"ends_issued", "Ends the access and refresh token the code issued, as RFC 6749 section 4.1.2 advises."},
		Alternatives: []Choice{
			{"refused_only", "Nothing more: what the code issued stays valid."},
			{"ends_authorization", "Revokes the whole authorization, with every token issued under it."},
		},
		Switch:   true,
		Evidence: "RFC 6749 section 4.1.2: the server \"SHOULD revoke (when possible) all tokens previously issued based on that authorization code\"; servers differ in how far (some revoke the whole grant). Stytch does not say.",
		Provider: "`connected_app_authorization_flow.go` `exchangeOrReplay` and `afterSpentCode`: after a lost exchange answer the same exchange is sent again; when it is refused as spent, a fresh listing tells whether Stytch revoked the whole authorization. One this create made (the listing before it says so) is revoked before the flow starts over, which ends the lost tokens under every answer and nobody else's; one that existed before is kept, for the tokens others hold under it, with a warning.",
	},
	{
		Name:     "introspect_other_client",
		Service:  "Stytch",
		Question: "What introspection answers for a token issued to another connected app of the project.",
		Default:  Choice{"inactive", "`active: false`."},
		Alternatives: []Choice{
			{"active", "The token's claims, `active: true`: any client of the project may introspect it."},
		},
		Switch:   true,
		Evidence: "Stytch introspects \"for the given Connected Apps client\"; RFC 7662 section 4 leaves to the server which clients may introspect which tokens.",
		Provider: "`token_verification.go` `verifyStytchAccessToken`: a token issued to another `client_id` than the one given is `invalid`, whether Stytch's introspection (with a `client_secret`) answers active or not, as the local check (without one) says.",
	},
	{
		Name:     "stytch_jwks_credentials",
		Service:  "Stytch",
		Question: "Whether the key sets check credentials that are sent with the request.",
		Default:  Choice{"ignored", "Credentials, when sent, are not looked at."},
		Alternatives: []Choice{
			{"checked", "Wrong credentials are refused with 401."},
		},
		Evidence: "The reference's sample sends project credentials; stytch-node fetches the key sets with none.",
		Provider: "None: `internal/client` `StytchJWKS` sends the project's own credentials.",
	},
	// Stytch: client secrets.
	{
		Name:     "rotation_out_of_turn",
		Service:  "Stytch",
		Question: "The answer to a secret rotation step out of turn: a start while one is pending, a complete or cancel with none pending.",
		Default:  Choice{"400", "400 `bad_request`: the step is refused and nothing changes."},
		Alternatives: []Choice{
			{"409", "409 `conflict`: the step is refused and nothing changes."},
			{"lenient", "200: a start issues a new next secret in place of the pending one; a complete or cancel changes nothing."},
		},
		Switch:   true,
		Evidence: "Stytch documents only the steps in order; the descriptions declare 200 and 400; 409 is what comparable APIs answer a state conflict with.",
		Provider: "`stytch_client_secret.go` `startRotation` and `finishRotation` read the client back after a 400 or a 409 (`outOfTurn`), and check the secrets of a 200 (then of a fresh read) before a complete or cancel counts as done: `completeRotation`, `cancelRotation`.",
	},
	// Stytch: M2M clients.
	{
		Name:     "duplicate_client_id",
		Service:  "Stytch",
		Question: "The `error_type` when an M2M client create names a `client_id` that is taken.",
		Default:  Choice{"duplicate_client_id", "400 `duplicate_client_id`."},
		Alternatives: []Choice{
			{"other_type", "400 with another type."},
		},
		Evidence: "Stytch lets a create choose the id and says it must be unique, not how a clash is refused.",
		Provider: "None: `m2m_client_resource.go` `createM2MClient` reads the client back after any refusal that follows a lost answer.",
	},
	{
		Name:     "m2m_client_update_omitted",
		Service:  "Stytch",
		Question: "What an M2M client update does with a field its body leaves out.",
		Default:  Choice{"kept", "Keeps it."},
		Alternatives: []Choice{
			{"reset", "Resets it, as the connected-app update does: no scopes, empty name and description, empty `trusted_metadata`, `status` active."},
		},
		Switch:   true,
		Evidence: "Stytch documents the connected-app update as replacing the whole client; the M2M update's fields are all optional.",
		Provider: "`m2m_client_resource.go` `Update` (`stytch_client_lifecycle.go` `updateClient`) and `deactivate_m2m_client_action.go` `deactivateM2MClient` send every field: one left out would, with `reset`, turn an inactive client active again or drop its scopes.",
	},
	{
		Name:     "inactive_m2m_client_token",
		Service:  "Stytch",
		Question: "How the client_credentials grant refuses an inactive M2M client.",
		Default:  Choice{"401", "401 `invalid_client`."},
		Alternatives: []Choice{
			{"400", "400 `unauthorized_client`, RFC 6749 section 5.2's answer for a client not allowed the grant."},
		},
		Switch:   true,
		Evidence: "Stytch documents only that an inactive client gets no token.",
		Provider: "`m2m_client.go` `openM2MClientToken` (the `machineauth_m2m_client_token` ephemeral resource) gives its kill-switch hint for 401 `invalid_client` and 400 `unauthorized_client` alike; any refusal is an error, so no token is handed out.",
	},
}
