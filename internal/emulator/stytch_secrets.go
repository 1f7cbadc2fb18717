package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// clientSecret is a confidential client's secret and, while a rotation is
// under way, the next one: both authenticate until the rotation completes
// (the next one becomes the only one) or is cancelled (it is dropped).
// Connected-app clients and M2M clients rotate alike. Only hashes are kept:
// Stytch shows a secret once.
type clientSecret struct {
	current, next         [sha256.Size]byte
	currentFour, nextFour string
	rotating              bool
}

func lastFour(secret string) string { return secret[len(secret)-4:] }

// set makes secret the only one.
func (c *clientSecret) set(secret string) {
	*c = clientSecret{current: sha256.Sum256([]byte(secret)), currentFour: lastFour(secret)}
}

// matches reports whether secret authenticates: the current one, or the
// next one during a rotation.
func (c *clientSecret) matches(secret string) bool {
	if secret == "" {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	ok := subtle.ConstantTimeCompare(sum[:], c.current[:]) == 1
	if c.rotating {
		ok = subtle.ConstantTimeCompare(sum[:], c.next[:]) == 1 || ok
	}
	return ok
}

// The answers to a rotation step out of turn are guesses: Stytch
// documents only the steps in order. The emulator refuses them, so a
// caller must look before it repeats a step whose answer it lost
// (*unconfirmed*, assumption rotation_out_of_turn). The alternatives are
// in outOfTurn.
var (
	errRotationPending = badRequest("A secret rotation is already in progress for this client: complete or cancel it first.")
	errNoRotation      = badRequest("No secret rotation is in progress for this client.")
)

// outOfTurn answers a step refused as out of turn as rotation_out_of_turn
// says: e itself, the same refusal as a 409, or, with "lenient", nothing
// (ok), after a start has replaced the pending rotation.
func outOfTurn(r *http.Request, sec *clientSecret, step func(*clientSecret) (string, *apiErr), e *apiErr) (next string, refusal *apiErr) {
	switch assumedOf(r).get("rotation_out_of_turn") {
	case "409":
		return "", &apiErr{http.StatusConflict, "conflict", e.errorMessage}
	case "lenient":
		if e == errRotationPending {
			_, _ = sec.cancelRotation() // a rotation is pending: cannot fail
			return step(sec)
		}
		return "", nil
	}
	return "", e
}

// startRotation issues the next secret.
func (c *clientSecret) startRotation() (string, *apiErr) {
	if c.rotating {
		return "", errRotationPending
	}
	next := randomToken()
	c.next, c.nextFour, c.rotating = sha256.Sum256([]byte(next)), lastFour(next), true
	return next, nil
}

// completeRotation makes the next secret the only one: the old one no
// longer authenticates.
func (c *clientSecret) completeRotation() (string, *apiErr) {
	if !c.rotating {
		return "", errNoRotation
	}
	*c = clientSecret{current: c.next, currentFour: c.nextFour}
	return "", nil
}

// cancelRotation drops the next secret.
func (c *clientSecret) cancelRotation() (string, *apiErr) {
	if !c.rotating {
		return "", errNoRotation
	}
	*c = clientSecret{current: c.current, currentFour: c.currentFour}
	return "", nil
}

// lastFours adds what a client's JSON says about its secrets.
func (c *clientSecret) lastFours(out map[string]any) {
	out["client_secret_last_four"] = c.currentFour
	out["next_client_secret_last_four"] = nil
	if c.rotating {
		out["next_client_secret_last_four"] = c.nextFour
	}
}

// rotatable is a client whose secret rotates: a connected app or an M2M
// client.
type rotatable interface {
	// secret is nil with an error for a client that has none.
	secret() (*clientSecret, *apiErr)
	json() map[string]any
}

// rotationStep serves one of the three rotation calls of a kind of client,
// answering the client under envelope ("connected_app", "m2m_client") with
// the next secret when step issues one.
func (s *Server) rotationStep(envelope string, find func(id string) (rotatable, *apiErr), step func(*clientSecret) (string, *apiErr)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct{}
		if e := decodeBody(r, &body); e != nil {
			e.write(w, r)
			return
		}
		c, e := find(r.PathValue("client_id"))
		if e != nil {
			e.write(w, r)
			return
		}
		sec, e := c.secret()
		if e != nil {
			e.write(w, r)
			return
		}
		next, e := step(sec)
		if e == errRotationPending || e == errNoRotation {
			next, e = outOfTurn(r, sec, step, e)
		}
		if e != nil {
			e.write(w, r)
			return
		}
		out := c.json()
		if next != "" {
			out["next_client_secret"] = next
		}
		stytchOK(w, r, map[string]any{envelope: out})
	}
}

// searchParams is the paging part of a search body, shared by both kinds
// of client.
type searchParams struct {
	Cursor string `json:"cursor"`
	Limit  *int   `json:"limit"`
}

const (
	defaultSearchLimit = 100
	maxSearchLimit     = 1000
)

// searchPage returns the page of items (in creation order, by seq) after
// the cursor and the cursor of the next page, nil on the last. The cursor
// names the last item returned, so a client deleted between pages shifts
// nothing.
func searchPage[T any](items []T, seq func(T) int64, p searchParams) ([]T, *string, *apiErr) {
	limit := defaultSearchLimit
	if p.Limit != nil && *p.Limit != 0 {
		limit = *p.Limit
	}
	if limit < 0 || limit > maxSearchLimit {
		return nil, nil, badRequest("limit must be between 0 and " + strconv.Itoa(maxSearchLimit) + ".")
	}
	after := int64(-1)
	if p.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.Cursor)
		n, perr := strconv.ParseInt(strings.TrimPrefix(string(raw), "after:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(raw), "after:") {
			return nil, nil, badRequest("cursor is not a cursor this search returned.")
		}
		after = n
	}
	sort.Slice(items, func(i, j int) bool { return seq(items[i]) < seq(items[j]) })
	start := sort.Search(len(items), func(i int) bool { return seq(items[i]) > after })
	page := items[start:]
	if len(page) <= limit {
		return page, nil, nil
	}
	page = page[:limit]
	next := base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatInt(seq(page[len(page)-1]), 10)))
	return page, &next, nil
}
