package tools_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/golden"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

func TestCatalogueMatchesOperations(t *testing.T) {
	var names []string
	for _, tl := range tools.Catalogue() {
		names = append(names, tl.Name)
		if tl.Op.Name != tl.Name || tl.MCP.Name != tl.Name {
			t.Errorf("%s: op %s", tl.Name, tl.Op.Name)
		}
		a := tl.MCP.Annotations
		if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: an annotation is unset", tl.Name)
		}
		if tl.MCP.Title == "" || len(tl.MCP.Description) < 30 {
			t.Errorf("%s: title %q, description %q", tl.Name, tl.MCP.Title, tl.MCP.Description)
		}
		if !slices.ContainsFunc([]string{"Anyone", "Signed-in", "Approved", "Admins only"}, func(w string) bool { return strings.Contains(tl.MCP.Description, w) }) {
			t.Errorf("%s: description does not say who may call it", tl.Name)
		}
		if *a.ReadOnlyHint != (tl.Op.Method == "GET") {
			t.Errorf("%s: readOnlyHint %v for %s", tl.Name, *a.ReadOnlyHint, tl.Op.Method)
		}
		var in, out map[string]any
		_ = json.Unmarshal(tl.MCP.RawInputSchema, &in)
		_ = json.Unmarshal(tl.MCP.RawOutputSchema, &out)
		if in["type"] != "object" || in["properties"] == nil || in["additionalProperties"] != false {
			t.Errorf("%s: input schema %v", tl.Name, in)
		}
		if out["type"] != "object" || out["properties"] == nil {
			t.Errorf("%s: output schema %v", tl.Name, out)
		}
		for _, s := range []json.RawMessage{tl.MCP.RawInputSchema, tl.MCP.RawOutputSchema} {
			if strings.Contains(string(s), "$ref") || strings.Contains(string(s), "$defs") {
				t.Errorf("%s: schema is not inlined", tl.Name)
			}
		}
	}
	var ops []string
	for _, op := range owui.Operations() {
		ops = append(ops, op.Name)
	}
	if !reflect.DeepEqual(names, ops) {
		t.Errorf("tools %v\nops   %v", names, ops)
	}
	for _, provider := range []string{"token_exchange", "delete_oauth_session"} {
		tl, _ := tools.Lookup(provider)
		if !strings.Contains(string(tl.MCP.RawInputSchema), `"provider"`) {
			t.Errorf("%s takes no provider argument", provider)
		}
	}
}

// TestToolsListGolden keeps every tool's tools/list object as a golden file
// taken from the wire. Regenerate on purpose with go generate ./tools.
func TestToolsListGolden(t *testing.T) {
	e := newEnv(t, tools.Config{})
	resp := e.srv.MCP.HandleMessage(bg, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Result struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(b, &list); err != nil || len(list.Result.Tools) != 23 {
		t.Fatalf("tools/list: %v, %d tools", err, len(list.Result.Tools))
	}
	if golden.Update(t, golden.Tools) {
		// These files are made from the schemas embedded in this test
		// binary: regenerated schemas.json needs a build of its own first,
		// which go generate ./tools does.
		disk, err := os.ReadFile("schemas.json")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(disk, tools.SchemasJSON) {
			t.Fatal("schemas.json changed after this test binary was built; the tools/list files would be made from the old one. Run go generate ./tools, which rebuilds between its steps")
		}
	}
	for _, raw := range list.Result.Tools {
		var tl struct{ Name string }
		_ = json.Unmarshal(raw, &tl)
		var pretty bytes.Buffer
		var v any
		_ = json.Unmarshal(raw, &v)
		enc := json.NewEncoder(&pretty)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		golden.File(t, golden.Tools, filepath.Join("testdata", "tools", tl.Name+".json"), pretty.Bytes())
	}
}

// TestAllToolsScenario walks through every tool, in both protocol eras,
// without ever passing a token: the session keeps it.
func TestAllToolsScenario(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			e := newEnv(t, tools.Config{}, toolstest.EmulatorOptions()...)
			c := e.connect(t, legacy)
			toolstest.AllTools(t, c)
			used := map[string]bool{}
			for _, r := range e.emu.Requests() {
				used[r.Method+" "+r.Path] = true
			}
			for _, op := range owui.Operations() {
				path := "/api/v1/auths" + strings.Replace(op.Path, "{provider}", "oidc", 1)
				if !used[op.Method+" "+path] {
					t.Errorf("%s never reached %s %s", op.Name, op.Method, path)
				}
			}
		})
	}
}

