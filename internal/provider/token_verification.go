package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// This file is the verification shared by the machineauth_token_verification
// data source and ephemeral resource, which differ only in where the result
// goes (state, or nowhere), and both of them, at the end.

// tokenVerifier checks tokens for this configured provider. It holds each
// service's signing keys once fetched, so it lives as long as the provider
// configuration (one Terraform command).
type tokenVerifier struct {
	client *client.Client
	keys   clerkKeys
	// jwks holds each service's token signing keys for local JWT checks.
	jwks memo.Group[string, jwtverify.Keys]
}

func newTokenVerifier(c *client.Client, keys clerkKeys) *tokenVerifier {
	return &tokenVerifier{client: c, keys: keys}
}

// Token types, as the `type` argument and the `token_type` result name them.
const (
	tokenTypeM2M          = "m2m_token"
	tokenTypeConnectedApp = "connected_app_access_token"
	tokenTypeAPIKey       = "api_key"
	// tokenTypeM2MClient is a Stytch M2M client's access token.
	tokenTypeM2MClient = "m2m_client_token" //nolint:gosec // G101: the name of a token type, not a token
)

// Why a token is not valid, the `reason` result. "" means valid.
const (
	// reasonInvalid: Clerk refused an opaque token. Its verify answers 404
	// alike for revoked, expired, unknown and not-visible-to-this-key
	// tokens, so nothing finer can be said.
	reasonInvalid = "invalid"
	// reasonExpired: a JWT past its exp, or a service answer that says so.
	reasonExpired = "expired"
	// reasonBadSignature: a JWT not signed by the issuer's key (unknown key
	// id, wrong algorithm, wrong or missing M2M category, bad signature).
	reasonBadSignature = "bad_signature"
	// reasonMalformed: no known token format.
	reasonMalformed = "malformed"
	// reasonInactive: Stytch introspection answered active=false.
	reasonInactive = "inactive"
	// reasonRevoked: only where a service answer says so.
	reasonRevoked = "revoked"
	// reasonInsufficientScope: valid, but without a scope required_scopes
	// names.
	reasonInsufficientScope = "insufficient_scope"
)

const (
	// clerkM2MCategory is the "cat" header on Clerk's JWT-format M2M tokens.
	// Clerk signs session tokens with the same key, so without this check a
	// user's session token would pass as a machine's M2M token.
	clerkM2MCategory = "cl_B7d4PD333AAA"
	// stytchIssuerPrefix starts the iss of every Stytch project's tokens.
	stytchIssuerPrefix = "stytch.com/"
	// jwtLeeway absorbs clock skew on exp and nbf; 5 seconds is what
	// Clerk's own SDKs allow by default.
	jwtLeeway = 5 * time.Second

	jwksClerk  = "clerk"
	jwksStytch = "stytch"
)

// opaqueM2MToken is the shape of an opaque Clerk M2M token secret. Anything
// else is not sent to Clerk: a garbage string is "malformed" without a call.
var opaqueM2MToken = regexp.MustCompile(`^mt_[A-Za-z0-9_-]+$`)

// clerkJWTStandardClaims are the claims Clerk sets itself on a JWT-format
// M2M token; the rest are the custom claims it was minted with, which is
// what Clerk's token object calls `claims` for opaque tokens too.
var clerkJWTStandardClaims = append(slices.Clone(reservedClaims), "scopes")

// tokenVerificationModel is the schema of both the data source and the
// ephemeral resource.
type tokenVerificationModel struct {
	Token        types.String `tfsdk:"token"`
	Type         types.String `tfsdk:"type"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	Valid        types.Bool   `tfsdk:"valid"`
	Reason       types.String `tfsdk:"reason"`
	TokenType    types.String `tfsdk:"token_type"`
	ID           types.String `tfsdk:"id"`
	Subject      types.String `tfsdk:"subject"`
	Scopes       types.Set    `tfsdk:"scopes"`
	Claims       types.String `tfsdk:"claims"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	LastUsedAt   types.String `tfsdk:"last_used_at"`

	// RequiredScopes turn a valid token without all of them invalid.
	RequiredScopes types.Set `tfsdk:"required_scopes"`
}

// The data source and the ephemeral resource have one schema, built from
// different packages' attribute types; these texts and the validator are
// written once here so the two cannot drift apart.

