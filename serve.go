package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/tools"
)

// checkHosting refuses configurations that would expose a shared credential.
func checkHosting(cfg *config) error {
	if cfg.transport == "stdio" || cfg.apiKey == "" || cfg.authToken != "" || isLoopbackAddr(cfg.addr) {
		return nil
	}
	return fmt.Errorf("refusing to serve %s on %s with OWUI_API_KEY set and no OWUI_MCP_AUTH_TOKEN: every client that can reach this address would act as the key's owner. Set OWUI_MCP_AUTH_TOKEN, or drop OWUI_API_KEY and let each client send its own key in X-OWUI-API-Key, or bind to 127.0.0.1", cfg.transport, cfg.addr)
}

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackHost(host)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listening reports the bound address; tests replace it to learn the port.
var listening = func(string) {}

// serveHTTP serves streamable HTTP at /mcp and SSE at /sse + /message on one
// listener until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, srv *tools.Server, cfg *config, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	listening(ln.Addr().String())
	h := newHTTPHandler(srv, cfg, log)
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: SSE and streamable HTTP streams stay open.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(h.closeStreams)
	endpoint := "/mcp"
	if cfg.transport == "sse" {
		endpoint = "/sse"
	}
	log.Info("owui-mcp serving", "transport", cfg.transport, "url", "http://"+ln.Addr().String()+endpoint,
		"auth_token", cfg.authToken != "")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("owui-mcp stopping: finishing calls in flight", "grace", cfg.grace)
	// One deadline for the whole shutdown: calls in flight, then streams
	// and connections.
	sctx, cancel := context.WithTimeout(context.Background(), cfg.grace)
	defer cancel()
	if err := srv.Drain(sctx); err != nil {
		log.Warn("calls still in flight after the shutdown grace period were abandoned", "grace", cfg.grace)
	}
	h.stop(sctx)
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// printCatalogue is the "tools" command.
func printCatalogue(stdout, stderr io.Writer, ts []*tools.Tool, asJSON bool) int {
	if !asJSON {
		fmt.Fprint(stdout, tools.Markdown(ts))
		return 0
	}
	list := make([]mcp.Tool, len(ts))
	for i, t := range ts {
		list[i] = t.MCP
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"tools": list}); err != nil {
		fmt.Fprintln(stderr, "owui-mcp:", err)
		return 1
	}
	return 0
}
