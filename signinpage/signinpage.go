// Package signinpage holds pending browser sign-ins: one-time links to a
// small form on which a user types a password that goes from there to Open
// WebUI, never through an MCP client, its model or its transcripts.
//
// A Store creates links for MCP sessions and serves their page. Each link
// belongs to one MCP session, works once, and expires; what a submitted
// form does is the Request's Complete func, so this package knows nothing
// of Open WebUI or MCP.
package signinpage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// Kind is what a page asks for.
type Kind int

const (
	// Signin asks for an email and a password.
	Signin Kind = iota
	// SigninLDAP asks for an LDAP user name and a password.
	SigninLDAP
	// Password asks for the current and a new password.
	Password
)

// Fields is what the user typed.
type Fields struct {
	Login       string // email, or LDAP user name
	Password    string // password, or the current password
	NewPassword string // Password pages only
}

// Request describes a link to create.
type Request struct {
	Session string // the MCP session the link belongs to
	Kind    Kind
	Login   string // email or user name to prefill; may be empty
	// Complete does what the page is for with what the user typed. Its
	// error text is shown on the form, so it must say what went wrong in
	// the user's terms and never carry a secret. It returns the line the
	// page shows when it is done.
	Complete func(ctx context.Context, f Fields) (done string, err error)
}

// Why a link stopped working, as Wait reports it.
var (
	ErrExpired   = errors.New("the link expired before the page was completed")
	ErrEnded     = errors.New("the MCP session that asked for the link ended")
	ErrReplaced  = errors.New("a newer link of the same MCP session replaced it")
	ErrTooMany   = errors.New("too many failed tries on the page")
	ErrCancelled = errors.New("the link was withdrawn")
	ErrNoAddress = errors.New("no address to build a link with")
	ErrFull      = errors.New("too many links are open; try again in a few minutes")
	ErrLogin     = fmt.Errorf("the email or user name to prefill is longer than %d bytes", MaxLoginBytes)
)

// Defaults of Config's bounds.
const (
	DefaultTTL           = 10 * time.Minute
	DefaultMaxPerSession = 4
	DefaultMaxLinks      = 4096
	DefaultMaxTries      = 5
	// MaxFormBytes bounds a submitted form: three short fields and two
	// tokens need far less.
	MaxFormBytes = 16 << 10
	// MaxLoginBytes bounds the email or user name a link prefills: every
	// link keeps it until one TTL after its expiry, so without a bound a
	// few thousand links of megabyte-long "emails" hold gigabytes. Email
	// addresses stop at 254 bytes.
	MaxLoginBytes = 1 << 10
	// Path is where pages are served: Path + link id.
	Path = "/page/"
	// localMaxConns bounds the connections the stdio listener serves at once.
	localMaxConns = 32
)

// Config configures a Store.
type Config struct {
	TTL time.Duration // link lifetime; 0 means DefaultTTL
	// Server names the Open WebUI server on the page.
	Server string
	// Local serves pages on a listener of its own, on 127.0.0.1 with an
	// ephemeral port, started at the first link and stopped by Close: for
	// stdio, where there is no HTTP server to share.
	Local bool
	// PublicURL is the address at which users' browsers reach the HTTP
	// server that mounts Handler; links are PublicURL + Path + id. It
	// must be https unless its host is loopback. Without it, and not
	// Local, SetBase must be called before links can be made.
	PublicURL string

	MaxPerSession int // pending and used links kept per MCP session
	MaxLinks      int // links kept in all
	MaxTries      int // failed submissions before a link stops working
	Logger        *slog.Logger
}

// Store holds the links and serves their page.
type Store struct {
	cfg Config
	now func() time.Time
	log *slog.Logger

	mu        sync.Mutex
	links     map[string]*Link // by id
	base      string           // links are base + Path + id
	origin    string           // the origin of base: what a form post must come from
	local     *http.Server     // Local only, once started
	localHost string           // Local only: the listener's host:port
	closed    bool
	lastSweep time.Time
}

