package provider

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// Emulator routes whose request counts the verification tests watch.
const (
	verifyRoute     = "/clerk/v1/m2m_tokens/verify"
	clerkJWKSRoute  = "/clerk/v1/jwks"
	stytchJWKSRoute = "/v1/b2b/sessions/jwks/{project_id}"
	introspectRoute = "/v1/public/{project_id}/oauth2/introspect"
)

// fixtureVerifier verifies with every emulator credential.
func fixtureVerifier(t *testing.T, srv *emulator.Server) *tokenVerifier {
	info := srv.Info()
	return newTokenVerifier(verificationClient(t, srv), clerkKeys{instance: info.ClerkSecretKey, machine: info.Fixture.ClerkMachineSecretKey})
}

// mintM2MToken creates a token with the fixture machine's key.
func mintM2MToken(t *testing.T, srv *emulator.Server, req client.CreateM2MTokenRequest) *client.M2MTokenWithSecret {
	t.Helper()
	tok, err := verificationClient(t, srv).CreateM2MToken(t.Context(), srv.Info().Fixture.ClerkMachineSecretKey, req)
	if err != nil {
		t.Fatalf("creating M2M token: %v", err)
	}
	return tok
}

// mintAccessToken runs the fixture app's authorization code flow with PKCE
// for the fixture member and returns the access token.
func mintAccessToken(t *testing.T, c *client.Client, fx *emulator.Fixture) string {
	t.Helper()
	return mintAccessTokenFor(t, c, fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, fx.StytchRedirectURI, fx.StytchOrganizationID, fx.StytchMemberID)
}

// mintAccessTokenFor runs app's authorization code flow with PKCE for the
// member and returns the access token.
func mintAccessTokenFor(t *testing.T, c *client.Client, app, secret, redirectURI, organizationID, memberID string) string {
	t.Helper()
	verifier := base64.RawURLEncoding.EncodeToString([]byte(rand.Text()))
	sum := sha256.Sum256([]byte(verifier))
	auth, err := c.Authorize(t.Context(), client.AuthorizeRequest{
		ConsentGranted: true,
		Scopes:         []string{"read:reports"},
		ClientID:       app,
		RedirectURI:    redirectURI,
		OrganizationID: organizationID,
		MemberID:       memberID,
		CodeChallenge:  base64.RawURLEncoding.EncodeToString(sum[:]),
	})
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	tok, err := c.ExchangeAuthorizationCode(t.Context(), client.TokenRequest{
		ClientID:     app,
		ClientSecret: secret,
		Code:         auth.AuthorizationCode,
		RedirectURI:  redirectURI,
		CodeVerifier: verifier,
	})
	if err != nil {
		t.Fatalf("exchanging the code: %v", err)
	}
	return tok.AccessToken
}

