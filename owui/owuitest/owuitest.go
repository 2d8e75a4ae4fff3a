// Package owuitest is an in-memory emulator of the Open WebUI "auths" API
// (the routes under /api/v1/auths), in the spirit of net/http/httptest.
//
// NewServer starts a real HTTP server on a loopback port. It answers with the
// paths, methods, JSON keys, status codes and "detail" texts of Open WebUI
// v0.11.0 (or an older release chosen with WithVersion), including FastAPI's
// 422 validation bodies, Starlette's routing fall-backs (the SPA frontend or
// API-only 404/405) and the "token" cookie. It is meant for tests,
// benchmarks and demonstrations; it is not a security product: passwords are
// stored as salted SHA-256, not bcrypt.
//
// The emulator is an independent implementation written from the behaviour
// of the real server; it does not import this module's client package.
//
// All state lives in memory and is guarded by a mutex, so a Server can be
// used from many goroutines. Faults (SetFault) let a test suite exercise a
// client's handling of hung, slow, broken or hostile servers. Nothing is
// logged.
//
//	srv := owuitest.NewServer(owuitest.WithUsers(owuitest.User{
//		Name: "Admin", Email: "admin@example.com", Password: "pw", Role: "admin"}))
//	defer srv.Close()
//	// POST srv.APIURL()+"/v1/auths/signin" {"email":..., "password":...}
//
// # Routes
//
// Under /api/v1/auths: GET / (trailing slash), POST /update/profile,
// /update/timezone, /update/password, /signin, /ldap, /signup, /add,
// /signout (GET before 0.9.3), GET /admin/details, GET+POST /admin/config,
// /admin/config/ldap/server, /admin/config/ldap, /admin/config/oauth,
// POST+GET+DELETE /api_key, POST /oauth/{provider}/token/exchange and DELETE
// /oauth/sessions/{provider...}. Outside it: GET /api/version, GET /health
// and a reduced GET /api/config. As in FastAPI, HEAD is no API route's
// method: the frontend answers it, or an API-only server 405.
//
// Request handling follows FastAPI: the route is matched first, then a JSON
// body is decoded (json_invalid 422 with CPython's message and character
// offset; 400 "There was an error parsing the body" for undecodable bytes),
// then authentication and role gates run (401/403), then the body is
// validated (pydantic v2 lax mode, one 422 entry per problem in model field
// order), then the route runs. A body without an application/json (or
// +json) Content-Type is handed to pydantic as bytes, giving a 422
// model_attributes_type error. Responses are rendered like Starlette's
// JSONResponse (compact, ensure_ascii=False) and carry X-Process-Time and
// "Server: uvicorn".
//
// # Emulation notes
//
// Choices where the real server depends on things the emulator does not
// have, or where the behaviour is simplified:
//
//   - LDAP: the directory is the entries given to WithLDAP (attributes uid,
//     mail, cn; DN "uid=...,ou=users,dc=example,dc=org"). Sign-in reaches it
//     only while the LdapServerConfig host is "ldap.example.org"; the app
//     bind needs an empty app_dn (anonymous) or the seeded app DN/password;
//     the search base must be the users OU or one of its parents;
//     attribute_for_username/attribute_for_mail may name uid, mail or cn;
//     search_filters and port are ignored. A non-empty certificate_path that
//     is not a readable file emulates the TLS configuration failure.
//   - OAuth: a provider's userinfo is the OAuthToken (claims "sub", or "id"
//     for github and "user_id" for feishu, and "email"). A configured
//     OAUTH_SUB_CLAIM or OAUTH_EMAIL_CLAIM other than those names makes the
//     claim missing. A user is linked to (provider, sub) by LinkOAuth or by a
//     merge-by-email exchange. As upstream, an exchange records no OAuth
//     session: those come from the web OAuth login and MCP tool-server OAuth
//     (provider "mcp:<server id>"), which AddOAuthSession stands in for, and
//     DELETE /oauth/sessions/{provider} ends them. Token-exchange rate
//     limiting and trusted client ids (off by default upstream) are not
//     emulated. WithOAuth("oidc") also fills OAUTH_CLIENT_ID,
//     OAUTH_CLIENT_SECRET and OPENID_PROVIDER_URL in the OAuth config.
//   - Sign-out revokes the JWT only WithRevocation (as with Redis), and
//     answers {"status": true}, adding "redirect_url" only when an
//     oauth_session_id cookie is sent and OPENID_END_SESSION_ENDPOINT is
//     configured (no OIDC discovery).
//   - Sign-in rate limit: upstream's in-memory RateLimiter(limit=15,
//     window=180): 60-second buckets, current plus the 3 previous ones,
//     every attempt counts (refused ones too), limited when the total
//     exceeds 15. It uses the WithClock time.
//   - Not emulated: trusted-header and WEBUI_AUTH=False modes,
//     ENABLE_LOGIN_FORM / ENABLE_INITIAL_ADMIN_SIGNUP (always true/false),
//     groups (permissions are the v0.11.0 defaults; features.api_keys comes
//     from WithUserAPIKeyPermission), events and webhooks, user status
//     fields (always null), PROFILE_IMAGE_MAX_DATA_URI_SIZE (no limit),
//     custom password patterns and hints, argon2.
//   - JWTs are checked like PyJWT: HS256 only, exp/iat/nbf must be
//     integer-like (exp <= now is expired, iat or nbf in the future is
//     refused), a non-empty aud is refused, sub and jti must be strings.
//   - JSON details: lone UTF-16 surrogates in request strings become
//     U+FFFD; nesting deeper than 900 levels or integers longer than 4300
//     digits give 400 "There was an error parsing the body" (Python's
//     RecursionError / ValueError). Request bodies over 32 MiB get 413 (the
//     real server has no limit).
//   - Routing details from Starlette: with the frontend (default), GET/HEAD
//     of an unknown path or a wrong-method path returns the SPA page (a
//     "*.js" path 404s) and other methods 405 without Allow; WithoutFrontend
//     answers 405 with Allow, otherwise 404 (Starlette's redirect_slashes
//     307 only with WithRedirectSlashes).
//   - Faults replace the whole response (no X-Process-Time); FaultDelay and
//     a FaultTimes/FaultOnPath that lets a request through answer normally.
//
// # Version emulation
//
// WithVersion changes the route table (timezone 0.7.0+, token exchange
// 0.8.0+, DELETE /oauth/sessions 0.9.2+, sign-out POST 0.9.3+ and GET
// before, OAuth admin config 0.10.0+, LDAP routes 0.4.0+), the AdminConfig
// and LdapServerConfig key sets (including the ENABLE_API_KEY* names before
// 0.6.37), /api/version, and these behaviours: API keys enabled by default
// and not permission-gated before 0.6.37; JWT_EXPIRES_IN default "-1" before
// 0.6.34; no sign-in rate limit before 0.6.41; no bio/gender/date_of_birth
// before 0.6.23 and no status fields before 0.6.41 in GET /auths/; stored
// (not constructed) profile_image_url in session responses before 0.8.1; no
// profile image validation before 0.8.0; no password policy/length checks
// on update_password before 0.6.37 and the current (not new) password
// checked in 0.6.37-0.8.10; no signup length check before 0.6.3; admins not
// exempt from features.api_keys before 0.8.11; GET/DELETE /api_key not gated
// before 0.10.0; add_user tokens without exp and LDAP empty passwords not
// rejected before 0.9.0; token exchange domain allowlist from 0.9.0; app_dn
// and app_dn_password required non-empty before 0.8.4; the first signup
// gated by ENABLE_SIGNUP before 0.9.6; GET /auths/ reading only the
// Authorization header before 0.9.2 (500 otherwise) and x-api-key honoured
// from 0.9.0. Anything else behaves as v0.11.0.
package owuitest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running emulated Open WebUI instance.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:PORT" (or
	// "https://..." for NewTLSServer), without "/api", like httptest.Server.URL.
	URL string

	ts           *httptest.Server
	cfg          *config
	deploymentID string
	ver          semver
	routes       []*route
	closing      chan struct{}
	closeOnce    sync.Once

	mu sync.Mutex // guards st
	st *state

	reqMu sync.Mutex // guards reqs and reqNext
	// reqs is a ring once it holds maxRecorded requests: the oldest is
	// overwritten in place, so a full log costs a request no more than an
	// empty one (shifting the whole log made each request 5 times dearer).
	reqs    []Request
	reqNext int // where the next request goes once reqs is full

	fault atomic.Pointer[faultBox]
}

