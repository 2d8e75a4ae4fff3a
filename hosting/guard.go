package hosting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/signinpage"
	"github.com/owui-mcp/owui-mcp/tools"
)

// Handler serves the chosen hosted transport and the health check. Only the
// chosen transport is mounted: the other would be attack surface nobody
// asked for.
type Handler struct {
	mux        *http.ServeMux
	streamable *server.StreamableHTTPServer // nil unless Transport is "http"
	sse        *server.SSEServer            // nil unless Transport is "sse"
	ids        *sessionIDs                  // streamable sessions
	streams    *sseStreams                  // SSE sessions

	loopback          bool
	authToken         []byte // SHA-256 of the endpoint token
	sharedCredential  bool
	requireCredential bool
	origins           map[string]bool // normalised
	hosts             []string
	maxSessions       int
	writeTimeout      time.Duration // per SSE event
	answerTimeout     time.Duration // a streamable HTTP answer, whole
	bodies            bodyBudget
	log               *slog.Logger
}

// New builds the handler for cfg.Transport ("http" or "sse") around srv.
// cfg must have passed Check.
func New(srv *tools.Server, cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.StreamWriteTimeout <= 0 {
		cfg.StreamWriteTimeout = StreamWriteTimeout
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	h := &Handler{
		mux:               http.NewServeMux(),
		loopback:          cfg.loopback(),
		sharedCredential:  cfg.SharedCredential,
		requireCredential: cfg.RequireCredential,
		origins:           map[string]bool{},
		hosts:             cfg.AllowedHosts,
		maxSessions:       cfg.MaxSessions,
		writeTimeout:      cfg.StreamWriteTimeout,
		answerTimeout:     cfg.CallTimeout + cfg.StreamWriteTimeout,
		log:               cfg.Logger,
	}
	if cfg.AuthToken != "" {
		sum := sha256.Sum256([]byte(cfg.AuthToken))
		h.authToken = sum[:]
	}
	for _, o := range cfg.AllowedOrigins {
		if n, err := normalOrigin(o); err == nil {
			h.origins[n] = true
		}
	}
	if pages := srv.Pages(); pages != nil {
		if cfg.PublicURL != "" && len(h.hosts) > 0 {
			// With a list of names, the page's public name is one of them.
			h.hosts = append(slices.Clip(h.hosts), signinpage.PublicHost(cfg.PublicURL))
		}
		h.mux.Handle(signinpage.Path, h.pageGuard(pages.Handler()))
	}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	// mcp-go's own Host check knows only loopback names; with extra names
	// allowed, the guard below (which applies the same rule plus the list)
	// is the check.
	ownHostCheck := len(h.hosts) > 0
	if cfg.Transport == "sse" {
		h.streams = newSSEStreams(cfg.MaxSessions)
		h.sse = server.NewSSEServer(srv.MCP,
			server.WithSessionIDGenerator(h.streams.newID),
			server.WithSSEDisableLocalhostProtection(ownHostCheck),
		)
		h.mux.Handle("/sse", h.guard(http.HandlerFunc(h.serveSSEStream)))
		h.mux.Handle("/message", h.guard(http.HandlerFunc(h.serveSSEMessage)))
		return h
	}
	h.ids = newSessionIDs(cfg.MaxSessions)
	h.streamable = server.NewStreamableHTTPServer(srv.MCP,
		// Ended and unknown session ids get 404 and are not remembered.
		server.WithSessionIdManager(h.ids),
		server.WithSessionIdleTTL(cfg.IdleTTL),
		// Sessions hold each client's sign-in, and MCP 2026-07-28 has none:
		// offering only the earlier revisions makes every client negotiate one
		// that has sessions (mcp-go's own client steps down on its own).
		server.WithStreamableHTTPProtocolVersions(mcp.LegacyProtocolVersions()...),
		server.WithStreamableHTTPLogger(mcpGoLogger(cfg.Logger)),
		server.WithDisableLocalhostProtection(ownHostCheck),
	)
	h.mux.Handle("/mcp", h.guard(http.HandlerFunc(h.serveStreamable)))
	return h
}

// ServeHTTP gives every answer a deadline before anything else: it also
// covers what net/http writes after a handler returns (a small answer
// stays buffered until then), so a client that never reads cannot hold its
// connection. Streams renew it for each event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(h.answerTimeout))
	h.mux.ServeHTTP(w, r)
}

// Sessions is how many MCP sessions are open.
func (h *Handler) Sessions() int {
	if h.ids != nil {
		return h.ids.len()
	}
	return h.streams.len()
}

