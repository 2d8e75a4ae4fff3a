// Package hosting serves owui-mcp's MCP server to many clients over HTTP:
// streamable HTTP at /mcp, or the legacy SSE transport at /sse + /message.
// Every request passes the same guards first (Host and Origin, the endpoint
// token, the caller's own Open WebUI credential, content type and size), and
// every per-client resource has a bound: sessions, credentials, calls and
// answers waiting on a stream.
package hosting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/tools"
)

// Bounds of what one request or client may make the server hold.
const (
	// MaxRequestBody bounds a request body; MCP messages for these tools
	// are a few KiB, and mcp-go reads bodies whole.
	MaxRequestBody = 1 << 20
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
	// MaxCredentialBytes bounds an Open WebUI credential sent in a header:
	// real API keys and JWTs are far below it.
	MaxCredentialBytes = 8 << 10
	// DefaultMaxSessions is the default --max-sessions. A streamable
	// session with its full set of 8 KiB credentials costs about 60 KiB
	// (measured), an SSE session about 35 KiB plus a file descriptor and its
	// waiting answers: 5,000 of either stay well under 1 GiB.
	DefaultMaxSessions = 5000
	// MaxBodyBytesInFlight bounds the request bodies held at once, all
	// clients together; past it, requests get 503.
	MaxBodyBytesInFlight = 64 << 20
	// MaxPendingPerStream bounds the requests an SSE session may have
	// waiting for their answers: posting is answered 202 at once, and the
	// answers queue in memory until the client reads its stream.
	MaxPendingPerStream = 2 * tools.DefaultMaxCallsPerSession
	// MaxPendingTotal bounds the answers waiting on all SSE streams
	// together, whatever the number of sessions, beyond each session's
	// first freePendingPerStream answers to requests of up to
	// freePendingBytes.
	MaxPendingTotal = 1024
	// MaxPendingBytesPerStream and MaxPendingBytesTotal bound the request
	// bodies those waiting answers hold (mcp-go keeps each until its call
	// is done), per session and all together.
	MaxPendingBytesPerStream = 4 << 20
	MaxPendingBytesTotal     = 64 << 20
	freePendingPerStream     = 2
	freePendingBytes         = 16 << 10
	// MaxIDBytes bounds a JSON-RPC id posted to an SSE session: the id
	// comes back in the answer that waits for the client.
	MaxIDBytes = 256
	// StreamWriteTimeout ends an SSE session whose client stopped reading:
	// one event that cannot be written within it means the stream does
	// not drain.
	StreamWriteTimeout = 30 * time.Second
)

// Header names of owui-mcp's own.
const (
	// CredentialHeader carries a client's own Open WebUI API key or JWT.
	CredentialHeader = "X-OWUI-API-Key"
	// TokenHeader carries the endpoint token (OWUI_MCP_AUTH_TOKEN), so that
	// Authorization stays free for the caller's Open WebUI credential, as
	// Open WebUI's Session auth sends it.
	TokenHeader = "X-OWUI-MCP-Token"
)

// Config is what the hosted transports need.
type Config struct {
	Transport string // "http" or "sse"
	Addr      string // listen address, HOST:PORT
	// AuthToken, if set, is required of every request (OWUI_MCP_AUTH_TOKEN).
	AuthToken string
	// SharedCredential says OWUI_API_KEY is set: every session starts with it.
	SharedCredential bool
	// RequireCredential refuses requests that bring no Open WebUI credential
	// of their own (unless SharedCredential provides one).
	RequireCredential bool
	// AllowedOrigins are browser origins accepted besides the server's own.
	AllowedOrigins []string
	// AllowedHosts are Host names accepted besides loopback names.
	AllowedHosts []string
	// MaxSessions bounds open MCP sessions; 0 means DefaultMaxSessions.
	MaxSessions int
	// MaxConns bounds open connections; 0 means two per session and 256
	// more (a session's listening stream and a request in flight).
	MaxConns int
	// IdleTTL ends a streamable HTTP session after this much idle time.
	IdleTTL time.Duration
	// CallTimeout is the tools' call timeout: a streamable HTTP answer
	// must be written within it and StreamWriteTimeout.
	CallTimeout time.Duration
	// StreamWriteTimeout overrides the default StreamWriteTimeout.
	StreamWriteTimeout time.Duration
	// PublicURL is where users' browsers reach this server, for links to
	// the browser sign-in page (OWUI_MCP_PUBLIC_URL); its host is accepted
	// like AllowedHosts. Unset on a loopback bind, links use the bound
	// address.
	PublicURL string
	// Pages says browser sign-in pages are served (for Warnings).
	Pages bool
	// Grace bounds the whole graceful shutdown.
	Grace  time.Duration
	Logger *slog.Logger
}

func (c *Config) loopback() bool { return isLoopbackAddr(c.Addr) }

