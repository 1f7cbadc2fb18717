package provider

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// badInput is a configuration or an import id that must be refused before
// any request: the diagnostic names the attribute and says what it allows.
type badInput struct {
	name string
	// provider is the provider block; providerConfig(srv) when nil.
	provider func(*emulator.Server) string
	// config is what follows the provider block.
	config func(*emulator.Server) string
	// importAddr and importID, when set, import into the resource at
	// importAddr (declared by config) instead of planning config.
	importAddr, importID string
	// want are fragments the error must hold, in order, however
	// terraform wrapped its lines.
	want []string
}

// token is a machineauth_m2m_token with body inside its block.
func token(body string) func(*emulator.Server) string {
	return func(*emulator.Server) string {
		return "resource \"machineauth_m2m_token\" \"t\" {\n" + body + "\n}\n"
	}
}

// apiKey is a machineauth_api_key of the fixture user with lines added or,
// for name and subject, overridden.
func apiKey(lines ...string) func(*emulator.Server) string {
	return func(srv *emulator.Server) string {
		body := map[string]string{"name": `"ci key"`, "subject": strconv.Quote(srv.Info().Fixture.ClerkUserID)}
		var extra []string
		for _, l := range lines {
			if k, v, ok := strings.Cut(l, "="); ok && body[strings.TrimSpace(k)] != "" {
				body[strings.TrimSpace(k)] = strings.TrimSpace(v)
				continue
			}
			extra = append(extra, l)
		}
		return "resource \"machineauth_api_key\" \"k\" {\n  name = " + body["name"] + "\n  subject = " + body["subject"] + "\n  " +
			strings.Join(extra, "\n  ") + "\n}\n"
	}
}

// ephemeralToken is an ephemeral machineauth_m2m_token with body inside
// its block: refused at validate, before Terraform would open it (and so
// issue a token).
func ephemeralToken(body string) func(*emulator.Server) string {
	return func(*emulator.Server) string {
		return "ephemeral \"machineauth_m2m_token\" \"t\" {\n" + body + "\n}\n"
	}
}

// auth is the fixture's machineauth_connected_app_authorization, edited.
func auth(edit func(*authorization)) func(*emulator.Server) string {
	return func(srv *emulator.Server) string {
		a := fixtureAuthorization(srv)
		edit(&a)
		return a.hcl()
	}
}

// app is a machineauth_connected_app "app" with body inside its block.
func app(body string) func(*emulator.Server) string {
	return func(*emulator.Server) string { return connectedApp(body) }
}

// m2mClient is a machineauth_m2m_client "c" with body inside its block.
func m2mClient(body string) func(*emulator.Server) string {
	return func(*emulator.Server) string { return "resource \"machineauth_m2m_client\" \"c\" {\n" + body + "\n}\n" }
}

// withSetting is the provider block with one attribute set to value.
func withSetting(attr, value string) func(*emulator.Server) string {
	return func(srv *emulator.Server) string { return providerConfigWith(srv, attr, value) }
}

// withProviderLine is the provider block with one more top-level line.
func withProviderLine(line string) func(*emulator.Server) string {
	return func(srv *emulator.Server) string {
		return editProviderConfig(providerConfig(srv), func(attr string) (string, bool) {
			if attr == "max_retry_wait" {
				return `max_retry_wait = "50ms"` + "\n  " + line, true
			}
			return "", true
		})
	}
}