// New makes a Store. A PublicURL that cannot be used is an error, so a
// typo stops start-up instead of printing links nobody can open.
func New(cfg Config) (*Store, error) {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxPerSession <= 0 {
		cfg.MaxPerSession = DefaultMaxPerSession
	}
	if cfg.MaxLinks <= 0 {
		cfg.MaxLinks = DefaultMaxLinks
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = DefaultMaxTries
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	st := &Store{cfg: cfg, now: time.Now, log: cfg.Logger, links: map[string]*Link{}}
	if cfg.PublicURL != "" {
		if err := st.SetBase(cfg.PublicURL); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// TTL is how long a link works.
func (st *Store) TTL() time.Duration { return st.cfg.TTL }

// SetBase sets the address links are built on (see Config.PublicURL).
func (st *Store) SetBase(raw string) error {
	base, origin, err := CheckPublicURL(raw)
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.base, st.origin = base, origin
	st.mu.Unlock()
	return nil
}

// HasBase reports whether links can be made.
func (st *Store) HasBase() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.base != "" || st.cfg.Local
}

// CheckPublicURL reads a public URL: an absolute http(s) URL without
// credentials, query or fragment, https unless its host is loopback (the
// page carries a password). It returns the URL without a trailing slash
// and its origin.
func CheckPublicURL(raw string) (base, origin string, err error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", fmt.Errorf("public URL %q: want an absolute http(s) URL such as https://mcp.example.com", safeURL(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("public URL %q: give only scheme, host, port and path (no user, query or fragment)", safeURL(raw))
	}
	if u.Scheme != "https" && !loopbackHost(u.Hostname()) {
		return "", "", fmt.Errorf("public URL %q: the sign-in page carries passwords, so it must be https unless the host is loopback", safeURL(raw))
	}
	origin = u.Scheme + "://" + strings.ToLower(u.Host)
	return origin + strings.TrimRight(u.EscapedPath(), "/"), origin, nil
}

// PublicHost is the host:port (or host) of a public URL that passed
// CheckPublicURL, for Host checks.
func PublicHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// safeURL is raw without what could be a credential (userinfo, query,
// fragment), for error messages. Userinfo goes first: a password may hold
// '?', '#' or '/', so everything up to the last '@' goes, and all of it
// when a '?' or '#' comes before that '@'.
func safeURL(raw string) string {
	scheme, rest, found := strings.Cut(raw, "://")
	if !found {
		scheme, rest = "", raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if q := strings.IndexAny(rest, "?#"); q >= 0 && q < at {
			// The '@' may be in userinfo or in a query: show neither.
			rest = "…"
		} else {
			rest = "…" + rest[at:]
		}
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i] + "…"
	}
	if !found {
		return rest
	}
	return scheme + "://" + rest
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Link is one pending page.
type Link struct {
	URL     string
	Expires time.Time

	id    string
	token string // the form token: a post must carry it
	tag   string // for logs: a hash of id
	req   Request
	st    *Store

	// guarded by st.mu
	state int
	err   error // why it stopped, once it has
	// why it was asked to stop while a submission was in flight: that
	// submission decides (see stopLocked)
	stopWhy error
	tries   int
	done    chan struct{}
}

const (
	pending = iota
	busy    // a submission is being completed
	used
	stopped // expired, ended, replaced, cancelled or tried too often
)

// Create makes a link for req, bound to req.Session.
func (st *Store) Create(req Request) (*Link, error) {
	if req.Session == "" || req.Complete == nil {
		return nil, errors.New("signinpage: a link needs a session and a Complete func")
	}
	if len(req.Login) > MaxLoginBytes {
		return nil, ErrLogin
	}
	base, err := st.baseURL()
	if err != nil {
		return nil, err
	}
	now := st.now()
	l := &Link{id: randomToken(), token: randomToken(), req: req, st: st,
		Expires: now.Add(st.cfg.TTL), done: make(chan struct{})}
	l.URL = base + Path + l.id
	l.tag = Tag(l.id)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return nil, ErrEnded
	}
	st.sweepLocked(now, true)
	if len(st.links) >= st.cfg.MaxLinks {
		// Used and stopped links are kept only so that their page can say
		// why they no longer work: under pressure they make room, or
		// sessions that ended (or asked again and again) would lock every
		// other session out of the page for two TTLs.
		for id, o := range st.links {
			if o.state == used || o.state == stopped {
				delete(st.links, id)
			}
		}
	}
	if len(st.links) >= st.cfg.MaxLinks {
		return nil, ErrFull
	}
	// A session's oldest link makes room for its newest: an agent that
	// asks again has moved on from the earlier one.
	var mine []*Link
	for _, o := range st.links {
		if o.req.Session == req.Session {
			mine = append(mine, o)
		}
	}
	for len(mine) >= st.cfg.MaxPerSession {
		oldest := 0
		for i, o := range mine {
			if o.Expires.Before(mine[oldest].Expires) {
				oldest = i
			}
		}
		o := mine[oldest]
		o.stopLocked(ErrReplaced)
		delete(st.links, o.id)
		mine = append(mine[:oldest], mine[oldest+1:]...)
	}
	st.links[l.id] = l
	st.log.Debug("sign-in link created", "link", l.tag, "kind", int(req.Kind), "expires_in", st.cfg.TTL)
	return l, nil
}

