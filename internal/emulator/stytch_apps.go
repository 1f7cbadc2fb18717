package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// appFields are a connected app's writable fields: what a create sets and
// an update replaces whole.
type appFields struct {
	name, description, logoURL                            string
	redirectURLs, postLogoutRedirectURLs                  []string
	accessTokenExpiryMinutes                              int
	accessTokenCustomAudience, accessTokenTemplateContent string
	// idTokenTemplateContent is not in the reference's description; the
	// official clients (stytch-node 14.2.0's ConnectedApp type) declare it
	// a required string and send it with every update, and they are what
	// runs in production: the official client wins.
	idTokenTemplateContent                     string
	fullAccessAllowed, bypassConsentForOffline bool
}

// clientFields is the body of a create or an update.
type clientFields struct {
	ClientType                 *string   `json:"client_type"`
	Name                       *string   `json:"client_name"`
	Description                *string   `json:"client_description"`
	RedirectURLs               *[]string `json:"redirect_urls"`
	PostLogoutRedirectURLs     *[]string `json:"post_logout_redirect_urls"`
	FullAccessAllowed          *bool     `json:"full_access_allowed"`
	AccessTokenExpiryMinutes   *int      `json:"access_token_expiry_minutes"`
	AccessTokenCustomAudience  *string   `json:"access_token_custom_audience"`
	AccessTokenTemplateContent *string   `json:"access_token_template_content"`
	IDTokenTemplateContent     *string   `json:"id_token_template_content"`
	LogoURL                    *string   `json:"logo_url"`
	BypassConsentForOffline    *bool     `json:"bypass_consent_for_offline_access"`
}

// fields is what the body sets, every field it leaves out at its default:
// an update replaces the whole client, so a field left out is reset, as
// Stytch documents. clientType is the app's, for the first-party checks.
func (f *clientFields) fields(clientType string) (appFields, *apiErr) {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	urls := func(p *[]string) []string {
		if p == nil {
			return nil
		}
		return slices.Clone(*p)
	}
	a := appFields{
		name:                       str(f.Name),
		description:                str(f.Description),
		logoURL:                    str(f.LogoURL),
		redirectURLs:               urls(f.RedirectURLs),
		postLogoutRedirectURLs:     urls(f.PostLogoutRedirectURLs),
		accessTokenExpiryMinutes:   60,
		accessTokenCustomAudience:  str(f.AccessTokenCustomAudience),
		accessTokenTemplateContent: str(f.AccessTokenTemplateContent),
		idTokenTemplateContent:     str(f.IDTokenTemplateContent),
		fullAccessAllowed:          f.FullAccessAllowed != nil && *f.FullAccessAllowed,
		bypassConsentForOffline:    f.BypassConsentForOffline != nil && *f.BypassConsentForOffline,
	}
	if f.AccessTokenExpiryMinutes != nil {
		if *f.AccessTokenExpiryMinutes < 1 {
			return a, badRequest("access_token_expiry_minutes must be a positive number of minutes.")
		}
		a.accessTokenExpiryMinutes = *f.AccessTokenExpiryMinutes
	}
	for _, u := range slices.Concat(a.redirectURLs, a.postLogoutRedirectURLs) {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Host == "" {
			// How Stytch words this is a guess
			// (*unconfirmed*, assumption connected_app_refusal_types).
			return a, badRequest("Redirect URLs must be absolute URLs: " + u)
		}
	}
	// Stytch documents both as valid for first-party clients only; that it
	// refuses them on a third-party client is a guess
	// (*unconfirmed*, assumption first_party_only_fields).
	if (a.fullAccessAllowed || a.bypassConsentForOffline) && !strings.HasPrefix(clientType, "first_party") {
		return a, badRequest("full_access_allowed and bypass_consent_for_offline_access are valid for first-party clients only.")
	}
	return a, nil
}

func (st *stytchState) findApp(id string) (*stytchApp, *apiErr) {
	if app := st.apps[id]; app != nil {
		return app, nil
	}
	return nil, errAppNotFound
}

// findRotatableApp finds an app for a secret rotation route.
func (s *Server) findRotatableApp(id string) (rotatable, *apiErr) {
	app, e := s.stytch.findApp(id)
	if e != nil {
		return nil, e
	}
	return app, nil
}

