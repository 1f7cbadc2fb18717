package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// stytchOK answers 200 with body and the request_id and status_code every
// Stytch answer carries.
func stytchOK(w http.ResponseWriter, r *http.Request, body map[string]any) {
	body["request_id"], body["status_code"] = requestID(r), http.StatusOK
	writeJSON(w, http.StatusOK, body)
}

// stytchError answers in Stytch's error shape.
func stytchError(w http.ResponseWriter, r *http.Request, status int, errorType, message string) {
	writeJSON(w, status, map[string]any{
		"status_code":   status,
		"request_id":    requestID(r),
		"error_type":    errorType,
		"error_message": message,
		"error_url":     "https://stytch.com/docs/api/errors/" + strconv.Itoa(status) + "#" + errorType,
	})
}

// apiErr is a Stytch error waiting to be written, so lookups can fail
// without holding the ResponseWriter.
type apiErr struct {
	status       int
	errorType    string
	errorMessage string
}

func (e *apiErr) write(w http.ResponseWriter, r *http.Request) {
	status, errorType := e.status, e.errorType
	if slices.Contains(assumedNotFound, e) {
		switch assumedOf(r).get("stytch_not_found_shape") {
		case "400":
			status = http.StatusBadRequest
		case "generic_404":
			errorType = "not_found"
		}
	}
	stytchError(w, r, status, errorType, e.errorMessage)
}

// badRequest is the emulator's answer to a malformed or incomplete body. The
// error_type Stytch uses for each such case is a guess
// (*unconfirmed*, assumption stytch_bad_request_types).
func badRequest(message string) *apiErr {
	return &apiErr{http.StatusBadRequest, "bad_request", message}
}

var (
	errOrgNotFound     = &apiErr{http.StatusNotFound, "organization_not_found", "Organization could not be found."}
	errMemberNotFound  = &apiErr{http.StatusNotFound, "member_not_found", "Member could not be found."}
	errUserNotFound    = &apiErr{http.StatusNotFound, "user_not_found", "User could not be found."}
	errAppNotFound     = &apiErr{http.StatusNotFound, "connected_app_not_found", "Connected App could not be found."}
	errSessionNotFound = &apiErr{http.StatusNotFound, "session_not_found", "Session could not be found."}
	errSessionDenied   = &apiErr{http.StatusForbidden, "session_authorization_error", "The Member is not authorized to perform the requested action on that resource."}
	errSessionRefused  = &apiErr{http.StatusUnauthorized, "unauthorized_credentials", "Unauthorized credentials."}

	// assumedNotFound are the not-found errors whose status and type are
	// guesses: organization_not_found, member_not_found and
	// m2m_client_not_found may be answered otherwise
	// (*unconfirmed*, assumption stytch_not_found_shape). Stytch's error
	// reference lists connected_app_not_found under 404.
	assumedNotFound = []*apiErr{errOrgNotFound, errMemberNotFound, errM2MClientNotFound}
)

// withProjectAuth admits only HTTP Basic project_id:secret, as every Stytch
// project call does.
func (s *Server) withProjectAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.stytch.projectID)) != 1 ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(s.stytch.secret)) != 1 {
			stytchError(w, r, http.StatusUnauthorized, "unauthorized_credentials", "Unauthorized credentials.")
			return
		}
		h(w, r)
	}
}

// decodeBody reads a JSON object into v. An empty body counts as {}: the
// official clients send nothing when every parameter is in the path.
func decodeBody(r *http.Request, v any) *apiErr {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return badRequest("The request body must be a JSON object.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("The request body is not valid: " + err.Error())
	}
	return nil
}

// sessionFromHeaders resolves X-Stytch-Member-Session or
// X-Stytch-Member-SessionJWT; nil, nil when neither is sent. Whatever does
// not lead to a live session is 404 session_not_found, the answer Stytch
// documents for session authentication, taken for these headers too
// (*unconfirmed*, assumption session_header_refusal).
func (s *Server) sessionFromHeaders(r *http.Request, now time.Time) (*stytchSession, *apiErr) {
	var sess *stytchSession
	var e *apiErr
	if token := r.Header.Get("X-Stytch-Member-Session"); token != "" {
		sess, e = s.stytch.liveSession(token, now)
	} else if jwt := r.Header.Get("X-Stytch-Member-SessionJWT"); jwt != "" {
		sess, e = s.stytch.liveSessionFromJWT(jwt, now)
	}
	if e != nil && assumedOf(r).is("session_header_refusal", "401") {
		e = errSessionRefused
	}
	return sess, e
}

func (st *stytchState) liveSession(token string, now time.Time) (*stytchSession, *apiErr) {
	sess := st.sessions[token]
	if sess == nil || !now.Before(sess.expiresAt) {
		return nil, errSessionNotFound
	}
	return sess, nil
}

// liveSessionFromJWT accepts a session JWT past its own five-minute expiry
// while its session lives, as Stytch does when it authenticates one.
func (st *stytchState) liveSessionFromJWT(jwt string, now time.Time) (*stytchSession, *apiErr) {
	var claims struct {
		Session struct {
			ID string `json:"id"`
		} `json:"https://stytch.com/session"`
	}
	if !st.signer.verify(jwt, nil, &claims) {
		return nil, errSessionNotFound
	}
	sess := st.sessionsByID[claims.Session.ID]
	if sess == nil || !now.Before(sess.expiresAt) {
		return nil, errSessionNotFound
	}
	return sess, nil
}

// authorizeSession checks that a member session sent with a request may act
// on org: same organization and the RBAC permission.
func (st *stytchState) authorizeSession(sess *stytchSession, org *stytchOrg, resource, action string) *apiErr {
	m := st.members[sess.memberID]
	if sess.organizationID != org.id || m == nil || !m.can(resource, action) {
		return errSessionDenied
	}
	return nil
}

// sessionJWT is a member session JWT with Stytch's session and organization
// claims.
func (st *stytchState) sessionJWT(sess *stytchSession, org *stytchOrg, m *stytchMember, now time.Time) string {
	return st.signer.sign(nil, map[string]any{
		"iss": st.issuer(),
		"sub": m.id,
		"aud": []string{st.projectID},
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(sessionJWTTTL).Unix(),
		"https://stytch.com/session": map[string]any{
			"id":                     sess.id,
			"started_at":             rfc3339(sess.startedAt),
			"last_accessed_at":       rfc3339(now),
			"expires_at":             rfc3339(sess.expiresAt),
			"attributes":             map[string]any{"ip_address": "", "user_agent": ""},
			"authentication_factors": []any{},
			"roles":                  slices.Clone(m.roles),
		},
		"https://stytch.com/organization": map[string]any{"organization_id": org.id, "slug": org.slug},
	})
}
