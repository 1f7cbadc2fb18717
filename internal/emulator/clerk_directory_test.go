package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// The field sets of the description's User (additionalProperties: false:
// every required field and the optional ones the emulator sends) and of
// an Organization without the include_* fields.
var (
	clerkUserFields = []string{"backup_code_enabled", "banned", "bypass_client_trust", "create_organization_enabled",
		"create_organizations_limit", "created_at", "delete_self_enabled", "email_addresses", "enterprise_accounts",
		"external_accounts", "external_id", "first_name", "has_image", "id", "last_active_at", "last_name",
		"last_sign_in_at", "legal_accepted_at", "locale", "locked", "lockout_expires_in_seconds", "mfa_disabled_at",
		"mfa_enabled_at", "object", "passkeys", "password_enabled", "password_last_updated_at", "phone_numbers",
		"primary_email_address_id", "primary_phone_number_id", "primary_web3_wallet_id", "private_metadata",
		"public_metadata", "saml_accounts", "totp_enabled", "two_factor_enabled", "unsafe_metadata", "updated_at",
		"username", "verification_attempts_remaining", "web3_wallets"}
	clerkOrgFields = []string{"admin_delete_enabled", "created_at", "created_by", "has_image", "id",
		"max_allowed_memberships", "name", "object", "private_metadata", "public_metadata", "role_set_key", "slug", "updated_at"}
)

// clerkUserIDs lists users with query and returns their ids in order,
// after checking the answer is the bare array the description gives.
func clerkUserIDs(t *testing.T, srv *Server, query string) []string {
	t.Helper()
	req, err := http.NewRequest("GET", srv.Info().ClerkAPIURL+"/users?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Info().ClerkSecretKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var users []map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &users) != nil {
		t.Fatalf("GET /users?%s: %d %s", query, resp.StatusCode, raw)
	}
	ids := []string{}
	for _, u := range users {
		clerkWantFields(t, u, clerkUserFields)
		ids = append(ids, u["id"].(string))
	}
	return ids
}

func clerkUserCount(t *testing.T, srv *Server, query string) int {
	t.Helper()
	res := clerkCall(t, srv.Info().ClerkAPIURL, "GET", "/users/count?"+query, srv.Info().ClerkSecretKey, nil)
	clerkWant(t, res, http.StatusOK, "")
	if res.body["object"] != "total_count" {
		t.Fatalf("count: %s", res.raw)
	}
	return int(res.body["total_count"].(float64))
}

