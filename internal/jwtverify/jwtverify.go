// Package jwtverify checks RS256-signed JSON Web Tokens against a JSON Web
// Key Set: the signature, the key id, expiry and not-before, and optionally
// a category header such as the one Clerk stamps on M2M tokens.
//
// It uses the standard library only and shares nothing with the emulator,
// which signs tokens on its own side: a bug common to both would otherwise
// make every test pass.
package jwtverify

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// The errors Verify and Parse wrap, so callers can tell a forged token from
// an expired one with errors.Is.
var (
	// ErrMalformed: not a compact JWS with JSON header and claims.
	ErrMalformed = errors.New("malformed JWT")
	// ErrBadSignature: the algorithm, key id, category or signature does not
	// check. They are one error because each means "not signed by the issuer".
	ErrBadSignature = errors.New("bad JWT signature")
	// ErrExpired: past its exp.
	ErrExpired = errors.New("JWT expired")
	// ErrNotYetValid: before its nbf.
	ErrNotYetValid = errors.New("JWT not yet valid")
)

// Header is the part of a JOSE header this package reads.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	// Cat is Clerk's token category ("cl_B7d4PD333AAA" for M2M tokens).
	Cat string `json:"cat"`
	// Typ is the token's media type: "at+jwt" for an OAuth access token
	// (RFC 9068), which is how Clerk's tell themselves from its M2M JWTs.
	Typ string `json:"typ"`
}

// Token is a parsed JWT whose signature has not been checked yet: nothing
// in it may be trusted before Verify returns nil.
type Token struct {
	Header Header
	// Claims hold numbers as json.Number, so large integers survive intact.
	Claims map[string]any

	signingInput string
	signature    []byte
}

// Parse splits a compact JWS and decodes its header and claims. Any failure
// wraps ErrMalformed.
func Parse(compact string) (*Token, error) {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: want 3 dot-separated parts, got %d", ErrMalformed, len(parts))
	}
	t := &Token{signingInput: parts[0] + "." + parts[1]}
	if err := decodePart(parts[0], &t.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	if err := decodePart(parts[1], &t.Claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	if t.Claims == nil {
		return nil, fmt.Errorf("%w: claims are null", ErrMalformed)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrMalformed, err)
	}
	t.signature = sig
	return t, nil
}

func decodePart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// StringClaim returns a claim that is a string, or "".
func (t *Token) StringClaim(name string) string {
	s, _ := t.Claims[name].(string)
	return s
}

// TimeClaim reads a NumericDate claim (seconds since the epoch, possibly
// fractional). ok is false when the claim is absent; a claim that is not a
// number wraps ErrMalformed.
func (t *Token) TimeClaim(name string) (at time.Time, ok bool, err error) {
	v, present := t.Claims[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, false, fmt.Errorf("%w: %s is not a number", ErrMalformed, name)
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, false, fmt.Errorf("%w: %s is not a valid time", ErrMalformed, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// Keys are RSA public keys by key id.
type Keys map[string]*rsa.PublicKey

// RSAPublicKey builds a key from a JWK's base64url "n" and "e".
func RSAPublicKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(nb) == 0 {
		return nil, errors.New("jwk: invalid modulus n")
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("jwk: invalid exponent e")
	}
	exp := new(big.Int).SetBytes(eb).Int64()
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("jwk: invalid exponent e")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(exp)}, nil
}

// Checks are what Verify holds a token to.
type Checks struct {
	Keys Keys
	// Category, when set, must equal the header's "cat": Clerk signs
	// session tokens and M2M tokens with the same key, and only this
	// header tells them apart.
	Category string
	Now      time.Time
	// Leeway absorbs clock skew between the issuer and this machine on
	// exp and nbf.
	Leeway time.Duration
}

// Verify checks the signature first, so a forged token is reported as
// ErrBadSignature whatever its exp says, then expiry and not-before.
func (t *Token) Verify(c Checks) error {
	// Only RS256: accepting the header's choice of algorithm is how
	// "alg: none" and HS256-with-the-public-key forgeries get through.
	if t.Header.Alg != "RS256" {
		return fmt.Errorf("%w: algorithm %q, want RS256", ErrBadSignature, t.Header.Alg)
	}
	if c.Category != "" && t.Header.Cat != c.Category {
		return fmt.Errorf("%w: category %q, want %q", ErrBadSignature, t.Header.Cat, c.Category)
	}
	key, ok := c.Keys[t.Header.Kid]
	if !ok {
		return fmt.Errorf("%w: no key with id %q in the key set", ErrBadSignature, t.Header.Kid)
	}
	sum := sha256.Sum256([]byte(t.signingInput))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], t.signature); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	exp, hasExp, err := t.TimeClaim("exp")
	if err != nil {
		return err
	}
	nbf, hasNbf, err := t.TimeClaim("nbf")
	if err != nil {
		return err
	}
	// RFC 7519: the token must not be accepted on or after exp.
	if hasExp && !c.Now.Before(exp.Add(c.Leeway)) {
		return fmt.Errorf("%w: at %s", ErrExpired, exp.Format(time.RFC3339))
	}
	if hasNbf && c.Now.Add(c.Leeway).Before(nbf) {
		return fmt.Errorf("%w: until %s", ErrNotYetValid, nbf.Format(time.RFC3339))
	}
	return nil
}
