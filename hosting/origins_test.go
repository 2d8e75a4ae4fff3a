package hosting_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// bareHandler is a Handler for cfg, served without a listener: requests
// handed to it carry no local address, so mcp-go's own DNS-rebinding check
// (which looks at the connection's local address) never applies and only
// owui-mcp's guard decides.
func bareHandler(t *testing.T, cfg hosting.Config) *hosting.Handler {
	t.Helper()
	c, err := owui.New("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	h := hosting.New(tools.NewServer(tools.Config{Client: c, Version: "test", Hosted: true}), cfg)
	t.Cleanup(func() { h.Close(t.Context()) })
	return h
}

// bareInitialize posts an initialize to h with the given Host and headers.
func bareInitialize(h http.Handler, path, host string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(initBody))
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

const ownHostRefusal = "DNS-rebinding protection"

// TestOwnHostCheck: owui-mcp's Host check holds on its own, without
// mcp-go's, which only covers loopback binds without allowed names.
func TestOwnHostCheck(t *testing.T) {
	cases := []struct {
		name  string
		cfg   hosting.Config
		host  string
		allow bool
	}{
		{"loopback bind, foreign name", hosting.Config{Addr: "127.0.0.1:8765"}, "evil.example:8765", false},
		{"loopback bind, foreign name without port", hosting.Config{Addr: "127.0.0.1:8765"}, "evil.example", false},
		{"loopback bind, IP of another host", hosting.Config{Addr: "127.0.0.1:8765"}, "192.0.2.1:8765", false},
		{"loopback bind, localhost", hosting.Config{Addr: "127.0.0.1:8765"}, "localhost:8765", true},
		{"loopback bind, LOCALHOST", hosting.Config{Addr: "127.0.0.1:8765"}, "LOCALHOST:8765", true},
		{"loopback bind, 127.0.0.2", hosting.Config{Addr: "127.0.0.1:8765"}, "127.0.0.2:8765", true},
		{"loopback bind, [::1]", hosting.Config{Addr: "[::1]:8765"}, "[::1]:8765", true},
		{"localhost bind, foreign name", hosting.Config{Addr: "localhost:8765"}, "evil.example", false},
		{"loopback bind with a list, listed", hosting.Config{Addr: "127.0.0.1:8765", AllowedHosts: []string{"mcp.example.com"}}, "MCP.example.com:8765", true},
		{"loopback bind with a list, unlisted", hosting.Config{Addr: "127.0.0.1:8765", AllowedHosts: []string{"mcp.example.com"}}, "evil.example:8765", false},
		{"other bind with a list, unlisted", hosting.Config{Addr: "0.0.0.0:8765", AllowedHosts: []string{"mcp.example.com"}}, "evil.example", false},
		{"other bind with a list, listed host:port", hosting.Config{Addr: "0.0.0.0:8765", AllowedHosts: []string{"mcp.example.com:443"}}, "mcp.example.com:443", true},
		{"other bind with a list, listed host on another port", hosting.Config{Addr: "0.0.0.0:8765", AllowedHosts: []string{"mcp.example.com:443"}}, "mcp.example.com:444", false},
		{"other bind with a list, loopback name", hosting.Config{Addr: "0.0.0.0:8765", AllowedHosts: []string{"mcp.example.com"}}, "localhost:8765", true},
		// Nothing says which names are the server's: any is taken (start-up warns).
		{"other bind without a list", hosting.Config{Addr: "0.0.0.0:8765"}, "anything.example", true},
	}
	for _, tr := range []string{"http", "sse"} {
		for _, tc := range cases {
			cfg := tc.cfg
			cfg.Transport = tr
			h := bareHandler(t, cfg)
			path := "/mcp"
			if tr == "sse" {
				path = "/message?sessionId=unknown"
			}
			w := bareInitialize(h, path, tc.host, nil)
			refused := w.Code == http.StatusForbidden && strings.Contains(w.Body.String(), ownHostRefusal)
			if refused == tc.allow {
				t.Errorf("%s %s (Host %s): %d %q", tr, tc.name, tc.host, w.Code, w.Body.String())
			}
		}
	}
}

// TestOwnHostCheckAnswersFirst: on a real loopback listener, where mcp-go
// would refuse a foreign Host too, the refusal is owui-mcp's own, whose text
// says what to do.
func TestOwnHostCheckAnswersFirst(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		tg := serve(t, func(s *setup) { s.cfg.Transport = tr })
		path := "/mcp"
		if tr == "sse" {
			path = "/sse"
		}
		resp, body := send(t, http.MethodGet, tg.base+path, "", map[string]string{"Host": "evil.example"})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "OWUI_MCP_ALLOWED_HOSTS") {
			t.Errorf("%s: %d %q", tr, resp.StatusCode, body)
		}
	}
}

// TestAllowedOrigins: origins listed in OWUI_MCP_ALLOWED_ORIGINS (compared
// as browsers send them, in any case) are accepted and get CORS headers,
// preflights included; the server's own origin is accepted without them;
// any other page is refused, on both transports.
func TestAllowedOrigins(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		h := bareHandler(t, hosting.Config{Transport: tr, Addr: "127.0.0.1:8765",
			AllowedOrigins: []string{"http://localhost:6274", "HTTPS://App.Example/"}})
		path := "/mcp"
		if tr == "sse" {
			path = "/message?sessionId=unknown"
		}
		cases := []struct {
			origin string
			ok     bool
			cors   bool
		}{
			{"http://localhost:6274", true, true},
			{"https://app.example", true, true},
			{"https://APP.example", true, true},
			{"http://127.0.0.1:8765", true, false}, // the server's own
			{"http://localhost:3000", false, false},
			{"http://app.example", false, false}, // another scheme
			{"https://app.example:8443", false, false},
			{"null", false, false},
		}
		for _, tc := range cases {
			w := bareInitialize(h, path, "127.0.0.1:8765", map[string]string{"Origin": tc.origin})
			if ok := w.Code != http.StatusForbidden; ok != tc.ok {
				t.Errorf("%s %s: %d %q", tr, tc.origin, w.Code, w.Body.String())
			}
			acao := w.Header().Get("Access-Control-Allow-Origin")
			if (acao != "") != tc.cors || (tc.cors && acao != tc.origin) {
				t.Errorf("%s %s: Access-Control-Allow-Origin %q", tr, tc.origin, acao)
			}
			req := httptest.NewRequest(http.MethodOptions, path, nil)
			req.Host = "127.0.0.1:8765"
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			pw := httptest.NewRecorder()
			h.ServeHTTP(pw, req)
			allowed := pw.Header().Get("Access-Control-Allow-Headers")
			if tc.cors && (pw.Code != http.StatusNoContent || !strings.Contains(allowed, "Mcp-Session-Id") || !strings.Contains(allowed, hosting.TokenHeader)) {
				t.Errorf("%s %s: preflight %d %v", tr, tc.origin, pw.Code, pw.Header())
			}
			if !tc.cors && allowed != "" {
				t.Errorf("%s %s: preflight allows headers %q", tr, tc.origin, allowed)
			}
		}
	}
}