func TestSecretsKeptOnUpdateWithMask(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithLDAP())
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	c.OK("update_ldap_server", map[string]any{"app_dn_password": "bind-secret"})
	c.OK("update_ldap_server", map[string]any{"app_dn_password": tools.Mask, "label": "Corp"})
	// Ask the server itself, past the masking.
	admin := e.client(t).NewSession("")
	if _, err := admin.Signin(bg, owui.SigninForm{Email: adminEmail, Password: adminPass}); err != nil {
		t.Fatal(err)
	}
	srv, err := admin.GetLDAPServer(bg)
	if err != nil || srv.AppDNPassword != "bind-secret" || srv.Label != "Corp" {
		t.Fatalf("%v %+v", err, srv)
	}
}

func (e *env) client(t *testing.T) *owui.Client {
	c, err := owui.New(e.emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRevealSecrets(t *testing.T) {
	e := newEnv(t, tools.Config{RevealSecrets: true}, withAdmin(), owuitest.WithAPIKeys(true))
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	k := fmt.Sprint(c.OK("generate_api_key", nil)["api_key"])
	if !strings.HasPrefix(k, "sk-") || len(k) != 35 {
		t.Fatalf("revealed key %q", k)
	}
	// Session tokens are never revealed, even then.
	if tok := fmt.Sprint(c.OK("get_session_user", nil)["token"]); strings.HasPrefix(tok, "ey") || strings.HasPrefix(tok, "sk-") {
		t.Fatalf("token revealed: %q", tok)
	}
}

func TestStartingAPIKeyIsNeverEchoed(t *testing.T) {
	key := "sk-0123456789abcdef0123456789abcdef"
	// Not even with revealing on: that is for keys a tool creates or shows.
	e := newEnv(t, tools.Config{APIKey: key, RevealSecrets: true}, owuitest.WithAPIKeys(true),
		owuitest.WithUsers(owuitest.User{Name: "K", Email: "k@example.com", Password: "pw", Role: "admin", APIKey: key}))
	c := e.connect(t, false)
	_, text, isErr := c.Call("get_session_user", nil)
	if isErr || strings.Contains(text, key) || !strings.Contains(text, "k@example.com") {
		t.Fatalf("get_session_user with OWUI_API_KEY: %s", text)
	}
}

func TestInvalidArgumentsSendNothing(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin())
	c := e.connect(t, true)
	e.emu.ResetRequests()
	cases := []struct {
		tool  string
		args  any
		parts []string
	}{
		{"signup", map[string]any{"email": "a@b.co", "name": "n"}, []string{`missing required argument "password"`}},
		{"signin", map[string]any{"password": "x"}, []string{"email is required with a password"}},
		{"update_password", map[string]any{"new_password": "x"}, []string{"give both password and new_password, or neither"}},
		{"signin", map[string]any{"email": 5, "password": "x", "extra": true}, []string{`"email" must be a string, not a number`, `unknown argument "extra"`}},
		{"signup", map[string]any{"name": "n", "email": "nope", "password": "p"}, []string{"must be an email address"}},
		{"add_user", map[string]any{"name": "n", "email": "a@b.co", "password": "p", "role": "root"}, []string{"must be one of pending, user, admin"}},
		{"update_profile", map[string]any{"date_of_birth": "31/12/1990"}, []string{"YYYY-MM-DD"}},
		{"update_admin_config", map[string]any{"JWT_EXPIRES_IN": "forever"}, []string{"JWT_EXPIRES_IN", "must match"}},
		{"token_exchange", map[string]any{"provider": "", "token": "t"}, []string{`"provider" must match`}},
		{"delete_oauth_session", map[string]any{"provider": "../../api_key"}, []string{`"provider" must match`}},
		{"get_session_user", map[string]any{"verbose": true}, []string{"takes no arguments"}},
		{"update_ldap_config", map[string]any{"enable_ldap": "yes"}, []string{"must be a boolean, not a string"}},
		{"update_ldap_config", map[string]any{}, []string{`missing required argument "enable_ldap"`}},
	}
	for _, tc := range cases {
		text := c.Fail(tc.tool, tc.args, tc.parts...)
		if !strings.Contains(text, "invalid arguments for "+tc.tool) || !strings.Contains(text, "Nothing was sent") {
			t.Errorf("%s: %q", tc.tool, text)
		}
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("%d requests reached Open WebUI", n)
	}
	// The server keeps serving.
	c.OK("signin", signinArgs(adminEmail, adminPass))
}

func TestUpstreamErrorsAreToolErrors(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithVersion("0.6.41"))
	c := e.connect(t, true)
	c.Fail("get_admin_config", nil, "Not authenticated", "no valid credential")
	c.OK("signin", signinArgs(adminEmail, adminPass))
	c.Fail("update_timezone", map[string]any{"timezone": "UTC"}, "does not offer update_timezone (added in v0.7.0)")
	c.Fail("get_oauth_config", nil, "added in v0.10.0")
	c.OK("sign_out", nil)
}