func TestClerkUserCreateAndGet(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey

	fixture := clerkCall(t, api, "GET", "/users/"+info.Fixture.ClerkUserID, sk, nil)
	clerkWant(t, fixture, http.StatusOK, "")
	clerkWantFields(t, fixture.body, clerkUserFields)
	emails := fixture.body["email_addresses"].([]any)
	if fixture.body["first_name"] != "Fixture" || len(emails) != 1 || emails[0].(map[string]any)["id"] != fixture.body["primary_email_address_id"] {
		t.Errorf("fixture user: %s", fixture.raw)
	}

	res := clerkCall(t, api, "POST", "/users", sk, map[string]any{
		"email_address": []string{"Ada@Example.test", "ada.l@example.test"}, "email_address_identification_status": []string{"verified", "reserved"},
		"phone_number": []string{"+15555550100"}, "web3_wallet": []string{"0x" + strings.Repeat("ab", 20)},
		"username": "ada_l", "first_name": "Ada", "last_name": "Lovelace", "external_id": "ext-1", "password": "correct horse",
		"public_metadata": map[string]any{"team": "payments"}, "private_metadata": map[string]any{"tier": 2},
		"created_at": "2020-01-02T03:04:05Z", "skip_password_requirement": true, "locale": "en-GB", "totp_secret": "AAAA",
	})
	clerkWant(t, res, http.StatusOK, "")
	clerkWantFields(t, res.body, clerkUserFields)
	u := res.body
	id := u["id"].(string)
	if !clerkUserIDPattern.MatchString(id) || u["object"] != "user" || u["username"] != "ada_l" || u["external_id"] != "ext-1" ||
		u["password_enabled"] != true || u["two_factor_enabled"] != true || clerkMs(t, u["created_at"]) != time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli() {
		t.Errorf("created user: %s", res.raw)
	}
	created := u["email_addresses"].([]any)
	verified, reserved := created[0].(map[string]any), created[1].(map[string]any)
	if verified["id"] != u["primary_email_address_id"] || verified["reserved"] != false ||
		verified["verification"].(map[string]any)["strategy"] != "admin" || reserved["reserved"] != true || reserved["verification"] != nil {
		t.Errorf("email addresses: %v", created)
	}
	if u["public_metadata"].(map[string]any)["team"] != "payments" || len(u["phone_numbers"].([]any)) != 1 || u["primary_web3_wallet_id"] == nil {
		t.Errorf("created user: %s", res.raw)
	}
	again := clerkCall(t, api, "GET", "/users/"+id, sk, nil)
	clerkWant(t, again, http.StatusOK, "")
	if string(again.raw) != string(res.raw) {
		t.Errorf("read back %s, created %s", again.raw, res.raw)
	}
	// The JS SDK's path, without /v1.
	clerkWant(t, clerkCall(t, info.URL+"/clerk", "GET", "/users/"+id, sk, nil), http.StatusOK, "")

	for name, tc := range map[string]struct {
		body       any
		code, para string
	}{
		"email taken, whatever the case": {map[string]any{"email_address": []string{"ADA@example.test"}}, "form_identifier_exists", "email_address"},
		"email malformed":                {map[string]any{"email_address": []string{"ada"}}, "form_param_format_invalid", "email_address"},
		"phone taken":                    {map[string]any{"phone_number": []string{"+15555550100"}}, "form_identifier_exists", "phone_number"},
		"username taken":                 {map[string]any{"username": "ADA_L"}, "form_identifier_exists", "username"},
		"username short":                 {map[string]any{"username": "ada"}, "form_username_invalid_length", "username"},
		"external id taken":              {map[string]any{"external_id": "ext-1"}, "form_identifier_exists", "external_id"},
		"password short":                 {map[string]any{"password": "short"}, "form_password_length_too_short", "password"},
		"statuses not parallel":          {map[string]any{"email_address": []string{"b@example.test"}, "email_address_identification_status": []string{}}, "", ""},
		"status unknown":                 {map[string]any{"email_address": []string{"c@example.test"}, "email_address_identification_status": []string{"pending"}}, "form_param_value_invalid", "email_address_identification_status"},
		"unknown field":                  {map[string]any{"nickname": "x"}, "form_param_unknown", "nickname"},
		"created_at not RFC 3339":        {map[string]any{"created_at": "yesterday"}, "form_param_format_invalid", "created_at"},
		"metadata not an object":         {map[string]any{"public_metadata": []int{1}}, "form_param_value_invalid", "public_metadata"},
	} {
		res := clerkCall(t, api, "POST", "/users", sk, tc.body)
		if tc.code == "" {
			// An empty status list is the same as none.
			clerkWant(t, res, http.StatusOK, "")
			continue
		}
		if res.status != http.StatusUnprocessableEntity || res.code() != tc.code || res.firstError()["meta"].(map[string]any)["param_name"] != tc.para {
			t.Errorf("%s: %d %s", name, res.status, res.raw)
		}
	}
	clerkWant(t, clerkCall(t, api, "POST", "/users", sk, nil), http.StatusBadRequest, "request_body_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/users/user_"+strings.Repeat("0", 27), sk, nil), http.StatusNotFound, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "GET", "/users", info.Fixture.ClerkMachineSecretKey, nil), http.StatusUnauthorized, "clerk_key_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/users/count", "", nil), http.StatusUnauthorized, "authorization_header_format_invalid")
	if n := clerkUserCount(t, srv, ""); n != 3 {
		t.Errorf("users after refused creates: %d, want the fixture, Ada and the one with an empty status list", n)
	}
}