// Check refuses settings that would expose a shared credential or that
// cannot be read, before anything listens.
func (c *Config) Check() error {
	if c.SharedCredential && c.AuthToken == "" && !c.loopback() {
		return fmt.Errorf("refusing to serve %s on %s with OWUI_API_KEY set and no OWUI_MCP_AUTH_TOKEN: every client that can reach this address would act as the key's owner. Set OWUI_MCP_AUTH_TOKEN, or drop OWUI_API_KEY and let each client send its own key in %s, or bind to 127.0.0.1", c.Transport, c.Addr, CredentialHeader)
	}
	if c.MaxSessions < 0 {
		return fmt.Errorf("--max-sessions %d: want a positive number", c.MaxSessions)
	}
	if c.AuthToken != "" && len(c.AuthToken) < 16 {
		return errors.New("OWUI_MCP_AUTH_TOKEN is shorter than 16 characters, which can be guessed: use a random one, e.g. openssl rand -hex 32")
	}
	for _, o := range c.AllowedOrigins {
		if _, err := normalOrigin(o); err != nil {
			return fmt.Errorf("OWUI_MCP_ALLOWED_ORIGINS: %v", err)
		}
	}
	for _, h := range c.AllowedHosts {
		if strings.ContainsAny(h, "/@?#* ") || h == "" {
			return fmt.Errorf("OWUI_MCP_ALLOWED_HOSTS: %q is not a host name (give names such as host.docker.internal or mcp.example.com[:443], without a scheme or path)", h)
		}
	}
	return nil
}

// Warnings are what an operator should hear loudly at start-up about
// settings that are allowed but risky.
func (c *Config) Warnings() []string {
	var w []string
	if !c.loopback() && c.AuthToken == "" {
		w = append(w, fmt.Sprintf("serving on %s, which is not a loopback address, WITHOUT an endpoint token: anyone who can reach it can use this server and, with a credential of their own or a sign-in, act on Open WebUI through it. Set OWUI_MCP_AUTH_TOKEN (clients send it as Authorization: Bearer or %s)", c.Addr, TokenHeader))
	}
	if !c.loopback() && len(c.AllowedHosts) == 0 {
		w = append(w, fmt.Sprintf("serving on %s with no OWUI_MCP_ALLOWED_HOSTS: any Host header is accepted, so a web page can reach this server by DNS rebinding. Set OWUI_MCP_ALLOWED_HOSTS to the names clients use for it", c.Addr))
	}
	if c.Pages && !c.loopback() && c.PublicURL == "" {
		w = append(w, fmt.Sprintf("serving on %s with no OWUI_MCP_PUBLIC_URL: sign-in and update_password calls cannot offer the browser page, so passwords would have to be typed into the chat. Set OWUI_MCP_PUBLIC_URL to the https address browsers reach this server at", c.Addr))
	}
	return w
}

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackName(host)
}

// isLoopbackName reports whether a Host name (without port) is a loopback
// name; names are compared case-insensitively.
func isLoopbackName(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalOrigin returns an origin as browsers send it, lower-cased:
// scheme://host[:port].
func normalOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin (want scheme://host[:port], e.g. http://localhost:6274)", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// Serve listens on cfg.Addr and serves until ctx ends, then shuts down
// gracefully within cfg.Grace: calls in flight finish, then streams and
// connections close. listening, if not nil, is told the bound address.
func Serve(ctx context.Context, srv *tools.Server, cfg Config, listening func(string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if listening != nil {
		listening(ln.Addr().String())
	}
	h := New(srv, cfg)
	if pages := srv.Pages(); pages != nil && cfg.PublicURL == "" && cfg.loopback() {
		if err := pages.SetBase("http://" + ln.Addr().String()); err != nil {
			_ = ln.Close()
			return err
		}
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 2*h.maxSessions + 256
	}
	conns := limitConns(ln, cfg.MaxConns)
	log := h.log
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         conns.track,
		// No WriteTimeout: SSE and streamable HTTP streams stay open; an
		// SSE stream has a deadline per event instead.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(h.closeStreams)
	hs.RegisterOnShutdown(conns.closeFresh)
	endpoint := "/mcp"
	if cfg.Transport == "sse" {
		endpoint = "/sse"
	}
	log.Info("owui-mcp serving", "transport", cfg.Transport, "url", "http://"+ln.Addr().String()+endpoint,
		"auth_token", cfg.AuthToken != "", "require_credential", cfg.RequireCredential, "max_sessions", h.maxSessions)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(conns) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("owui-mcp stopping: finishing calls in flight", "grace", cfg.Grace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Grace)
	defer cancel()
	if err := srv.Drain(sctx); err != nil {
		log.Warn("calls still in flight after the shutdown grace period were abandoned", "grace", cfg.Grace)
	} else if h.streams != nil {
		// An SSE call's answer is written by its stream after the call
		// returns; ending the streams at once would lose the answers of
		// the calls just drained.
		h.streams.settle(sctx, settleTime)
	}
	h.stop(sctx)
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
