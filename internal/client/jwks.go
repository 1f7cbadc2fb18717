package client

// JWKS is a JSON Web Key Set as both services serve it. Only public key
// members are modelled: these endpoints publish verification keys.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWK is one public key: RSA (N, E), EC (Crv, X, Y) or OKP (Crv, X).
type JWK struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid,omitempty"`
	Use string   `json:"use,omitempty"`
	Alg string   `json:"alg,omitempty"`
	N   string   `json:"n,omitempty"`
	E   string   `json:"e,omitempty"`
	Crv string   `json:"crv,omitempty"`
	X   string   `json:"x,omitempty"`
	Y   string   `json:"y,omitempty"`
	X5c []string `json:"x5c,omitempty"`
}