var tokenTypeValidator = stringvalidator.OneOf(tokenTypeM2M, tokenTypeConnectedApp, tokenTypeAPIKey, tokenTypeM2MClient, tokenTypeOAuth)

const tokenVerificationHow = "How a token is checked:\n\n" +
	"- **Opaque M2M tokens** (`mt_...`): by Clerk's `POST /m2m_tokens/verify`, with `clerk.secret_key`, or with `clerk.machine_secret_key` " +
	"when that is the only Clerk key configured. A machine key sees only tokens whose `scopes` list its machine, that is tokens minted to call it: " +
	"any other token, even a live one, comes back `valid = false` with `reason = \"invalid\"`. Configure `clerk.secret_key` to check any token.\n" +
	"- **JWT-format M2M tokens**: locally, with no verify request, against the Clerk instance's JWKS, fetched once per provider run " +
	"(this needs `clerk.secret_key`): the signature, the key id, the M2M category header, `exp` and `nbf`, with 5 seconds of leeway " +
	"and by Clerk's clock as read from its answers. Clerk keeps no record of such tokens: they cannot be revoked, only expire.\n" +
	"- **API keys** (`ak_...`): by Clerk's `POST /api_keys/verify`, with `clerk.secret_key`, which this needs. " +
	"Clerk answers alike for revoked, expired and unknown keys, so each of them is `valid = false` with `reason = \"invalid\"`. " +
	"A verification counts as a use: Clerk sets the key's `last_used_at`.\n" +
	"- **Clerk OAuth access tokens**, which Clerk issued to an OAuth application for a user: opaque ones (`oat_...`) by Clerk's " +
	"`POST /oauth_applications/access_tokens/verify`, with `clerk.secret_key`, which this needs: Clerk answers alike for revoked, expired and unknown ones, " +
	"and for the tokens of a deleted application, so each is `valid = false` with `reason = \"invalid\"`. JWT access tokens locally, with no verify request, " +
	"against the instance's JWKS (the one JWT-format M2M tokens use, fetched once per run): the signature, the key id, the header's " +
	"`typ` (`at+jwt`, which M2M JWTs, signed by the same key, do not carry), `exp` and `nbf`, by Clerk's clock. **Local verification cannot see a " +
	"revoked grant or a deleted application**: a JWT access token stays `valid` until it expires. The result names the application (`client_id`) and " +
	"the user (`subject`); with `client_id` set, a token issued to another application is `invalid`.\n" +
	"- **Connected-app access tokens** (Stytch JWTs): with `client_secret`, by Stytch's token introspection as the connected app, " +
	"which sees revocations. Without `client_secret`, locally against the Stytch project's JWKS (this needs `stytch.project_id` and `stytch.secret`): " +
	"the signature, the key id, `exp` and `nbf`. **Local verification cannot see revocation**: a token whose authorization was revoked " +
	"stays `valid` until it expires. Set `client_secret` when revocation matters.\n" +
	"- **M2M client access tokens** (Stytch JWTs from the client_credentials grant): locally against the Stytch project's JWKS: the signature, " +
	"the key id, the issuer (`stytch.com/<project_id>`) and audience (the project id) of the configured project, `exp` and `nbf`, " +
	"by Stytch's clock. Stytch has no revoke for them: an inactive or deleted client's tokens stay valid until they expire.\n\n" +
	"With `required_scopes`, a token that passes its checks but lacks one of them is `valid = false` with `reason = \"insufficient_scope\"`, " +
	"for every kind of token: the OAuth scopes of access tokens, an API key's scopes, the machines (`mch_...`) an M2M token may call.\n\n" +
	"Where Clerk's and Stytch's answers are not documented (see " + assumptionsGuide + "), the result is the same whichever way they answer: " +
	"a revoked or expired opaque token or API key that Clerk refuses with 404, with 400, or answers 200 with its `revoked` or `expired` flag set " +
	"(`clerk_verify_refusal`) is `valid = false`, with `reason = \"revoked\"` or `\"expired\"` where the answer says which, else `\"invalid\"`; " +
	"a JWT-format M2M token's machines are read from its `scopes` claim, or without one from the machine ids in `aud` (`m2m_jwt_scopes_claim`); " +
	"a connected-app access token issued to another app than `client_id` is `invalid` even where Stytch's introspection would call it active " +
	"(`introspect_other_client`).\n\n" +
	"An invalid token is never an error: it gives `valid = false` and a `reason`, so this works in `check` blocks and postconditions. " +
	"Errors are kept for the provider's own access: its Clerk key or Stytch credentials (or the given `client_id` and `client_secret`) refused, " +
	"or a service unreachable or failing after retries."

