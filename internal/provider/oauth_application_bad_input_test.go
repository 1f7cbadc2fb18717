package provider

import (
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The OAuth application's rows of the bad-input table (bad_input_test.go):
// each is refused before any request.
func init() { badInputs = append(badInputs, oauthApplicationBadInputs...) }

// oauthApp is a machineauth_oauth_application "x" named tf-acc-x, with
// body inside its block.
func oauthApp(body string) func(*emulator.Server) string {
	return func(*emulator.Server) string {
		return "resource \"machineauth_oauth_application\" \"x\" {\n  name = \"tf-acc-x\"\n" + body + "\n}\n"
	}
}

// oauthBlock is a machineauth_oauth_application resource or data source
// named "x", with body inside it.
func oauthBlock(kind, body string) func(*emulator.Server) string {
	return func(*emulator.Server) string {
		return kind + " \"machineauth_oauth_application\" \"x\" {\n" + body + "\n}\n"
	}
}

var oauthApplicationBadInputs = []badInput{
	{name: "empty OAuth application name", config: oauthBlock("resource", `name = ""`),
		want: []string{"name: must not be empty or only spaces"}},
	{name: "OAuth application name of spaces", config: oauthBlock("resource", `name = "   "`),
		want: []string{"name: must not be empty or only spaces"}},
	{name: "OAuth application name of 257 characters", config: oauthBlock("resource", `name = "`+strings.Repeat("é", 257)+`"`),
		want: []string{"name: is 257 characters long; Clerk takes at most 256"}},
	{name: "http redirect URI to a remote host for an OAuth application", config: oauthApp(`redirect_uris = ["http://app.example.test/cb"]`),
		want: []string{`"http://app.example.test/cb" uses http on a host that is not loopback`, "use https, or http://localhost"}},
	{name: "custom-scheme redirect URI for an OAuth application", config: oauthApp(`redirect_uris = ["myapp://callback"]`),
		want: []string{`"myapp://callback" uses the scheme "myapp": use https, or http on a loopback host`}},
	{name: "relative redirect URI for an OAuth application", config: oauthApp(`redirect_uris = ["/callback"]`),
		want: []string{`"/callback" is not an absolute URL`}},
	{name: "redirect URI with a fragment for an OAuth application", config: oauthApp(`redirect_uris = ["https://app.example.test/cb#x"]`),
		want: []string{`"https://app.example.test/cb#x" has a fragment`}},
	{name: "OAuth scope with a space", config: oauthApp(`scopes = ["profile email"]`),
		want: []string{`"profile email" is not one scope: give each scope as its own element`}},
	{name: "empty OAuth scope", config: oauthApp(`scopes = [""]`),
		want: []string{`"" is not one scope`}},
	{name: "empty OAuth scope set", config: oauthApp(`scopes = []`),
		want: []string{"scopes set must contain at least 1 elements"}},
	{name: "rotation triggers on a public OAuth application", config: oauthApp("public = true\nsecret_rotation_triggers = { v = \"1\" }"),
		want: []string{"secret_rotation_triggers rotates the client secret, and a public client (public = true) has none", "Remove secret_rotation_triggers, or set public = false"}},
	{name: "OAuth application without the instance key", provider: func(srv *emulator.Server) string { return providerConfigWithout(srv, "secret_key") },
		config: oauthApp(""), want: []string{"Missing clerk.secret_key", "Managing a Clerk OAuth application", "CLERK_SECRET_KEY"}},
	{name: "OAuth application import id with a slash", config: oauthApp(""), importAddr: "machineauth_oauth_application.x", importID: "oa_1/../oa_2",
		want: []string{"The import id is not an OAuth application id", "not its client_id or secret"}},
	{name: "OAuth application import id with %2F", config: oauthApp(""), importAddr: "machineauth_oauth_application.x", importID: "oa_1%2F..",
		want: []string{"The import id is not an OAuth application id"}},
	{name: "OAuth application data source by id and name", config: oauthBlock("data", "id = \"oa_1\"\nname = \"x\""),
		want: []string{"Invalid Attribute Combination", "Exactly one of these attributes must be configured: [id,name]"}},
	{name: "OAuth application data source by neither", config: oauthBlock("data", ""),
		want: []string{"Missing Attribute Configuration", "Exactly one of these attributes must be configured: [id,name]"}},
	{name: "OAuth application data source id with a slash", config: oauthBlock("data", `id = "oa_1/x"`),
		want: []string{"id: is not an OAuth application id"}},
}
