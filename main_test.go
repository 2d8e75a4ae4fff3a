package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/golden"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// binary is owui-mcp built once for the subprocess tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "owui-mcp-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "owui-mcp")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var bg = context.Background()

func initialize(t testing.TB, c *client.Client) *mcp.InitializeResult {
	t.Helper()
	res, err := c.Initialize(bg, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// stdioClient starts the built binary as an MCP stdio subprocess.
func stdioClient(t testing.TB, env ...string) *toolstest.Client {
	t.Helper()
	c, err := client.NewStdioMCPClient(binary, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c)
	return &toolstest.Client{T: t, C: c}
}

func TestStdioAllTools(t *testing.T) {
	emu := owuitest.NewServer(toolstest.EmulatorOptions()...)
	defer emu.Close()
	c := stdioClient(t, "OWUI_SERVER="+emu.URL, "OWUI_MCP_LOG_LEVEL=debug")
	toolstest.AllTools(t, c)
	stderr, _ := client.GetStderr(c.C)
	_ = c.C.Close()
	logs, _ := io.ReadAll(stderr)
	if found := toolstest.FindSecrets(string(logs), toolstest.ScenarioSecrets...); len(found) > 0 || !strings.Contains(string(logs), "tool call") {
		t.Errorf("secrets in debug logs: %q\n%s", found, logs)
	}
}

type syncBuffer = toolstest.Buffer

// envOf is an environment holding exactly m.
func envOf(m map[string]string) lookupFunc {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// hosted runs owui-mcp in-process on a loopback port and returns its base
// URL; it stops when the test ends.
func hosted(t testing.TB, transportName string, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	addrs := make(chan string, 1)
	listening = func(a string) { addrs <- a }
	t.Cleanup(func() { listening = func(string) {} })
	ctx, cancel := context.WithCancel(bg)
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"--transport", transportName, "--addr", "127.0.0.1:0"}, args...),
			strings.NewReader(""), io.Discard, logs, envOf(env))
	}()
	select {
	case a := <-addrs:
		t.Cleanup(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("exit code %d; logs:\n%s", code, logs)
				}
			case <-time.After(5 * time.Second):
				t.Error("no graceful exit within 5s")
			}
		})
		return "http://" + a, logs
	case code := <-done:
		cancel()
		t.Fatalf("exited with %d before listening:\n%s", code, logs)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("not listening after 5s")
	}
	return "", nil
}

// hostedClient connects an MCP client over transportName ("http" or "sse").
func hostedClient(t testing.TB, transportName, base string, headers map[string]string) *toolstest.Client {
	t.Helper()
	var c *client.Client
	var err error
	if transportName == "http" {
		c, err = client.NewStreamableHttpClient(base+"/mcp", transport.WithHTTPHeaders(headers))
	} else {
		c, err = client.NewSSEMCPClient(base+"/sse", transport.WithHeaders(headers))
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	res := initialize(t, c)
	if res.ProtocolVersion == mcp.LATEST_PROTOCOL_VERSION && transportName == "http" {
		t.Errorf("hosted HTTP negotiated %s, which has no sessions", res.ProtocolVersion)
	}
	return &toolstest.Client{T: t, C: c}
}

func TestHostedAllTools(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		t.Run(tr, func(t *testing.T) {
			emu := owuitest.NewServer(toolstest.EmulatorOptions()...)
			defer emu.Close()
			base, logs := hosted(t, tr, map[string]string{"OWUI_SERVER": emu.URL}, "--log-level", "debug")
			toolstest.AllTools(t, hostedClient(t, tr, base, nil))
			if found := toolstest.FindSecrets(logs.String(), append(toolstest.ScenarioSecrets, "mcp-session-")...); len(found) > 0 || !strings.Contains(logs.String(), "tool call") {
				t.Errorf("secrets in debug logs: %q\n%s", found, logs)
			}
		})
	}
}