var tokenVerificationDocs = struct {
	token, typ, clientID, clientSecret, requiredScopes                           string
	valid, reason, tokenType, id, subject, scopes, claims, expiresAt, lastUsedAt string
}{
	token: "The token to check: a Clerk M2M token, opaque (`mt_...`) or JWT-format, a Clerk API key's secret (`ak_...`), " +
		"a Clerk OAuth access token, opaque (`oat_...`) or a JWT, a Stytch connected-app access token or a Stytch M2M client's access token.",
	typ: "What kind of token `token` is: `m2m_token`, `api_key`, `oauth_access_token`, `connected_app_access_token` or `m2m_client_token`. " +
		"When unset it is read off the token: `mt_...` tokens and JWTs with Clerk's M2M category header are `m2m_token`, " +
		"`oat_...` tokens and JWTs whose header's `typ` is `at+jwt` are `oauth_access_token`, " +
		"JWTs issued by `stytch.com/...` are `m2m_client_token` when they have a `sub` but neither a `client_id` nor claims in Stytch's " +
		"`https://stytch.com/` namespace (which member and session tokens carry), else `connected_app_access_token`, " +
		"and `ak_...` values are `api_key`; anything else is `malformed`. " +
		"An M2M token never starts with `ak_`, so the two cannot be confused; but an API key shares its `ak_` prefix with Clerk's " +
		"machine secret keys, and nothing in the value tells them apart. So an `ak_...` value is sent to Clerk's API key verification, " +
		"which alone can tell: a machine secret key, which is not a token, comes back `valid = false` with `reason = \"invalid\"`. " +
		"With `type` set, a value not shaped like that type's tokens is `malformed`, with no request: `type = \"api_key\"` " +
		"keeps, say, an M2M token from being checked as anything but an API key.",
	requiredScopes: "Scopes the token must carry: a token that is otherwise valid but lacks one is `valid = false` with `reason = \"insufficient_scope\"`. " +
		"For M2M tokens, the machine ids (`mch_...`) it must be allowed to call.",
	clientID: "For connected-app access tokens: the connected app's client id to introspect as. " +
		"When unset, the token's own `client_id` claim is used. When set, a token issued to another app is `invalid`, with or without `client_secret`. " +
		"For Clerk OAuth access tokens: when set, a token issued to another application is `invalid`; when unset, the result is the `client_id` " +
		"of the application the token was issued to (null for other kinds of token).",
	clientSecret: "For connected-app access tokens: the connected app's client secret. " +
		"With it the token is introspected by Stytch, which sees revocations; without it the token is only checked locally, which does not.",
	valid: "Whether the token is valid now.",
	reason: "Why the token is not valid; empty when it is:\n\n" +
		"  - `invalid`: Clerk refused an opaque token or an API key. Clerk answers alike for revoked, expired and unknown ones (and for tokens the configured machine key may not see), " +
		"so a caller holding only the secret cannot tell which. Also a JWT that is not valid yet (`nbf`), " +
		"or a connected-app token or Clerk OAuth access token issued to another `client_id` than the one given.\n" +
		"  - `expired`: a JWT past its `exp`, or a service answer that says the token expired.\n" +
		"  - `bad_signature`: a JWT whose signature, signing key or (for M2M tokens) category header does not check.\n" +
		"  - `malformed`: not a known token format, or not the kind of token `type` names (an OAuth access token given as an M2M token, say).\n" +
		"  - `inactive`: Stytch introspection says the token is not active (revoked, expired or unknown).\n" +
		"  - `revoked`: a service answer says the token was revoked.\n" +
		"  - `insufficient_scope`: the token is valid but lacks a scope `required_scopes` names.",
	tokenType: "The kind of token checked: `m2m_token`, `api_key`, `oauth_access_token`, `connected_app_access_token` or `m2m_client_token`; null when it could not be told.",
	id:        "The token's id: the `mt_...` id of an M2M token, the `ak_...` id of an API key (not its secret), the `oat_...` id of an opaque Clerk OAuth access token (not the token), the `jti` of a JWT access token.",
	subject: "Whom the token stands for: the machine (`mch_...`) of an M2M token, the user, organization or machine of an API key, " +
		"the member or user of an access token (the `user_...` of a Clerk OAuth access token), the client of an M2M client's token.",
	scopes: "For an M2M token, the machines (`mch_...`) it may call; for an API key, its scopes; for an access token, the OAuth scopes granted. " +
		"Null when not known, such as for an invalid opaque token.",
	claims: "The token's claims as a JSON string: for an M2M token or an API key, the custom claims it was made with (null when none); " +
		"for a JWT access token, all of its claims; null for an opaque Clerk OAuth access token. Decode with `jsondecode`.",
	expiresAt:  "When the token expires (RFC 3339); null when it never does or it is not known.",
	lastUsedAt: "For an opaque M2M token, when Clerk last saw it used (RFC 3339): Clerk counts this check as a use. Null for other tokens.",
}