func (st *Store) baseURL() (string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return "", ErrEnded
	}
	if st.base != "" {
		return st.base, nil
	}
	if !st.cfg.Local {
		return "", ErrNoAddress
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("start the sign-in page listener: %w", err)
	}
	st.localHost = ln.Addr().String()
	st.base = "http://" + st.localHost
	st.origin = st.base
	st.local = &http.Server{
		Handler:           st.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(st.log.Handler(), slog.LevelDebug),
	}
	go func(srv *http.Server) { _ = srv.Serve(netutil.LimitListener(ln, localMaxConns)) }(st.local)
	st.log.Info("sign-in page listening", "addr", st.localHost)
	return st.base, nil
}

// LocalAddr is the stdio listener's address, "" until the first link.
func (st *Store) LocalAddr() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.localHost
}

// Wait blocks until the page is completed (nil), the link stops working
// (why), or ctx ends (its error; the link then stops working too, since
// nobody is left to report it to). A submission in flight at the expiry
// is waited for: what it did to Open WebUI cannot be undone, so Wait
// reports it (Complete is bounded, so this is too).
func (l *Link) Wait(ctx context.Context) error {
	t := time.NewTimer(time.Until(l.Expires))
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
		l.stop(ErrExpired)
		select {
		case <-l.done:
		case <-ctx.Done():
			l.stop(ErrCancelled)
			return ctx.Err()
		}
	case <-ctx.Done():
		l.stop(ErrCancelled)
		return ctx.Err()
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	return l.err
}

// Done is closed when the link is completed or stops working.
func (l *Link) Done() <-chan struct{} { return l.done }

// Cancel withdraws the link: the page then says it no longer works.
func (l *Link) Cancel() { l.stop(ErrCancelled) }

func (l *Link) stop(why error) {
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	l.stopLocked(why)
}

// stopLocked stops a pending link. A busy one (a submission in flight)
// only remembers why: Complete may already have signed in or changed the
// password at Open WebUI, which cannot be undone, so the submission
// decides. If it succeeds the link is used and the page and Wait say so;
// if it fails the link stops for this reason.
func (l *Link) stopLocked(why error) {
	switch l.state {
	case used, stopped:
		return
	case busy:
		if l.stopWhy == nil {
			l.stopWhy = why
		}
		return
	}
	l.state, l.err = stopped, why
	close(l.done)
}

// DropSession stops every link of an MCP session that ended.
func (st *Store) DropSession(session string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, l := range st.links {
		if l.req.Session == session {
			l.stopLocked(ErrEnded)
		}
	}
}

// Withdraw stops every link and refuses new ones, for a server that is
// shutting down: calls waiting for a page answer at once instead of
// holding the shutdown for its grace period. Pages keep answering (saying
// so), and a submission in flight still finishes, until Close.
func (st *Store) Withdraw() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	for _, l := range st.links {
		l.stopLocked(ErrEnded)
	}
}

// Close stops every link and the stdio listener.
func (st *Store) Close() {
	st.Withdraw()
	st.mu.Lock()
	local := st.local
	st.mu.Unlock()
	if local != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if local.Shutdown(ctx) != nil {
			_ = local.Close()
		}
	}
}

// Len is how many links are kept (pending, and used or stopped ones until
// they would have expired, so that their page can say why they no longer
// work).
func (st *Store) Len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.links)
}

// sweepLocked stops links past their expiry, and forgets them one TTL
// later (until then their page says they expired rather than that they are
// unknown). It runs at most once a second unless force.
func (st *Store) sweepLocked(now time.Time, force bool) {
	if !force && now.Sub(st.lastSweep) < time.Second {
		return
	}
	st.lastSweep = now
	for id, l := range st.links {
		if now.After(l.Expires) {
			l.stopLocked(ErrExpired)
		}
		if now.After(l.Expires.Add(st.cfg.TTL)) {
			delete(st.links, id)
		}
	}
}

// Tag names a link in logs without revealing it: its id is a capability.
func Tag(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}

// randomToken is 192 random bits, URL-safe.
func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func equalTokens(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
