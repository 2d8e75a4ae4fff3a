package hosting_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// TestSSEFromAnotherPage: a page on another local origin can neither open
// the SSE stream nor post to it, the stream offers no wildcard CORS, and
// /message takes only JSON (text/plain needs no CORS preflight).
func TestSSEFromAnotherPage(t *testing.T) {
	tg := serve(t, func(s *setup) {
		s.cfg.Transport = "sse"
		s.cfg.AllowedOrigins = []string{"http://localhost:6274"}
	})
	if _, resp := openSSE(t, tg.base, map[string]string{"Origin": "http://localhost:3000"}); resp.StatusCode != 403 {
		t.Errorf("stream from another page: %d", resp.StatusCode)
	}
	c, resp := openSSE(t, tg.base, nil)
	if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" {
		t.Errorf("stream answers Access-Control-Allow-Origin %q", acao)
	}
	if _, resp := openSSE(t, tg.base, map[string]string{"Origin": "http://localhost:6274"}); resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:6274" {
		t.Errorf("listed origin: Access-Control-Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	for ct, want := range map[string]int{"text/plain": 415, "application/x-www-form-urlencoded": 415, "": 415, "application/json": 202} {
		resp, _ := send(t, http.MethodPost, c.msgURL, initBody, map[string]string{"Content-Type": ct})
		if resp.StatusCode != want {
			t.Errorf("/message as %q: %d, want %d", ct, resp.StatusCode, want)
		}
	}
	resp, _ = send(t, http.MethodPost, c.msgURL, initBody, map[string]string{"Content-Type": "application/json", "Origin": "http://localhost:3000"})
	if resp.StatusCode != 403 {
		t.Errorf("/message from another page: %d", resp.StatusCode)
	}
}

// TestCredentialBounds: a credential longer than any real one is refused,
// and one session sending a new credential with every call holds only a
// few Open WebUI sessions.
func TestCredentialBounds(t *testing.T) {
	tg := serve(t, func(s *setup) { s.emuOpts = []owuitest.Option{owuitest.WithAPIKeys(true)} })
	long := "sk-" + strings.Repeat("a", hosting.MaxCredentialBytes)
	for _, h := range []map[string]string{{"X-OWUI-API-Key": long}, {"Authorization": "Bearer " + long}} {
		h["Content-Type"] = "application/json"
		resp, body := send(t, http.MethodPost, tg.base+"/mcp", initBody, h)
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(string(body), "KiB") {
			t.Errorf("long credential: %d %s", resp.StatusCode, body)
		}
	}
	s := open(t, tg.base+"/mcp", nil)
	for i := range 20 {
		s.headers["X-OWUI-API-Key"] = fmt.Sprintf("sk-%032d", i)
		s.call(i+2, "get_session_user", nil)
	}
	if n := tg.srv.SessionCount(); n > tools.MaxCredentialsPerSession {
		t.Errorf("one MCP session holds %d Open WebUI sessions", n)
	}
}

// TestMaxSessions: past --max-sessions a new session gets 503 with a clear
// body; when one ends, there is room again.
func TestMaxSessions(t *testing.T) {
	t.Run("http", func(t *testing.T) {
		tg := serve(t, func(s *setup) { s.cfg.MaxSessions = 2 })
		a := open(t, tg.base+"/mcp", nil)
		open(t, tg.base+"/mcp", nil)
		resp, body := send(t, http.MethodPost, tg.base+"/mcp", initBody, map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != 503 || !strings.Contains(string(body), "--max-sessions") {
			t.Errorf("third session: %d %s", resp.StatusCode, body)
		}
		// A listening stream cannot mint a session either.
		resp, _ = send(t, http.MethodGet, tg.base+"/mcp", "", map[string]string{"Accept": "text/event-stream"})
		if resp.StatusCode != 400 {
			t.Errorf("GET without a session: %d", resp.StatusCode)
		}
		a.close()
		open(t, tg.base+"/mcp", nil)
	})
	t.Run("sse", func(t *testing.T) {
		tg := serve(t, func(s *setup) { s.cfg.Transport = "sse"; s.cfg.MaxSessions = 2 })
		a, _ := openSSE(t, tg.base, nil)
		openSSE(t, tg.base, nil)
		if c, resp := openSSE(t, tg.base, nil); c != nil || resp.StatusCode != 503 {
			t.Errorf("third stream: %d", resp.StatusCode)
		}
		a.resp.Body.Close()
		deadline := time.Now().Add(5 * time.Second)
		for tg.h.Sessions() > 1 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if c, resp := openSSE(t, tg.base, nil); c == nil {
			t.Errorf("after one stream closed: %d", resp.StatusCode)
		}
	})
}

// TestStreamableSessionRules: a listening stream needs a live session and
// is one per session; DELETE needs a live session; an ended session's id is
// unknown.
func TestStreamableSessionRules(t *testing.T) {
	tg := serve(t)
	s := open(t, tg.base+"/mcp", nil)
	stop := s.listen()
	h := map[string]string{"Mcp-Session-Id": s.id, "Mcp-Protocol-Version": s.version, "Accept": "text/event-stream"}
	if resp, _ := send(t, http.MethodGet, tg.base+"/mcp", "", h); resp.StatusCode != 409 {
		t.Errorf("second GET stream: %d", resp.StatusCode)
	}
	stop()
	s.close()
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if resp, _ := send(t, m, tg.base+"/mcp", "", h); resp.StatusCode != 404 {
			t.Errorf("%s of an ended session: %d", m, resp.StatusCode)
		}
	}
	h["Content-Type"] = "application/json"
	if resp, _ := send(t, http.MethodPost, tg.base+"/mcp", callBody(5, "get_session_user", nil), h); resp.StatusCode != 404 {
		t.Errorf("call in an ended session: %d", resp.StatusCode)
	}
	h["Mcp-Session-Id"] = "mcp-session-00000000-0000-4000-8000-000000000000"
	if resp, _ := send(t, http.MethodPost, tg.base+"/mcp", callBody(5, "get_session_user", nil), h); resp.StatusCode != 404 {
		t.Errorf("call with a made-up session id: %d", resp.StatusCode)
	}
	if n := tg.h.Sessions(); n != 0 {
		t.Errorf("%d sessions open", n)
	}
}

