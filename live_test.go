package main

import (
	"io"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"

	"github.com/owui-mcp/owui-mcp/internal/livetest"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// TestLiveScenario runs every tool through a real MCP client, over stdio with
// the built binary and over streamable HTTP, against the Open WebUI that
// OWUI_TEST_SERVER names (see internal/livetest), or else against the
// emulator set up as such a server is.
func TestLiveScenario(t *testing.T) {
	t.Run("stdio", func(t *testing.T) {
		env := livetest.Target(t)
		c := stdioClient(t, "OWUI_SERVER="+env.URL, "OWUI_MCP_LOG_LEVEL=debug")
		secrets := toolstest.LiveTools(t, c, env)
		stderr, _ := client.GetStderr(c.C)
		_ = c.C.Close()
		logs, _ := io.ReadAll(stderr)
		noSecrets(t, string(logs), secrets)
	})
	t.Run("http", func(t *testing.T) {
		env := livetest.Target(t)
		base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": env.URL}, "--log-level", "debug")
		secrets := toolstest.LiveTools(t, hostedClient(t, "http", base, nil), env)
		noSecrets(t, logs.String(), append(secrets, "mcp-session-"))
	})
}

func noSecrets(t *testing.T, logs string, secrets []string) {
	t.Helper()
	if found := toolstest.FindSecrets(logs, secrets...); len(found) > 0 || !strings.Contains(logs, "tool call") {
		t.Errorf("secrets in debug logs: %q\n%s", found, logs)
	}
}
