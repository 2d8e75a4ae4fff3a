package tools_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

var bg = context.Background()

// env is an emulated Open WebUI with an owui-mcp server in front of it.
type env struct {
	emu *owuitest.Server
	srv *tools.Server
}

func newEnv(t *testing.T, cfg tools.Config, opts ...owuitest.Option) *env {
	t.Helper()
	emu := owuitest.NewServer(opts...)
	t.Cleanup(emu.Close)
	c, err := owui.New(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Client = c
	cfg.Version = "test"
	return &env{emu: emu, srv: tools.NewServer(cfg)}
}

// connect opens an in-process MCP client; legacy pins protocol 2025-11-25,
// otherwise the client negotiates the newest revision.
func (e *env) connect(t *testing.T, legacy bool) *mcpClient {
	t.Helper()
	var opts []client.ClientOption
	if legacy {
		opts = append(opts, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
	}
	c, err := client.NewInProcessClientWithOptions(e.srv.MCP, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(bg, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	return &mcpClient{t: t, c: c}
}

type mcpClient struct {
	t *testing.T
	c *client.Client
}

// call runs a tool and returns its structured result and text; it fails the
// test on a protocol error.
func (m *mcpClient) call(name string, args any) (map[string]any, string, bool) {
	m.t.Helper()
	res, err := m.c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		m.t.Fatalf("%s: protocol error %v", name, err)
	}
	if len(res.Content) != 1 {
		m.t.Fatalf("%s: %d content blocks", name, len(res.Content))
	}
	text := mcp.GetTextFromContent(res.Content[0])
	sc, _ := res.StructuredContent.(map[string]any)
	return sc, text, res.IsError
}

// ok runs a tool that must succeed and checks that the text block carries
// exactly the structured result.
func (m *mcpClient) ok(name string, args any) map[string]any {
	m.t.Helper()
	sc, text, isErr := m.call(name, args)
	if isErr {
		m.t.Fatalf("%s failed: %s", name, text)
	}
	var fromText map[string]any
	if err := json.Unmarshal([]byte(text), &fromText); err != nil {
		m.t.Fatalf("%s: text is not the JSON result: %q", name, text)
	}
	if b1, b2 := mustJSON(fromText), mustJSON(sc); b1 != b2 {
		m.t.Fatalf("%s: text %s != structuredContent %s", name, b1, b2)
	}
	return sc
}

// fail runs a tool that must fail and returns the error text, checking it
// mentions every part.
func (m *mcpClient) fail(name string, args any, parts ...string) string {
	m.t.Helper()
	_, text, isErr := m.call(name, args)
	if !isErr {
		m.t.Fatalf("%s succeeded, want an error: %s", name, text)
	}
	for _, p := range parts {
		if !strings.Contains(text, p) {
			m.t.Errorf("%s error %q lacks %q", name, text, p)
		}
	}
	return text
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const (
	adminEmail = "admin@example.com"
	adminPass  = "admin-pass"
)

func withAdmin() owuitest.Option {
	return owuitest.WithUsers(owuitest.User{Name: "Admin", Email: adminEmail, Password: adminPass, Role: "admin"})
}

func signinArgs(email, pw string) map[string]any {
	return map[string]any{"email": email, "password": pw}
}