// TestProviderNames: the provider takes Open WebUI's own names, MCP tool
// servers' "mcp:<server id>" included, and nothing that is not one path
// segment.
func TestProviderNames(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithOAuth("oidc"))
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	for _, p := range []string{"oidc", "mcp:server-1", "mcp:srv.example.org", "my_idp-2", "MCP:X"} {
		c.Fail("delete_oauth_session", map[string]any{"provider": p}, "No OAuth session found for this provider")
		c.Fail("token_exchange", map[string]any{"provider": p, "token": "t"}, "Open WebUI answered")
	}
	e.emu.ResetRequests()
	for _, p := range []string{"", ".", "..", "a..b", ".hidden", "x.", "mcp:a/b", `a\b`, "a%2Fb", "../../api_key", "a b", "é"} {
		c.Fail("delete_oauth_session", map[string]any{"provider": p}, `"provider" must match`)
		c.Fail("token_exchange", map[string]any{"provider": p, "token": "t"}, `"provider" must match`)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("%d refused providers reached Open WebUI", n)
	}
	// An MCP tool server's session, end to end.
	if _, err := e.emu.AddOAuthSession(adminEmail, "mcp:server-1"); err != nil {
		t.Fatal(err)
	}
	if r := c.OK("delete_oauth_session", map[string]any{"provider": "mcp:server-1"}); r["ok"] != true {
		t.Fatalf("%v", r)
	}
	if reqs := e.emu.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/v1/auths/oauth/sessions/mcp:server-1" {
		t.Fatalf("%+v", reqs)
	}
	c.Fail("delete_oauth_session", map[string]any{"provider": "mcp:server-1"}, "No OAuth session found for this provider")
}

// TestSettingAnOlderServerLacks: a field the server does not return (added
// in a later release) was not stored, and the answer says so rather than
// reporting it stored as null.
func TestSettingAnOlderServerLacks(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithVersion("0.10.2"))
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	cases := []struct {
		tool    string
		args    map[string]any
		stored  string
		missing string
	}{
		{"update_oauth_config", map[string]any{"ENABLE_OAUTH": false, "OAUTH_PROVIDER_NAME": "Corp"}, "OAUTH_PROVIDER_NAME", "ENABLE_OAUTH"},
		{"update_admin_config", map[string]any{"CHANNEL_MODEL_RESPONSE_MODE": "channel", "ENABLE_NOTES": false}, "ENABLE_NOTES", "CHANNEL_MODEL_RESPONSE_MODE"},
	}
	for _, tc := range cases {
		r := c.OK(tc.tool, tc.args)
		st := r["stored"].(map[string]any)
		if _, ok := st[tc.stored]; !ok || len(st) != 1 || toolstest.JSON(r["not_applied"]) != `["`+tc.missing+`"]` {
			t.Errorf("%s: %v", tc.tool, r)
		}
	}
}

// TestClientsAreIsolated signs two clients of one server in as different
// accounts at once; each must only ever see its own.
func TestClientsAreIsolated(t *testing.T) {
	e := newEnv(t, tools.Config{}, owuitest.WithUsers(
		owuitest.User{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin"},
		owuitest.User{Name: "B", Email: "b@example.com", Password: "pb", Role: "user"}))
	a, b := e.connect(t, false), e.connect(t, true)
	a.OK("signin", signinArgs("a@example.com", "pa"))
	b.OK("signin", signinArgs("b@example.com", "pb"))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if me, _, _ := a.Call("get_session_user", nil); me["email"] != "a@example.com" {
				t.Errorf("client A saw %v", me["email"])
			}
		}()
		go func() {
			defer wg.Done()
			if me, _, _ := b.Call("get_session_user", nil); me["email"] != "b@example.com" {
				t.Errorf("client B saw %v", me["email"])
			}
		}()
	}
	wg.Wait()
	b.OK("sign_out", nil)
	a.OK("get_session_user", nil)
	if n := e.srv.SessionCount(); n != 2 {
		t.Errorf("%d sessions held", n)
	}
	_ = a.C.Close()
	if n := e.srv.SessionCount(); n != 1 {
		t.Errorf("closing a client left %d sessions", n)
	}
}

