package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
)

// TestCredentialsPerSessionAreBounded: one MCP session holds at most
// MaxCredentialsPerSession Open WebUI sessions; a new credential drops the
// least recently used.
func TestCredentialsPerSessionAreBounded(t *testing.T) {
	c, _ := owui.New("http://127.0.0.1:1")
	st := newSessions(c, "", 0)
	now := time.Unix(1_000_000, 0)
	st.now = func() time.Time { now = now.Add(time.Second); return now }
	a := owuiSession(st, WithCredential(sessionCtx("s"), "sk-a", "h"))
	b := owuiSession(st, WithCredential(sessionCtx("s"), "sk-b", "h"))
	owuiSession(st, WithCredential(sessionCtx("s"), "sk-a", "h")) // a is now the more recent
	owuiSession(st, WithCredential(sessionCtx("s"), "sk-c", "h"))
	if st.len() != MaxCredentialsPerSession || b.Credential() != "" || a.Credential() != "sk-a" {
		t.Errorf("%d sessions; b %q, a %q", st.len(), b.Credential(), a.Credential())
	}
}

// TestIdleExactlyTheLimitIsKept: a session is dropped only when idle for
// longer than the limit.
func TestIdleExactlyTheLimitIsKept(t *testing.T) {
	c, _ := owui.New("http://127.0.0.1:1")
	st := newSessions(c, "", 30*time.Minute)
	now := time.Unix(1_000_000, 0)
	st.now = func() time.Time { return now }
	a := owuiSession(st, sessionCtx("a"))
	a.SetCredential("jwt-a", nil)
	now = now.Add(29 * time.Minute)
	owuiSession(st, sessionCtx("b")) // the sweep at 29 minutes; none due at 30
	now = now.Add(time.Minute)
	if s := owuiSession(st, sessionCtx("a")); s != a {
		t.Error("a session idle exactly the limit was dropped")
	}
}

// TestCallSlotsAreForgotten: a session's call slots are dropped with its
// last call, and not before.
func TestCallSlotsAreForgotten(t *testing.T) {
	cs := newCallSlots(2)
	relA, err := cs.acquire(context.Background(), "s")
	if err != nil {
		t.Fatal(err)
	}
	relB, err := cs.acquire(context.Background(), "s")
	if err != nil {
		t.Fatal(err)
	}
	relA()
	if len(cs.m) != 1 {
		t.Fatal("the slots were dropped while a call still held one")
	}
	relB()
	if len(cs.m) != 0 {
		t.Fatalf("%d sessions' slots kept after their last call", len(cs.m))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rel1, _ := cs.acquire(context.Background(), "t")
	rel2, _ := cs.acquire(context.Background(), "t")
	if _, err := cs.acquire(ctx, "t"); err == nil {
		t.Fatal("a third call got a slot")
	}
	rel1()
	rel2()
	if len(cs.m) != 0 {
		t.Fatalf("%d sessions' slots kept after a call gave up waiting", len(cs.m))
	}
}

// TestAdviceNamesOnlyServedSignIns: with no sign-in tool served, neither
// the instructions nor a refused call's advice suggest signing in.
func TestAdviceNamesOnlyServedSignIns(t *testing.T) {
	var readOnly, all []*Tool
	for _, tl := range Catalogue() {
		all = append(all, tl)
		if tl.ReadOnly() {
			readOnly = append(readOnly, tl)
		}
	}
	if got := waysIn(readOnly, false); got != "To get one: start owui-mcp with OWUI_API_KEY set to an Open WebUI API key." {
		t.Errorf("waysIn without sign-in tools: %q", got)
	}
	if got := instructions(readOnly); strings.Contains(got, "Sign in") || !strings.Contains(got, "configured with") {
		t.Errorf("instructions without sign-in tools: %q", got)
	}
	if got := waysIn(all, true); !strings.Contains(got, "X-OWUI-API-Key") || !strings.Contains(got, "sign in with signin, signin_ldap, signup, token_exchange") {
		t.Errorf("waysIn hosted: %q", got)
	}
	if got := instructions(all); !strings.Contains(got, "Sign in first (signin, signin_ldap, signup, token_exchange)") {
		t.Errorf("instructions: %q", got)
	}
}

// TestRawArguments: arguments come as sent when mcp-go kept them raw, else
// encoded from its map; none is none.
func TestRawArguments(t *testing.T) {
	var req mcp.CallToolRequest
	if b, err := rawArguments(req); b != nil || err != nil {
		t.Errorf("none: %q %v", b, err)
	}
	req.Params.Arguments = map[string]any{"a": 1}
	if b, _ := rawArguments(req); string(b) != `{"a":1}` {
		t.Errorf("from the map: %s", b)
	}
	req.Params.RawArguments = json.RawMessage(`{"b":2}`)
	if b, _ := rawArguments(req); string(b) != `{"b":2}` {
		t.Errorf("raw: %s", b)
	}
}

// TestMaskingEdges: short keys are masked whole; names with doubled
// separators are read word by word; groups with nothing granted are left
// out.
func TestMaskingEdges(t *testing.T) {
	if got := MaskAPIKey("sk-abcd"); got != Mask {
		t.Errorf("7-byte key: %q", got)
	}
	if got := MaskAPIKey("sk-abcde"); got != "sk-…bcde" {
		t.Errorf("8-byte key: %q", got)
	}
	for _, n := range []string{"API__KEY", "OPENAI__API_KEY", "_client__secret_"} {
		if !LooksSecret(n) {
			t.Errorf("%s: not taken for a secret", n)
		}
	}
	var r owui.SessionUserResponse
	if err := json.Unmarshal([]byte(`{"token":"t","id":"u","permissions":{"chat":{"edit":true,"delete":false},"none":{"x":false}}}`), &r); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(present(&r, false))
	if !strings.Contains(string(b), `"permissions_granted":{"chat":["edit"]}`) {
		t.Errorf("sign-in answer: %s", b)
	}
}