// tokenVerificationAttributes are the attributes of both kinds, in the data
// source's schema types; the ephemeral resource converts them.
func tokenVerificationAttributes() map[string]schema.Attribute {
	docs := tokenVerificationDocs
	return map[string]schema.Attribute{
		"token":           schema.StringAttribute{MarkdownDescription: docs.token, Required: true, Sensitive: true},
		"type":            schema.StringAttribute{MarkdownDescription: docs.typ, Optional: true, Validators: []validator.String{tokenTypeValidator}},
		"client_id":       schema.StringAttribute{MarkdownDescription: docs.clientID, Optional: true, Computed: true},
		"client_secret":   schema.StringAttribute{MarkdownDescription: docs.clientSecret, Optional: true, Sensitive: true},
		"required_scopes": schema.SetAttribute{MarkdownDescription: docs.requiredScopes, Optional: true, ElementType: types.StringType},
		"valid":           schema.BoolAttribute{MarkdownDescription: docs.valid, Computed: true},
		"reason":          schema.StringAttribute{MarkdownDescription: docs.reason, Computed: true},
		"token_type":      schema.StringAttribute{MarkdownDescription: docs.tokenType, Computed: true},
		"id":              schema.StringAttribute{MarkdownDescription: docs.id, Computed: true},
		"subject":         schema.StringAttribute{MarkdownDescription: docs.subject, Computed: true},
		"scopes":          schema.SetAttribute{MarkdownDescription: docs.scopes, Computed: true, ElementType: types.StringType},
		"claims":          schema.StringAttribute{MarkdownDescription: docs.claims, Computed: true},
		"expires_at":      schema.StringAttribute{MarkdownDescription: docs.expiresAt, Computed: true},
		"last_used_at":    schema.StringAttribute{MarkdownDescription: docs.lastUsedAt, Computed: true},
	}
}

// verification is the outcome for one token. Empty fields mean the service
// or the token did not tell them.
type verification struct {
	reason    string
	tokenType string
	id        string
	subject   string
	// clientID is the OAuth application a Clerk OAuth access token was
	// issued to, the client_id result.
	clientID  string
	scopes    []string // nil: not told; empty: told there are none
	claims    string   // JSON
	expiresAt *time.Time
	lastUsed  *time.Time
	// detail says why a JWT failed its checks; it goes to the debug log.
	detail string
}

// verificationFailure is a failure of the provider's own access (refused
// credentials, a service down after retries): the only outcome that is an
// error rather than a result.
type verificationFailure struct {
	summary string
	err     error
}

// verifyInto checks m's token and writes the results into m.
func (tv *tokenVerifier) verifyInto(ctx context.Context, m *tokenVerificationModel, diags *diag.Diagnostics) {
	v, failure := tv.verify(ctx, m)
	if failure != nil {
		addClientError(diags, failure.summary, failure.err)
		return
	}
	requireScopes(ctx, &v, m.RequiredScopes, diags)
	tflog.Debug(ctx, "token verified", map[string]any{"token_type": v.tokenType, "reason": v.reason, "detail": v.detail})

	m.Valid = types.BoolValue(v.reason == "")
	m.Reason = types.StringValue(v.reason)
	m.TokenType = stringOrNull(v.tokenType)
	m.ID = stringOrNull(v.id)
	m.Subject = stringOrNull(v.subject)
	if m.ClientID.IsNull() || m.ClientID.IsUnknown() {
		m.ClientID = stringOrNull(v.clientID)
	}
	m.Claims = stringOrNull(v.claims)
	m.ExpiresAt = rfc3339OrNull(v.expiresAt)
	m.LastUsedAt = rfc3339OrNull(v.lastUsed)
	m.Scopes = types.SetNull(types.StringType)
	if v.scopes != nil {
		var d diag.Diagnostics
		m.Scopes, d = types.SetValueFrom(ctx, types.StringType, v.scopes)
		diags.Append(d...)
	}
}