// Option configures a Server created by NewServer or NewTLSServer.
type Option func(*config)

// User is a user account seeded with WithUsers or reported by UserByEmail.
//
// Seeding rules: an empty ID gets a generated UUIDv4, an empty Role becomes
// "user", an empty ProfileImageURL becomes "/user.png". APIKey "" means no
// key; otherwise it is the user's API key (Open WebUI keys are "sk-" followed
// by 32 lowercase hex characters; other values are stored as given but only
// keys starting with "sk-" are ever treated as API keys). The e-mail is
// stored lower-cased; a second seed with the same e-mail is ignored.
type User struct {
	ID, Name, Email, Password, Role, ProfileImageURL, APIKey string
}

// LDAPEntry is one user of the emulated LDAP directory (see WithLDAP). The
// entry's DN is "uid=<Username>,ou=users,dc=example,dc=org" and it carries
// the attributes uid (Username), mail (Email) and cn (CN; an empty CN
// defaults to Username).
type LDAPEntry struct {
	Username, Password, Email, CN string
}

// OAuthToken is an access token accepted by the emulated OAuth provider (see
// WithOAuth): the provider's userinfo for it has the subject Sub and the
// e-mail Email. Empty values emulate a userinfo answer without that claim.
type OAuthToken struct {
	AccessToken, Sub, Email string
}

