package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// rawSession is one MCP client session driven with raw JSON-RPC bytes, as a
// client would put them on the wire, through the server's HandleMessage.
type rawSession struct {
	srv *tools.Server
	ctx context.Context
}

var rawSeq atomic.Int64

// openRaw registers a new session whose starting Open WebUI credential is
// cred (as a hosted client's X-OWUI-API-Key would be); it ends with the test.
func openRaw(t testing.TB, srv *tools.Server, cred string) *rawSession {
	t.Helper()
	sess := server.NewInProcessSession(fmt.Sprintf("raw-%d", rawSeq.Add(1)), nil)
	if err := srv.MCP.RegisterSession(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.MCP.UnregisterSession(context.Background(), sess.SessionID()) })
	ctx := srv.MCP.WithContext(context.Background(), sess)
	return &rawSession{srv: srv, ctx: tools.WithCredential(ctx, cred, "the X-OWUI-API-Key header")}
}

// rawResponse is a JSON-RPC answer as it goes on the wire.
type rawResponse struct {
	raw    []byte
	ID     json.RawMessage `json:"id"`
	Result *rawResult      `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type rawResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Structured json.RawMessage `json:"structuredContent"`
	IsError    bool            `json:"isError"`
}

func (r *rawResult) text(t testing.TB) string {
	t.Helper()
	if len(r.Content) != 1 || r.Content[0].Type != "text" || r.Content[0].Text == "" {
		t.Fatalf("result content %+v", r.Content)
	}
	return r.Content[0].Text
}

// send hands msg to the server and returns its answer; an answer that takes
// longer than limit fails the test (a hang).
func (r *rawSession) send(t testing.TB, msg []byte, limit time.Duration) *rawResponse {
	t.Helper()
	done := make(chan []byte, 1)
	go func() {
		resp := r.srv.MCP.HandleMessage(r.ctx, msg)
		b, err := json.Marshal(resp)
		if err != nil {
			b = []byte(fmt.Sprintf("unencodable answer: %v", err))
		}
		done <- b
	}()
	var b []byte
	select {
	case b = <-done:
	case <-time.After(limit):
		t.Fatalf("no answer within %v to %.200q", limit, msg)
	}
	out := &rawResponse{raw: b}
	if err := json.Unmarshal(b, out); err != nil || (out.Result == nil && out.Error == nil) {
		t.Fatalf("answer %.300q to %.200q is not a JSON-RPC response (%v)", b, msg, err)
	}
	return out
}

// notify hands a notification to the server; there is no answer.
func (r *rawSession) notify(t testing.TB, msg string) {
	t.Helper()
	if resp := r.srv.MCP.HandleMessage(r.ctx, []byte(msg)); resp != nil {
		t.Fatalf("notification %s answered %v", msg, resp)
	}
}

// TestBadInputGetsAClearAnswer sends malformed JSON-RPC, unknown tools,
// arguments of the wrong JSON type, nulls, 1 MiB strings and invalid UTF-8.
// Each gets the answer the MCP spec asks for (a JSON-RPC error for a broken
// message or an unknown tool, a tool error for bad arguments), nothing bad
// reaches Open WebUI, and the next call on the same session works.
func TestBadInputGetsAClearAnswer(t *testing.T) {
	emu := owuitest.NewServer(withAdmin())
	t.Cleanup(emu.Close)
	c, err := owui.New(emu.URL, owui.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	srv := tools.NewServer(tools.Config{Client: c, Version: "test"})
	tok, err := emu.IssueToken(adminEmail, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rs := openRaw(t, srv, tok)

	call := func(name, args string) string {
		return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args + `}}`
	}
	mib := strings.Repeat("x", 1<<20)
	manyUnknown := func() string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; b.Len() < 1<<20; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%d":0`, i)
		}
		return b.String() + "}"
	}()
	cases := []struct {
		name string
		msg  string
		code int      // JSON-RPC error code; 0: a tool error is expected
		want []string // parts of the error text
		sent int      // requests that may reach Open WebUI
	}{
		{"not JSON", `{not json`, -32700, nil, 0},
		{"cut off", call("signin", `{"email":`)[:60], -32700, nil, 0},
		{"empty", ``, -32700, nil, 0},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, -32700, nil, 0},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"method":"tools/list"}`, -32600, nil, 0},
		{"no method", `{"jsonrpc":"2.0","id":1}`, -32601, nil, 0},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"tools/destroy"}`, -32601, nil, 0},
		{"params a string", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"signin"}`, -32600, nil, 0},
		{"params null", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":null}`, -32602, []string{"not found"}, 0},
		{"unknown tool", call("delete_everything", `{}`), -32602, []string{"delete_everything", "not found"}, 0},
		{"tool name not UTF-8", call("sign\xffin", `{}`), -32602, []string{"not found"}, 0},
		{"nesting too deep", call("signin", strings.Repeat("[", 20000)+strings.Repeat("]", 20000)), -32700, nil, 0},
		{"arguments an array", call("signin", `[1,2]`), 0, []string{"must be a JSON object, not an array"}, 0},
		{"arguments a string", call("signin", `"a@b.co"`), 0, []string{"must be a JSON object, not a string"}, 0},
		{"arguments a number", call("update_timezone", `5`), 0, []string{"must be a JSON object, not a number"}, 0},
		{"arguments a boolean", call("get_session_user", `true`), 0, []string{"must be a JSON object, not a boolean"}, 0},
		{"arguments null", call("signup", `null`), 0, []string{`missing required argument "email"`, `missing required argument "password"`}, 0},
		{"field null", call("signin", `{"email":null,"password":"p"}`), 0, []string{`"email" must be a string, not null`}, 0},
		{"field an object", call("update_timezone", `{"timezone":{"name":"UTC"}}`), 0, []string{`"timezone" must be a string, not an object`}, 0},
		{"field a number", call("update_ldap_config", `{"enable_ldap":1}`), 0, []string{`"enable_ldap" must be a boolean, not a number`}, 0},
		{"port not an integer literal", call("update_ldap_server", `{"port":389.0}`), 0, []string{"invalid arguments for update_ldap_server", "port"}, 0},
		{"repeated key", call("signin", `{"email":5,"email":"a@b.co","password":"p"}`), 0, []string{"invalid arguments for signin", "email"}, 0},
		{"invalid UTF-8", call("signin", "{\"email\":\"a\xff@b.co\",\"password\":\"p\"}"), 0, []string{"not valid UTF-8"}, 0},
		{"1 MiB email", call("signup", `{"name":"n","email":"`+mib+`","password":"p"}`), 0, []string{`"email" must be an email address`}, 0},
		{"1 MiB argument name", call("get_session_user", `{"`+mib+`":1}`), 0, []string{"unknown argument", "takes no arguments"}, 0},
		{"1 MiB of unknown arguments", call("update_oauth_config", manyUnknown), 0, []string{"unknown argument", "more problems"}, 0},
		// A 1 MiB password is well-formed, so it is Open WebUI's to refuse.
		{"1 MiB password", call("signin", `{"email":"a@b.co","password":"`+mib+`"}`), 0, []string{"signin: Open WebUI answered 400", "incorrect"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu.ResetRequests()
			resp := rs.send(t, []byte(tc.msg), 10*time.Second)
			switch {
			case tc.code != 0 && resp.Error == nil:
				t.Errorf("got a result %.300s, want JSON-RPC error %d", resp.raw, tc.code)
			case tc.code != 0 && resp.Error.Code != tc.code:
				t.Errorf("got error %d %q, want %d", resp.Error.Code, resp.Error.Message, tc.code)
			case tc.code != 0:
				for _, w := range tc.want {
					if !strings.Contains(resp.Error.Message, w) {
						t.Errorf("error %q lacks %q", resp.Error.Message, w)
					}
				}
			case resp.Result == nil || !resp.Result.IsError:
				t.Errorf("got %.300s, want a tool error", resp.raw)
			default:
				text := resp.Result.text(t)
				for _, w := range tc.want {
					if !strings.Contains(text, w) {
						t.Errorf("tool error %.300q lacks %q", text, w)
					}
				}
				if len(text) > 16<<10 {
					t.Errorf("tool error of %d bytes", len(text))
				}
			}
			if n := len(emu.Requests()); n > tc.sent {
				t.Errorf("%d requests reached Open WebUI, want at most %d", n, tc.sent)
			}
			// The next call on the same session works, still signed in.
			next := rs.send(t, []byte(call("get_session_user", `{}`)), 10*time.Second)
			if next.Result == nil || next.Result.IsError || !strings.Contains(next.Result.text(t), adminEmail) {
				t.Fatalf("the call after %s: %.300s", tc.name, next.raw)
			}
		})
	}
}