func (tv *tokenVerifier) verify(ctx context.Context, m *tokenVerificationModel) (verification, *verificationFailure) {
	token := m.Token.ValueString()
	jwt, _ := jwtverify.Parse(token) // nil: not a JWT, which may still be an opaque token
	typ := m.Type.ValueString()
	if typ == "" {
		typ = inferTokenType(token, jwt)
	}
	switch {
	case typ == tokenTypeM2M && jwt != nil:
		return tv.verifyClerkJWT(ctx, jwt)
	case typ == tokenTypeM2M && opaqueM2MToken.MatchString(token):
		return tv.verifyOpaqueM2MToken(ctx, token)
	case typ == tokenTypeAPIKey && jwt == nil && apiKeySecretShape.MatchString(token):
		return tv.verifyAPIKey(ctx, token)
	case typ == tokenTypeOAuth && jwt != nil:
		return tv.verifyClerkOAuthJWT(ctx, jwt, m.ClientID.ValueString())
	case typ == tokenTypeOAuth && opaqueOAuthToken.MatchString(token):
		return tv.verifyOpaqueOAuthToken(ctx, token, m.ClientID.ValueString())
	case typ == tokenTypeConnectedApp && jwt != nil:
		return tv.verifyStytchAccessToken(ctx, jwt, m.ClientID.ValueString(), m.ClientSecret.ValueString(), token)
	case typ == tokenTypeM2MClient && jwt != nil:
		return tv.verifyStytchM2MToken(ctx, jwt)
	}
	return verification{reason: reasonMalformed, tokenType: typ}, nil
}

// inferTokenType reads the type off the token itself, "" when no known
// format matches. The header and claims looked at are not yet verified;
// that is fine, since the verification chosen by them checks them.
func inferTokenType(token string, jwt *jwtverify.Token) string {
	switch {
	case jwt == nil && opaqueM2MToken.MatchString(token):
		return tokenTypeM2M
	case jwt == nil && apiKeySecretShape.MatchString(token):
		// Maybe a machine secret key, which looks the same: Clerk's
		// API key verification is what tells them apart.
		return tokenTypeAPIKey
	case jwt == nil && opaqueOAuthToken.MatchString(token):
		return tokenTypeOAuth
	case jwt == nil:
		return ""
	case isOAuthAccessTokenJWT(jwt):
		return tokenTypeOAuth
	case jwt.Header.Cat == clerkM2MCategory:
		return tokenTypeM2M
	case strings.HasPrefix(jwt.StringClaim("iss"), stytchIssuerPrefix) && looksLikeM2MClientToken(jwt):
		return tokenTypeM2MClient
	case strings.HasPrefix(jwt.StringClaim("iss"), stytchIssuerPrefix):
		return tokenTypeConnectedApp
	}
	return ""
}

func (tv *tokenVerifier) verifyOpaqueM2MToken(ctx context.Context, token string) (verification, *verificationFailure) {
	v := verification{tokenType: tokenTypeM2M}
	// With only a machine key configured, Clerk answers 404 for any token
	// whose scopes do not list that machine.
	key, err := tv.keys.verifying()
	if err != nil {
		return v, &verificationFailure{"Unable to verify the M2M token with Clerk", err}
	}
	tok, err := tv.client.VerifyM2MToken(ctx, key, token)
	if reason, refused := verifyRefusal(err); refused {
		v.reason = reason
		return v, nil
	}
	if err != nil {
		return v, &verificationFailure{"Unable to verify the M2M token with Clerk", err}
	}
	// Clerk answers 404 for revoked and expired tokens. Were it ever to
	// answer 200 with these flags set, the flags win: Clerk's own SDKs
	// would take any 200 as valid, which is the mistake to avoid here.
	switch {
	case tok.Revoked:
		v.reason = reasonRevoked
	case tok.Expired:
		v.reason = reasonExpired
	}
	v.id, v.subject, v.expiresAt, v.lastUsed = tok.ID, tok.Subject, tok.ExpiresAt(), tok.LastUsed()
	v.scopes = append([]string{}, tok.Scopes...)
	if len(tok.Claims) > 0 {
		v.claims = canonicalJSON(tok.Claims)
	}
	return v, nil
}

