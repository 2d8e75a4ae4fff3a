package tools_test

import (
	"encoding/json"
	"path"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/schema/validate"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// FuzzToolArguments sends a tools/call with any tool name and any argument
// bytes, exactly as they would arrive on the wire, to the real server in
// front of an emulated Open WebUI where the caller is an admin. Whatever
// the input:
//   - the server answers (no panic, no hang) with a JSON-RPC error only for a
//     message that is not JSON or a tool that does not exist, otherwise with
//     a tool result;
//   - arguments the tool's schema refuses become an "invalid arguments"
//     tool error and nothing reaches Open WebUI;
//   - every request that does reach Open WebUI is well-formed: valid UTF-8
//     JSON, a path under /api/v1/auths without dot segments;
//   - error texts stay bounded.
func FuzzToolArguments(f *testing.F) {
	f.Add("signin", []byte(`{"email":"admin@example.com","password":"admin-pass"}`))
	emu := owuitest.NewServer(append(toolstest.EmulatorOptions(), withAdmin(), owuitest.WithMaxRecordedRequests(1000))...)
	f.Cleanup(emu.Close)
	c, err := owui.New(emu.URL, owui.WithTimeout(5*time.Second))
	if err != nil {
		f.Fatal(err)
	}
	srv := tools.NewServer(tools.Config{Client: c, Version: "fuzz"})
	validators := map[string]*validate.Validator{}
	for _, tl := range tools.Catalogue() {
		v, err := validate.New(tl.MCP.RawInputSchema)
		if err != nil {
			f.Fatal(err)
		}
		validators[tl.Name] = v
	}
	var seq atomic.Int64
	f.Fuzz(func(t *testing.T, name string, args []byte) {
		// Each input gets a session of its own, signed in as the admin
		// with a fresh token, so earlier inputs (sign_out, a new password)
		// do not take later ones' depth away.
		tok, err := emu.IssueToken(adminEmail, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rs := openRaw(t, srv, tok)
		emu.ResetRequests()
		msg := callMessage(seq.Add(1), name, args)
		resp := rs.send(t, msg, 15*time.Second)
		sent := emu.Requests()

		v, known := validators[name]
		switch {
		case resp.Error != nil:
			wantCode := 0
			switch {
			case !json.Valid(msg):
				wantCode = -32700
			case !known:
				wantCode = -32602
			}
			if wantCode == 0 || resp.Error.Code != wantCode {
				t.Fatalf("tools/call %q %q: JSON-RPC error %d %q", name, args, resp.Error.Code, resp.Error.Message)
			}
		case resp.Result == nil:
			t.Fatalf("tools/call %q %q: neither result nor error: %s", name, args, resp.raw)
		case !known:
			t.Fatalf("unknown tool %q answered with a result", name)
		default:
			text := resp.Result.text(t)
			if problems := v.Validate(args); problems != nil {
				if !resp.Result.IsError || !strings.HasPrefix(text, "invalid arguments for "+name+": ") {
					t.Fatalf("%s %q: schema says %q, tool says %q", name, args, problems, text)
				}
			}
			if resp.Result.IsError && len(text) > 32<<10 {
				t.Fatalf("%s: tool error of %d bytes", name, len(text))
			}
			if resp.Result.IsError && strings.Contains(text, "Nothing was sent") && len(sent) > 0 {
				t.Fatalf("%s %q: says nothing was sent, but Open WebUI got %s %s", name, args, sent[0].Method, sent[0].Path)
			}
			if !resp.Result.IsError && len(resp.Result.Structured) == 0 {
				t.Fatalf("%s: success without structuredContent: %s", name, resp.raw)
			}
		}
		for _, r := range sent {
			checkSent(t, name, args, r)
		}
	})
}

// checkSent fails unless r is a well-formed auths request.
func checkSent(t *testing.T, name string, args []byte, r owuitest.Request) {
	t.Helper()
	p := r.Path
	if !strings.HasPrefix(p, "/api/v1/auths/") || (path.Clean(p) != p && path.Clean(p)+"/" != p) {
		t.Fatalf("%s %q sent %s %q", name, args, r.Method, p)
	}
	if len(r.Body) > 0 && (!utf8.Valid(r.Body) || !json.Valid(r.Body)) {
		t.Fatalf("%s %q sent a body that is not UTF-8 JSON: %q", name, args, r.Body)
	}
	if a := r.Header.Get("Authorization"); a != "" && !strings.HasPrefix(a, "Bearer ") {
		t.Fatalf("%s: Authorization %q", name, a)
	}
}

// callMessage is a tools/call request carrying args verbatim; empty args
// leave "arguments" out.
func callMessage(id int64, name string, args []byte) []byte {
	nb, _ := json.Marshal(name)
	var b []byte
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = append(b, []byte(itoa(id))...)
	b = append(b, `,"method":"tools/call","params":{"name":`...)
	b = append(b, nb...)
	if len(args) > 0 {
		b = append(b, `,"arguments":`...)
		b = append(b, args...)
	}
	return append(b, "}}"...)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
