package tools_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// TestNoSecretsInLogsOrResults runs every tool with debug logging and known
// secrets, then searches every log line and every result for them.
func TestNoSecretsInLogsOrResults(t *testing.T) {
	for _, reveal := range []bool{false, true} {
		scenario := func(c *toolstest.Client) { toolstest.AllTools(t, c) }
		if reveal {
			// AllTools expects masked keys; here keys show, so walk the key tools only.
			scenario = func(c *toolstest.Client) {
				c.OK("signup", map[string]any{"name": "First", "email": "first@example.com", "password": "pw-1"})
				c.OK("generate_api_key", nil)
				c.OK("get_api_key", nil)
				c.OK("get_session_user", nil)
				c.OK("update_ldap_server", map[string]any{"app_dn_password": "s3cret-bind"})
				c.OK("get_ldap_server", nil)
			}
		}
		var logs toolstest.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		emu := owuitest.NewServer(toolstest.EmulatorOptions()...)
		defer emu.Close()
		c, _ := owui.New(emu.URL, owui.WithLogger(log))
		srv := tools.NewServer(tools.Config{Client: c, Version: "t", Logger: log, RevealSecrets: reveal})
		var results toolstest.Buffer
		srv.MCP.GetHooks().AddAfterCallTool(func(_ context.Context, _ any, _ *mcp.CallToolRequest, res any) {
			b, _ := json.Marshal(res)
			_, _ = results.Write(append(b, '\n'))
		})
		e := &env{emu: emu, srv: srv}
		scenario(e.connect(t, true))
		if !strings.Contains(logs.String(), "tool call") || !strings.Contains(logs.String(), "owui request") {
			t.Fatalf("debug logs missing:\n%s", logs.String())
		}
		if found := toolstest.FindSecrets(logs.String(), toolstest.ScenarioSecrets...); len(found) > 0 {
			t.Errorf("reveal=%v: secrets in logs: %q", reveal, found)
		}
		found := toolstest.FindSecrets(results.String(), toolstest.ScenarioSecrets...)
		if reveal {
			// Only API keys may show, and only when revealing.
			kept := found[:0]
			for _, f := range found {
				if !strings.HasPrefix(f, "sk-") {
					kept = append(kept, f)
				}
			}
			found = kept
		}
		if len(found) > 0 {
			t.Errorf("reveal=%v: secrets in results: %q", reveal, found)
		}
	}
}

func TestPanicBecomesToolError(t *testing.T) {
	// A nil client makes every upstream call panic inside the handler.
	srv := tools.NewServer(tools.Config{Version: "t"})
	e := &env{srv: srv}
	c := e.connect(t, true)
	c.Fail("get_session_user", nil, "internal error in get_session_user")
	c.Fail("signin", signinArgs("a@b.co", "x"), "internal error in signin")
}