// TestHostedClientsAreIsolated signs clients in as different accounts at
// once, over both hosted transports; each must only ever see itself.
func TestHostedClientsAreIsolated(t *testing.T) {
	users := []owuitest.User{
		{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin"},
		{Name: "B", Email: "b@example.com", Password: "pb", Role: "user"},
		{Name: "C", Email: "c@example.com", Password: "pc", Role: "pending"},
	}
	emu := owuitest.NewServer(owuitest.WithUsers(users...))
	defer emu.Close()
	base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL})
	var wg sync.WaitGroup
	for i, u := range users {
		for _, tr := range []string{"http", "sse"} {
			if tr == "sse" {
				continue // one transport per listener; SSE is covered below
			}
			c := hostedClient(t, tr, base, nil)
			c.OK("signin", map[string]any{"email": u.Email, "password": u.Password})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 10; j++ {
					me, text, isErr := c.Call("get_session_user", nil)
					if isErr || me["email"] != u.Email {
						t.Errorf("client %d saw %v (%s)", i, me["email"], text)
					}
				}
			}()
		}
	}
	wg.Wait()
	// A client that never signed in has no identity, whatever others did.
	hostedClient(t, "http", base, nil).Fail("get_session_user", nil, "Not authenticated")

	sseBase, _ := hosted(t, "sse", map[string]string{"OWUI_SERVER": emu.URL})
	a := hostedClient(t, "sse", sseBase, nil)
	b := hostedClient(t, "sse", sseBase, nil)
	a.OK("signin", map[string]any{"email": "a@example.com", "password": "pa"})
	b.OK("signin", map[string]any{"email": "b@example.com", "password": "pb"})
	if me := a.OK("get_session_user", nil); me["email"] != "a@example.com" {
		t.Errorf("SSE client A saw %v", me["email"])
	}
	if me := b.OK("get_session_user", nil); me["email"] != "b@example.com" {
		t.Errorf("SSE client B saw %v", me["email"])
	}
}

// TestStdioStdoutIsOnlyJSONRPC drives the binary by hand, with debug logs on,
// and checks that every byte on stdout is JSON-RPC.
func TestStdioStdoutIsOnlyJSONRPC(t *testing.T) {
	emu := owuitest.NewServer()
	defer emu.Close()
	emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/admin/details", owuitest.FaultDelay(300*time.Millisecond)))
	cmd := exec.Command(binary, "--log-level", "debug")
	cmd.Env = append(os.Environ(), "OWUI_SERVER="+emu.URL)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	msgs := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_session_user","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"signup","arguments":{"name":"A","email":"a@example.com","password":"pw"}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":6}`,
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_admin_details","arguments":{}}}`,
	}
	for _, m := range msgs {
		fmt.Fprintln(stdin, m)
	}
	// Closing stdin ends the session, but only after every answer is written,
	// and without waiting out the 10 s shutdown grace.
	stdin.Close()
	closed := time.Now()
	seen := map[string]bool{}
	var slow string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var msg struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Fatalf("stdout line is not JSON-RPC: %q", sc.Text())
		}
		seen[string(msg.ID)] = true
		if string(msg.ID) == "7" {
			slow = sc.Text()
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v\n%s", err, stderr.String())
	}
	if d := time.Since(closed); d > 5*time.Second {
		t.Errorf("exit took %v after stdin closed", d)
	}
	for _, id := range []string{"1", "2", "3", "4", "5", "null", "6", "7"} {
		if !seen[id] {
			t.Errorf("no answer for id %s", id)
		}
	}
	// The slow call, still running when stdin closed, got a real answer:
	// refused, or the admin's details if the signup before it (served
	// concurrently) finished first.
	if strings.Contains(slow, "cancelled") || !strings.Contains(slow, "Not authenticated") && !strings.Contains(slow, `\"email\":\"a@example.com\"`) {
		t.Errorf("call in flight at end of input: %s", slow)
	}
	if !strings.Contains(stderr.String(), "level=DEBUG") {
		t.Errorf("no debug logs on stderr:\n%s", stderr.String())
	}
}

func TestToolsCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(bg, []string{"tools"}, nil, &out, &errb, envOf(nil)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.String() != tools.Markdown(tools.Catalogue()) {
		t.Error("tools prints something else than the catalogue")
	}
	out.Reset()
	if code := run(bg, []string{"tools", "--json", "--read-only"}, nil, &out, &errb, envOf(nil)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var list struct{ Tools []map[string]any }
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list.Tools) != 7 {
		t.Fatalf("%v: %d tools", err, len(list.Tools))
	}
	for _, tl := range list.Tools {
		if tl["inputSchema"] == nil || tl["outputSchema"] == nil || tl["annotations"].(map[string]any)["readOnlyHint"] != true {
			t.Errorf("%v", tl)
		}
	}
}

