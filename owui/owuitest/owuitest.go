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
// client's handling of hung, slow, broken or hostile servers.
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

	reqMu sync.Mutex // guards reqs
	reqs  []Request

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
	}
}

// WithUsers seeds user accounts, created in the given order (the first one
// is the "earliest created" user that GET /auths/admin/details reports).
// Seeding does not switch signup off.
func WithUsers(users ...User) Option {
	return func(c *config) { c.users = append(c.users, users...) }
}

// WithAPIKeys sets the config switch auth.enable_api_keys (ENABLE_API_KEYS).
// The default is false, as in the real server since v0.6.37 (true for
// emulated versions before 0.6.37).
func WithAPIKeys(enabled bool) Option {
	return func(c *config) { c.apiKeys = &enabled }
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
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery, Header: r.Header.Clone(), Body: append([]byte(nil), r.Body...)}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	s.reqs = nil
	s.reqMu.Unlock()
}

func (s *Server) record(r *http.Request, body []byte) {
	max := s.cfg.maxRecorded
	if max == 0 {
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	s.reqMu.Lock()
	s.reqs = append(s.reqs, req)
	if max > 0 && len(s.reqs) > max {
		n := copy(s.reqs, s.reqs[len(s.reqs)-max:])
		clear(s.reqs[n:])
		s.reqs = s.reqs[:n]
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
