package hosting_test

// Regression tests from an attack on the hardened hosted mode: each failed
// before the hole it names was closed.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// TestInitializeWithASessionHeaderCountsAgainstMaxSessions: mcp-go mints a
// new session for every initialize, whatever Mcp-Session-Id it carries, so
// every initialize counts against --max-sessions.
func TestInitializeWithASessionHeaderCountsAgainstMaxSessions(t *testing.T) {
	tg := serve(t, func(s *setup) { s.cfg.MaxSessions = 2 })
	open(t, tg.base+"/mcp", nil)
	open(t, tg.base+"/mcp", nil)
	h := map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
	if resp, _ := send(t, http.MethodPost, tg.base+"/mcp", initBody, h); resp.StatusCode != 503 {
		t.Fatalf("third session: %d, want 503", resp.StatusCode)
	}
	h["Mcp-Session-Id"] = "anything"
	for i := range 5 {
		resp, body := send(t, http.MethodPost, tg.base+"/mcp", initBody, h)
		if resp.StatusCode != 503 {
			t.Errorf("initialize %d carrying Mcp-Session-Id: %d (new session %q), want 503", i, resp.StatusCode, resp.Header.Get("Mcp-Session-Id"))
			_ = body
		}
	}
	if n := tg.h.Sessions(); n > 2 {
		t.Errorf("%d sessions open with --max-sessions 2", n)
	}
}

// TestListeningStreamEndsWithItsSession: mcp-go leaves the GET stream of a
// DELETEd (or idled out) session open, no longer counted against
// --max-sessions; owui-mcp ends it with its session.
func TestListeningStreamEndsWithItsSession(t *testing.T) {
	tg := serve(t, func(s *setup) { s.cfg.MaxSessions = 1 })
	var bodies []*http.Response
	defer func() {
		for _, b := range bodies {
			b.Body.Close()
		}
	}()
	for i := range 3 {
		s := open(t, tg.base+"/mcp", nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tg.base+"/mcp", nil)
		req.Header.Set("Mcp-Session-Id", s.id)
		req.Header.Set("Mcp-Protocol-Version", s.version)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET stream %d: %v %v", i, err, resp)
		}
		bodies = append(bodies, resp)
		s.close() // DELETE: the session, and so its stream, should end
	}
	for i, resp := range bodies {
		done := make(chan error, 1)
		go func() {
			_, err := bufio.NewReader(resp.Body).ReadString('\n')
			done <- err
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Errorf("GET stream %d still open 2 s after its session was deleted (--max-sessions 1, %d streams held)", i, len(bodies))
		}
	}
}

// TestSSEAnswersAreCountedAsMCPGoReadsThem: every form of a message that
// mcp-go answers counts against the bound of waiting answers, however its
// keys are spelt or whatever follows it.
func TestSSEAnswersAreCountedAsMCPGoReadsThem(t *testing.T) {
	call := `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_session_user","arguments":{}}}`
	variants := map[string]func(int) string{
		"plain (control)": func(i int) string { return fmt.Sprintf(call, i) },
		`"error":{} added`: func(i int) string {
			return strings.Replace(fmt.Sprintf(call, i), `{"jsonrpc"`, `{"error":{},"jsonrpc"`, 1)
		},
		`"result":null added`: func(i int) string {
			return strings.Replace(fmt.Sprintf(call, i), `{"jsonrpc"`, `{"result":null,"jsonrpc"`, 1)
		},
		`"ID" instead of "id"`: func(i int) string { return strings.Replace(fmt.Sprintf(call, i), `"id"`, `"ID"`, 1) },
		"trailing garbage":     func(i int) string { return fmt.Sprintf(call, i) + " x" },
	}
	for name, body := range variants {
		t.Run(name, func(t *testing.T) {
			tg := serve(t, func(s *setup) {
				s.cfg.Transport = "sse"
				s.emuOpts = []owuitest.Option{owuitest.WithAPIKeys(true)}
			})
			c, _ := openSSE(t, tg.base, nil)
			c.post(initBody)
			c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			tg.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(2*time.Second)))
			defer tg.emu.SetFault(nil)
			counts := map[int]int{}
			for i := range 2 * hosting.MaxPendingPerStream {
				counts[c.post(body(100+i))]++
			}
			if counts[429] == 0 {
				t.Errorf("%d requests posted while none could be answered: %v, no 429", 2*hosting.MaxPendingPerStream, counts)
			}
		})
	}
}

// TestEndpointTokenInCredentialHeaderIsNotForwarded: the endpoint token sent
// as X-OWUI-API-Key is not taken for an Open WebUI credential (the
// emulator's answer tells: "401 Unauthorized" is what it says to a JWT it
// cannot read, "Not authenticated" to no credential).
func TestEndpointTokenInCredentialHeaderIsNotForwarded(t *testing.T) {
	const tok = "endpoint-token-0123456789abcdef"
	tg := serve(t, func(s *setup) {
		s.cfg.AuthToken = tok
		s.emuOpts = []owuitest.Option{owuitest.WithAPIKeys(true)}
	})
	s := open(t, tg.base+"/mcp", map[string]string{"Authorization": "Bearer " + tok, "X-OWUI-API-Key": tok})
	m := s.call(1, "get_api_key", nil)
	if !strings.Contains(m.text(), "Not authenticated") {
		t.Errorf("the endpoint token reached Open WebUI: %s", m.text())
	}
}