func TestReadmeToolTableIsCurrent(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- tools:begin -->\n", "<!-- tools:end -->"
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README has no tools:begin/end markers")
	}
	want := tools.Markdown(tools.Catalogue())
	if golden.Update(t, golden.Readme) {
		// The table is made from the schemas embedded in this test binary;
		// regenerated tools/schemas.json needs a build of its own first.
		if stale := staleSchemas(t); stale != "" {
			t.Fatalf("tools/schemas.json changed after this test binary was built (%s first); the table would be made from the old one. Run go generate ./tools, which rebuilds between its steps", stale)
		}
		if got := s[i+len(begin) : j]; got != want {
			s = s[:i+len(begin)] + want + s[j:]
			if err := os.WriteFile("README.md", []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Log("regenerated README.md's tool table")
		}
		return
	}
	golden.Equal(t, "README.md's tool table", []byte(s[i+len(begin):j]), []byte(want))
}

// staleSchemas names the first tool whose input schema in tools/schemas.json
// differs from the one this binary embeds, or "".
func staleSchemas(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("tools", "schemas.json"))
	if err != nil {
		t.Fatal(err)
	}
	var disk map[string]struct{ Input json.RawMessage }
	if err := json.Unmarshal(b, &disk); err != nil {
		t.Fatal(err)
	}
	for _, tl := range tools.Catalogue() {
		if !bytes.Equal(disk[tl.Name].Input, tl.MCP.RawInputSchema) {
			return tl.Name
		}
	}
	return ""
}

func TestCommandLine(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		code int
		out  string
	}{
		{[]string{"--version"}, nil, 0, "owui-mcp "},
		{[]string{"--help"}, nil, 0, "OWUI_MCP_TRANSPORT"},
		{[]string{"--transport", "carrier-pigeon"}, nil, 2, "use stdio, sse or http"},
		{[]string{"--timeout", "0s"}, nil, 2, "positive duration"},
		{[]string{"--log-level", "loud"}, nil, 2, "debug, info, warn or error"},
		{[]string{"--addr", "8765"}, nil, 2, "HOST:PORT"},
		{[]string{"--toolsets", "admin,nope"}, nil, 2, "valid toolsets: session, profile"},
		{[]string{"--exclude-tools", "signout"}, nil, 2, "valid tools: get_session_user"},
		{[]string{"sk-secret"}, nil, 2, "pass secrets in environment variables"},
		{[]string{"serve"}, nil, 2, `unknown command "serve"; the commands are tools, version, help`},
		{[]string{"tools", "extra"}, nil, 2, `unknown command "extra"`},
		{[]string{"--nope"}, nil, 2, "flag provided but not defined: -nope (see owui-mcp --help)"},
		{[]string{"version"}, nil, 0, "owui-mcp "},
		{[]string{"--read-only", "tools"}, nil, 0, "get_admin_config"},
		{[]string{"tools", "--read-only", "--json"}, nil, 0, `"name": "get_api_key"`},
		{[]string{"--toolsets", "profile", "--read-only"}, nil, 2, "leaves no tool to serve"},
		{nil, map[string]string{"OWUI_MCP_TOOLS": "signin", "OWUI_MCP_EXCLUDE_TOOLS": "signin"}, 2, "leaves no tool to serve"},
		{[]string{"--server", "ftp://x"}, nil, 2, "http:// or https://"},
		{[]string{"--transport", "http", "--addr", "0.0.0.0:0"}, map[string]string{"OWUI_API_KEY": "sk-x"}, 2, "OWUI_MCP_AUTH_TOKEN"},
		{nil, map[string]string{"OWUI_MCP_TRANSPORT": "sse", "OWUI_MCP_ADDR": "[::]:0", "OWUI_API_KEY": "sk-x"}, 2, "refusing to serve sse"},
		// Settings that cannot be read refuse to start rather than fail open.
		{[]string{"--transport", "http"}, map[string]string{"OWUI_MCP_AUTH_TOKEN": ""}, 2, "OWUI_MCP_AUTH_TOKEN is set but empty"},
		{[]string{"--transport", "http"}, map[string]string{"OWUI_MCP_AUTH_TOKEN": " \t "}, 2, "OWUI_MCP_AUTH_TOKEN is set but empty"},
		{[]string{"--transport", "http"}, map[string]string{"OWUI_MCP_AUTH_TOKEN": "short"}, 2, "shorter than 16 characters"},
		{[]string{"tools"}, map[string]string{"OWUI_MCP_READ_ONLY": "y"}, 2, `OWUI_MCP_READ_ONLY="y": not a boolean`},
		{[]string{"tools"}, map[string]string{"OWUI_MCP_DEMO": "enabled"}, 2, "OWUI_MCP_DEMO"},
		{[]string{"tools"}, map[string]string{"OWUI_MCP_REVEAL_SECRETS": "2"}, 2, "OWUI_MCP_REVEAL_SECRETS"},
		{[]string{"tools"}, map[string]string{"OWUI_MCP_REQUIRE_CREDENTIAL": "sure"}, 2, "OWUI_MCP_REQUIRE_CREDENTIAL"},
		{[]string{"tools"}, map[string]string{"OWUI_MCP_READ_ONLY": "Off"}, 0, "update_admin_config"},
		{[]string{"--max-sessions", "0"}, nil, 2, "positive whole number"},
		{nil, map[string]string{"OWUI_MCP_MAX_SESSIONS": "lots"}, 2, "positive whole number"},
		{[]string{"--transport", "http"}, map[string]string{"OWUI_MCP_ALLOWED_ORIGINS": "localhost:3000"}, 2, "is not an origin"},
		{[]string{"--transport", "http"}, map[string]string{"OWUI_MCP_ALLOWED_HOSTS": "http://host.docker.internal"}, 2, "is not a host name"},
		// --server never echoes what could be a secret.
		{[]string{"--server", "http:/user:pw-s3cret@host/"}, nil, 2, "…@host/"},
		{[]string{"--server", "user:pw-s3cret@host:8080"}, nil, 2, "…@host:8080"},
		{[]string{"--server", "http://host/?token=s3cret"}, nil, 2, "query"},
	}
	for _, tc := range cases {
		var out syncBuffer
		// Every case stops before serving; one that serves anyway (a check
		// that let it through) must fail here, not hang the package.
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		code := run(ctx, tc.args, strings.NewReader(""), &out, &out, envOf(tc.env))
		served := ctx.Err() != nil
		cancel()
		if served {
			t.Errorf("%v %v: still serving after 10 s, want exit %d with %q:\n%s", tc.args, tc.env, tc.code, tc.out, out.String())
			continue
		}
		if code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("%v %v: exit %d, output %q; want %d and %q", tc.args, tc.env, code, out.String(), tc.code, tc.out)
		}
		if strings.Contains(out.String(), "s3cret") {
			t.Errorf("%v: a secret in the output: %s", tc.args, out.String())
		}
	}
}