// badInputs is the one table of input the provider refuses up front:
// wrong key prefixes, empty strings, impossible lifetimes, claims that
// are not a JSON object or use reserved names, unknown enums, malformed
// ids and import ids (including '/', '..' and '%2F' meant to escape a
// request path), http URLs to hosts that are not loopback, empty scope
// sets, and argument combinations that cannot work.
var badInputs = []badInput{
	// Provider settings.
	{name: "http clerk api_url", provider: withSetting("api_url", "http://api.clerk.example/v1"), config: token(""),
		want: []string{`clerk.api_url: "http://api.clerk.example/v1" uses http to a host that is not loopback`, "use https, or http only for 127.0.0.0/8, ::1 or localhost"}},
	{name: "http stytch base_url", provider: withSetting("base_url", "http://stytch.example"), config: token(""),
		want: []string{`stytch.base_url: "http://stytch.example" uses http to a host that is not loopback`, "use https"}},
	{name: "stytch base_url with a path", provider: withSetting("base_url", "https://x/y"), config: token(""),
		want: []string{`stytch.base_url: "https://x/y" has a path; Stytch's paths are absolute`, "must be an origin"}},
	{name: "instance key with a machine key's prefix", provider: withSetting("secret_key", "ak_0123456789abcdef"), config: token(""),
		want: []string{`clerk.secret_key: expected a value starting with "sk_test_" or "sk_live_"`}},
	{name: "empty instance key", provider: withSetting("secret_key", ""), config: token(""),
		want: []string{`clerk.secret_key: expected a value starting with "sk_test_" or "sk_live_"`}},
	{name: "machine key with an instance key's prefix", provider: withSetting("machine_secret_key", "sk_test_0123456789"), config: token(""),
		want: []string{`clerk.machine_secret_key: expected a value starting with "ak_"`}},
	{name: "stytch project_id prefix", provider: withSetting("project_id", "proj-0123"), config: token(""),
		want: []string{`stytch.project_id: expected a value starting with "project-test-" or "project-live-"`}},
	{name: "max_retry_wait not a duration", provider: withSetting("max_retry_wait", "forever"), config: token(""),
		want: []string{`max_retry_wait: "forever" is not a duration; use a number with a unit such as "30s"`}},
	{name: "absurd call_timeout", provider: withProviderLine(`call_timeout = "48h"`), config: token(""),
		want: []string{"call_timeout: 48h0m0s is out of range; allowed from 1s to 1h0m0s"}},
	{name: "absurd max_retries", provider: withProviderLine(`max_retries = 99`), config: token(""),
		want: []string{"max_retries", "value must be between 0 and 20, got: 99"}},

	// machineauth_m2m_token arguments.
	{name: "machine key with an instance key's prefix on the token", config: token(`machine_secret_key = "sk_test_abcdef"`),
		want: []string{`machine_secret_key: expected a value starting with "ak_"`}},
	{name: "empty machine key on the token", config: token(`machine_secret_key = ""`),
		want: []string{`machine_secret_key: expected a value starting with "ak_"`}},
	{name: "zero expiration", config: token(`seconds_until_expiration = 0`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000, got: 0"}},
	{name: "negative expiration", config: token(`seconds_until_expiration = -60`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000, got: -60"}},
	{name: "absurd expiration", config: token(`seconds_until_expiration = 9999999999`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000"}},
	{name: "claims an array", config: token(`claims = jsonencode(["a"])`),
		want: []string{"claims: must be a JSON object", "got an array"}},
	{name: "claims invalid JSON", config: token(`claims = "{team:"`),
		want: []string{"claims: not valid JSON"}},
	{name: "claims a number", config: token(`claims = "42"`),
		want: []string{"claims: must be a JSON object", "got a number"}},
	{name: "reserved claim", config: token(`claims = jsonencode({ sub = "mch_x" })`),
		want: []string{`claims: the claim "sub" is reserved`}},
	{name: "claim in the provider's namespace", config: token(`claims = jsonencode({ "machineauth:create_id" = "x" })`),
		want: []string{`is in the "machineauth:" namespace`}},
	{name: "unknown token_format", config: token(`token_format = "paseto"`),
		want: []string{"token_format", `value must be one of: ["opaque" "jwt"]`}},
	{name: "empty revocation reason on the token", config: token(`revocation_reason = ""`),
		want: []string{"revocation_reason", "string length must be at least 1"}},
	{name: "rotation window as long as the lifetime", config: token("seconds_until_expiration = 600\nrotate_before_seconds = 600"),
		want: []string{"rotate_before_seconds (600) must be less than seconds_until_expiration (600)"}},

	// The ephemeral machineauth_m2m_token's arguments.
	{name: "zero expiration on the ephemeral token", config: ephemeralToken(`seconds_until_expiration = 0`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000, got: 0"}},
	{name: "negative expiration on the ephemeral token", config: ephemeralToken(`seconds_until_expiration = -60`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000, got: -60"}},
	{name: "absurd expiration on the ephemeral token", config: ephemeralToken(`seconds_until_expiration = 9999999999`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000"}},
	{name: "reserved claim on the ephemeral token", config: ephemeralToken(`claims = jsonencode({ sub = "mch_x" })`),
		want: []string{`claims: the claim "sub" is reserved`}},
	{name: "empty revocation reason on the ephemeral token", config: ephemeralToken(`revocation_reason = ""`),
		want: []string{"revocation_reason", "string length must be at least 1"}},
	{name: "unknown token_format on the ephemeral token", config: ephemeralToken(`token_format = "paseto"`),
		want: []string{"token_format", `value must be one of: ["opaque" "jwt"]`}},

	// machineauth_m2m_token import ids.
	{name: "token import id of one part", config: token(""), importAddr: tokenName, importID: "mt_" + strings.Repeat("0", 32),
		want: []string{"Expected mch_<machine id>/mt_<token id>", `got 1 part(s) separated by "/"`}},
	{name: "token import id of three parts", config: token(""), importAddr: tokenName, importID: "mch_" + strings.Repeat("a", 27) + "/mt_" + strings.Repeat("0", 32) + "/x",
		want: []string{"Expected mch_<machine id>/mt_<token id>", `got 3 part(s) separated by "/"`}},
	{name: "token import id with '..' for the machine", config: token(""), importAddr: tokenName, importID: "../mt_" + strings.Repeat("0", 32),
		want: []string{"Expected mch_<machine id>/mt_<token id>", `the machine id ".." is not mch_ followed by 27 letters, digits or underscores`}},
	{name: "token import id with %2F in the machine", config: token(""), importAddr: tokenName, importID: "mch_" + strings.Repeat("a", 24) + "%2F/mt_" + strings.Repeat("0", 32),
		want: []string{"Expected mch_<machine id>/mt_<token id>", "is not mch_ followed by 27"}},
	{name: "token import id with a short token id", config: token(""), importAddr: tokenName, importID: "mch_" + strings.Repeat("a", 27) + "/mt_123",
		want: []string{"Expected mch_<machine id>/mt_<token id>", "the token id is not mt_ followed by 32 hexadecimal digits"}},
	{name: "token import id with ..%2F in the token", config: token(""), importAddr: tokenName, importID: "mch_" + strings.Repeat("a", 27) + "/mt_..%2F" + strings.Repeat("0", 27),
		want: []string{"Expected mch_<machine id>/mt_<token id>", "the token id is not mt_ followed by 32 hexadecimal digits"}},

	// machineauth_api_key arguments and import ids.
	{name: "api key name of 2 characters", config: apiKey(`name = "ci"`),
		want: []string{"name", "string length must be at least 3, got: 2"}},
	{name: "api key name with a trailing space", config: apiKey(`name = "ci key "`),
		want: []string{"name: must not start or end with a space"}},
	{name: "api key subject without a user_, org_ or mch_ prefix", config: apiKey(`subject = "usr_2xhFjEI5X2qWRvtV13BzSj8H6Dk"`),
		want: []string{`subject: "usr_2xhFjEI5X2qWRvtV13BzSj8H6Dk" is not a user (user_...), organization (org_...) or machine (mch_...) id`}},
	{name: "api key expiring after 0 seconds", config: apiKey(`seconds_until_expiration = 0`),
		want: []string{"seconds_until_expiration", "must be between 1 and 315360000, got: 0"}},
	{name: "api key claims not an object", config: apiKey(`claims = jsonencode(["a"])`),
		want: []string{"claims: must be a JSON object", "got an array"}},
	{name: "api key claim in the provider's namespace", config: apiKey(`claims = jsonencode({ "machineauth:create_id" = "x" })`),
		want: []string{`is in the "machineauth:" namespace`}},
	{name: "api key renewal window as long as the lifetime", config: apiKey("seconds_until_expiration = 600", "renew_before_seconds = 600"),
		want: []string{"renew_before_seconds (600) must be less than seconds_until_expiration (600)"}},
	{name: "api key renewal without a lifetime", config: apiKey("renew_before_seconds = 600"),
		want: []string{`Attribute "seconds_until_expiration" must be specified when "renew_before_seconds" is specified`}},
	{name: "api key description too long", config: apiKey(`description = "` + strings.Repeat("d", 256) + `"`),
		want: []string{"description", "string length must be between 1 and 255, got: 256"}},
	{name: "api key without the instance key", provider: func(srv *emulator.Server) string { return providerConfigWithout(srv, "secret_key") },
		config: apiKey(), want: []string{"Missing clerk.secret_key", "A machine secret key cannot manage API keys"}},
	{name: "api key import id that is an M2M token id", config: apiKey(), importAddr: "machineauth_api_key.k", importID: "mt_" + strings.Repeat("0", 32),
		want: []string{"Expected an API key id", "not ak_ followed by 32 hexadecimal digits"}},
	{name: "api key import id with '..'", config: apiKey(), importAddr: "machineauth_api_key.k", importID: "ak_../" + strings.Repeat("0", 28),
		want: []string{"Expected an API key id", "not ak_ followed by 32 hexadecimal digits"}},

	// machineauth_connected_app_authorization arguments.
	{name: "empty scope set", config: auth(func(a *authorization) { a.scopes = nil }),
		want: []string{"scopes set must contain at least 1 elements"}},
	{name: "empty scope", config: auth(func(a *authorization) { a.scopes = []string{""} }),
		want: []string{`"" is not a scope: a scope is one or more printable ASCII characters without spaces`}},
	{name: "scope with a space", config: auth(func(a *authorization) { a.scopes = []string{"openid email"} }),
		want: []string{`"openid email" is not a scope: a scope is one or more printable ASCII characters without spaces`}},
	{name: "http redirect URI to a remote host", config: auth(func(a *authorization) { a.redirectURI = "http://app.example.test/callback" }),
		want: []string{`redirect_uri: "http://app.example.test/callback" uses http to a host that is not loopback`, "use https, or http only for 127.0.0.0/8, ::1 or localhost"}},
	{name: "relative redirect URI", config: auth(func(a *authorization) { a.redirectURI = "/callback" }),
		want: []string{`redirect_uri: "/callback" is not an absolute https URL`}},
	{name: "redirect URI with a fragment", config: auth(func(a *authorization) { a.redirectURI = "https://app.example.test/cb#x" }),
		want: []string{"redirect_uri: a redirect URI must not have a fragment"}},
	{name: "malformed organization id", config: auth(func(a *authorization) { a.organizationID = "org_123" }),
		want: []string{`organization_id: expected an id starting with "organization-test-" or "organization-live-" followed by letters, digits, '-' or '_'`}},
	{name: "empty organization id", config: auth(func(a *authorization) { a.organizationID = ""; a.extra = []string{`organization_id = ""`} }),
		want: []string{`organization_id: expected an id starting with "organization-test-"`, `got ""`}},
	{name: "organization id with '/' and '..'", config: auth(func(a *authorization) { a.organizationID = "organization-test-1/../organization-test-2" }),
		want: []string{`organization_id: expected an id starting with "organization-test-"`}},
	{name: "member id with '..' and %2F", config: auth(func(a *authorization) { a.memberID = "member-test-..%2Fx" }),
		want: []string{`member_id: expected an id starting with "member-test-" or "member-live-"`}},
	{name: "malformed connected app id", config: auth(func(a *authorization) { a.connectedAppID = "my-app" }),
		want: []string{`connected_app_id: expected an id starting with "connected-app-test-" or "connected-app-live-"`}},
	{name: "malformed user id", config: auth(func(a *authorization) { a.organizationID, a.memberID, a.userID = "", "", "usr_1" }),
		want: []string{`user_id: expected an id starting with "user-test-" or "user-live-"`}},
	{name: "organization without member", config: auth(func(a *authorization) { a.memberID = "" }),
		want: []string{`Attribute "member_id" must be specified when "organization_id" is specified`}},
	{name: "member and user", config: auth(func(a *authorization) { a.organizationID, a.userID = "", "user-test-1" }),
		want: []string{`Attribute "member_id" cannot be specified when "user_id" is specified`}},
	{name: "neither member nor user", config: auth(func(a *authorization) { a.organizationID, a.memberID = "", "" }),
		want: []string{"Missing Attribute Configuration", "organization_id", "user_id"}},
	{name: "user with a member session", config: auth(func(a *authorization) {
		a.organizationID, a.memberID, a.userID = "", "", "user-test-1"
		a.extra = []string{`session_token = "t"`}
	}), want: []string{`Attribute "session_token" cannot be specified when "user_id" is specified`}},
	{name: "both client secrets", config: auth(func(a *authorization) { a.extra = []string{`client_secret_wo = "other"`} }),
		want: []string{`Attribute "client_secret_wo" cannot be specified when "client_secret" is specified`}},
	{name: "empty client secret", config: auth(func(a *authorization) { a.clientSecret = ""; a.extra = []string{`client_secret = ""`} }),
		want: []string{"client_secret string length must be at least 1"}},
	{name: "two session credentials", config: auth(func(a *authorization) { a.extra = []string{`session_token = "t"`, `session_jwt = "j"`} }),
		want: []string{`Attribute "session_jwt" cannot be specified when "session_token" is specified`}},
	{name: "empty revocation reason on the authorization", config: auth(func(a *authorization) { a.extra = []string{`revocation_reason = ""`} }),
		want: []string{"revocation_reason string length must be at least 1"}},

	// machineauth_connected_app_authorization import ids.
	{name: "authorization import id of four parts", config: auth(func(*authorization) {}), importAddr: authAddr,
		importID: "organization-test-1/member-test-1/connected-app-test-1/x",
		want:     []string{"expected <organization_id>/<member_id>/<connected_app_id>, or <user_id>/<connected_app_id>"}},
	{name: "authorization import id of one part", config: auth(func(*authorization) {}), importAddr: authAddr,
		importID: "connected-app-test-1",
		want:     []string{"expected <organization_id>/<member_id>/<connected_app_id>"}},
	{name: "authorization import id with '..' for the member", config: auth(func(*authorization) {}), importAddr: authAddr,
		importID: "organization-test-1/../connected-app-test-1",
		want:     []string{`member_id in import id: expected an id starting with "member-test-"`}},
	{name: "authorization import id with %2F in the member", config: auth(func(*authorization) {}), importAddr: authAddr,
		importID: "organization-test-1/member-test-1%2F..%2Fx/connected-app-test-1",
		want:     []string{`member_id in import id: expected an id starting with "member-test-"`}},
	{name: "authorization import id with a member where a user belongs", config: auth(func(*authorization) {}), importAddr: authAddr,
		importID: "member-test-1/connected-app-test-1",
		want:     []string{`user_id in import id: expected an id starting with "user-test-"`}},

	// machineauth_connected_app arguments and import ids.
	{name: "unknown client_type", config: app(`client_type = "second_party"` + "\n" + `client_name = "x"`),
		want: []string{"client_type", `value must be one of: ["first_party" "first_party_public" "third_party" "third_party_public"]`}},
	{name: "http redirect URL to a remote host", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"` + "\n" + `redirect_urls = ["http://app.example.test/cb"]`),
		want: []string{`"http://app.example.test/cb" uses http to a host that is not loopback`}},
	{name: "empty client_name", config: app(`client_type = "third_party"` + "\n" + `client_name = ""`),
		want: []string{"client_name", "string length must be at least 1"}},
	{name: "zero access token expiry", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"` + "\n" + `access_token_expiry_minutes = 0`),
		want: []string{"access_token_expiry_minutes", "value must be at least 1, got: 0"}},
	{name: "rotation triggers on a public client", config: app(`client_type = "third_party_public"` + "\n" + `client_name = "x"` + "\n" + `secret_rotation_triggers = { v = "1" }`),
		want: []string{"secret_rotation_triggers: a third_party_public client has no client secret to rotate"}},
	{name: "full access for a third-party client", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"` + "\n" + `full_access_allowed = true`),
		want: []string{"full_access_allowed: true is valid for first-party clients only"}},
	{name: "http logo URL", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"` + "\n" + `logo_url = "http://app.example.test/logo.png"`),
		want: []string{`logo_url: "http://app.example.test/logo.png" is not an absolute https URL`}},
	{name: "negative rotation overlap", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"` + "\n" + `secret_rotation_overlap_seconds = -1`),
		want: []string{"secret_rotation_overlap_seconds", "value must be between 0 and 31536000, got: -1"}},
	{name: "connected app import id with a slash", config: app(`client_type = "third_party"` + "\n" + `client_name = "x"`), importAddr: appAddr,
		importID: "connected-app-test-1/../x",
		want:     []string{"Expected the connected app's client_id", `expected an id starting with "connected-app-test-" or "connected-app-live-"`}},

	// machineauth_m2m_client arguments and import ids.
	{name: "empty scopes on an M2M client", config: m2mClient(`scopes = []`),
		want: []string{"scopes set must contain at least 1 elements"}},
	{name: "M2M client scope with a space", config: m2mClient(`scopes = ["read reports"]`),
		want: []string{`"read reports" is not a scope: a scope is one or more printable ASCII characters without spaces`}},
	{name: "unknown M2M client status", config: m2mClient(`scopes = ["read"]` + "\n" + `status = "paused"`),
		want: []string{"status", `value must be one of: ["active" "inactive"]`}},
	{name: "trusted_metadata an array", config: m2mClient(`scopes = ["read"]` + "\n" + `trusted_metadata = jsonencode(["a"])`),
		want: []string{"trusted_metadata: must be a JSON object", "got an array"}},
	{name: "trusted_metadata not JSON", config: m2mClient(`scopes = ["read"]` + "\n" + `trusted_metadata = "{team:"`),
		want: []string{"trusted_metadata: not valid JSON"}},
	{name: "M2M client import id with a slash", config: m2mClient(`scopes = ["read"]`), importAddr: m2mClientAddr, importID: "m2m-client-test-1/../x",
		want: []string{"Expected the M2M client's client_id", "must not contain '/'"}},
	{name: "M2M client token scope with a space", config: func(*emulator.Server) string {
		return "ephemeral \"machineauth_m2m_client_token\" \"t\" {\n  client_id = \"m2m-client-test-1\"\n  client_secret = \"s\"\n  scopes = [\"a b\"]\n}\n"
	}, want: []string{`"a b" is not a scope`}},

	// machineauth_token_verification.
	{name: "unknown token type", config: func(*emulator.Server) string {
		return "data \"machineauth_token_verification\" \"v\" {\n  token = \"mt_0\"\n  type = \"session\"\n}\n"
	}, want: []string{"type", `value must be one of: ["m2m_token" "connected_app_access_token" "api_key" "m2m_client_token" "oauth_access_token"]`}},
}

// TestAccBadInput runs the table: each entry fails at validate, plan or
// import with a diagnostic naming the attribute and what it allows, and the
// emulator, which counts every request, sees none.
func TestAccBadInput(t *testing.T) {
	if len(badInputs) < 25 {
		t.Fatalf("%d bad inputs: the table is meant to cover at least 25", len(badInputs))
	}
	seen := map[string]bool{}
	for _, tc := range badInputs {
		if seen[tc.name] {
			t.Fatalf("two cases are named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			provider := providerConfig(srv)
			if tc.provider != nil {
				provider = tc.provider(srv)
			}
			step := resource.TestStep{
				Config:      provider + tc.config(srv),
				ExpectError: diagMatching(tc.want...),
			}
			if tc.importID != "" {
				step.ResourceName, step.ImportState, step.ImportStateId = tc.importAddr, true, tc.importID
			} else {
				step.PlanOnly = true
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{step},
			})
			if st := srv.Stats(); st.TotalRequests != 0 {
				t.Fatalf("bad input sent %d requests: %v", st.TotalRequests, st.Requests)
			}
		})
	}
}