// verifyRefusal reads Clerk's refusal of a verify: how it answers a revoked
// or expired credential is not documented (assumption clerk_verify_refusal
// in the emulator assumptions guide). 404, as for an unknown one, says only
// that it is not valid; 400, the other answer the description declares,
// may say why in its message. The body of a verify is only the credential,
// so a 400 is about the credential, unless its code says the request was
// malformed, which is the provider's mistake and an error, or it has no
// code at all: then it is not Clerk's answer (a gateway's page, say). Any
// other answer is an error too.
func verifyRefusal(err error) (reason string, refused bool) {
	switch code := client.ErrorCode(err); {
	case client.IsNotFound(err):
		return reasonInvalid, true
	case httpStatus(err) != http.StatusBadRequest, code == "", code == "request_body_invalid", strings.HasPrefix(code, "form_param_"):
		return "", false
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "revoked"):
		return reasonRevoked, true
	case strings.Contains(msg, "expired"):
		return reasonExpired, true
	}
	return reasonInvalid, true
}

func (tv *tokenVerifier) verifyClerkJWT(ctx context.Context, jwt *jwtverify.Token) (verification, *verificationFailure) {
	keys, err := tv.signingKeys(ctx, jwksClerk, tv.client.ClerkJWKS)
	if err != nil {
		return verification{tokenType: tokenTypeM2M}, &verificationFailure{"Unable to fetch Clerk's JWKS to verify a JWT-format M2M token", err}
	}
	// Expiry is judged by Clerk's clock, as read from the Date of its
	// answers (the JWKS fetch at the latest): Clerk set exp by that clock,
	// and a skewed local clock would otherwise pass or fail tokens early.
	now, _ := tv.client.ClerkNow()
	if isOAuthAccessTokenJWT(jwt) {
		// Signed by the same key, maybe, but an OAuth access token by its
		// own header: refused whether or not it is genuine.
		return verification{tokenType: tokenTypeM2M, reason: reasonMalformed, detail: "an OAuth access token (typ at+jwt), not an M2M token"}, nil
	}
	v := checkJWT(jwt, tokenTypeM2M, jwtverify.Checks{Keys: keys, Category: clerkM2MCategory, Now: now, Leeway: jwtLeeway})
	if !v.signedByIssuer() {
		return v, nil
	}
	v.id, v.subject, v.expiresAt = jwt.StringClaim("jti"), jwt.StringClaim("sub"), expiry(jwt)
	v.scopes = clerkJWTScopes(jwt)
	custom := map[string]any{}
	for k, c := range jwt.Claims {
		if !slices.Contains(clerkJWTStandardClaims, k) {
			custom[k] = c
		}
	}
	if len(custom) > 0 {
		v.claims = marshalClaims(custom)
	}
	return v, nil
}

// clerkJWTScopes reads the machines a JWT-format M2M token may call. Which
// claim Clerk signs them into is not documented (assumption
// m2m_jwt_scopes_claim in the emulator assumptions guide): `scopes`,
// space separated, or failing that `aud`, as Clerk's own SDK reads them
// (payload.scopes?.split(' ') ?? payload.aud). From aud only machine ids
// are taken, since an audience may name other things.
func clerkJWTScopes(jwt *jwtverify.Token) []string {
	if raw, ok := jwt.Claims["scopes"]; ok {
		return claimStrings(raw)
	}
	return slices.DeleteFunc(claimStrings(jwt.Claims["aud"]), func(s string) bool { return !strings.HasPrefix(s, "mch_") })
}