// secret is nil for a public client, which has none: how Stytch refuses
// to rotate one is a guess
// (*unconfirmed*, assumption connected_app_refusal_types).
func (a *stytchApp) secret() (*clientSecret, *apiErr) {
	if a.public() {
		return nil, badRequest("Public clients have no client secret to rotate.")
	}
	return &a.secrets, nil
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
	fields, e := body.fields(*body.ClientType)
	if e != nil {
		e.write(w, r)
		return
	}
	app, secret := s.stytch.addApp(&stytchApp{clientType: *body.ClientType, appFields: fields})
	out := app.json()
	if secret != "" {
		out["client_secret"] = secret
	}
	stytchOK(w, r, map[string]any{"connected_app": out})
}

func (s *Server) stytchGetClient(w http.ResponseWriter, r *http.Request) {
	app, e := s.stytch.findApp(r.PathValue("client_id"))
	if e != nil {
		e.write(w, r)
		return
	}
	stytchOK(w, r, map[string]any{"connected_app": app.json()})
}

// stytchUpdateClient replaces every writable field: what the body leaves
// out is reset to its default. The type, id and secrets stay.
func (s *Server) stytchUpdateClient(w http.ResponseWriter, r *http.Request) {
	var body clientFields
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	app, e := s.stytch.findApp(r.PathValue("client_id"))
	if e != nil {
		e.write(w, r)
		return
	}
	if body.ClientType != nil && *body.ClientType != app.clientType {
		badRequest("client_type cannot be changed.").write(w, r)
		return
	}
	fields, e := body.fields(app.clientType)
	if e != nil {
		e.write(w, r)
		return
	}
	app.appFields = fields
	stytchOK(w, r, map[string]any{"connected_app": app.json()})
}

// stytchDeleteClient removes the app. What becomes of the authorizations
// members and users granted it is a guess
// (*unconfirmed*, assumption connected_app_delete_authorizations): the
// emulator revokes each, with every code and token issued under it, as a
// revoke would, so none of them works any more.
func (s *Server) stytchDeleteClient(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	id := r.PathValue("client_id")
	if _, e := st.findApp(id); e != nil {
		e.write(w, r)
		return
	}
	delete(st.apps, id)
	if assumedOf(r).is("connected_app_delete_authorizations", "revoked") {
		for k := range st.authorizations {
			if k.clientID == id {
				st.revoke(k)
			}
		}
	}
	stytchOK(w, r, map[string]any{"client_id": id})
}

// stytchSearchClients pages through the project's connected apps, oldest
// first. Stytch documents no filters yet.
func (s *Server) stytchSearchClients(w http.ResponseWriter, r *http.Request) {
	var body searchParams
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	all := make([]*stytchApp, 0, len(s.stytch.apps))
	for _, a := range s.stytch.apps {
		all = append(all, a)
	}
	page, next, e := searchPage(all, func(a *stytchApp) int64 { return a.seq }, body)
	if e != nil {
		e.write(w, r)
		return
	}
	out := make([]any, len(page))
	for i, a := range page {
		out[i] = a.json()
	}
	stytchOK(w, r, map[string]any{
		"connected_apps":   out,
		"results_metadata": map[string]any{"total": len(all), "next_cursor": next},
	})
}

func (a *stytchApp) json() map[string]any {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return slices.Clone(s)
	}
	out := map[string]any{
		"client_id":                         a.clientID,
		"client_name":                       a.name,
		"client_description":                a.description,
		"client_type":                       a.clientType,
		"status":                            "active",
		"full_access_allowed":               a.fullAccessAllowed,
		"redirect_urls":                     orEmpty(a.redirectURLs),
		"post_logout_redirect_urls":         orEmpty(a.postLogoutRedirectURLs),
		"access_token_expiry_minutes":       a.accessTokenExpiryMinutes,
		"access_token_template_content":     a.accessTokenTemplateContent,
		"id_token_template_content":         a.idTokenTemplateContent,
		"access_token_custom_audience":      a.accessTokenCustomAudience,
		"bypass_consent_for_offline_access": a.bypassConsentForOffline,
		"creation_method":                   "api",
		"logo_url":                          a.logoURL,
		"client_id_metadata_url":            "",
		"next_client_secret_last_four":      nil,
	}
	if !a.public() {
		a.secrets.lastFours(out)
	}
	return out
}
