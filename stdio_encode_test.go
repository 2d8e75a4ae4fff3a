package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The stdio transport writes tool answers itself (stdio_encode.go); they
// must be the bytes json.Marshal gives, which is what mcp-go's transport
// wrote.

// marshalLine is the reference: json.Marshal and a newline.
func marshalLine(t testing.TB, msg mcp.JSONRPCMessage) ([]byte, error) {
	t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func checkEncoding(t testing.TB, msg mcp.JSONRPCMessage) (fast bool) {
	t.Helper()
	want, wantErr := marshalLine(t, msg)
	got, err := appendMessage([]byte("prefix"), msg)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
	}
	if err != nil {
		return false
	}
	if !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("encoded\n%s\njson.Marshal\n%s", got[len("prefix"):], want)
	}
	if resp, ok := msg.(mcp.JSONRPCResponse); ok {
		if res, ok := resp.Result.(*mcp.CallToolResult); ok && res != nil {
			_, fast = appendToolAnswer(nil, resp, res)
		}
	}
	return fast
}

// fakeSession is a registered client session for calling HandleMessage
// directly.
type fakeSession struct{ notes chan mcp.JSONRPCNotification }

func (*fakeSession) Initialize()                                           {}
func (*fakeSession) Initialized() bool                                     { return true }
func (s *fakeSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return s.notes }
func (*fakeSession) SessionID() string                                     { return "encoding-test" }

// TestToolAnswersEncodeAsMarshal runs real tools (owui-mcp's server against
// the emulator) in both protocol eras and checks every answer's encoding,
// and that the common answers take the fast path.
func TestToolAnswersEncodeAsMarshal(t *testing.T) {
	srv := newToolServer(t)
	ctx := srv.MCP.WithContext(context.Background(), &fakeSession{notes: make(chan mcp.JSONRPCNotification, 16)})
	modern := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},`
	calls := []struct {
		tool, args string
		fast       bool
	}{
		{"get_session_user", `{}`, true}, // not signed in: a tool error
		{"signin", `{"email":"` + lcEmail + `","password":"` + lcPassword + `"}`, true},
		{"get_session_user", `{}`, true},
		{"get_admin_config", `{}`, true},
		{"get_ldap_server", `{}`, true},
		{"get_oauth_config", `{}`, true},
		{"get_admin_details", `{}`, true},
		{"get_api_key", `{}`, true},
		{"update_profile", `{"name":"A <b> & \u2028 c","profile_image_url":"/user.png","bio":"line\nbreak \"quoted\""}`, true},
		{"get_session_user", `{}`, true},
		{"update_timezone", `{"timezone":42}`, true}, // invalid arguments
		{"no_such_tool", `{}`, false},                // a JSON-RPC error
	}
	fastSeen := 0
	for _, era := range []string{"", modern} {
		for i, c := range calls {
			msg := `{"jsonrpc":"2.0","id":` + []string{`7`, `"s-7"`, `7.5`, `-1`}[i%4] + `,"method":"tools/call","params":{` + era +
				`"name":"` + c.tool + `","arguments":` + c.args + `}}`
			resp := srv.MCP.HandleMessage(ctx, []byte(msg))
			if checkEncoding(t, resp) {
				fastSeen++
			} else if c.fast {
				t.Errorf("%s (era %q): the answer took the slow path", c.tool, era)
			}
		}
	}
	if fastSeen == 0 {
		t.Fatal("no answer took the fast path")
	}
	// Other messages go through json.Marshal.
	checkEncoding(t, srv.MCP.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
	checkEncoding(t, mcp.NewElicitationCompleteNotification("el-1"))
}

// TestAppendMessageEdgeCases: results the fast path must either encode as
// json.Marshal does or leave to it.
func TestAppendMessageEdgeCases(t *testing.T) {
	text := func(s string) mcp.Content { return mcp.NewTextContent(s) }
	raws := []string{
		`{"a":1}`, `{"a":"<b>"}`, `{"a": 1}`, `{"a":1}` + "\n", `{"a":"\u2028"}`, "{\"a\":\"\u2028\"}", `{"a":"\ud800"}`,
		`{"a":"é"}`, "{\"a\":\"\xff\"}", `{"a":[1,-0,0.5,1e10,1E-3,-12.50e+3]}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
		`{"a":tru}`, `{"a":true,"b":false,"c":null}`, `[]`, `{}`, `"s"`, `12`, `{"a":{"b":{"c":[{"d":[]}]}}}`,
		`{"a":1,}`, `{"a" :1}`, `{"a\"b":"\\\/\b\f\n\r\t\u0041"}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{`, `{"a":1}}`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70), `{"a":"` + "\x01" + `"}`, `{"a":"&amp;"}`,
	}
	texts := []string{"", "plain", `{"json":"text"}`, "<html> & \u2028\u2029", "\xff\xfe invalid", "tab\tnew\nline\x00\x1f", "é ✓ 🙂"}
	ids := []any{nil, 1, int64(1) << 60, 1.5, "id", "<id>", 7.0, -7.0, math.Copysign(0, -1), 0.0, 1e15, 999999999999999.0,
		1e21, 1e-7, -123456.0, uint8(3), true}
	var results []*mcp.CallToolResult
	for _, r := range raws {
		results = append(results, &mcp.CallToolResult{Content: []mcp.Content{text(r)}, RawStructuredContent: json.RawMessage(r)})
	}
	for _, s := range texts {
		results = append(results,
			&mcp.CallToolResult{Content: []mcp.Content{text(s)}},
			&mcp.CallToolResult{Content: []mcp.Content{text(s)}, IsError: true},
			&mcp.CallToolResult{Content: []mcp.Content{text(s), &mcp.TextContent{Type: "text", Text: s}}, RawStructuredContent: json.RawMessage(`{"x":1}`)})
	}
	results = append(results,
		&mcp.CallToolResult{},
		&mcp.CallToolResult{Content: []mcp.Content{}},
		&mcp.CallToolResult{Content: []mcp.Content{nil}},
		&mcp.CallToolResult{Content: []mcp.Content{(*mcp.TextContent)(nil)}},
		&mcp.CallToolResult{Content: []mcp.Content{mcp.NewImageContent("aGk=", "image/png")}},
		&mcp.CallToolResult{Content: []mcp.Content{mcp.TextContent{Type: "text", Text: "a", Annotated: mcp.Annotated{Annotations: &mcp.Annotations{Priority: ptr(1.0)}}}}},
		&mcp.CallToolResult{Content: []mcp.Content{mcp.TextContent{Type: "text", Text: "a", Meta: &mcp.Meta{AdditionalFields: map[string]any{"k": "v"}}}}},
		&mcp.CallToolResult{Content: []mcp.Content{text("a")}, StructuredContent: map[string]any{"b": 1, "a": 2}},
		&mcp.CallToolResult{Content: []mcp.Content{text("a")}, StructuredContent: map[string]any{"b": 1}, RawStructuredContent: json.RawMessage(`{"raw":true}`)},
		&mcp.CallToolResult{Result: mcp.Result{ResultType: mcp.ResultTypeComplete, Meta: &mcp.Meta{AdditionalFields: map[string]any{"z": 1, "<a>": "&"}}},
			Content: []mcp.Content{text("a")}, RawStructuredContent: json.RawMessage(`{"a":1}`), IsError: true},
		&mcp.CallToolResult{MultiRoundTripResult: mcp.MultiRoundTripResult{RequestState: "state"}, Content: []mcp.Content{text("a")}},
	)
	fast := 0
	for _, id := range ids {
		for _, r := range results {
			if checkEncoding(t, mcp.NewJSONRPCResultResponse(mcp.NewRequestId(id), r)) {
				fast++
			}
		}
	}
	if fast == 0 {
		t.Fatal("no case took the fast path")
	}
	checkEncoding(t, mcp.JSONRPCResponse{JSONRPC: "1.0", ID: mcp.NewRequestId(1), Result: &mcp.CallToolResult{}})
	checkEncoding(t, mcp.NewJSONRPCResultResponse(mcp.NewRequestId(1), (*mcp.CallToolResult)(nil)))
	checkEncoding(t, mcp.NewJSONRPCResultResponse(mcp.NewRequestId(1), mcp.CallToolResult{Content: []mcp.Content{text("by value")}}))
}