// forgeClerkJWT signs, with a key of its own, a token whose header copies
// genuine's (its kid and M2M category): everything right but the key.
func forgeClerkJWT(t *testing.T, genuine string) string {
	t.Helper()
	parsed, err := jwtverify.Parse(genuine)
	if err != nil {
		t.Fatalf("parsing the genuine token: %v", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	return signJWT(t, key,
		map[string]string{"alg": "RS256", "typ": "JWT", "kid": parsed.Header.Kid, "cat": parsed.Header.Cat},
		map[string]any{"sub": parsed.StringClaim("sub"), "jti": "mt_forged", "iat": now, "nbf": now, "exp": now + 3600})
}

func signJWT(t *testing.T, key *rsa.PrivateKey, header, claims any) string {
	t.Helper()
	enc := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	input := enc(header) + "." + enc(claims)
	if key == nil {
		return input + ".c2ln" // for tests that never check the signature
	}
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func verify(t *testing.T, tv *tokenVerifier, token string) verification {
	t.Helper()
	v, failure := tv.verify(t.Context(), &tokenVerificationModel{Token: types.StringValue(token)})
	if failure != nil {
		t.Fatalf("verify: %s: %v", failure.summary, failure.err)
	}
	return v
}

func TestTokenVerificationInfersTheType(t *testing.T) {
	t.Parallel()
	clerkJWT := signJWT(t, nil, map[string]string{"alg": "RS256", "cat": clerkM2MCategory}, map[string]any{"sub": "mch_1"})
	stytchJWT := signJWT(t, nil, map[string]string{"alg": "RS256"}, map[string]any{"iss": "stytch.com/project-test-1"})
	otherJWT := signJWT(t, nil, map[string]string{"alg": "RS256"}, map[string]any{"iss": "https://example.com"})
	sessionJWT := signJWT(t, nil, map[string]string{"alg": "RS256", "cat": "cl_session"}, map[string]any{"sub": "user_1"})
	for token, want := range map[string]string{
		"mt_0123456789abcdef":  tokenTypeM2M,
		"mt_":                  "",
		"mt_with space":        "",
		"ak_0123456789abcdef":  tokenTypeAPIKey,
		"ak_":                  "",
		"garbage":              "",
		"":                     "",
		clerkJWT:               tokenTypeM2M,
		stytchJWT:              tokenTypeConnectedApp,
		otherJWT:               "",
		sessionJWT:             "",
		"eyJhbGciOi.not.a.jwt": "",
	} {
		jwt, _ := jwtverify.Parse(token)
		if got := inferTokenType(token, jwt); got != want {
			t.Errorf("inferTokenType(%.30q) = %q, want %q", token, got, want)
		}
	}
}

// The JWKS is fetched once per configured provider however many tokens are
// checked at once, and JWT-format M2M tokens never reach Clerk's verify.
func TestTokenVerificationFetchesEachJWKSOncePerProvider(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	c := verificationClient(t, srv)
	tokens := []string{
		mintM2MToken(t, srv, client.CreateM2MTokenRequest{TokenFormat: "jwt"}).Token,
		mintM2MToken(t, srv, client.CreateM2MTokenRequest{TokenFormat: "jwt"}).Token,
		mintAccessToken(t, c, srv.Info().Fixture),
	}

	for run := 1; run <= 2; run++ {
		tv := fixtureVerifier(t, srv)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				if v := verify(t, tv, tokens[i%len(tokens)]); v.reason != "" {
					t.Errorf("token %d: reason %q (%s), want valid", i%len(tokens), v.reason, v.detail)
				}
			})
		}
		wg.Wait()
		st := srv.Stats()
		if got := st.Calls("GET", clerkJWKSRoute); got != run {
			t.Errorf("after provider %d: Clerk JWKS fetched %d times, want once per provider", run, got)
		}
		if got := st.Calls("GET", stytchJWKSRoute); got != run {
			t.Errorf("after provider %d: Stytch JWKS fetched %d times, want once per provider", run, got)
		}
		if got := st.Calls("POST", verifyRoute); got != 0 {
			t.Errorf("JWT-format tokens made %d verify requests, want none", got)
		}
	}
}

