package jwtverify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

const testCategory = "cl_B7d4PD333AAA"

var (
	keyOnce          sync.Once
	issuer, stranger *rsa.PrivateKey
)

// testKeys are generated once per test binary: RSA generation dominates
// the run time otherwise.
func testKeys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if issuer, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if stranger, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return issuer, stranger
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(raw)
}

func sign(t *testing.T, key *rsa.PrivateKey, header, claims any) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func jwk(pub *rsa.PublicKey) (n, e string) {
	return b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
}

func TestVerify(t *testing.T) {
	t.Parallel()
	key, other := testKeys(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	leeway := 5 * time.Second
	header := map[string]string{"alg": "RS256", "typ": "JWT", "kid": "ins_1", "cat": testCategory}
	claims := func(exp, nbf int64) map[string]any {
		return map[string]any{"sub": "mch_1", "jti": "mt_1", "iat": nbf, "nbf": nbf, "exp": exp}
	}
	valid := claims(now.Unix()+60, now.Unix()-60)
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for hk, hv := range header {
			h[hk] = hv
		}
		h[k] = v
		return h
	}
	n, e := jwk(&key.PublicKey)
	pub, err := RSAPublicKey(n, e)
	if err != nil {
		t.Fatal(err)
	}
	keys := Keys{"ins_1": pub}

	tests := []struct {
		name     string
		token    string
		category string
		want     error // nil for valid
	}{
		{"valid", sign(t, key, header, valid), testCategory, nil},
		{"valid without a category check", sign(t, key, with("cat", ""), valid), "", nil},
		{"signed by another key", sign(t, other, header, valid), testCategory, ErrBadSignature},
		{"unknown kid", sign(t, key, with("kid", "ins_2"), valid), testCategory, ErrBadSignature},
		{"missing category", sign(t, key, with("cat", ""), valid), testCategory, ErrBadSignature},
		{"wrong category", sign(t, key, with("cat", "cl_session"), valid), testCategory, ErrBadSignature},
		{"alg none", sign(t, key, with("alg", "none"), valid), testCategory, ErrBadSignature},
		{"alg HS256", sign(t, key, with("alg", "HS256"), valid), testCategory, ErrBadSignature},
		{"tampered claims", tamper(t, sign(t, key, header, valid)), testCategory, ErrBadSignature},
		{"expired", sign(t, key, header, claims(now.Unix()-10, now.Unix()-100)), testCategory, ErrExpired},
		{"expired within the leeway", sign(t, key, header, claims(now.Unix()-3, now.Unix()-100)), testCategory, nil},
		{"expired exactly at exp plus leeway", sign(t, key, header, claims(now.Add(-leeway).Unix(), now.Unix()-100)), testCategory, ErrExpired},
		{"forged and expired is a bad signature", sign(t, other, header, claims(now.Unix()-10, now.Unix()-100)), testCategory, ErrBadSignature},
		{"not yet valid", sign(t, key, header, claims(now.Unix()+600, now.Unix()+60)), testCategory, ErrNotYetValid},
		{"not yet valid within the leeway", sign(t, key, header, claims(now.Unix()+600, now.Unix()+3)), testCategory, nil},
		{"no exp never expires", sign(t, key, header, map[string]any{"sub": "mch_1"}), testCategory, nil},
		{"exp not a number", sign(t, key, header, map[string]any{"exp": "tomorrow"}), testCategory, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := Parse(tt.token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = tok.Verify(Checks{Keys: keys, Category: tt.category, Now: now, Leeway: leeway})
			if tt.want == nil && err != nil {
				t.Fatalf("Verify = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// tamper swaps the claims for others, keeping the original signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[1] = b64JSON(t, map[string]any{"sub": "mch_attacker", "exp": 4_000_000_000})
	return strings.Join(parts, ".")
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	header := b64([]byte(`{"alg":"RS256"}`))
	claims := b64([]byte(`{"sub":"x"}`))
	for name, token := range map[string]string{
		"empty":               "",
		"garbage":             "not a token",
		"two parts":           header + "." + claims,
		"four parts":          header + "." + claims + ".c2ln.extra",
		"header not base64":   "!!!." + claims + ".c2ln",
		"header not JSON":     b64([]byte("nope")) + "." + claims + ".c2ln",
		"header an array":     b64([]byte("[1]")) + "." + claims + ".c2ln",
		"claims null":         header + "." + b64([]byte("null")) + ".c2ln",
		"claims trailing":     header + "." + b64([]byte(`{"a":1}{"b":2}`)) + ".c2ln",
		"signature padded":    header + "." + claims + ".c2ln==",
		"standard base64 pad": header + "=." + claims + ".c2ln",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse(token); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) = %v, want ErrMalformed", token, err)
			}
		})
	}
}

func TestClaims(t *testing.T) {
	t.Parallel()
	key, _ := testKeys(t)
	tok, err := Parse(sign(t, key, map[string]string{"alg": "RS256"}, map[string]any{
		"sub": "mch_1", "big": json.Number("12345678901234567890"), "exp": 1700000000.5, "n": 3,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.StringClaim("sub"); got != "mch_1" {
		t.Errorf("StringClaim(sub) = %q", got)
	}
	if got := tok.StringClaim("n"); got != "" {
		t.Errorf("StringClaim(n) = %q, want empty for a number", got)
	}
	if got := tok.Claims["big"].(json.Number).String(); got != "12345678901234567890" {
		t.Errorf("big claim = %s, want it kept exactly", got)
	}
	exp, ok, err := tok.TimeClaim("exp")
	if err != nil || !ok || !exp.Equal(time.Unix(1700000000, 5e8)) {
		t.Errorf("TimeClaim(exp) = %v, %v, %v", exp, ok, err)
	}
	if _, ok, err := tok.TimeClaim("nbf"); ok || err != nil {
		t.Errorf("TimeClaim(nbf) = %v, %v, want absent", ok, err)
	}
}

func TestRSAPublicKey(t *testing.T) {
	t.Parallel()
	key, _ := testKeys(t)
	n, e := jwk(&key.PublicKey)
	pub, err := RSAPublicKey(n, e)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("RSAPublicKey = %v, %v; want the original key", pub, err)
	}
	for name, in := range map[string][2]string{
		"empty n":       {"", e},
		"n not base64":  {"!!", e},
		"empty e":       {n, ""},
		"even e":        {n, b64([]byte{2})},
		"e too long":    {n, b64([]byte{1, 0, 0, 0, 1})},
		"e not base64":  {n, "@@"},
		"e of one (<3)": {n, b64([]byte{1})},
	} {
		if _, err := RSAPublicKey(in[0], in[1]); err == nil {
			t.Errorf("%s: RSAPublicKey accepted it", name)
		}
	}
}
