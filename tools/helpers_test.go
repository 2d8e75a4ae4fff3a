package tools_test

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
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
func (e *env) connect(t *testing.T, legacy bool) *toolstest.Client {
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
	return &toolstest.Client{T: t, C: c}
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
