package tools_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
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
//   - arguments that break the tool's declared rules, as an oracle of this
//     test's own judges them (argumentProblem), never reach Open WebUI and
//     get an "invalid arguments" tool error;
//   - what does reach Open WebUI carries each argument as it was given;
//   - every request that reaches Open WebUI is well-formed: valid UTF-8
//     JSON, a path under /api/v1/auths without dot segments;
//   - error texts stay bounded, and "nothing was sent" is true.
//
// The oracle is independent of the server's validator: it reads the tool's
// input schema with code of its own, and judges by what the emulator
// received.
func FuzzToolArguments(f *testing.F) {
	f.Add("signin", []byte(`{"email":"admin@example.com","password":"admin-pass"}`))
	emu := owuitest.NewServer(append(toolstest.EmulatorOptions(), withAdmin(), owuitest.WithMaxRecordedRequests(1000))...)
	f.Cleanup(emu.Close)
	c, err := owui.New(emu.URL, owui.WithTimeout(5*time.Second))
	if err != nil {
		f.Fatal(err)
	}
	srv := tools.NewServer(tools.Config{Client: c, Version: "fuzz"})
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

		tl, known := tools.Lookup(name)
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
				t.Fatalf("tools/call %q %q: JSON-RPC error %d %q", name, short(args), resp.Error.Code, resp.Error.Message)
			}
		case resp.Result == nil:
			t.Fatalf("tools/call %q %q: neither result nor error: %s", name, short(args), resp.raw)
		case !known:
			t.Fatalf("unknown tool %q answered with a result", name)
		default:
			text := resp.Result.text(t)
			refused := resp.Result.IsError && strings.HasPrefix(text, "invalid arguments for "+name+": ")
			obj, problem := argumentProblem(t, tl, args)
			if problem != "" {
				if len(sent) > 0 {
					t.Fatalf("%s %q (%s) reached Open WebUI: %s %s", name, short(args), problem, sent[0].Method, sent[0].Path)
				}
				if !refused {
					t.Fatalf("%s %q: %s, but the tool says %q", name, short(args), problem, text)
				}
			}
			if refused && len(sent) > 0 {
				t.Fatalf("%s %q: refused as invalid, but Open WebUI got %s %s", name, short(args), sent[0].Method, sent[0].Path)
			}
			if obj != nil && !refused {
				checkCarried(t, tl, args, obj, sent)
			}
			if resp.Result.IsError && len(text) > 32<<10 {
				t.Fatalf("%s: tool error of %d bytes", name, len(text))
			}
			if resp.Result.IsError && strings.Contains(text, "Nothing was sent") && len(sent) > 0 {
				t.Fatalf("%s %q: says nothing was sent, but Open WebUI got %s %s", name, short(args), sent[0].Method, sent[0].Path)
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

// argumentProblem judges args against the rules tl declares, with code of
// its own: a JSON object (no arguments counts as {}), no unknown names,
// every required one, and each value of a declared type, in the declared
// enum and matching the declared pattern. It says what is wrong, or "" when
// nothing is or when it cannot tell (a name given twice, null arguments, a
// number such as 2.0 where an integer is declared, string formats); obj is
// the arguments when they are an object it can judge, else nil.
func argumentProblem(t *testing.T, tl *tools.Tool, args []byte) (obj map[string]json.RawMessage, problem string) {
	t.Helper()
	trimmed := bytes.TrimSpace(args)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	if string(trimmed) == "null" || !json.Valid(trimmed) || repeatsName(trimmed) {
		return nil, ""
	}
	if trimmed[0] != '{' {
		return nil, "the arguments are not a JSON object"
	}
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil, ""
	}
	var schema struct {
		Properties map[string]struct {
			Type    any    `json:"type"`
			Enum    []any  `json:"enum"`
			Pattern string `json:"pattern"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(tl.MCP.RawInputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	for _, r := range schema.Required {
		if _, ok := obj[r]; !ok {
			return obj, "no " + r
		}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		p, ok := schema.Properties[k]
		if !ok {
			return obj, "unknown argument " + k
		}
		var v any
		if json.Unmarshal(obj[k], &v) != nil {
			return nil, ""
		}
		types := []string{}
		switch ty := p.Type.(type) {
		case string:
			types = append(types, ty)
		case []any:
			for _, x := range ty {
				types = append(types, x.(string))
			}
		}
		switch typeOK(types, obj[k], v) {
		case "no":
			return obj, k + " is not of type " + strings.Join(types, " or ")
		case "unsure":
			return nil, ""
		}
		if p.Enum != nil && !slices.ContainsFunc(p.Enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
			return obj, k + " is not one of its values"
		}
		if s, ok := v.(string); ok && p.Pattern != "" && !regexp.MustCompile(p.Pattern).MatchString(s) {
			return obj, k + " does not match its pattern"
		}
	}
	return obj, ""
}

// typeOK says whether the JSON value raw (decoded: v) is one of types:
// "yes", "no", or "unsure" for a number written with a fraction or an
// exponent where an integer is declared, which JSON Schema may take and Go
// may not.
func typeOK(types []string, raw json.RawMessage, v any) string {
	for _, ty := range types {
		switch x := v.(type) {
		case nil:
			if ty == "null" {
				return "yes"
			}
		case bool:
			if ty == "boolean" {
				return "yes"
			}
		case string:
			if ty == "string" {
				return "yes"
			}
		case float64:
			switch {
			case ty == "number":
				return "yes"
			case ty == "integer" && x != math.Trunc(x):
				// not an integer however written
			case ty == "integer" && bytes.ContainsAny(raw, ".eE"):
				return "unsure"
			case ty == "integer":
				return "yes"
			}
		case map[string]any:
			if ty == "object" {
				return "yes"
			}
		case []any:
			if ty == "array" {
				return "yes"
			}
		}
	}
	return "no"
}

// repeatsName reports whether a JSON object names a top-level key twice.
func repeatsName(obj []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		k, _ := tok.(string)
		if seen[k] {
			return true
		}
		seen[k] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// checkCarried fails unless the request for tl's own operation, if one was
// sent, carries every argument as given: in the body (a mask sent back
// for a secret is never written), or for the provider, in the path.
func checkCarried(t *testing.T, tl *tools.Tool, args []byte, obj map[string]json.RawMessage, sent []owuitest.Request) {
	t.Helper()
	var provider string
	_ = json.Unmarshal(obj["provider"], &provider)
	path := "/api/v1/auths" + strings.ReplaceAll(tl.Op.Path, "{provider}", provider)
	var req *owuitest.Request
	for i := range sent {
		if sent[i].Method == tl.Op.Method && sent[i].Path == path {
			req = &sent[i]
		}
	}
	if req == nil {
		for _, r := range sent {
			if r.Method == tl.Op.Method && r.Method != "GET" {
				t.Fatalf("%s %q: sent %s %s, want %s", tl.Name, short(args), r.Method, r.Path, path)
			}
		}
		return // refused or failed before the write
	}
	var body map[string]json.RawMessage
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatalf("%s %q: body %q: %v", tl.Name, short(args), req.Body, err)
		}
	}
	for k, given := range obj {
		if k == "provider" {
			continue // in the path, checked above
		}
		var s string
		masked := tools.LooksSecret(k) && json.Unmarshal(given, &s) == nil && s == tools.Mask
		got, ok := body[k]
		switch {
		case masked:
			if json.Unmarshal(got, &s) == nil && s == tools.Mask {
				t.Fatalf("%s %q: the mask was written as %s", tl.Name, short(args), k)
			}
		case !ok:
			// Only an empty optional text may be left out (omitempty).
			if !sameArg(given, []byte(`""`)) {
				t.Fatalf("%s %q: %s was not sent (body %s)", tl.Name, short(args), k, req.Body)
			}
		case k == "OAUTH_GROUP_DEFAULT_SHARE":
			// "true" and "false" go as booleans (see owui.UpdateOAuthConfig).
			if !sameArg(given, got) && !sameArg(shareAsSent(given), got) {
				t.Fatalf("%s %q: %s sent as %s", tl.Name, short(args), k, got)
			}
		case !sameArg(given, got):
			t.Fatalf("%s %q: %s given as %s, sent as %s", tl.Name, short(args), k, given, got)
		}
	}
}

// short cuts arguments down to what a failure message can show.
func short(args []byte) string {
	if len(args) > 200 {
		return string(args[:200]) + "…"
	}
	return string(args)
}

func sameArg(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func shareAsSent(given json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(given, &s) != nil {
		return given
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return json.RawMessage("true")
	case "false":
		return json.RawMessage("false")
	}
	return given
}

// checkSent fails unless r is a well-formed auths request.
func checkSent(t *testing.T, name string, args []byte, r owuitest.Request) {
	t.Helper()
	p := r.Path
	if !strings.HasPrefix(p, "/api/v1/auths/") || (path.Clean(p) != p && path.Clean(p)+"/" != p) {
		t.Fatalf("%s %q sent %s %q", name, short(args), r.Method, p)
	}
	if len(r.Body) > 0 && (!utf8.Valid(r.Body) || !json.Valid(r.Body)) {
		t.Fatalf("%s %q sent a body that is not UTF-8 JSON: %q", name, short(args), r.Body)
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
