package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/tools"
)

// maxRequestBody bounds a hosted request; MCP messages for these tools are a
// few KiB, and mcp-go reads bodies whole.
const maxRequestBody = 1 << 20

// credentialHeader carries a hosted client's own Open WebUI API key or JWT.
const credentialHeader = "X-OWUI-API-Key"

// httpHandler serves the chosen hosted transport and the health check,
// behind the guards every MCP endpoint shares. Only the chosen transport is
// mounted: the other would be attack surface nobody asked for.
type httpHandler struct {
	mux        *http.ServeMux
	streamable *server.StreamableHTTPServer // nil unless --transport http
	sse        *server.SSEServer            // nil unless --transport sse
	loopback   bool
	authToken  []byte
	origins    []string
}

func newHTTPHandler(srv *tools.Server, cfg *config, log *slog.Logger) *httpHandler {
	h := &httpHandler{
		mux:      http.NewServeMux(),
		loopback: isLoopbackAddr(cfg.addr),
		origins:  cfg.origins,
	}
	if cfg.authToken != "" {
		h.authToken = []byte(cfg.authToken)
	}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	if cfg.transport == "sse" {
		h.sse = server.NewSSEServer(srv.MCP, server.WithSSEContextFunc(h.credential))
		h.mux.Handle("/sse", h.guard(h.sse.SSEHandler()))
		h.mux.Handle("/message", h.guard(h.sse.MessageHandler()))
		return h
	}
	h.streamable = server.NewStreamableHTTPServer(srv.MCP,
		server.WithStateful(true), // unknown or ended session ids get 404, not a fresh session
		server.WithSessionIdleTTL(cfg.idle),
		// Sessions hold each client's sign-in, and MCP 2026-07-28 has none:
		// offering only the earlier revisions makes every client negotiate one
		// that has sessions (mcp-go's own client steps down on its own).
		server.WithStreamableHTTPProtocolVersions(mcp.LegacyProtocolVersions()...),
		server.WithHTTPContextFunc(h.credential),
		server.WithStreamableHTTPLogger(newMCPGoLogger(log)),
	)
	h.mux.Handle("/mcp", h.guard(h.streamable))
	return h
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// closeStreams ends open SSE and streamable GET streams, which would
// otherwise keep http.Server.Shutdown waiting.
func (h *httpHandler) closeStreams() {
	if h.sse != nil {
		h.sse.CloseSessions()
	}
	if h.streamable != nil {
		h.streamable.CloseSessions(context.Background())
	}
}

// stop ends the streamable transport's idle sweeper.
func (h *httpHandler) stop(ctx context.Context) {
	if h.streamable != nil {
		_ = h.streamable.Shutdown(ctx)
	}
}

// credential brings a client's own Open WebUI credential into the tool
// handlers: X-OWUI-API-Key, or the bearer token when that is not already the
// endpoint's own token.
func (h *httpHandler) credential(ctx context.Context, r *http.Request) context.Context {
	cred := strings.TrimSpace(r.Header.Get(credentialHeader))
	if cred == "" && h.authToken == nil {
		cred = bearer(r)
	}
	return tools.WithCredential(ctx, cred)
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// guard applies, in order: the DNS-rebinding check, the endpoint token and
// the body bound.
func (h *httpHandler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.originAllowed(r) {
			http.Error(w, "forbidden: Origin or Host is not allowed for this server (DNS-rebinding protection); set OWUI_MCP_ALLOWED_ORIGINS to allow an origin", http.StatusForbidden)
			return
		}
		if h.authToken != nil && subtle.ConstantTimeCompare([]byte(bearer(r)), h.authToken) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="owui-mcp"`)
			http.Error(w, "unauthorized: send Authorization: Bearer <OWUI_MCP_AUTH_TOKEN>", http.StatusUnauthorized)
			return
		}
		if r.Body != nil && r.Method == http.MethodPost {
			if r.ContentLength > maxRequestBody {
				tooLarge(w)
				return
			}
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				tooLarge(w)
				return
			case err != nil:
				http.Error(w, "could not read the request body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	http.Error(w, "request body larger than 1 MiB", http.StatusRequestEntityTooLarge)
}

// originAllowed implements the MCP spec's Origin validation. On a loopback
// bind both Origin and Host must be loopback names, so a web page elsewhere
// cannot reach the server through DNS rebinding; on other binds a browser
// Origin must match the Host it talks to. OWUI_MCP_ALLOWED_ORIGINS adds
// exceptions.
func (h *httpHandler) originAllowed(r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" && !slices.Contains(h.origins, origin) {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" {
			return false
		}
		if h.loopback && !isLoopbackHost(u.Hostname()) {
			return false
		}
		if !h.loopback && !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	if h.loopback {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		if !isLoopbackHost(strings.Trim(host, "[]")) {
			return false
		}
	}
	return true
}