// A machine key verifies only the tokens minted to call its machine: the
// documented limit of configuring no instance key.
func TestTokenVerificationWithOnlyAMachineKey(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	callee, calleeKey, err := srv.CreateMachine("callee", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, callerKey, err := srv.CreateMachine("caller", []string{callee}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tok := mintM2MToken(t, srv, client.CreateM2MTokenRequest{}).Token
	callerTok, err := verificationClient(t, srv).CreateM2MToken(t.Context(), callerKey, client.CreateM2MTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	onlyKey := func(key string) *tokenVerifier {
		return newTokenVerifier(verificationClient(t, srv, func(cfg *client.Config) { cfg.ClerkSecretKey = "" }), clerkKeys{machine: key})
	}

	if v := verify(t, onlyKey(calleeKey), callerTok.Token); v.reason != "" || v.subject == "" {
		t.Errorf("the callee's key on a token scoped to it: %+v, want valid", v)
	}
	if v := verify(t, onlyKey(calleeKey), tok); v.reason != reasonInvalid {
		t.Errorf("the callee's key on another machine's token: reason %q, want %q", v.reason, reasonInvalid)
	}
	if v := verify(t, onlyKey(callerKey), callerTok.Token); v.reason != reasonInvalid {
		t.Errorf("the caller's key on its own token: reason %q, want %q (its scopes list the callee only)", v.reason, reasonInvalid)
	}

	// JWT-format tokens need the instance's JWKS, which no machine key may read.
	jwt := mintM2MToken(t, srv, client.CreateM2MTokenRequest{TokenFormat: "jwt"}).Token
	_, failure := onlyKey(calleeKey).verify(t.Context(), &tokenVerificationModel{Token: types.StringValue(jwt)})
	var missing *client.MissingCredentialError
	if failure == nil || !errors.As(failure.err, &missing) || missing.Attribute != "clerk.secret_key" {
		t.Errorf("a JWT-format token with only a machine key: %+v, want a missing clerk.secret_key", failure)
	}
}

// Should Clerk ever answer a verify with 200 and the token flagged, the
// flags decide: taking any 200 as valid is the mistake Clerk's SDKs make.
func TestTokenVerificationBelievesFlagsOverA200(t *testing.T) {
	t.Parallel()
	for flag, want := range map[string]string{"revoked": reasonRevoked, "expired": reasonExpired} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"object":"machine_to_machine_token","id":"mt_1","subject":"mch_1","claims":null,"scopes":[],` +
					`"revoked":` + boolJSON(flag == "revoked") + `,"revocation_reason":null,"expired":` + boolJSON(flag == "expired") +
					`,"expiration":null,"last_used_at":null,"created_at":1,"updated_at":1}`))
			}))
			t.Cleanup(api.Close)
			c, err := client.New(client.Config{ClerkAPIURL: api.URL, ClerkSecretKey: "sk_test_0123456789"})
			if err != nil {
				t.Fatal(err)
			}
			if v := verify(t, newTokenVerifier(c, clerkKeys{instance: "sk_test_0123456789"}), "mt_0123456789"); v.reason != want {
				t.Errorf("reason = %q, want %q", v.reason, want)
			}
		})
	}
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// A Stytch session JWT carries the project's issuer and signature but no
// client_id: it is not an access token, and no request is spent on it.
func TestTokenVerificationRefusesTokensWithoutClientID(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	access := mintAccessToken(t, verificationClient(t, srv), srv.Info().Fixture)
	parts := strings.Split(access, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	delete(claims, "client_id")
	session := signJWT(t, nil, map[string]string{"alg": "RS256"}, claims)
	before := srv.Stats().TotalRequests

	v := verify(t, fixtureVerifier(t, srv), session)
	if v.reason != reasonMalformed || v.tokenType != tokenTypeConnectedApp {
		t.Errorf("got reason %q, type %q; want %q, %q", v.reason, v.tokenType, reasonMalformed, tokenTypeConnectedApp)
	}
	if after := srv.Stats().TotalRequests; after != before {
		t.Errorf("%d requests made, want none", after-before)
	}
}

// The ephemeral resource and the data source must offer the same schema:
// one is documented as a drop-in for the other.
func TestTokenVerificationSchemasMatch(t *testing.T) {
	t.Parallel()
	var ds datasource.SchemaResponse
	NewTokenVerificationDataSource().Schema(t.Context(), datasource.SchemaRequest{}, &ds)
	var er ephemeral.SchemaResponse
	NewTokenVerificationEphemeralResource().Schema(t.Context(), ephemeral.SchemaRequest{}, &er)

	dsAttrs, erAttrs := ds.Schema.GetAttributes(), er.Schema.GetAttributes()
	if len(dsAttrs) != len(erAttrs) {
		t.Fatalf("data source has %d attributes, ephemeral resource %d", len(dsAttrs), len(erAttrs))
	}
	for name, a := range dsAttrs {
		b, ok := erAttrs[name]
		switch {
		case !ok:
			t.Errorf("%s: missing from the ephemeral resource", name)
		case !a.GetType().Equal(b.GetType()),
			a.IsRequired() != b.IsRequired(), a.IsOptional() != b.IsOptional(),
			a.IsComputed() != b.IsComputed(), a.IsSensitive() != b.IsSensitive(),
			a.GetMarkdownDescription() != b.GetMarkdownDescription():
			t.Errorf("%s differs between the data source and the ephemeral resource", name)
		case a.GetMarkdownDescription() == "":
			t.Errorf("%s has no description", name)
		}
	}
}
