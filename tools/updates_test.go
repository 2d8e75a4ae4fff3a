package tools_test

import (
	"testing"

	"github.com/owui-mcp/owui-mcp/tools"
)

// TestEmptyUpdatesWriteNothing: an update that names nothing to change
// sends no write, and a settings update not even the read (its answer,
// the stored value of each field set, is empty). update_profile reads once,
// since it answers with the profile as stored.
func TestEmptyUpdatesWriteNothing(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin())
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	for _, tool := range []string{"update_admin_config", "update_ldap_server", "update_oauth_config"} {
		for _, args := range []map[string]any{nil, {}} {
			e.emu.ResetRequests()
			r := c.OK(tool, args)
			if st, ok := r["stored"].(map[string]any); !ok || len(st) != 0 || r["not_applied"] != nil {
				t.Errorf("%s %v: %v", tool, args, r)
			}
			if reqs := e.emu.Requests(); len(reqs) != 0 {
				t.Errorf("%s %v: %d requests reached Open WebUI, the first %s %s", tool, args, len(reqs), reqs[0].Method, reqs[0].Path)
			}
		}
	}
	// The mask sent back for a secret means "keep it": nothing to change.
	e.emu.ResetRequests()
	c.OK("update_ldap_server", map[string]any{"app_dn_password": tools.Mask})
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("update_ldap_server with only the mask: %d requests", n)
	}

	e.emu.ResetRequests()
	r := c.OK("update_profile", map[string]any{})
	if r["name"] != "Admin" || r["email"] != adminEmail {
		t.Errorf("update_profile {}: %v", r)
	}
	var sent []string
	for _, r := range e.emu.Requests() {
		sent = append(sent, r.Method+" "+r.Path)
	}
	if len(sent) != 1 || sent[0] != "GET /api/v1/auths/" {
		t.Errorf("update_profile {}: sent %q, want only the read", sent)
	}
}