func TestClerkUserListing(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	fx := srv.Info().Fixture
	add := func(u ClerkUser) string {
		t.Helper()
		srv.Advance(time.Second) // distinct created_at
		id, err := srv.AddClerkUser(u)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	grace := add(ClerkUser{EmailAddresses: []string{"grace@navy.example.test"}, FirstName: "Grace", LastName: "Hopper", Username: "amazing_grace"})
	alan := add(ClerkUser{EmailAddresses: []string{"alan@bletchley.example.test"}, FirstName: "Alan", LastName: "Turing", ExternalID: "ext-alan"})
	banned := add(ClerkUser{FirstName: "Mallory", Banned: true})
	org, err := srv.AddClerkOrganization(ClerkOrganization{Name: "Navy", CreatedBy: grace})
	if err != nil {
		t.Fatal(err)
	}
	user := fx.ClerkUserID
	everyone := []string{banned, alan, grace, user}
	alanRead := clerkCall(t, srv.Info().ClerkAPIURL, "GET", "/users/"+alan, srv.Info().ClerkSecretKey, nil)
	clerkWant(t, alanRead, http.StatusOK, "")
	alanCreated := clerkMs(t, alanRead.body["created_at"])

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", everyone},
		{"order_by=created_at", []string{user, grace, alan, banned}},
		{"order_by=%2Bcreated_at", []string{user, grace, alan, banned}},
		{"order_by=+created_at", []string{user, grace, alan, banned}}, // an unescaped + reads as a space
		{"limit=2&offset=1", []string{alan, grace}},
		{"offset=10", []string{}},
		{"order_by=first_name", []string{alan, user, grace, banned}},
		{"order_by=-username", []string{banned, alan, user, grace}}, // nulls first when descending
		{"order_by=email_address", []string{alan, grace, user, banned}},
		{"user_id=" + alan + "&user_id=" + grace, []string{alan, grace}},
		{"user_id=-" + alan, []string{banned, grace, user}},
		{"user_id=%2B" + alan + "&user_id=-" + alan, []string{}},
		{"email_address=ALAN@bletchley.example.test&email_address=nobody@example.test", []string{alan}},
		{"external_id=ext-alan", []string{alan}},
		{"username=AMAZING_GRACE", []string{grace}},
		{"organization_id=" + org, []string{grace}},
		{"organization_id=" + fx.ClerkOrganizationID + "&organization_id=" + org, []string{grace, user}},
		{"organization_id=-" + org + "&banned=false", []string{alan, user}},
		{"query=TURING", []string{alan}},
		{"query=example.test", []string{alan, grace, user}},
		{"query=" + grace[5:15], []string{grace}},
		{"name_query=grace%20hop", []string{grace}},
		{"email_address_query=NAVY", []string{grace}},
		{"username_query=grace", []string{grace}},
		{"phone_number_query=555", []string{}},
		{"banned=true", []string{banned}},
		{"created_at_after=" + fmt.Sprint(alanCreated-1), []string{banned, alan}},
		{"created_at_before=" + fmt.Sprint(alanCreated), []string{grace, user}},
		{"last_active_at_after=0", []string{}},
		{"provider=oauth_google&provider_user_id=1", []string{}},
		{"starting_after=" + grace, []string{user}},
		{"order_by=created_at&starting_after=" + grace + "&limit=1", []string{alan}},
	} {
		got := clerkUserIDs(t, srv, tc.query)
		if !slices.Equal(got, tc.want) {
			t.Errorf("GET /users?%s: %v, want %v", tc.query, got, tc.want)
		}
		// The count takes the listing's own parameters, as the official
		// clients send them, and counts past the page.
		if strings.Contains(tc.query, "starting_after") {
			continue
		}
		total := len(tc.want)
		if strings.Contains(tc.query, "offset") {
			total = len(everyone)
		}
		if n := clerkUserCount(t, srv, tc.query); n != total {
			t.Errorf("GET /users/count?%s: %d, want %d", tc.query, n, total)
		}
	}

	api, sk := srv.Info().ClerkAPIURL, srv.Info().ClerkSecretKey
	tooMany := url.Values{"user_id": make([]string, 101)}
	for _, q := range []string{"limit=0", "limit=501", "offset=-1", "order_by=shoe_size", "banned=maybe", "created_at_before=soon",
		"starting_after=" + grace + "&order_by=first_name", "starting_after=" + grace + "&offset=1", "starting_after=user_gone", tooMany.Encode()} {
		clerkWant(t, clerkCall(t, api, "GET", "/users?"+q, sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	}
	clerkWant(t, clerkCall(t, api, "GET", "/users/count?"+tooMany.Encode(), sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	// The count ignores what only a page means, even when it is invalid.
	if n := clerkUserCount(t, srv, "limit=0&order_by=shoe_size&starting_after=user_gone"); n != len(everyone) {
		t.Errorf("count with page parameters: %d", n)
	}
}

func TestClerkOrganizations(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk, fx := info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture

	for _, ref := range []string{fx.ClerkOrganizationID, "fixture-org"} {
		res := clerkCall(t, api, "GET", "/organizations/"+ref, sk, nil)
		clerkWant(t, res, http.StatusOK, "")
		clerkWantFields(t, res.body, clerkOrgFields)
		if res.body["id"] != fx.ClerkOrganizationID || res.body["created_by"] != fx.ClerkUserID || res.body["slug"] != "fixture-org" {
			t.Errorf("fixture organization by %s: %s", ref, res.raw)
		}
	}
	res := clerkCall(t, api, "GET", "/organizations/fixture-org?include_members_count=true&include_missing_member_with_elevated_permissions=true", sk, nil)
	clerkWant(t, res, http.StatusOK, "")
	if res.body["members_count"] != 1.0 || res.body["missing_member_with_elevated_permissions"] != false {
		t.Errorf("with counts: %s", res.raw)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/organizations/org_"+strings.Repeat("0", 27), sk, nil), http.StatusNotFound, "resource_not_found")

	res = clerkCall(t, api, "POST", "/organizations", sk, map[string]any{"name": "Acme Rockets, Inc.", "public_metadata": map[string]any{"plan": "pro"},
		"max_allowed_memberships": 0, "logo": "ignored: the description leaves the body open"})
	clerkWant(t, res, http.StatusOK, "")
	clerkWantFields(t, res.body, slices.DeleteFunc(slices.Clone(clerkOrgFields), func(f string) bool { return f == "created_by" }))
	acme := res.body["id"].(string)
	if res.body["slug"] != "acme-rockets-inc" || res.body["max_allowed_memberships"] != 0.0 || res.body["public_metadata"].(map[string]any)["plan"] != "pro" {
		t.Errorf("created: %s", res.raw)
	}
	res = clerkCall(t, api, "POST", "/organizations", sk, map[string]any{"name": "Acme rockets inc"})
	clerkWant(t, res, http.StatusOK, "")
	if slug := res.body["slug"].(string); !strings.HasPrefix(slug, "acme-rockets-inc-") {
		t.Errorf("second slug from a taken one: %q", slug)
	}
	other := res.body["id"].(string)
	for name, tc := range map[string]struct {
		body any
		code string
	}{
		"slug taken":         {map[string]any{"name": "x", "slug": "fixture-org"}, "form_identifier_exists"},
		"slug malformed":     {map[string]any{"name": "x", "slug": "Not A Slug"}, "form_param_format_invalid"},
		"no name":            {map[string]any{"slug": "x"}, "form_param_missing"},
		"blank name":         {map[string]any{"name": "  "}, "form_param_value_invalid"},
		"unknown creator":    {map[string]any{"name": "x", "created_by": "user_" + strings.Repeat("0", 27)}, "form_param_value_invalid"},
		"negative limit":     {map[string]any{"name": "x", "max_allowed_memberships": -1}, "form_param_value_invalid"},
		"name not a string":  {map[string]any{"name": 7}, "form_param_value_invalid"},
		"metadata not a map": {map[string]any{"name": "x", "private_metadata": "x"}, "form_param_value_invalid"},
	} {
		if res := clerkCall(t, api, "POST", "/organizations", sk, tc.body); res.status != http.StatusUnprocessableEntity || res.code() != tc.code {
			t.Errorf("%s: %d %s", name, res.status, res.raw)
		}
	}

	list := func(query string) ([]string, int) {
		t.Helper()
		res := clerkCall(t, api, "GET", "/organizations?"+query, sk, nil)
		clerkWant(t, res, http.StatusOK, "")
		ids := []string{}
		for _, o := range res.body["data"].([]any) {
			ids = append(ids, o.(map[string]any)["id"].(string))
		}
		return ids, int(res.body["total_count"].(float64))
	}
	for _, tc := range []struct {
		query string
		want  []string
		total int
	}{
		{"", []string{other, acme, fx.ClerkOrganizationID}, 3},
		{"limit=1&offset=1", []string{acme}, 3},
		{"order_by=name", []string{acme, other, fx.ClerkOrganizationID}, 3},
		{"order_by=-members_count", []string{fx.ClerkOrganizationID, other, acme}, 3},
		{"query=ROCKETS", []string{other, acme}, 2},
		{"query=" + acme, []string{acme}, 1},
		{"query=fixture-", []string{fx.ClerkOrganizationID}, 1},
		{"user_id=" + fx.ClerkUserID, []string{fx.ClerkOrganizationID}, 1},
		{"user_id=-" + fx.ClerkUserID, []string{other, acme}, 2},
		{"organization_id=" + acme + "&organization_id=" + other, []string{other, acme}, 2},
		{"organization_id=-" + acme, []string{other, fx.ClerkOrganizationID}, 2},
	} {
		if got, total := list(tc.query); !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("GET /organizations?%s: %v (total %d), want %v (total %d)", tc.query, got, total, tc.want, tc.total)
		}
	}
	res = clerkCall(t, api, "GET", "/organizations?include_members_count=true&query=fixture", sk, nil)
	clerkWant(t, res, http.StatusOK, "")
	if first := res.body["data"].([]any)[0].(map[string]any); first["members_count"] != 1.0 {
		t.Errorf("listed with counts: %s", res.raw)
	}
	for _, q := range []string{"limit=0", "limit=501", "order_by=slug", "include_members_count=perhaps"} {
		clerkWant(t, clerkCall(t, api, "GET", "/organizations?"+q, sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	}
	clerkWant(t, clerkCall(t, api, "GET", "/organizations", fx.ClerkMachineSecretKey, nil), http.StatusUnauthorized, "clerk_key_invalid")
}

func TestClerkDirectoryGoAPI(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	fx := srv.Info().Fixture
	if _, err := srv.AddClerkUser(ClerkUser{EmailAddresses: []string{"USER@fixture.example.test"}}); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Errorf("a taken email address: %v", err)
	}
	if _, err := srv.AddClerkOrganization(ClerkOrganization{}); err == nil {
		t.Error("an organization without a name was added")
	}
	member, err := srv.AddClerkUser(ClerkUser{PublicMetadata: map[string]any{"role": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	org, err := srv.AddClerkOrganization(ClerkOrganization{Name: "Ops", Slug: "ops", CreatedBy: member, MaxAllowedMemberships: &zero})
	if err != nil {
		t.Fatal(err)
	}
	if got := clerkUserIDs(t, srv, "organization_id="+org); !slices.Equal(got, []string{member}) {
		t.Errorf("members of %s: %v", org, got)
	}
	// Deleting a user ends its memberships; its organization stays, now
	// without the admin that created it.
	srv.DeleteClerkSubject(member)
	if got := clerkUserIDs(t, srv, "organization_id="+org); len(got) != 0 {
		t.Errorf("members after the delete: %v", got)
	}
	res := clerkCall(t, srv.Info().ClerkAPIURL, "GET", "/organizations/ops?include_missing_member_with_elevated_permissions=true", srv.Info().ClerkSecretKey, nil)
	clerkWant(t, res, http.StatusOK, "")
	if res.body["missing_member_with_elevated_permissions"] != true || res.body["max_allowed_memberships"] != 0.0 {
		t.Errorf("organization after its creator left: %s", res.raw)
	}
	srv.DeleteClerkSubject(fx.ClerkOrganizationID)
	clerkWant(t, clerkCall(t, srv.Info().ClerkAPIURL, "GET", "/organizations/fixture-org", srv.Info().ClerkSecretKey, nil), http.StatusNotFound, "resource_not_found")
}
