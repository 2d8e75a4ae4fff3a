package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

func post(t *testing.T, url string, body []byte, headers map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestHostedGuards(t *testing.T) {
	base, _ := hosted(t, "http", map[string]string{
		"OWUI_MCP_ALLOWED_ORIGINS": "http://localhost:6274",
		"OWUI_MCP_ALLOWED_HOSTS":   "host.docker.internal,MCP.example.com:8443",
	})
	own := strings.Replace(base, "127.0.0.1", "LOCALHOST", 1)
	hostPort := strings.TrimPrefix(base, "http://")
	cases := []struct {
		name    string
		headers map[string]string
		body    []byte
		status  int
	}{
		{"plain initialize", nil, []byte(initBody), 200},
		{"the server's own origin", map[string]string{"Origin": base}, []byte(initBody), 200},
		{"its own origin by another loopback name", map[string]string{"Origin": own, "Host": strings.TrimPrefix(own, "http://")}, []byte(initBody), 200},
		{"a listed origin", map[string]string{"Origin": "http://localhost:6274"}, []byte(initBody), 200},
		{"a page on another loopback port", map[string]string{"Origin": "http://localhost:3000"}, []byte(initBody), 403},
		{"a page on the same host, another port", map[string]string{"Origin": "http://127.0.0.1:3000"}, []byte(initBody), 403},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, []byte(initBody), 403},
		{"null origin", map[string]string{"Origin": "null"}, []byte(initBody), 403},
		{"foreign host (DNS rebinding)", map[string]string{"Host": "evil.example:8765"}, []byte(initBody), 403},
		{"an allowed host", map[string]string{"Host": "host.docker.internal:" + strings.Split(hostPort, ":")[1]}, []byte(initBody), 200},
		{"an allowed host, other case", map[string]string{"Host": "HOST.Docker.Internal"}, []byte(initBody), 200},
		{"an allowed host:port", map[string]string{"Host": "mcp.example.com:8443"}, []byte(initBody), 200},
		{"an allowed host on another port", map[string]string{"Host": "mcp.example.com:9999"}, []byte(initBody), 403},
		{"text/plain, which needs no CORS preflight", map[string]string{"Content-Type": "text/plain"}, []byte(initBody), 415},
		{"no content type", map[string]string{"Content-Type": ""}, []byte(initBody), 415},
		{"JSON with a charset", map[string]string{"Content-Type": "application/json; charset=utf-8"}, []byte(initBody), 200},
		{"body over 1 MiB", nil, bytes.Repeat([]byte(" "), 1<<20+1), 413},
	}
	for _, tc := range cases {
		resp := post(t, base+"/mcp", tc.body, tc.headers)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
		if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" && acao != "http://localhost:6274" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", tc.name, acao)
		}
	}
	// A listed origin may read answers; a preflight tells it what it may send.
	resp := post(t, base+"/mcp", []byte(initBody), map[string]string{"Origin": "http://localhost:6274"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:6274" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Mcp-Session-Id") {
		t.Errorf("listed origin: CORS headers %v", resp.Header)
	}
	req, _ := http.NewRequest(http.MethodOptions, base+"/mcp", nil)
	req.Header.Set("Origin", "http://localhost:6274")
	req.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-OWUI-API-Key") {
		t.Errorf("preflight: %v %v", resp, err)
	}
	req.Header.Set("Origin", "http://localhost:3000")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("preflight from another page: %v %v", resp, err)
	}
	// Chunked bodies, whose size is not announced, are bounded too.
	req, _ = http.NewRequest(http.MethodPost, base+"/mcp", io.MultiReader(strings.NewReader(`{"a":"`), bytes.NewReader(bytes.Repeat([]byte("x"), 2<<20))))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked 2 MiB body: status %d", resp.StatusCode)
	}
	// Only the chosen transport is served.
	if got := post(t, base+"/message?sessionId=x", []byte(initBody), nil).StatusCode; got != 404 {
		t.Errorf("SSE endpoint on an http server: %d", got)
	}
	// SSE's message endpoint has the same guards.
	sse, _ := hosted(t, "sse", nil)
	if got := post(t, sse+"/mcp", []byte(initBody), nil).StatusCode; got != 404 {
		t.Errorf("streamable endpoint on an sse server: %d", got)
	}
	if got := post(t, sse+"/message?sessionId=x", []byte(initBody), map[string]string{"Origin": "https://evil.example"}).StatusCode; got != 403 {
		t.Errorf("SSE foreign origin: %d", got)
	}
}