// Request is one HTTP request received by the Server (see Requests).
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

type config struct {
	users              []User
	apiKeys            *bool
	signup             *bool
	revocation         bool
	userAPIKeyPerm     bool
	jwtExpiry          *string
	secret             string
	ldapOn             bool
	ldapEntries        []LDAPEntry
	oauthOrder         []string
	oauthTokens        map[string][]OAuthToken
	oauthMerge         bool
	version            string
	noFrontend         bool
	clock              func() time.Time
	passwordAuth       bool
	passwordValidation bool
	maxRecorded        int
	maxBody            int64
	redirectSlashes    bool
}

func defaultConfig() *config {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return &config{
		secret:       hex.EncodeToString(b[:]),
		version:      "0.11.0",
		clock:        time.Now,
		passwordAuth: true,
		oauthTokens:  map[string][]OAuthToken{},
		maxRecorded:  100000,
		maxBody:      maxBodyBytes,
	}
}

// WithUsers seeds user accounts, created in the given order (the first one
// is the "earliest created" user that GET /auths/admin/details reports).
// Seeding does not switch signup off (WithSignup does).
func WithUsers(users ...User) Option {
	return func(c *config) { c.users = append(c.users, users...) }
}

// WithAPIKeys sets the config switch auth.enable_api_keys (ENABLE_API_KEYS).
// The default is false, as in the real server since v0.6.37 (true for
// emulated versions before 0.6.37).
func WithAPIKeys(enabled bool) Option {
	return func(c *config) { c.apiKeys = &enabled }
}

// WithSignup sets the config switch ui.enable_signup (ENABLE_SIGNUP,
// default true). A server whose admin was made at start-up
// (WEBUI_ADMIN_EMAIL) or by the first sign-up has it off.
func WithSignup(enabled bool) Option {
	return func(c *config) { c.signup = &enabled }
}

// WithRevocation emulates a server with Redis (REDIS_URL): sign-out revokes
// the JWT it is given (one with an expiry), which then answers 401 "Invalid
// token". Without it, as without Redis, a signed-out JWT stays valid.
func WithRevocation() Option {
	return func(c *config) { c.revocation = true }
}

// WithUserAPIKeyPermission sets the default user permission
// features.api_keys (USER_PERMISSIONS_FEATURES_API_KEYS, default false).
func WithUserAPIKeyPermission(enabled bool) Option {
	return func(c *config) { c.userAPIKeyPerm = enabled }
}

// WithJWTExpiry sets JWT_EXPIRES_IN (default "4w"; "-1" or "0" mean no
// expiry). It is parsed like Open WebUI's parse_duration, so "1h30m" works.
// An unparsable value makes token-minting routes fail as the real server
// does (500).
func WithJWTExpiry(d string) Option {
	return func(c *config) { c.jwtExpiry = &d }
}

// WithSecret sets WEBUI_SECRET_KEY, the HS256 key of the JWTs (default: a
// random key per Server).
func WithSecret(secret string) Option {
	return func(c *config) { c.secret = secret }
}

// WithLDAP seeds the emulated LDAP directory and enables LDAP sign-in
// (ldap.enable = true, and an LdapServerConfig that points at the
// directory: host "ldap.example.org", port 389, app DN
// "cn=admin,dc=example,dc=org" with password "admin", search base
// "ou=users,dc=example,dc=org", no TLS).
func WithLDAP(entries ...LDAPEntry) Option {
	return func(c *config) {
		c.ldapOn = true
		c.ldapEntries = append(c.ldapEntries, entries...)
	}
}

