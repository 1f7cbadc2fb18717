package provider

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// A create marker makes the recovery from a lost create answer exact: every
// request of one create carries the same random value in a claim of the
// provider's own namespace, so a later listing shows which tokens that
// create made, and no token of another run (or of another create of this
// one) is ever taken for them. Clerk stores the claim like any other, and
// verifiers see it.
const (
	// reservedClaimPrefix is the provider's namespace among custom claims,
	// refused in configurations so that no user claim can pass for a marker.
	reservedClaimPrefix = "machineauth:"
	createMarkerClaim   = reservedClaimPrefix + "create_id"
)

// newCreateMarker is 128 random bits: no two creates anywhere share one.
func newCreateMarker() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating the create marker: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// withCreateMarker adds the marker to canonical claims (nil for none).
func withCreateMarker(claims json.RawMessage, marker string) (json.RawMessage, error) {
	obj := map[string]any{}
	if len(claims) > 0 {
		var err error
		if obj, err = decodeObject(claims); err != nil || obj == nil {
			return nil, fmt.Errorf("adding the create marker: the claims are not a JSON object")
		}
	}
	obj[createMarkerClaim] = marker
	return json.Marshal(obj)
}

// createMarkerOf is the marker in a listed token's claims, or "".
func createMarkerOf(claims json.RawMessage) string {
	obj, err := decodeObject(claims)
	if err != nil {
		return ""
	}
	s, _ := obj[createMarkerClaim].(string)
	return s
}

// withoutCreateMarker is a listed token's claims less the marker, and
// whether there was one: "{}" when the marker was all there was.
func withoutCreateMarker(claims json.RawMessage) (json.RawMessage, bool) {
	obj, err := decodeObject(claims)
	if err != nil || obj == nil {
		return claims, false
	}
	if _, ok := obj[createMarkerClaim]; !ok {
		return claims, false
	}
	delete(obj, createMarkerClaim)
	out, err := json.Marshal(obj)
	if err != nil {
		return claims, false
	}
	return out, true
}

// A credential that takes no claims (a machine, an OAuth application)
// carries the marker in its name instead: every request of one create
// names it "<name> machineauth-create-<marker>", a search by that part of
// the name finds exactly what the create made, and once made it is
// renamed to its configured name.
const nameCreateMarkerPrefix = " machineauth-create-"

// markedName is name followed by the marker, name cut short so that the
// whole stays within maxLen characters; the marker is kept whole, since it
// is what a search matches.
func markedName(name, marker string, maxLen int) string {
	suffix := nameCreateMarkerPrefix + marker
	keep := maxLen - utf8.RuneCountInString(suffix)
	if r := []rune(name); len(r) > keep {
		name = string(r[:keep])
	}
	return name + suffix
}