// closeStreams ends open SSE and streamable GET streams, which would
// otherwise keep http.Server.Shutdown waiting.
func (h *Handler) closeStreams() {
	if h.sse != nil {
		h.streams.closeAll()
		h.sse.CloseSessions()
	}
	if h.streamable != nil {
		h.streamable.CloseSessions(context.Background())
	}
}

// Close ends every open stream and the idle sweeper, for a Handler served
// by something other than Serve (which does this itself on shutdown).
func (h *Handler) Close(ctx context.Context) {
	h.closeStreams()
	h.stop(ctx)
}

// stop ends the streamable transport's idle sweeper.
func (h *Handler) stop(ctx context.Context) {
	if h.streamable != nil {
		_ = h.streamable.Shutdown(ctx)
	}
}

// refuse answers a request the guards turned down, with a body that says
// why and what to do.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	path := r.URL.Path
	if id, ok := strings.CutPrefix(path, signinpage.Path); ok {
		// A page's path is its link, a capability: logs name it by hash.
		path = signinpage.Path + "[link " + signinpage.Tag(id) + "]"
	}
	h.log.LogAttrs(r.Context(), slog.LevelDebug, "request refused", slog.String("method", r.Method),
		slog.String("path", path), slog.Int("status", status))
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="owui-mcp"`)
	}
	http.Error(w, msg, status)
}

// pageGuard applies to the browser sign-in pages: the Host check only. The
// endpoint token and Open WebUI credentials are for MCP clients; a page is
// opened by a person's browser, and its link is its capability.
func (h *Handler) pageGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.hostAllowed(r.Host) {
			h.refuse(w, r, http.StatusForbidden, "forbidden: the Host header "+strconv.Quote(truncate(r.Host, 100))+" is not one this server answers to (DNS-rebinding protection). Open the link exactly as it was given")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guard applies to every MCP request, in order: Host (DNS rebinding),
// Origin (other web pages), CORS preflight, the endpoint token, the
// caller's Open WebUI credential, then for a POST its content type and
// size. The credential it finds goes into the request's context, where the
// tool handlers find it.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.hostAllowed(r.Host) {
			h.refuse(w, r, http.StatusForbidden, "forbidden: the Host header "+strconv.Quote(truncate(r.Host, 100))+" is not one this server answers to (DNS-rebinding protection). Connect by a loopback name, or add the name to OWUI_MCP_ALLOWED_HOSTS")
			return
		}
		origin := r.Header.Get("Origin")
		if origin == "" && crossSite(r) {
			// A page's <img> or <iframe> sends no Origin, but the
			// browser still says where the request comes from.
			h.refuse(w, r, http.StatusForbidden, "forbidden: a request that another web site made your browser send")
			return
		}
		listed, ok := h.originAllowed(origin, r.Host)
		if !ok {
			h.refuse(w, r, http.StatusForbidden, "forbidden: requests from the web page at "+strconv.Quote(truncate(origin, 100))+" are not allowed; only the server's own origin and those in OWUI_MCP_ALLOWED_ORIGINS are")
			return
		}
		if listed {
			setCORS(w.Header(), origin)
		}
		if r.Method == http.MethodOptions {
			preflight(w, listed)
			return
		}
		credHeader, bearerIsCredential, ok := h.authorized(r)
		if !ok {
			h.refuse(w, r, http.StatusUnauthorized, "unauthorized: this server needs its endpoint token (OWUI_MCP_AUTH_TOKEN): send it as Authorization: Bearer <token>, or in the "+TokenHeader+" header (then Authorization may carry your Open WebUI credential)")
			return
		}
		cred, from := credHeader, "the "+CredentialHeader+" header"
		if cred == "" && bearerIsCredential {
			cred, from = bearer(r), "the Authorization header"
		}
		if len(cred) > MaxCredentialBytes {
			h.refuse(w, r, http.StatusRequestHeaderFieldsTooLarge, "the Open WebUI credential in "+strings.TrimPrefix(from, "the ")+" is longer than "+strconv.Itoa(MaxCredentialBytes>>10)+" KiB; real API keys and JWTs are far shorter")
			return
		}
		if cred == "" && h.requireCredential && !h.sharedCredential {
			h.refuse(w, r, http.StatusUnauthorized, h.credentialRequired())
			return
		}
		r = r.WithContext(tools.WithCredential(r.Context(), cred, from))
		if r.Method == http.MethodPost && h.streamable != nil {
			// A call that waits for a browser page answers when the user
			// is done, minutes later: its answer's deadline moves with it.
			rc := http.NewResponseController(w)
			r = r.WithContext(tools.WithLongWait(r.Context(), func(until time.Time) {
				_ = rc.SetWriteDeadline(until.Add(h.answerTimeout))
			}))
		}
		if r.Method == http.MethodPost {
			if !isJSON(r.Header.Get("Content-Type")) {
				h.refuse(w, r, http.StatusUnsupportedMediaType, "unsupported media type: MCP messages are posted as Content-Type: application/json")
				return
			}
			body, held, status := h.readBody(w, r)
			defer h.bodies.give(held)
			if status != 0 {
				msg := "could not read the request body"
				switch status {
				case http.StatusRequestEntityTooLarge:
					msg = "request body larger than 1 MiB"
				case http.StatusServiceUnavailable:
					msg = "service unavailable: the server holds too many request bodies at once; try again shortly"
				}
				h.refuse(w, r, status, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
		}
		next.ServeHTTP(w, r)
	})
}

// bodyBudget counts the bytes of request bodies held at once.
type bodyBudget struct {
	mu   sync.Mutex
	used int64
}

func (b *bodyBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > MaxBodyBytesInFlight {
		return false
	}
	b.used += n
	return true
}

func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// bodyKey carries a POST's body, read once by the guard.
type bodyKey struct{}

func bodyOf(r *http.Request) []byte {
	b, _ := r.Context().Value(bodyKey{}).([]byte)
	return b
}

// readBody reads a POST's body within MaxRequestBody, charging the bytes to
// the budget of bodies in flight as they arrive (not as announced: a slow
// sender holds only what it sent). held is what the caller gives back once
// the request is done.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (body []byte, held int64, status int) {
	if r.Body == nil {
		return nil, 0, 0
	}
	if r.ContentLength > MaxRequestBody {
		return nil, 0, http.StatusRequestEntityTooLarge
	}
	br := &budgetReader{r: http.MaxBytesReader(w, r.Body, MaxRequestBody), b: &h.bodies}
	b, err := io.ReadAll(br)
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errBudget):
		return nil, br.held, http.StatusServiceUnavailable
	case errors.As(err, &mbe):
		return nil, br.held, http.StatusRequestEntityTooLarge
	case err != nil:
		return nil, br.held, http.StatusBadRequest
	}
	return b, br.held, 0
}

var errBudget = errors.New("the budget of request bodies in flight is spent")

// budgetReader charges what it reads to a bodyBudget.
type budgetReader struct {
	r    io.Reader
	b    *bodyBudget
	held int64
}

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	if n > 0 {
		if !br.b.take(int64(n)) {
			return 0, errBudget
		}
		br.held += int64(n)
	}
	return n, err
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// credentialRequired says how to bring a credential, for --require-credential.
func (h *Handler) credentialRequired() string {
	msg := "unauthorized: this server requires every client to bring its own Open WebUI credential. Send your Open WebUI API key or JWT in the " + CredentialHeader + " header"
	if h.authToken == nil {
		msg += " or as Authorization: Bearer <key>"
	} else {
		msg += ", or as Authorization: Bearer <key> with the endpoint token moved to the " + TokenHeader + " header"
	}
	msg += ". From Open WebUI (Admin Settings > External Tools): set Auth to Session, so that each chatting user acts as themselves"
	if h.authToken != nil {
		msg += `, and add the custom header {"` + TokenHeader + `": "<endpoint token>"}`
	}
	return msg + "."
}

// authorized checks the endpoint token. The token may come in its own
// header or as the bearer; when it came in its own header (or none is
// configured) a bearer value is the caller's Open WebUI credential instead,
// which is how Open WebUI's Session auth sends the chatting user's token.
// It returns the X-OWUI-API-Key value and whether the bearer is a
// credential. The endpoint token itself is never a credential, wherever a
// client puts it: it must not reach Open WebUI.
func (h *Handler) authorized(r *http.Request) (credHeader string, bearerIsCredential, ok bool) {
	credHeader = strings.TrimSpace(r.Header.Get(CredentialHeader))
	if h.authToken == nil {
		return credHeader, true, true
	}
	if h.holdsToken(credHeader) {
		credHeader = ""
	}
	if tok := r.Header.Get(TokenHeader); tok != "" {
		if !h.isToken(strings.TrimSpace(tok)) {
			return "", false, false
		}
		return credHeader, !h.holdsToken(bearer(r)), true
	}
	if !h.isToken(bearer(r)) {
		return "", false, false
	}
	return credHeader, false, true
}

// holdsToken reports whether a credential value carries the endpoint token
// in any form a client or proxy may give it: alone, after "Bearer ", or in
// a comma-joined list of repeated headers.
func (h *Handler) holdsToken(v string) bool {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if scheme, rest, ok := strings.Cut(part, " "); ok && strings.EqualFold(scheme, "bearer") {
			part = strings.TrimSpace(rest)
		}
		if h.isToken(part) {
			return true
		}
	}
	return false
}

// isToken compares v with the endpoint token in constant time; comparing
// digests also hides the token's length.
func (h *Handler) isToken(v string) bool {
	sum := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(sum[:], h.authToken) == 1
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// hostAllowed is the DNS-rebinding check: loopback names always, the names
// in OWUI_MCP_ALLOWED_HOSTS, and on a non-loopback bind with no such list,
// any name (nothing then says which names are the server's).
func (h *Handler) hostAllowed(host string) bool {
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	if isLoopbackName(name) {
		return true
	}
	for _, a := range h.hosts {
		if strings.EqualFold(a, name) || strings.EqualFold(a, host) {
			return true
		}
	}
	return !h.loopback && len(h.hosts) == 0
}

// originAllowed accepts a request without Origin (not from a browser), one
// from the server's own origin (scheme://the Host it was sent to) and one
// from OWUI_MCP_ALLOWED_ORIGINS (listed: it then gets CORS headers). Any
// other page, a page on another loopback port included, is refused.
func (h *Handler) originAllowed(origin, host string) (listed, ok bool) {
	if origin == "" {
		return false, true
	}
	n, err := normalOrigin(origin)
	if err != nil {
		return false, false
	}
	if h.origins[n] {
		return true, true
	}
	_, hostPart, _ := strings.Cut(n, "://")
	return false, host != "" && strings.EqualFold(hostPart, host)
}

// crossSite reports whether a browser says another site made the request.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	return false
}

// setCORS lets a listed origin's page read answers, session ids included.
func setCORS(hd http.Header, origin string) {
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Add("Vary", "Origin")
	hd.Set("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate")
}

func preflight(w http.ResponseWriter, listed bool) {
	if listed {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, "+CredentialHeader+", "+TokenHeader)
		w.Header().Set("Access-Control-Max-Age", "600")
	}
	w.Header().Set("Allow", "GET, POST, DELETE, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// serveStreamable bounds the streamable transport's sessions: a new one
// (initialize) only while fewer than the maximum are open, a listening
// stream only for a live session and one at a time, and DELETE only of a
// live session.
func (h *Handler) serveStreamable(w http.ResponseWriter, r *http.Request) {
	sid := r.Header.Get("Mcp-Session-Id")
	switch r.Method {
	case http.MethodPost:
		// mcp-go makes a new session of every initialize, whatever
		// Mcp-Session-Id it carries.
		if isInitialize(bodyOf(r)) {
			if !h.ids.reserve() {
				h.refuse(w, r, http.StatusServiceUnavailable, h.full())
				return
			}
			defer h.ids.release()
		}
	case http.MethodGet:
		if sid == "" {
			h.refuse(w, r, http.StatusBadRequest, "a listening stream (GET) needs the Mcp-Session-Id of a session opened with initialize")
			return
		}
		ctx, stop := context.WithCancel(r.Context())
		defer stop()
		switch h.ids.openStream(sid, stop) {
		case errUnknownSession:
			h.refuse(w, r, http.StatusNotFound, "unknown or ended MCP session; initialize a new one")
			return
		case errStreamOpen:
			h.refuse(w, r, http.StatusConflict, "this MCP session already has a listening stream open; use that one")
			return
		}
		defer h.ids.closeStream(sid)
		r = r.WithContext(ctx)
		// A listening stream lasts; each event it writes has its own
		// deadline, and one not written in time ends the stream.
		w = &streamWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: h.writeTimeout,
			failed: stop, allowOrigin: w.Header().Get("Access-Control-Allow-Origin")}
	case http.MethodDelete:
		if !h.ids.known(sid) {
			h.refuse(w, r, http.StatusNotFound, "unknown or ended MCP session")
			return
		}
	}
	h.streamable.ServeHTTP(w, r)
}

func (h *Handler) full() string {
	return "service unavailable: this server already has " + strconv.Itoa(h.maxSessions) + " MCP sessions open (--max-sessions); try again when some have ended"
}

// isInitialize reports whether body is an initialize request.
func isInitialize(body []byte) bool {
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method == string(mcp.MethodInitialize)
}
