package tools_test

import (
	"testing"

	"github.com/owui-mcp/owui-mcp/signinpage"
	"github.com/owui-mcp/owui-mcp/tools"
)

// Without an address for the page (hosted on a public address with no
// OWUI_MCP_PUBLIC_URL) or without a page at all, a call that leaves the
// password out says what to do, and nothing is sent.
func TestBrowserSigninWithoutAnAddress(t *testing.T) {
	noBase, err := signinpage.New(signinpage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for name, pages := range map[string]*signinpage.Store{"no address": noBase, "no page": nil} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, tools.Config{Pages: pages})
			c := e.connect(t, true)
			for _, tool := range []string{"signin", "signin_ldap", "update_password"} {
				c.Fail(tool, map[string]any{}, "no password was given", "OWUI_MCP_PUBLIC_URL", "Nothing was sent")
			}
			if n := len(e.emu.Requests()); n != 0 {
				t.Errorf("%d requests reached Open WebUI", n)
			}
		})
	}
}