// WithOAuth registers an OAuth provider (e.g. "oidc", "google"; stored
// lower-cased) that accepts the given access tokens, and enables
// ENABLE_OAUTH_TOKEN_EXCHANGE. It may be given several times.
func WithOAuth(provider string, tokens ...OAuthToken) Option {
	return func(c *config) {
		p := strings.ToLower(provider)
		if _, ok := c.oauthTokens[p]; !ok {
			c.oauthOrder = append(c.oauthOrder, p)
		}
		c.oauthTokens[p] = append(c.oauthTokens[p], tokens...)
	}
}

// WithOAuthMergeByEmail sets oauth.merge_accounts_by_email
// (OAUTH_MERGE_ACCOUNTS_BY_EMAIL, default false).
func WithOAuthMergeByEmail(on bool) Option {
	return func(c *config) { c.oauthMerge = on }
}

// WithVersion emulates an older Open WebUI release, e.g. "0.9.2". Routes
// added later are absent (POST /update/timezone before 0.7.0, token
// exchange before 0.8.0, DELETE /oauth/sessions before 0.9.2, the OAuth
// admin config before 0.10.0), sign-out is GET before 0.9.3, and a few
// documented behaviour changes follow the version (see "Version emulation"
// in the package documentation). The default is "0.11.0".
func WithVersion(v string) Option {
	return func(c *config) { c.version = strings.TrimPrefix(strings.TrimSpace(v), "v") }
}

// WithoutFrontend emulates an API-only deployment (no SPA build): unknown
// routes answer 404 {"detail":"Not Found"} and wrong methods 405
// {"detail":"Method Not Allowed"}. By default the frontend is present:
// unknown or wrong-method GETs answer 200 text/html (the SPA page) and
// other methods 405 JSON.
func WithoutFrontend() Option {
	return func(c *config) { c.noFrontend = true }
}

// WithRedirectSlashes makes an API-only server (WithoutFrontend) answer an
// unknown path whose twin with the trailing slash added or removed is a
// route with Starlette's redirect_slashes 307 (e.g. GET /api/v1/auths ->
// /api/v1/auths/), as a real FastAPI app does. By default the emulator
// follows the API documentation and answers 404. It has no effect with the
// frontend present (the SPA catches every path first).
func WithRedirectSlashes() Option {
	return func(c *config) { c.redirectSlashes = true }
}

// WithClock sets the time source for JWT iat/exp, expires_at, cookie
// expiry and the sign-in rate limiter (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithPasswordAuth sets ENABLE_PASSWORD_AUTH (default true).
func WithPasswordAuth(enabled bool) Option {
	return func(c *config) { c.passwordAuth = enabled }
}

// WithPasswordValidation sets ENABLE_PASSWORD_VALIDATION (default false)
// with the default pattern (8+ characters with a lower-case letter, an
// upper-case letter, a digit and a symbol) and the default hint text.
func WithPasswordValidation(enabled bool) Option {
	return func(c *config) { c.passwordValidation = enabled }
}

// WithMaxRecordedRequests bounds the request log returned by Requests: n > 0
// keeps the last n requests, n == 0 records nothing, n < 0 is unbounded.
// The default keeps the last 100000 requests.
func WithMaxRecordedRequests(n int) Option {
	return func(c *config) { c.maxRecorded = n }
}

// DemoOptions are the settings of owui-mcp --demo: API keys on, as a
// server set up for agents would have them, and no request log, which only
// tests read and which a demo left running would otherwise keep filling.
func DemoOptions() []Option {
	return []Option{WithAPIKeys(true), WithMaxRecordedRequests(0)}
}

// withMaxBody lowers the request body limit (for tests).
func withMaxBody(n int64) Option {
	return func(c *config) { c.maxBody = n }
}

// NewServer starts an emulated Open WebUI on 127.0.0.1 (a random port). It
// panics only if it cannot listen, like httptest.NewServer. Close it when
// done.
func NewServer(opts ...Option) *Server { return newServer(false, opts) }

// NewTLSServer is NewServer over HTTPS with httptest's self-signed
// certificate. Client returns an *http.Client that trusts it; other clients
// see an untrusted certificate.
func NewTLSServer(opts ...Option) *Server { return newServer(true, opts) }