// verifyStytchAccessToken introspects the token as the connected app when a
// client secret is given (the only way to see a revocation), else checks it
// locally against the project's JWKS.
func (tv *tokenVerifier) verifyStytchAccessToken(ctx context.Context, jwt *jwtverify.Token, clientID, clientSecret, token string) (verification, *verificationFailure) {
	// Every access token names the app it was issued to. Stytch signs its
	// session JWTs with the same key and issuer, but without client_id:
	// such a token is not an access token, whatever its signature.
	tokenClientID := jwt.StringClaim("client_id")
	if tokenClientID == "" {
		return verification{reason: reasonMalformed, tokenType: tokenTypeConnectedApp, detail: "no client_id claim"}, nil
	}

	var v verification
	if clientSecret != "" {
		resp, err := tv.client.Introspect(ctx, client.IntrospectRequest{
			Token:         token,
			ClientID:      cmp.Or(clientID, tokenClientID),
			ClientSecret:  clientSecret,
			TokenTypeHint: "access_token",
		})
		if err != nil {
			summary := "Unable to introspect the access token with Stytch"
			if (client.IsUnauthorized(err) || client.IsForbidden(err)) && clientID == "" {
				summary += " (client_id was taken from the token's client_id claim; set client_id to the app the client_secret belongs to)"
			}
			return verification{tokenType: tokenTypeConnectedApp}, &verificationFailure{summary, err}
		}
		if !resp.Active {
			return verification{reason: reasonInactive, tokenType: tokenTypeConnectedApp}, nil
		}
		// Active means Stytch recognises this very token, so its claims
		// are the ones Stytch issued and can be reported as they stand.
		v = verification{tokenType: tokenTypeConnectedApp}
		// Whether Stytch answers active to one app for a token issued to
		// another is not documented (assumption introspect_other_client
		// in the emulator assumptions guide): the question asked is
		// whether the token is valid for this app, so a token of another
		// app is not, whichever way Stytch answers, as the local check
		// below says too.
		if clientID != "" && clientID != tokenClientID {
			v.reason, v.detail = reasonInvalid, "issued to another client_id"
		}
	} else {
		keys, err := tv.signingKeys(ctx, jwksStytch, tv.client.StytchJWKS)
		if err != nil {
			return verification{tokenType: tokenTypeConnectedApp}, &verificationFailure{"Unable to fetch Stytch's JWKS to verify an access token", err}
		}
		// The local clock: the client tracks only Clerk's. Stytch issues
		// hour-long access tokens, against which ordinary skew is noise.
		v = checkJWT(jwt, tokenTypeConnectedApp, jwtverify.Checks{Keys: keys, Now: time.Now(), Leeway: jwtLeeway})
		if !v.signedByIssuer() {
			return v, nil
		}
		// Introspection as another app would answer inactive; say the
		// same locally rather than vouch for someone else's token.
		if v.reason == "" && clientID != "" && clientID != tokenClientID {
			v.reason, v.detail = reasonInvalid, "issued to another client_id"
		}
	}
	v.id, v.subject, v.expiresAt = jwt.StringClaim("jti"), jwt.StringClaim("sub"), expiry(jwt)
	v.scopes = claimStrings(jwt.Claims["scope"])
	v.claims = marshalClaims(jwt.Claims)
	return v, nil
}

// checkJWT runs the local checks and names the reason they fail for. The
// claims of a token that is merely expired or not yet valid are authentic,
// so callers still report them: "expired at" is worth showing.
func checkJWT(jwt *jwtverify.Token, tokenType string, checks jwtverify.Checks) verification {
	v := verification{tokenType: tokenType}
	err := jwt.Verify(checks)
	if err != nil {
		v.detail = err.Error()
	}
	switch {
	case err == nil:
	case errors.Is(err, jwtverify.ErrExpired):
		v.reason = reasonExpired
	case errors.Is(err, jwtverify.ErrNotYetValid):
		// No reason of its own: the token is authentic but refused,
		// which is what "invalid" says.
		v.reason = reasonInvalid
	case errors.Is(err, jwtverify.ErrMalformed):
		v.reason = reasonMalformed
	default:
		v.reason = reasonBadSignature
	}
	return v
}

// expiry is the token's exp, nil when it has none (or a broken one, which
// Verify has already reported as malformed).
func expiry(jwt *jwtverify.Token) *time.Time {
	exp, ok, err := jwt.TimeClaim("exp")
	if !ok || err != nil {
		return nil
	}
	return &exp
}

// signedByIssuer says whether the token's claims can be trusted.
func (v verification) signedByIssuer() bool {
	return v.reason != reasonBadSignature && v.reason != reasonMalformed
}

