package owuitest

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds request bodies (the real server has no limit; the
// emulator answers 413 past it to protect itself).
const maxBodyBytes = 32 << 20

type authLevel int

const (
	authNone     authLevel = iota
	authCurrent            // get_current_user (pending allowed)
	authVerified           // get_verified_user
	authAdmin              // get_admin_user
)

type handlerFunc func(c *reqCtx) *resp

type route struct {
	method  string
	path    string // full path; a segment "{name}" matches [^/]+, a final "{name:path}" matches the rest
	auth    authLevel
	body    model // nil: the route takes no body
	h       handlerFunc
	since   semver
	until   semver
	prefix  string // for {…:path} routes: everything before the parameter
	params  []string
	literal bool
}

func (rt *route) match(p string) (map[string]string, bool) {
	if rt.literal {
		return nil, p == rt.path
	}
	if rt.prefix != "" {
		if !strings.HasPrefix(p, rt.prefix) {
			return nil, false
		}
		return map[string]string{rt.params[0]: p[len(rt.prefix):]}, true
	}
	want := strings.Split(rt.path, "/")
	got := strings.Split(p, "/")
	if len(want) != len(got) {
		return nil, false
	}
	var params map[string]string
	for i, w := range want {
		if strings.HasPrefix(w, "{") {
			if got[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(w, "{}")] = got[i]
			continue
		}
		if w != got[i] {
			return nil, false
		}
	}
	return params, true
}

func (s *Server) buildRoutes() []*route {
	const a = "/api/v1/auths"
	all := []*route{
		{method: "GET", path: a + "/", auth: authCurrent, h: hSessionUser},
		{method: "POST", path: a + "/update/profile", auth: authVerified, body: updateProfileModel, h: hUpdateProfile},
		{method: "POST", path: a + "/update/timezone", auth: authCurrent, body: model{{name: "timezone", kind: kStr, required: true}}, h: hUpdateTimezone, since: ver(0, 7, 0)},
		{method: "POST", path: a + "/update/password", auth: authCurrent, body: model{{name: "password", kind: kStr, required: true}, {name: "new_password", kind: kStr, required: true}}, h: hUpdatePassword},
		{method: "POST", path: a + "/ldap", body: model{{name: "user", kind: kStr, required: true}, {name: "password", kind: kStr, required: true}}, h: hLDAP, since: ver(0, 4, 0)},
		{method: "POST", path: a + "/signin", body: model{{name: "email", kind: kStr, required: true}, {name: "password", kind: kStr, required: true}}, h: hSignin},
		{method: "POST", path: a + "/signup", body: signupModel, h: hSignup},
		{method: "POST", path: a + "/signout", h: hSignout, since: ver(0, 9, 3)},
		{method: "GET", path: a + "/signout", h: hSignout, since: ver(0, 3, 33), until: ver(0, 9, 3)},
		{method: "DELETE", path: a + "/oauth/sessions/{provider:path}", auth: authVerified, h: hDeleteOAuthSession, since: ver(0, 9, 2)},
		{method: "POST", path: a + "/add", auth: authAdmin, body: addUserModel, h: hAddUser},
		{method: "GET", path: a + "/admin/details", auth: authCurrent, h: hAdminDetails},
		{method: "GET", path: a + "/admin/config", auth: authAdmin, h: hGetAdminConfig},
		{method: "POST", path: a + "/admin/config", auth: authAdmin, body: adminConfigModel, h: hUpdateAdminConfig},
		{method: "GET", path: a + "/admin/config/ldap/server", auth: authAdmin, h: hGetLDAPServer, since: ver(0, 4, 0)},
		{method: "POST", path: a + "/admin/config/ldap/server", auth: authAdmin, body: ldapServerModel, h: hUpdateLDAPServer, since: ver(0, 4, 0)},
		{method: "GET", path: a + "/admin/config/ldap", auth: authAdmin, h: hGetLDAPConfig, since: ver(0, 4, 0)},
		{method: "POST", path: a + "/admin/config/ldap", auth: authAdmin, body: model{{name: "enable_ldap", kind: kOptBool}}, h: hUpdateLDAPConfig, since: ver(0, 4, 0)},
		{method: "GET", path: a + "/admin/config/oauth", auth: authAdmin, h: hGetOAuthConfig, since: ver(0, 10, 0)},
		{method: "POST", path: a + "/admin/config/oauth", auth: authAdmin, body: oauthRequestModel, h: hUpdateOAuthConfig, since: ver(0, 10, 0)},
		{method: "POST", path: a + "/api_key", auth: authCurrent, h: hGenerateAPIKey},
		{method: "DELETE", path: a + "/api_key", auth: authCurrent, h: hDeleteAPIKey},
		{method: "GET", path: a + "/api_key", auth: authCurrent, h: hGetAPIKey},
		{method: "POST", path: a + "/oauth/{provider}/token/exchange", body: model{{name: "token", kind: kStr, required: true}}, h: hTokenExchange, since: ver(0, 8, 0)},
		{method: "GET", path: "/api/config", h: hAPIConfig},
		{method: "GET", path: "/api/version", h: hVersion},
		{method: "GET", path: "/health", h: hHealth},
	}
	var out []*route
	for _, rt := range all {
		f := field{since: rt.since, until: rt.until}
		if !f.in(s.ver) {
			continue
		}
		switch {
		case strings.HasSuffix(rt.path, ":path}"):
			k := strings.LastIndexByte(rt.path, '{')
			rt.prefix = rt.path[:k]
			rt.params = []string{strings.TrimSuffix(rt.path[k+1:], ":path}")}
		case !strings.Contains(rt.path, "{"):
			rt.literal = true
		}
		out = append(out, rt)
	}
	return out
}

// resp is a response assembled before it is written.
type resp struct {
	status int
	ctype  string
	body   []byte
	hdr    [][2]string
}

func (r *resp) add(k, v string) *resp {
	r.hdr = append(r.hdr, [2]string{k, v})
	return r
}

func internalError() *resp {
	return &resp{status: 500, ctype: "text/plain; charset=utf-8", body: []byte("Internal Server Error")}
}

func jsonResp(status int, v any) *resp {
	b, err := encodePyJSON(v)
	if err != nil {
		return internalError()
	}
	return &resp{status: status, ctype: "application/json", body: b}
}

func detail(status int, msg string) *resp { return jsonResp(status, obj{{"detail", msg}}) }

const spaPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Open WebUI</title>
</head>
<body>
<div id="app"></div>
</body>
</html>
`

// reqCtx carries one request through a route.
type reqCtx struct {
	s      *Server
	st     *state
	r      *http.Request
	now    time.Time
	params map[string]string
	form   form
	user   *user
	cred   string // the credential get_current_user used
	apiKey bool   // cred is an API key
	cookie map[string]string
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.maxBody+1))
	if err != nil {
		// The client went away mid-body.
		return
	}
	s.record(r, body)
	if f := s.currentFault(); f != nil {
		if f.apply(s, w, r) {
			return
		}
	}
	var res *resp
	if int64(len(body)) > s.cfg.maxBody {
		res = detail(http.StatusRequestEntityTooLarge, "Request Entity Too Large")
	} else {
		res = s.dispatch(r, body)
	}
	h := w.Header()
	for _, kv := range res.hdr {
		h.Add(kv[0], kv[1])
	}
	if res.ctype != "" {
		h.Set("Content-Type", res.ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	h.Set("Server", "uvicorn")
	h.Set("X-Process-Time", fmt.Sprintf("%.6f", time.Since(start).Seconds()))
	w.WriteHeader(res.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(res.body)
	}
}

func (s *Server) dispatch(r *http.Request, body []byte) (res *resp) {
	defer func() {
		// Like Starlette's ServerErrorMiddleware: a bug never kills the
		// connection handler, it becomes a plain-text 500.
		if p := recover(); p != nil {
			res = internalError()
		}
	}()
	path := r.URL.Path
	var partial *route
	for _, rt := range s.routes {
		params, ok := rt.match(path)
		if !ok {
			continue
		}
		// FastAPI's routes take only the methods declared: not HEAD for
		// a GET (Starlette's own Route would add it).
		if rt.method == r.Method {
			return s.run(rt, params, r, body)
		}
		if partial == nil {
			partial = rt
		}
	}
	if !s.cfg.noFrontend {
		// Mount('/', SPAStaticFiles) matches every path fully.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return detail(http.StatusMethodNotAllowed, "Method Not Allowed")
		}
		if strings.HasSuffix(path, ".js") {
			return detail(http.StatusNotFound, "Not Found")
		}
		return &resp{status: 200, ctype: "text/html; charset=utf-8", body: []byte(spaPage)}
	}
	if partial != nil {
		return detail(http.StatusMethodNotAllowed, "Method Not Allowed").add("Allow", partial.method)
	}
	// Starlette's redirect_slashes (opt-in, see WithRedirectSlashes).
	if s.cfg.redirectSlashes && path != "/" {
		alt := path + "/"
		if strings.HasSuffix(path, "/") {
			alt = strings.TrimRight(path, "/")
		}
		for _, rt := range s.routes {
			if _, ok := rt.match(alt); ok {
				u := *r.URL
				u.Path, u.RawPath = alt, ""
				scheme := "http"
				if r.TLS != nil {
					scheme = "https"
				}
				loc := scheme + "://" + r.Host + u.RequestURI()
				return (&resp{status: http.StatusTemporaryRedirect}).add("Location", loc)
			}
		}
	}
	return detail(http.StatusNotFound, "Not Found")
}

// readBody is FastAPI's body handling for a route with a body model.
func readBody(r *http.Request, body []byte) (bodyIn, *resp) {
	if len(body) == 0 {
		return bodyIn{kind: bodyNone}, nil
	}
	ct := r.Header.Get("Content-Type")
	isJSON := false
	if ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "" {
			main, sub, _ := strings.Cut(mt, "/")
			isJSON = main == "application" && (sub == "json" || strings.HasSuffix(sub, "+json"))
		}
	}
	if !isJSON {
		return bodyIn{kind: bodyRaw, raw: strings.ToValidUTF8(string(body), "\uFFFD")}, nil
	}
	v, jerr, err := decodePyJSON(body)
	if err != nil {
		return bodyIn{}, detail(http.StatusBadRequest, "There was an error parsing the body")
	}
	if jerr != nil {
		return bodyIn{}, jsonResp(422, obj{{"detail", []any{
			verr("json_invalid", loc("body", jerr.pos), "JSON decode error", obj{}, obj{{"error", jerr.msg}}),
		}}})
	}
	return bodyIn{kind: bodyJSON, val: v}, nil
}

func (s *Server) run(rt *route, params map[string]string, r *http.Request, body []byte) *resp {
	var in bodyIn
	if rt.body != nil {
		var bad *resp
		if in, bad = readBody(r, body); bad != nil {
			return bad
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &reqCtx{s: s, st: s.st, r: r, now: s.cfg.clock(), params: params, cookie: parseCookies(r.Header.Get("Cookie"))}
	if rt.auth != authNone {
		if e := c.authenticate(rt.auth); e != nil {
			return e
		}
	}
	if rt.body != nil {
		f, errs := rt.body.validate(in, s.ver)
		if errs != nil {
			return jsonResp(422, obj{{"detail", errs}})
		}
		c.form = f
	}
	return rt.h(c)
}

// parseCookies is Starlette's cookie_parser.
func parseCookies(h string) map[string]string {
	out := map[string]string{}
	if h == "" {
		return out
	}
	for _, chunk := range strings.Split(h, ";") {
		k, v, found := strings.Cut(chunk, "=")
		if !found {
			k, v = "", chunk
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" && v == "" {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
		}
		out[k] = v
	}
	return out
}

// splitAuth is get_http_authorization_cred: "scheme credentials" split on
// single spaces into exactly two parts.
func splitAuth(h string) (string, bool) {
	if h == "" {
		return "", false
	}
	parts := strings.Split(h, " ")
	if len(parts) != 2 {
		return "", false
	}
	return parts[1], true
}

// bearer is FastAPI's HTTPBearer(auto_error=False).
func bearer(h string) (string, bool) {
	scheme, param, _ := strings.Cut(h, " ")
	if h == "" || scheme == "" || param == "" || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	return param, true
}

// stateToken is what AuthTokenMiddleware stores in request.state.token.
func (c *reqCtx) stateToken() (string, bool) {
	if !c.s.ver.atLeast(ver(0, 9, 0)) {
		return "", false
	}
	if cred, ok := splitAuth(c.r.Header.Get("Authorization")); ok {
		return cred, true
	}
	if v := c.cookie["token"]; v != "" {
		return v, true
	}
	if k := c.r.Header.Get("X-Api-Key"); k != "" {
		return k, true
	}
	return "", false
}

// credential is the token get_current_user picks.
func (c *reqCtx) credential() (string, bool) {
	if t, ok := bearer(c.r.Header.Get("Authorization")); ok {
		return t, true
	}
	if v, ok := c.cookie["token"]; ok {
		return v, true
	}
	return c.stateToken()
}

const (
	msgNotAuthenticated = "Not authenticated"
	msgUnauthorized     = "401 Unauthorized"
	msgInvalidToken     = "Your session has expired or the token is invalid. Please sign in again."
	msgAccessProhibited = "You do not have permission to access this resource. Please contact your administrator for assistance."
	msgActionProhibited = "The requested action has been restricted as a security measure."
	msgAPIKeyNotAllowed = "Use of API key is not enabled in the environment."
	msgAPIKeyCreation   = "API key creation is not allowed in the environment."
	msgAPIKeyNotFound   = "Oops! It looks like there's a hiccup. The API key is missing. Please make sure to provide a valid API key to access this feature."
	msgIncorrectPass    = "The password provided is incorrect. Please check for typos and try again."
	msgInvalidCred      = "The email or password provided is incorrect. Please check for typos and try logging in again."
	msgInvalidEmail     = "The email format you entered is invalid. Please double-check and make sure you're using a valid email address (e.g., yourname@example.com)."
	msgEmailTaken       = "Uh-oh! This email is already registered. Sign in with your existing account or choose another email to start anew."
	msgRateLimit        = "API rate limit exceeded"
)

// authenticate runs get_current_user and the role gate.
func (c *reqCtx) authenticate(level authLevel) *resp {
	tok, ok := c.credential()
	if !ok {
		return detail(401, msgNotAuthenticated)
	}
	c.cred = tok
	st := c.st
	var u *user
	if strings.HasPrefix(tok, "sk-") {
		c.apiKey = true
		u = st.byAPIKey[tok]
		if u == nil {
			return detail(401, msgInvalidToken)
		}
		if !st.adminBool("ENABLE_API_KEYS") {
			return detail(403, msgAPIKeyNotAllowed)
		}
		if c.s.ver.atLeast(ver(0, 6, 37)) && u.role != "admin" && !st.hasAPIKeyPermission() {
			return detail(403, msgAPIKeyNotAllowed)
		}
		if st.adminBool("ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS") {
			allowedStr, _ := st.admin["API_KEYS_ALLOWED_ENDPOINTS"].(string)
			path := c.r.URL.Path
			allowed := false
			for _, p := range strings.Split(allowedStr, ",") {
				p = strings.TrimSpace(p)
				if p != "" && (path == p || strings.HasPrefix(path, p+"/")) {
					allowed = true
					break
				}
			}
			if !allowed {
				return detail(403, msgAccessProhibited)
			}
		}
	} else {
		claims := c.s.decodeJWT(tok, c.now)
		id, has := claims.get("id")
		if claims == nil || !has {
			return detail(401, msgUnauthorized)
		}
		if st.isRevoked(claims, c.now) {
			return detail(401, "Invalid token")
		}
		ids, _ := id.(string)
		u = st.byID[ids]
		if u == nil {
			return detail(401, msgInvalidToken)
		}
	}
	switch level {
	case authVerified:
		if u.role != "user" && u.role != "admin" {
			return detail(401, msgAccessProhibited)
		}
	case authAdmin:
		if u.role != "admin" {
			return detail(401, msgAccessProhibited)
		}
	}
	c.user = u
	return nil
}