func TestSelect(t *testing.T) {
	all, err := tools.Select(tools.Selection{})
	if err != nil || len(all) != 23 {
		t.Fatalf("%d %v", len(all), err)
	}
	ro, _ := tools.Select(tools.Selection{ReadOnly: true, Toolsets: []string{"session", "admin", "ldap", "api_keys", "oauth"}, Tools: []string{"signin", "update_profile"}})
	var roNames []string
	for _, tl := range ro {
		roNames = append(roNames, tl.Name)
	}
	// --read-only wins over --toolsets and --tools.
	want := []string{"get_session_user", "get_admin_details", "get_admin_config", "get_ldap_server", "get_ldap_config", "get_api_key", "get_oauth_config"}
	if !reflect.DeepEqual(roNames, want) {
		t.Errorf("read-only: %v", roNames)
	}
	sel, _ := tools.Select(tools.Selection{Toolsets: []string{"profile"}, Tools: []string{"signin", "update_password"}, Exclude: []string{"update_password"}})
	var names []string
	for _, tl := range sel {
		names = append(names, tl.Name)
	}
	if !reflect.DeepEqual(names, []string{"update_profile", "update_timezone", "signin"}) {
		t.Errorf("exclude must beat tools: %v", names)
	}
	for _, empty := range []tools.Selection{
		{Toolsets: []string{"profile"}, ReadOnly: true},
		{Tools: []string{"signin"}, Exclude: []string{"signin"}},
	} {
		if got, err := tools.Select(empty); err == nil || got != nil {
			t.Errorf("%+v: an empty selection gave %d tools, %v", empty, len(got), err)
		}
	}
	only, _ := tools.Select(tools.Selection{Tools: []string{"signin"}})
	if len(only) != 1 {
		t.Errorf("--tools alone: %d tools", len(only))
	}
	if _, err := tools.Select(tools.Selection{Toolsets: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "session, profile, api_keys, admin, ldap, oauth") {
		t.Errorf("unknown toolset: %v", err)
	}
	if _, err := tools.Select(tools.Selection{Exclude: []string{"signout"}}); err == nil || !strings.Contains(err.Error(), "sign_out") {
		t.Errorf("unknown tool: %v", err)
	}
}

func TestFilteredToolIsRefused(t *testing.T) {
	sel, _ := tools.Select(tools.Selection{ReadOnly: true})
	e := newEnv(t, tools.Config{Tools: sel}, withAdmin())
	c := e.connect(t, true)
	res, err := c.C.ListTools(bg, mcp.ListToolsRequest{})
	if err != nil || len(res.Tools) != len(sel) {
		t.Fatalf("%v %d", err, len(res.Tools))
	}
	if _, err := c.C.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin", Arguments: signinArgs(adminEmail, adminPass)}}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("filtered tool answered: %v", err)
	}
}

func TestMarkdownCatalogue(t *testing.T) {
	md := tools.Markdown(tools.Catalogue())
	for _, tl := range tools.Catalogue() {
		if !strings.Contains(md, "| `"+tl.Name+"` |") {
			t.Errorf("%s missing", tl.Name)
		}
	}
	if !strings.Contains(md, "`email`*") || !strings.Contains(md, "read-only, idempotent") {
		t.Errorf("markdown:\n%s", md)
	}
}

// TestOAuthUpdateSendsOnlyTheChange: the server updates OAuth settings field
// by field, so only the fields set are sent; the stored client secret never
// travels back, and a concurrent change to another field survives.
func TestOAuthUpdateSendsOnlyTheChange(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithOAuth("oidc"))
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	e.emu.ResetRequests()
	c.OK("update_oauth_config", map[string]any{"OAUTH_SCOPES": "openid email", "OAUTH_CLIENT_SECRET": tools.Mask})
	reqs := e.emu.Requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || string(reqs[0].Body) != `{"OAUTH_SCOPES":"openid email"}` {
		for _, r := range reqs {
			t.Logf("%s %s %s", r.Method, r.Path, r.Body)
		}
		t.Fatalf("%d requests", len(reqs))
	}
	// Settings the server wants whole are read first, then written whole.
	e.emu.ResetRequests()
	c.OK("update_admin_config", map[string]any{"ENABLE_NOTES": false})
	reqs = e.emu.Requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || !strings.Contains(string(reqs[1].Body), `"SHOW_ADMIN_DETAILS"`) {
		t.Fatalf("update_admin_config sent %d requests", len(reqs))
	}
}

// TestCallTimeoutBoundsTheWholeCall: a settings update makes two requests;
// the timeout bounds the call, not each request.
func TestCallTimeoutBoundsTheWholeCall(t *testing.T) {
	e := newEnv(t, tools.Config{CallTimeout: 400 * time.Millisecond}, withAdmin())
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	e.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/admin/config", owuitest.FaultDelay(250*time.Millisecond)))
	start := time.Now()
	c.Fail("update_admin_config", map[string]any{"ENABLE_NOTES": false}, "did not answer within")
	if d := time.Since(start); d > 1400*time.Millisecond {
		t.Errorf("the call took %v", d)
	}
}