// claimStrings reads a scope claim: space separated, as OAuth's "scope" and
// the emulator's Clerk "scopes", or a JSON array of strings. The token is
// authentic by now, so a missing claim means it has no scopes: empty, not nil.
func claimStrings(v any) []string {
	out := []string{}
	switch s := v.(type) {
	case string:
		out = append(out, strings.Fields(s)...)
	case []any:
		for _, item := range s {
			if str, ok := item.(string); ok {
				out = append(out, str)
			}
		}
	}
	return out
}

// signingKeys returns a service's RSA signing keys, fetched once per
// verifier and shared by every concurrent verification. A
// provider process lives for one Terraform command, so a rotated key is
// picked up by the next command; refetching on an unknown key id instead
// would let any forged token trigger a request.
func (tv *tokenVerifier) signingKeys(ctx context.Context, service string, fetch func(context.Context) (*client.JWKS, error)) (jwtverify.Keys, error) {
	return tv.jwks.Get(ctx, service, func(ctx context.Context) (jwtverify.Keys, error) {
		set, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		keys := jwtverify.Keys{}
		for _, k := range set.Keys {
			// A key set may also publish encryption keys or keys for other
			// algorithms; a token naming one of them fails as an unknown kid.
			if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
				continue
			}
			pub, err := jwtverify.RSAPublicKey(k.N, k.E)
			if err != nil {
				return nil, fmt.Errorf("%s JWKS: key %q: %w", service, k.Kid, err)
			}
			keys[k.Kid] = pub
		}
		return keys, nil
	})
}

// NewTokenVerificationDataSource is the machineauth_token_verification data source.
func NewTokenVerificationDataSource() datasource.DataSource {
	return &dataSource[tokenVerificationModel]{name: "_token_verification", schema: tokenVerificationDataSourceSchema, read: verifyToken}
}

func tokenVerificationDataSourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Clerk OAuth access token, a Stytch connected-app access token or a Stytch M2M client's access token is valid. " +
			"Terraform reads it again on every plan and apply, so the answer is always current; use it in a `check` block " +
			"to be warned when a token stops being valid, or in a postcondition to stop a run.\n\n" +
			"The token is kept in state, marked sensitive. To check a token without it landing in state, " +
			"use the `machineauth_token_verification` ephemeral resource, which has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: tokenVerificationAttributes(),
	}
}

// verifyToken checks m's token and writes the results into m.
func verifyToken(ctx context.Context, data *providerData, m *tokenVerificationModel, diags *diag.Diagnostics) {
	data.verifier.verifyInto(ctx, m, diags)
}

// NewTokenVerificationEphemeralResource is the machineauth_token_verification
// ephemeral resource: the data source's check for tokens that must not be
// stored, such as one from the ephemeral machineauth_m2m_token.
func NewTokenVerificationEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[tokenVerificationModel]{
		name: "_token_verification", schema: tokenVerificationEphemeralSchema,
		open: func(ctx context.Context, data *providerData, m *tokenVerificationModel, _ privateStateWriter, diags *diag.Diagnostics) {
			verifyToken(ctx, data, m, diags)
		},
	}
}

func tokenVerificationEphemeralSchema() ephemeralschema.Schema {
	return ephemeralschema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Clerk OAuth access token, a Stytch connected-app access token or a Stytch M2M client's access token is valid, " +
			"without the token or the results landing in plan or state: for tokens that are themselves ephemeral, " +
			"such as one from the `machineauth_m2m_token` ephemeral resource. Requires Terraform 1.10 or later. " +
			"The `machineauth_token_verification` data source has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: ephemeralAttributes(tokenVerificationAttributes()),
	}
}

// ephemeralAttributes converts data source attributes to their ephemeral
// twins: the framework declares the two kinds alike, field for field.
func ephemeralAttributes(attrs map[string]schema.Attribute) map[string]ephemeralschema.Attribute {
	out := make(map[string]ephemeralschema.Attribute, len(attrs))
	for name, a := range attrs {
		switch a := a.(type) {
		case schema.StringAttribute:
			out[name] = ephemeralschema.StringAttribute(a)
		case schema.SetAttribute:
			out[name] = ephemeralschema.SetAttribute(a)
		case schema.BoolAttribute:
			out[name] = ephemeralschema.BoolAttribute(a)
		default:
			panic(fmt.Sprintf("ephemeralAttributes: no conversion for %s (%T)", name, a))
		}
	}
	return out
}