// TestCancellationReleasesTheUpstreamRequest: a notifications/cancelled for
// a call waiting on an Open WebUI that never answers aborts the HTTP request
// at once (long before the 30 s timeout), the call ends with a tool error,
// and the session goes on, still signed in.
func TestCancellationReleasesTheUpstreamRequest(t *testing.T) {
	emu := owuitest.NewServer(withAdmin())
	t.Cleanup(emu.Close)
	proxy := toolstest.NewHangProxy(t, emu.URL)
	c, err := owui.New(proxy.URL) // the default 30 s timeout
	if err != nil {
		t.Fatal(err)
	}
	srv := tools.NewServer(tools.Config{Client: c, Version: "test"})
	rs := openRaw(t, srv, "")
	login := rs.send(t, callMessage(1, "signin", []byte(`{"email":"`+adminEmail+`","password":"`+adminPass+`"}`)), 10*time.Second)
	if login.Result == nil || login.Result.IsError {
		t.Fatalf("signin: %s", login.raw)
	}

	proxy.Hanging.Store(true)
	answer := make(chan *rawResponse, 1)
	go func() { answer <- rs.send(t, callMessage(7, "get_session_user", nil), 10*time.Second) }()
	proxy.WaitArrived(t)
	cancelled := time.Now()
	rs.notify(t, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user pressed stop"}}`)
	proxy.WaitReleased(t, cancelled, time.Second)
	select {
	case resp := <-answer:
		if resp.Result == nil || !resp.Result.IsError || !strings.Contains(resp.Result.text(t), "cancelled") {
			t.Errorf("the cancelled call answered %.300s", resp.raw)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled call never answered")
	}

	proxy.Hanging.Store(false)
	next := rs.send(t, callMessage(8, "get_session_user", nil), 10*time.Second)
	if next.Result == nil || next.Result.IsError || !strings.Contains(next.Result.text(t), adminEmail) {
		t.Fatalf("after the cancellation: %s", next.raw)
	}
}