func TestHostedAuthToken(t *testing.T) {
	emu := owuitest.NewServer(owuitest.WithUsers(owuitest.User{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin"}))
	defer emu.Close()
	const token = "endpoint-token-123"
	for _, tr := range []string{"http", "sse"} {
		base, _ := hosted(t, tr, map[string]string{"OWUI_SERVER": emu.URL, "OWUI_MCP_AUTH_TOKEN": token})
		endpoint := base + "/mcp"
		if tr == "sse" {
			endpoint = base + "/message?sessionId=x"
		}
		for _, auth := range []string{"", "Bearer wrong", "Basic " + token, "Bearer " + token + "x"} {
			resp := post(t, endpoint, []byte(initBody), map[string]string{"Authorization": auth})
			if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %q: %d %q", tr, auth, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
		if tr == "sse" {
			resp, err := http.Get(base + "/sse")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("SSE stream without token: %d", resp.StatusCode)
			}
		}
		// With the token, everything works, and the token never reaches Open WebUI.
		emu.ResetRequests()
		c := hostedClient(t, tr, base, map[string]string{"Authorization": "Bearer " + token})
		c.OK("signin", map[string]any{"email": "a@example.com", "password": "pa"})
		c.OK("get_session_user", nil)
		for _, r := range emu.Requests() {
			for _, vs := range r.Header {
				for _, v := range vs {
					if strings.Contains(v, token) {
						t.Errorf("%s: the endpoint token reached Open WebUI in %s %s", tr, r.Method, r.Path)
					}
				}
			}
		}
	}
}

// TestHostedPerClientCredential: a client's own key in X-OWUI-API-Key is its
// starting credential, and only its.
func TestHostedPerClientCredential(t *testing.T) {
	keyA := "sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	emu := owuitest.NewServer(owuitest.WithAPIKeys(true), owuitest.WithUsers(
		owuitest.User{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin", APIKey: keyA},
		owuitest.User{Name: "B", Email: "b@example.com", Password: "pb", Role: "admin"}))
	defer emu.Close()
	const shared = "sk-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	for _, tr := range []string{"http", "sse"} {
		base, logs := hosted(t, tr, map[string]string{"OWUI_SERVER": emu.URL, "OWUI_MCP_AUTH_TOKEN": "tok-secret-0123456789", "OWUI_API_KEY": shared}, "--log-level", "debug")
		a := hostedClient(t, tr, base, map[string]string{"Authorization": "Bearer tok-secret-0123456789", "X-OWUI-API-Key": keyA})
		b := hostedClient(t, tr, base, map[string]string{"Authorization": "Bearer tok-secret-0123456789"})
		if me := a.OK("get_session_user", nil); me["email"] != "a@example.com" || strings.Contains(toolstest.JSON(me), keyA) {
			t.Errorf("%s: client with key: %v", tr, me)
		}
		// Without its own key, a client starts from OWUI_API_KEY, whose
		// owner does not exist here.
		b.Fail("get_session_user", nil, "401")
		if found := toolstest.FindSecrets(logs.String(), keyA, shared, "tok-secret-0123456789"); len(found) > 0 {
			t.Errorf("%s: secrets in debug logs: %q", tr, found)
		}
	}
	// Without an endpoint token, the bearer header is the client's own key.
	base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL})
	c, err := client.NewStreamableHttpClient(base+"/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + keyA}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	tc := &toolstest.Client{T: t, C: c}
	if me := tc.OK("get_session_user", nil); me["email"] != "a@example.com" {
		t.Errorf("bearer as credential: %v", me)
	}
}