// TestSSEPendingAnswersAreBounded: requests posted to an SSE session count
// until their answers are written to its stream; past the bound, posts get
// 429 instead of being parked in memory.
func TestSSEPendingAnswersAreBounded(t *testing.T) {
	tg := serve(t, func(s *setup) {
		s.cfg.Transport = "sse"
		s.emuOpts = []owuitest.Option{owuitest.WithAPIKeys(true)}
	})
	c, _ := openSSE(t, tg.base, nil)
	if got := c.post(initBody); got != 202 {
		t.Fatalf("initialize: %d", got)
	}
	c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	tg.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(2*time.Second)))
	counts := map[int]int{}
	for i := range hosting.MaxPendingPerStream + 8 {
		counts[c.post(callBody(100+i, "get_session_user", nil))]++
	}
	// initialize's answer may or may not have been read off the queue yet.
	if counts[202] < hosting.MaxPendingPerStream-1 || counts[202] > hosting.MaxPendingPerStream || counts[429] < 8 {
		t.Errorf("answers %v, want %d accepted and the rest 429", counts, hosting.MaxPendingPerStream)
	}
	// Once the answers are out, the session takes requests again.
	tg.emu.SetFault(nil)
	deadline := time.Now().Add(10 * time.Second)
	for c.post(callBody(999, "get_session_user", nil)) != 202 {
		if time.Now().After(deadline) {
			t.Fatal("the session never took requests again")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSSEStreamThatDoesNotDrainEndsItsSession: a client that never reads its
// stream, while posting requests whose answers fill the connection, has its
// session ended rather than the server holding the answers.
func TestSSEStreamThatDoesNotDrainEndsItsSession(t *testing.T) {
	tg := serve(t, func(s *setup) {
		s.cfg.Transport = "sse"
		s.cfg.StreamWriteTimeout = 300 * time.Millisecond
	})
	c := &sseClient{t: t, base: tg.base, msgURL: toolstest.UnreadSSE(t, tg.base)}
	c.post(initBody)
	c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	// tools/list answers are tens of KiB: a few hundred fill any socket
	// buffer; from then on nothing drains.
	ended := false
	for i := 0; i < 3000 && !ended; i++ {
		switch c.post(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/list"}`, i+1)) {
		case 202, 429:
			if i%50 == 49 {
				time.Sleep(50 * time.Millisecond)
			}
		default: // 400: the session is gone
			ended = true
		}
	}
	if !ended {
		t.Fatal("the session outlived 3000 unread answers")
	}
	deadline := time.Now().Add(5 * time.Second)
	for tg.h.Sessions() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still open", tg.h.Sessions())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSSELongIDsAreRefused: an answer carries its request's id back and
// waits in memory for the client; ids past a few hundred bytes are refused.
func TestSSELongIDsAreRefused(t *testing.T) {
	tg := serve(t, func(s *setup) { s.cfg.Transport = "sse" })
	c, _ := openSSE(t, tg.base, nil)
	long := `{"jsonrpc":"2.0","id":"` + strings.Repeat("x", 1000) + `","method":"ping"}`
	if got := c.post(long); got != 400 {
		t.Errorf("a 1000-byte id: %d", got)
	}
	if got := c.post(`{"jsonrpc":"2.0","id":"` + strings.Repeat("x", 100) + `","method":"ping"}`); got != 202 {
		t.Errorf("a 100-byte id: %d", got)
	}
}

// TestCrossSiteWithoutOrigin: an <img> or <iframe> on another site sends no
// Origin, but the browser names the request cross-site.
func TestCrossSiteWithoutOrigin(t *testing.T) {
	tg := serve(t, func(s *setup) { s.cfg.Transport = "sse" })
	for site, want := range map[string]int{"cross-site": 403, "same-site": 403, "same-origin": 200, "none": 200} {
		_, resp := openSSE(t, tg.base, map[string]string{"Sec-Fetch-Site": site})
		if resp.StatusCode != want {
			t.Errorf("Sec-Fetch-Site %s: %d, want %d", site, resp.StatusCode, want)
		}
	}
}

// TestShutdownDoesNotWaitForUnreadStreams: a stream whose client stopped
// reading (its write blocked) ends at once when the server shuts down.
func TestShutdownDoesNotWaitForUnreadStreams(t *testing.T) {
	tg := serve(t, func(s *setup) { s.cfg.Transport = "sse" })
	c := &sseClient{t: t, base: tg.base, msgURL: toolstest.UnreadSSE(t, tg.base)}
	c.post(initBody)
	for i := range 300 {
		c.post(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/list"}`, i+1))
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tg.h.Close(ctx)
	deadline := time.Now().Add(2 * time.Second)
	for tg.h.Sessions() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := tg.h.Sessions(); n != 0 {
		t.Errorf("%d sessions still open %s after the close", n, time.Since(start))
	}
}