// TestHelp: help goes to stdout and exits 0, however it is asked for, even
// with settings that would stop the server.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"tools", "--help"}} {
		var out, errb syncBuffer
		code := run(bg, args, nil, &out, &errb, envOf(map[string]string{"OWUI_MCP_READ_ONLY": "y"}))
		if code != 0 || !strings.Contains(out.String(), "owui-mcp tools [--json]") || !strings.Contains(out.String(), "-max-sessions") || errb.String() != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
}

// TestExclusionsAddUp: tools excluded in the environment stay excluded when
// the flag excludes others.
func TestExclusionsAddUp(t *testing.T) {
	var out, errb syncBuffer
	code := run(bg, []string{"tools", "--exclude-tools", "signup"}, nil, &out, &errb, envOf(map[string]string{"OWUI_MCP_EXCLUDE_TOOLS": "signin"}))
	if code != 0 || strings.Contains(out.String(), "`signin`") || strings.Contains(out.String(), "`signup`") || !strings.Contains(out.String(), "`sign_out`") {
		t.Errorf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
}

// TestNonLoopbackWarnings: serving beyond this machine without an endpoint
// token, or without a list of host names, is said loudly, whatever the log
// level. (The address is not this machine's, so nothing is bound.)
func TestNonLoopbackWarnings(t *testing.T) {
	var out syncBuffer
	code := run(bg, []string{"--transport", "http", "--addr", "192.0.2.1:0", "--log-level", "error"}, strings.NewReader(""), &out, &out, envOf(nil))
	if code != 1 || !strings.Contains(out.String(), "WARNING") || !strings.Contains(out.String(), "WITHOUT an endpoint token") || !strings.Contains(out.String(), "OWUI_MCP_ALLOWED_HOSTS") {
		t.Errorf("exit %d: %s", code, out.String())
	}
}

func TestHealthz(t *testing.T) {
	base, _ := hosted(t, "http", nil)
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
}