func ptr[T any](v T) *T { return &v }

// FuzzToolAnswerEncoding: for any text and structured content, the answer
// is what json.Marshal makes of it.
func FuzzToolAnswerEncoding(f *testing.F) {
	f.Add("text", []byte(`{"a":[1,true,null,"s"]}`), false, "", 7.0)
	f.Add("<&>", []byte(`{"a":"<"}`), true, "complete", math.Copysign(0, -1))
	f.Add("\xff", []byte("{\"a\":\"\u2029\"}"), false, "", 1e21)
	f.Add("", []byte(`{"a": 1 }`), false, "", 1.5)
	f.Add("x", []byte(`{"a":1e999}`), false, "", 123456789012345.0)
	f.Fuzz(func(t *testing.T, text string, raw []byte, isError bool, resultType string, id float64) {
		res := &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(text)}, RawStructuredContent: raw, IsError: isError}
		res.ResultType = mcp.ResultType(resultType)
		checkEncoding(t, mcp.NewJSONRPCResultResponse(mcp.NewRequestId(id), res))
		checkEncoding(t, mcp.NewJSONRPCResultResponse(mcp.NewRequestId(text), res))
	})
}

// FuzzCompactClean: whatever the check accepts is valid JSON that
// json.Marshal copies unchanged.
func FuzzCompactClean(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,-0,"x\u0041\n"]}`, `{"a": 1}`, `[<]`, `"\u2028"`, `{"a":{}}`, `-`, `1.`, `"\`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !compactClean(b) {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		out, err := json.Marshal(json.RawMessage(b))
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("accepted %q, which json.Marshal writes as %q (%v)", b, out, err)
		}
	})
}

var _ server.ClientSession = (*fakeSession)(nil)