func newServer(useTLS bool, opts []Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	s := &Server{cfg: cfg, closing: make(chan struct{}), deploymentID: uuid4()}
	s.ver = parseVersion(cfg.version)
	s.st = newState(cfg, s.ver)
	s.routes = s.buildRoutes()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	s.ts = ts
	s.URL = ts.URL
	return s
}

// APIURL returns URL + "/api", the base URL Open WebUI clients expect.
func (s *Server) APIURL() string { return s.URL + "/api" }

// Close shuts the server down. It returns promptly even with hung requests
// in flight (FaultHang): client connections are closed and blocked handlers
// released. Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Client returns an HTTP client configured for the server: for a TLS server
// it trusts the test certificate (like httptest.Server.Client).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Requests returns a copy of the requests received so far, in order
// (bounded by WithMaxRecordedRequests).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Request, 0, len(s.reqs))
	for _, part := range [][]Request{s.reqs[s.reqNext:], s.reqs[:s.reqNext]} {
		for _, r := range part {
			out = append(out, Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery, Header: r.Header.Clone(), Body: append([]byte(nil), r.Body...)})
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	s.reqs, s.reqNext = nil, 0
	s.reqMu.Unlock()
}

func (s *Server) record(r *http.Request, body []byte) {
	max := s.cfg.maxRecorded
	if max == 0 {
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	s.reqMu.Lock()
	if max < 0 || len(s.reqs) < max {
		s.reqs = append(s.reqs, req)
	} else {
		s.reqs[s.reqNext] = req
		s.reqNext = (s.reqNext + 1) % max
	}
	s.reqMu.Unlock()
}

// ErrNoSuchUser is returned by the helpers when no user has the e-mail.
var ErrNoSuchUser = errors.New("owuitest: no user with that email")

// UserByEmail reports the current state of the user with that e-mail
// (case-insensitive). Password is left empty; ProfileImageURL is the stored
// value.
func (s *Server) UserByEmail(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return User{}, false
	}
	return u.public(), true
}

// Users reports all users in creation order (Password left empty).
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.st.users))
	for _, u := range s.st.users {
		out = append(out, u.public())
	}
	return out
}

// SetRole changes a user's role, as an admin does in the UI (e.g. to approve
// a pending user). The role is not validated, as in Open WebUI.
func (s *Server) SetRole(email, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return ErrNoSuchUser
	}
	u.role = role
	return nil
}

// DeleteUser removes a user (its JWTs then get 401 with the INVALID_TOKEN
// text and its API key becomes unknown).
func (s *Server) DeleteUser(email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return ErrNoSuchUser
	}
	s.st.deleteUser(u)
	return nil
}

// LinkOAuth links a user to the OAuth identity (provider, sub), as a
// browser OAuth sign-in would. Token exchange then finds the user without
// merge-by-email.
func (s *Server) LinkOAuth(email, provider, sub string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return ErrNoSuchUser
	}
	u.oauth[strings.ToLower(provider)] = sub
	return nil
}

// AddOAuthSession stores an OAuth session for the user, as the web OAuth
// callback or an MCP tool server's OAuth flow would: provider is the name
// DELETE /oauth/sessions/{provider} matches exactly, e.g. "oidc" or
// "mcp:server-1". It returns the session id, which the browser would hold
// in the oauth_session_id cookie.
func (s *Server) AddOAuthSession(email, provider string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return "", ErrNoSuchUser
	}
	id := uuid4()
	u.oauthSessions[id] = provider
	return id, nil
}

// IssueToken mints a JWT for the user, as sign-in would. ttl > 0 sets the
// lifetime, ttl == 0 uses the configured JWT_EXPIRES_IN, and ttl < 0 gives
// a token that expired -ttl ago (handy with WithClock for expiry tests).
func (s *Server) IssueToken(email string, ttl time.Duration) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	if u == nil {
		return "", ErrNoSuchUser
	}
	now := s.cfg.clock()
	if ttl != 0 {
		d := ttl.Seconds()
		return s.mintJWT(u.id, now, &d)
	}
	exp, err := s.st.jwtDelta()
	if err != nil {
		return "", err
	}
	return s.mintJWT(u.id, now, exp)
}

// SetFault makes every following request suffer f (nil clears it).
func (s *Server) SetFault(f Fault) {
	if f == nil {
		s.fault.Store(nil)
		return
	}
	s.fault.Store(&faultBox{f: f})
}