func TestSharedKeyOnLoopbackIsAllowed(t *testing.T) {
	emu := owuitest.NewServer()
	defer emu.Close()
	// Loopback binds are only reachable from this machine: OWUI_API_KEY is fine.
	hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL, "OWUI_API_KEY": "sk-x"})
}

// TestHostedSharedKeyWithholdsCredentialTools: with one OWUI_API_KEY behind
// every hosted client, the tools that would change or delete that credential
// are not served unless named, and start-up says so.
func TestHostedSharedKeyWithholdsCredentialTools(t *testing.T) {
	emu := owuitest.NewServer(owuitest.WithAPIKeys(true))
	defer emu.Close()
	withheld := []string{"update_password", "generate_api_key", "delete_api_key"}
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL, "OWUI_API_KEY": "sk-shared"})
	names := toolNames(t, hostedClient(t, "http", base, nil))
	for _, w := range withheld {
		if names[w] {
			t.Errorf("%s is served with a shared OWUI_API_KEY", w)
		}
	}
	if !names["get_api_key"] || !strings.Contains(logs.String(), "update_password, generate_api_key, delete_api_key are not served") {
		t.Errorf("tools %v; logs %s", names, logs)
	}
	// Named, it is served.
	base, _ = hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL, "OWUI_API_KEY": "sk-shared"},
		"--toolsets", "api_keys", "--tools", "generate_api_key")
	if names := toolNames(t, hostedClient(t, "http", base, nil)); !names["generate_api_key"] || names["delete_api_key"] {
		t.Errorf("with --tools generate_api_key: %v", names)
	}
	// Each client with a key of its own (no OWUI_API_KEY) keeps them all.
	base, _ = hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL})
	if names := toolNames(t, hostedClient(t, "http", base, nil)); !names["delete_api_key"] {
		t.Errorf("without a shared key: %v", names)
	}
}

func toolNames(t *testing.T, c *toolstest.Client) map[string]bool {
	t.Helper()
	res, err := c.C.ListTools(bg, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tl := range res.Tools {
		names[tl.Name] = true
	}
	return names
}

// TestSessionIDsAreNeverLogged: mcp-go puts session ids in its own error
// texts (any client can make it log one by posting a JSON-RPC response);
// every line is scrubbed, at every level.
func TestSessionIDsAreNeverLogged(t *testing.T) {
	emu := owuitest.NewServer()
	defer emu.Close()
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL}, "--log-level", "debug")
	resp := post(t, base+"/mcp", []byte(initBody), nil)
	sid := resp.Header.Get("Mcp-Session-Id")
	if sid == "" {
		t.Fatal("no session")
	}
	h := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-06-18"}
	post(t, base+"/mcp", []byte(`{"jsonrpc":"2.0","id":7,"result":{"content":"x"}}`), h)
	post(t, base+"/mcp", []byte(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"get_session_user","arguments":{}}}`), h)
	uuid := strings.TrimPrefix(sid, "mcp-session-")
	text := logs.String()
	if strings.Contains(text, uuid) || !strings.Contains(text, "Failed to handle sampling response") || !strings.Contains(text, "[id ") {
		t.Errorf("logs:\n%s", text)
	}
}

// TestHeaderBytesAreBounded: a request with headers past 64 KiB is refused
// before anything reads them into a session.
func TestHeaderBytesAreBounded(t *testing.T) {
	base, _ := hosted(t, "http", nil)
	resp := post(t, base+"/mcp", []byte(initBody), map[string]string{"X-Padding": strings.Repeat("p", 100<<10)})
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB of headers: %d", resp.StatusCode)
	}
}
