package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// clientFields are the writable fields of a connected app client, pointers
// so that an update changes only what it sends.
type clientFields struct {
	ClientType               *string   `json:"client_type"`
	Name                     *string   `json:"client_name"`
	Description              *string   `json:"client_description"`
	RedirectURLs             *[]string `json:"redirect_urls"`
	AccessTokenExpiryMinutes *int      `json:"access_token_expiry_minutes"`
	LogoURL                  *string   `json:"logo_url"`
	BypassConsentForOffline  *bool     `json:"bypass_consent_for_offline_access"`
}

func (f *clientFields) apply(a *stytchApp) *apiErr {
	if f.AccessTokenExpiryMinutes != nil && *f.AccessTokenExpiryMinutes < 1 {
		return badRequest("access_token_expiry_minutes must be a positive number of minutes.")
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.name, f.Name)
	set(&a.description, f.Description)
	set(&a.logoURL, f.LogoURL)
	if f.RedirectURLs != nil {
		a.redirectURLs = slices.Clone(*f.RedirectURLs)
	}
	if f.AccessTokenExpiryMinutes != nil {
		a.accessTokenExpiryMinutes = *f.AccessTokenExpiryMinutes
	}
	if f.BypassConsentForOffline != nil {
		a.bypassConsentForOffline = *f.BypassConsentForOffline
	}
	return nil
}

func (s *Server) stytchCreateClient(w http.ResponseWriter, r *http.Request) {
	var body clientFields
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	if body.ClientType == nil || !slices.Contains(clientTypes, *body.ClientType) {
		badRequest("client_type must be one of "+strings.Join(clientTypes, ", ")+".").write(w, r)
		return
	}
	app := &stytchApp{clientType: *body.ClientType, accessTokenExpiryMinutes: 60}
	if e := body.apply(app); e != nil {
		e.write(w, r)
		return
	}
	app, secret := s.stytch.addApp(app)
	out := app.json()
	if secret != "" {
		out["client_secret"] = secret
	}
	stytchOK(w, r, map[string]any{"connected_app": out})
}

func (s *Server) stytchGetClient(w http.ResponseWriter, r *http.Request) {
	app := s.stytch.apps[r.PathValue("client_id")]
	if app == nil {
		errAppNotFound.write(w, r)
		return
	}
	stytchOK(w, r, map[string]any{"connected_app": app.json()})
}

func (s *Server) stytchUpdateClient(w http.ResponseWriter, r *http.Request) {
	var body clientFields
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	app := s.stytch.apps[r.PathValue("client_id")]
	if app == nil {
		errAppNotFound.write(w, r)
		return
	}
	if body.ClientType != nil && *body.ClientType != app.clientType {
		badRequest("client_type cannot be changed.").write(w, r)
		return
	}
	// Validate on a copy so a rejected update changes nothing.
	updated := *app
	if e := body.apply(&updated); e != nil {
		e.write(w, r)
		return
	}
	*app = updated
	stytchOK(w, r, map[string]any{"connected_app": app.json()})
}

// stytchDeleteClient removes the app with everything granted to it: its
// authorizations, codes and tokens no longer exist.
func (s *Server) stytchDeleteClient(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	id := r.PathValue("client_id")
	if st.apps[id] == nil {
		errAppNotFound.write(w, r)
		return
	}
	delete(st.apps, id)
	for k := range st.authorizations {
		if k.clientID == id {
			delete(st.authorizations, k)
		}
	}
	for k, c := range st.codes {
		if c.grant.clientID == id {
			delete(st.codes, k)
		}
	}
	for k, t := range st.accessTokens {
		if t.grant.clientID == id {
			delete(st.accessTokens, k)
		}
	}
	for k, t := range st.refreshTokens {
		if t.grant.clientID == id {
			delete(st.refreshTokens, k)
		}
	}
	stytchOK(w, r, map[string]any{"client_id": id})
}

func (a *stytchApp) json() map[string]any {
	redirectURLs := slices.Clone(a.redirectURLs)
	if redirectURLs == nil {
		redirectURLs = []string{}
	}
	out := map[string]any{
		"client_id":                         a.clientID,
		"client_name":                       a.name,
		"client_description":                a.description,
		"client_type":                       a.clientType,
		"status":                            "active",
		"full_access_allowed":               false,
		"redirect_urls":                     redirectURLs,
		"post_logout_redirect_urls":         []string{},
		"access_token_expiry_minutes":       a.accessTokenExpiryMinutes,
		"access_token_template_content":     "",
		"access_token_custom_audience":      "",
		"bypass_consent_for_offline_access": a.bypassConsentForOffline,
		"creation_method":                   "api",
		"logo_url":                          a.logoURL,
		"client_id_metadata_url":            "",
		"next_client_secret_last_four":      nil,
	}
	if !a.public() {
		out["client_secret_last_four"] = a.secretLastFour
	}
	return out
}
