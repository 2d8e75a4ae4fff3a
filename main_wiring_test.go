package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// Each test here fails when run() drops one setting on its way to the part
// that acts on it: the parts' own tests cannot see the wiring.

const (
	wiringEmail = "a@example.com"
	wiringPass  = "pa"
)

func wiringEmulator(t *testing.T) *owuitest.Server {
	t.Helper()
	emu := owuitest.NewServer(owuitest.WithUsers(owuitest.User{Name: "A", Email: wiringEmail, Password: wiringPass, Role: "admin"}))
	t.Cleanup(emu.Close)
	return emu
}

// waitFor polls until cond holds, for at most limit.
func waitFor(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestIdleTimeoutEndsHostedSessions: --idle-timeout reaches the streamable
// transport, which ends an idle session (404 afterwards), and mcp-go's own
// line about it shows the session id only hashed.
func TestIdleTimeoutEndsHostedSessions(t *testing.T) {
	emu := wiringEmulator(t)
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL}, "--idle-timeout", "500ms", "--log-level", "debug")
	sid := post(t, base+"/mcp", []byte(initBody), nil).Header.Get("Mcp-Session-Id")
	if sid == "" {
		t.Fatal("no session")
	}
	// mcp-go sweeps every second at the least.
	if !waitFor(5*time.Second, func() bool { return strings.Contains(logs.String(), "Sweeping expired session") }) {
		t.Fatalf("no idle sweep within 5 s:\n%s", logs)
	}
	text := logs.String()
	if strings.Contains(text, strings.TrimPrefix(sid, "mcp-session-")) || !strings.Contains(text, "[id "+tools.SessionTag(sid)+"]") {
		t.Errorf("the sweep's log line does not show the session id hashed:\n%s", text)
	}
	h := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-06-18"}
	if got := post(t, base+"/mcp", []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`), h).StatusCode; got != http.StatusNotFound {
		t.Errorf("a call in the swept session: %d, want 404", got)
	}
}

// TestStandardLogIsScrubbed: mcp-go also logs through the standard log
// package (a panic in an SSE handler names its session); while owui-mcp
// runs, those lines reach its log with ids hashed.
func TestStandardLogIsScrubbed(t *testing.T) {
	_, logs := hosted(t, "sse", nil)
	const sid = "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	log.Printf("panic recovered in SSE message handler for session %s: boom", sid)
	text := logs.String()
	if strings.Contains(text, sid) || !strings.Contains(text, "panic recovered in SSE message handler for session [id "+tools.SessionTag(sid)+"]") {
		t.Errorf("logs:\n%s", text)
	}
}

// TestIdleTimeoutForgetsHostedSignIns: --idle-timeout reaches the tools'
// session store too (SSE sessions have no idle end of their own): a sign-in
// idle for longer is forgotten.
func TestIdleTimeoutForgetsHostedSignIns(t *testing.T) {
	emu := wiringEmulator(t)
	base, _ := hosted(t, "sse", map[string]string{"OWUI_SERVER": emu.URL}, "--idle-timeout", "300ms")
	c := hostedClient(t, "sse", base, nil)
	c.OK("signin", map[string]any{"email": wiringEmail, "password": wiringPass})
	c.OK("get_session_user", nil)
	time.Sleep(400 * time.Millisecond)
	c.Fail("get_session_user", nil, "Not authenticated")
}

// TestStdioKeepsSignInsWhenIdle: over stdio there is one local user, so
// --idle-timeout does not apply: an idle desktop keeps its sign-in.
func TestStdioKeepsSignInsWhenIdle(t *testing.T) {
	emu := wiringEmulator(t)
	c, err := client.NewStdioMCPClient(binary, []string{"OWUI_SERVER=" + emu.URL}, "--idle-timeout", "200ms")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c)
	tc := &toolstest.Client{T: t, C: c}
	tc.OK("signin", map[string]any{"email": wiringEmail, "password": wiringPass})
	time.Sleep(300 * time.Millisecond)
	if me := tc.OK("get_session_user", nil); me["email"] != wiringEmail {
		t.Errorf("after idling: %v", me)
	}
}

// TestTimeoutReachesTheClient: --timeout bounds each request to Open WebUI,
// and the error names that limit.
func TestTimeoutReachesTheClient(t *testing.T) {
	emu := wiringEmulator(t)
	emu.SetFault(owuitest.FaultHang())
	base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL}, "--timeout", "300ms")
	c := hostedClient(t, "http", base, nil)
	start := time.Now()
	c.Fail("get_admin_details", nil, "did not answer within 300ms")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the call took %v", d)
	}
}

// TestTimeoutBoundsTheWholeCall: --timeout also bounds a whole tool call,
// which may take two requests: each within the limit, both together past it.
func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	emu := wiringEmulator(t)
	base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL}, "--timeout", "800ms")
	c := hostedClient(t, "http", base, nil)
	c.OK("signin", map[string]any{"email": wiringEmail, "password": wiringPass})
	emu.SetFault(owuitest.FaultDelay(500 * time.Millisecond))
	c.OK("get_session_user", nil) // one slow request is within the limit
	emu.ResetRequests()
	c.Fail("update_profile", map[string]any{"name": "B"}, "within 800ms")
	if n := len(emu.Requests()); n != 2 {
		t.Errorf("%d requests, want the read and the write", n)
	}
}

// TestReadOnlyFromTheEnvironment: OWUI_MCP_READ_ONLY serves only read-only
// tools, as --read-only does.
func TestReadOnlyFromTheEnvironment(t *testing.T) {
	for _, v := range []string{"1", "true", "on"} {
		var out, errb syncBuffer
		if code := run(bg, []string{"tools", "--json"}, nil, &out, &errb, envOf(map[string]string{"OWUI_MCP_READ_ONLY": v})); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var list struct{ Tools []map[string]any }
		if err := json.Unmarshal([]byte(out.String()), &list); err != nil || len(list.Tools) != 7 {
			t.Fatalf("OWUI_MCP_READ_ONLY=%s: %v, %d tools", v, err, len(list.Tools))
		}
		for _, tl := range list.Tools {
			if tl["annotations"].(map[string]any)["readOnlyHint"] != true {
				t.Errorf("OWUI_MCP_READ_ONLY=%s serves %v", v, tl["name"])
			}
		}
	}
}

// TestHostedSessionsAreStateful: the hosted server knows its sessions: an
// id it never issued, or one that ended, gets 404, not a call.
func TestHostedSessionsAreStateful(t *testing.T) {
	base, _ := hosted(t, "http", nil)
	list := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	made := map[string]string{"Mcp-Session-Id": "mcp-session-00000000-0000-4000-8000-000000000000", "Mcp-Protocol-Version": "2025-06-18"}
	if got := post(t, base+"/mcp", list, made).StatusCode; got != http.StatusNotFound {
		t.Errorf("a made-up session id: %d, want 404", got)
	}
	sid := post(t, base+"/mcp", []byte(initBody), nil).Header.Get("Mcp-Session-Id")
	h := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-06-18"}
	if got := post(t, base+"/mcp", list, h).StatusCode; got != http.StatusOK {
		t.Fatalf("a live session: %d", got)
	}
	req, _ := http.NewRequest(http.MethodDelete, base+"/mcp", nil)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %v %v", resp, err)
	}
	if got := post(t, base+"/mcp", list, h).StatusCode; got != http.StatusNotFound {
		t.Errorf("an ended session: %d, want 404", got)
	}
}
