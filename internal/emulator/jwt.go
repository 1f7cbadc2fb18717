package emulator

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"math/big"
	"strings"
)

// signer is an RS256 key and the kid its tokens and its JWK are named by:
// Clerk's instance key and Stytch's project key are one each.
type signer struct {
	key *rsa.PrivateKey
	kid string
}

// newSigner makes an RSA key for RS256 tokens. 2048 bits keeps start-up
// fast enough for one emulator per acceptance test.
func newSigner(kid string) (*signer, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, errors.New("emulator: generating signing key: " + err.Error())
	}
	return &signer{key: k, kid: kid}, nil
}

// sign signs claims RS256. The header has alg, typ and kid, plus extra (Clerk
// names its M2M token category there).
func (s *signer) sign(extra map[string]string, claims map[string]any) string {
	head := map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.kid}
	maps.Copy(head, extra)
	header, _ := json.Marshal(head)
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err) // claims are plain values or decoded JSON
	}
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err) // only a key too small for SHA-256 fails
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// verify checks that token is RS256, names this key and bears its signature,
// then decodes its header into head (unless nil) and its claims into claims,
// numbers as json.Number.
func (s *signer) verify(token string, head, claims any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if !decodeJWTPart(parts[0], &header) || header.Alg != "RS256" || header.Kid != s.kid {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	if head != nil && !decodeJWTPart(parts[0], head) {
		return false
	}
	return decodeJWTPart(parts[1], claims)
}

func decodeJWTPart(part string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v) == nil
}

// jwk is the public key as a JSON Web Key; each service adds the fields its
// own JWKS answers with.
func (s *signer) jwk() map[string]any {
	pub := s.key.PublicKey
	return map[string]any{
		"use": "sig",
		"kty": "RSA",
		"kid": s.kid,
		"alg": "RS256",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}
