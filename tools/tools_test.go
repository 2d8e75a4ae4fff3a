package tools_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
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
		if !slices.ContainsFunc([]string{"Anyone", "signed-in", "Approved", "Admins only"}, func(w string) bool { return strings.Contains(tl.MCP.Description, w) }) {
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
// taken from the wire. Regenerate on purpose with UPDATE_GOLDEN=1.
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
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, raw := range list.Result.Tools {
		var tl struct{ Name string }
		_ = json.Unmarshal(raw, &tl)
		var pretty strings.Builder
		var v any
		_ = json.Unmarshal(raw, &v)
		enc := json.NewEncoder(&pretty)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		path := filepath.Join("testdata", "tools", tl.Name+".json")
		if update {
			_ = os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(pretty.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with UPDATE_GOLDEN=1 to create)", tl.Name, err)
		}
		if string(want) != pretty.String() {
			t.Errorf("%s: tools/list object changed; if on purpose, regenerate with UPDATE_GOLDEN=1 go test ./tools\n got: %s", tl.Name, pretty.String())
		}
	}
}

// TestAllToolsScenario walks through every tool, in both protocol eras,
// without ever passing a token: the session keeps it.
func TestAllToolsScenario(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			e := newEnv(t, tools.Config{},
				owuitest.WithAPIKeys(true),
				owuitest.WithLDAP(owuitest.LDAPEntry{Username: "ldapuser", Password: "ldap-pw", Email: "ldap@corp.example", CN: "Ldap User"}),
				owuitest.WithOAuth("oidc", owuitest.OAuthToken{AccessToken: "oauth-token", Sub: "sub-1", Email: "first@example.com"}),
				owuitest.WithOAuthMergeByEmail(true))
			c := e.connect(t, legacy)
			runScenario(t, c)
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

func runScenario(t *testing.T, c *mcpClient) {
	r := c.ok("signup", map[string]any{"name": "First", "email": "first@example.com", "password": "pw-1"})
	if r["role"] != "admin" || strings.HasPrefix(fmt.Sprint(r["token"]), "ey") {
		t.Fatalf("signup %v", r)
	}
	me := c.ok("get_session_user", nil)
	if me["email"] != "first@example.com" || strings.HasPrefix(fmt.Sprint(me["token"]), "ey") {
		t.Fatalf("session user %v", me)
	}
	c.ok("update_profile", map[string]any{"bio": "Runs this server", "date_of_birth": "1990-01-02"})
	me = c.ok("get_session_user", nil)
	if me["bio"] != "Runs this server" || me["name"] != "First" || me["date_of_birth"] != "1990-01-02" {
		t.Fatalf("profile after update %v", me)
	}
	c.ok("update_profile", map[string]any{"name": "First Admin"})
	me = c.ok("get_session_user", nil)
	if me["bio"] != "Runs this server" || me["name"] != "First Admin" {
		t.Fatalf("update_profile lost a field: %v", me)
	}
	if st := c.ok("update_timezone", map[string]any{"timezone": "Europe/Berlin"}); st["status"] != true {
		t.Fatalf("timezone %v", st)
	}
	if ok := c.ok("update_password", map[string]any{"password": "pw-1", "new_password": "pw-2"}); ok["ok"] != true {
		t.Fatalf("password %v", ok)
	}
	if out := c.ok("sign_out", nil); out["status"] != true {
		t.Fatalf("sign_out %v", out)
	}
	c.fail("get_session_user", nil, "Not authenticated", "sign in")
	c.fail("signin", signinArgs("first@example.com", "pw-1"), "incorrect")
	c.ok("signin", signinArgs("first@example.com", "pw-2"))

	added := c.ok("add_user", map[string]any{"name": "Bob", "email": "bob@example.com", "password": "pw-b", "role": "user"})
	if added["role"] != "user" || strings.HasPrefix(fmt.Sprint(added["token"]), "ey") {
		t.Fatalf("add_user %v", added)
	}
	if me := c.ok("get_session_user", nil); me["email"] != "first@example.com" {
		t.Fatalf("add_user switched the session to %v", me["email"])
	}
	if d := c.ok("get_admin_details", nil); d["email"] != "first@example.com" {
		t.Fatalf("admin details %v", d)
	}
	cfg := c.ok("get_admin_config", nil)
	if len(cfg) != 28 {
		t.Errorf("admin config has %d keys", len(cfg))
	}
	up := c.ok("update_admin_config", map[string]any{"ENABLE_SIGNUP": true, "RESPONSE_WATERMARK": "draft"})
	if st := up["stored"].(map[string]any); st["ENABLE_SIGNUP"] != true || st["RESPONSE_WATERMARK"] != "draft" || len(st) != 2 {
		t.Fatalf("update_admin_config %v", up)
	}
	after := c.ok("get_admin_config", nil)
	for k, v := range cfg {
		if k == "ENABLE_SIGNUP" || k == "RESPONSE_WATERMARK" {
			continue
		}
		if !reflect.DeepEqual(after[k], v) {
			t.Errorf("update_admin_config changed %s: %v -> %v", k, v, after[k])
		}
	}

	ldap := c.ok("get_ldap_server", nil)
	if ldap["app_dn_password"] != "" && ldap["app_dn_password"] != tools.Mask {
		t.Fatalf("bind password shown: %v", ldap["app_dn_password"])
	}
	c.ok("update_ldap_server", map[string]any{"app_dn": "", "app_dn_password": "s3cret-bind", "search_filters": "(objectClass=person)"})
	ldap = c.ok("get_ldap_server", nil)
	if ldap["app_dn_password"] != tools.Mask || ldap["search_filters"] != "(objectClass=person)" {
		t.Fatalf("ldap after update %v", ldap)
	}
	// The mask sent back, as an agent echoing what it read, keeps the secret.
	ldap["port"] = 636
	delete(ldap, "enable_group_management")
	c.ok("update_ldap_server", ldap)
	if on := c.ok("get_ldap_config", nil); on["ENABLE_LDAP"] != true {
		t.Fatalf("ldap config %v", on)
	}
	c.ok("update_ldap_config", map[string]any{"enable_ldap": true})

	key := c.ok("generate_api_key", nil)
	if k := fmt.Sprint(key["api_key"]); !strings.HasPrefix(k, "sk-…") || len([]rune(k)) != 8 {
		t.Fatalf("api key not masked: %q", k)
	}
	if got := c.ok("get_api_key", nil); got["api_key"] != key["api_key"] {
		t.Fatalf("get_api_key %v", got)
	}
	if ok := c.ok("delete_api_key", nil); ok["ok"] != true {
		t.Fatalf("delete_api_key %v", ok)
	}
	c.fail("get_api_key", nil, "API key is missing")

	oc := c.ok("update_oauth_config", map[string]any{"OAUTH_CLIENT_SECRET": "client-secret-1", "OAUTH_PROVIDER_NAME": "Corp"})
	if st := oc["stored"].(map[string]any); st["OAUTH_CLIENT_SECRET"] != tools.Mask || st["OAUTH_PROVIDER_NAME"] != "Corp" {
		t.Fatalf("update_oauth_config %v", oc)
	}
	if got := c.ok("get_oauth_config", nil); got["OAUTH_CLIENT_SECRET"] != tools.Mask {
		t.Fatalf("client secret shown: %v", got["OAUTH_CLIENT_SECRET"])
	}
	c.ok("update_oauth_config", map[string]any{"OAUTH_CLIENT_SECRET": tools.Mask, "OAUTH_SCOPES": "openid email"})

	// Token exchange replaces the session; then its OAuth session is ended.
	ex := c.ok("token_exchange", map[string]any{"provider": "oidc", "token": "oauth-token"})
	if ex["email"] != "first@example.com" {
		t.Fatalf("token_exchange %v", ex)
	}
	if ok := c.ok("delete_oauth_session", map[string]any{"provider": "oidc"}); ok["ok"] != true {
		t.Fatalf("delete_oauth_session %v", ok)
	}
	c.fail("delete_oauth_session", map[string]any{"provider": "oidc"}, "No OAuth session found")

	// LDAP sign-in replaces the session with the directory account's.
	l := c.ok("signin_ldap", map[string]any{"user": "ldapuser", "password": "ldap-pw"})
	if l["email"] != "ldap@corp.example" {
		t.Fatalf("signin_ldap %v", l)
	}
	if me := c.ok("get_session_user", nil); me["email"] != "ldap@corp.example" {
		t.Fatalf("after LDAP sign-in: %v", me["email"])
	}
}

func TestSecretsKeptOnUpdateWithMask(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithLDAP())
	c := e.connect(t, true)
	c.ok("signin", signinArgs(adminEmail, adminPass))
	c.ok("update_ldap_server", map[string]any{"app_dn_password": "bind-secret"})
	c.ok("update_ldap_server", map[string]any{"app_dn_password": tools.Mask, "label": "Corp"})
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
	c.ok("signin", signinArgs(adminEmail, adminPass))
	k := fmt.Sprint(c.ok("generate_api_key", nil)["api_key"])
	if !strings.HasPrefix(k, "sk-") || len(k) != 35 {
		t.Fatalf("revealed key %q", k)
	}
	// Session tokens are never revealed, even then.
	if tok := fmt.Sprint(c.ok("get_session_user", nil)["token"]); strings.HasPrefix(tok, "ey") || strings.HasPrefix(tok, "sk-") {
		t.Fatalf("token revealed: %q", tok)
	}
}

func TestStartingAPIKeyIsNeverEchoed(t *testing.T) {
	key := "sk-0123456789abcdef0123456789abcdef"
	e := newEnv(t, tools.Config{APIKey: key}, owuitest.WithAPIKeys(true),
		owuitest.WithUsers(owuitest.User{Name: "K", Email: "k@example.com", Password: "pw", Role: "admin", APIKey: key}))
	c := e.connect(t, false)
	_, text, isErr := c.call("get_session_user", nil)
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
		{"signin", map[string]any{"email": "a@b.co"}, []string{`missing required argument "password"`}},
		{"signin", map[string]any{"email": 5, "password": "x", "extra": true}, []string{`"email" must be a string, not a number`, `unknown argument "extra"`}},
		{"signup", map[string]any{"name": "n", "email": "nope", "password": "p"}, []string{"must be an email address"}},
		{"add_user", map[string]any{"name": "n", "email": "a@b.co", "password": "p", "role": "root"}, []string{"must be one of pending, user, admin"}},
		{"update_profile", map[string]any{"date_of_birth": "31/12/1990"}, []string{"YYYY-MM-DD"}},
		{"update_admin_config", map[string]any{"JWT_EXPIRES_IN": "forever"}, []string{"JWT_EXPIRES_IN", "must match"}},
		{"token_exchange", map[string]any{"provider": "", "token": "t"}, []string{`"provider" must not be empty`}},
		{"get_session_user", map[string]any{"verbose": true}, []string{"takes no arguments"}},
		{"update_ldap_config", map[string]any{"enable_ldap": "yes"}, []string{"must be a boolean or null"}},
	}
	for _, tc := range cases {
		text := c.fail(tc.tool, tc.args, tc.parts...)
		if !strings.Contains(text, "invalid arguments for "+tc.tool) || !strings.Contains(text, "Nothing was sent") {
			t.Errorf("%s: %q", tc.tool, text)
		}
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("%d requests reached Open WebUI", n)
	}
	// The server keeps serving.
	c.ok("signin", signinArgs(adminEmail, adminPass))
}

func TestUpstreamErrorsAreToolErrors(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithVersion("0.6.41"))
	c := e.connect(t, true)
	c.fail("get_admin_config", nil, "Not authenticated", "sign in")
	c.ok("signin", signinArgs(adminEmail, adminPass))
	c.fail("update_timezone", map[string]any{"timezone": "UTC"}, "does not offer update_timezone (added in v0.7.0)")
	c.fail("get_oauth_config", nil, "added in v0.10.0")
	c.ok("sign_out", nil)
}

// TestClientsAreIsolated signs two clients of one server in as different
// accounts at once; each must only ever see its own.
func TestClientsAreIsolated(t *testing.T) {
	e := newEnv(t, tools.Config{}, owuitest.WithUsers(
		owuitest.User{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin"},
		owuitest.User{Name: "B", Email: "b@example.com", Password: "pb", Role: "user"}))
	a, b := e.connect(t, false), e.connect(t, true)
	a.ok("signin", signinArgs("a@example.com", "pa"))
	b.ok("signin", signinArgs("b@example.com", "pb"))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if me, _, _ := a.call("get_session_user", nil); me["email"] != "a@example.com" {
				t.Errorf("client A saw %v", me["email"])
			}
		}()
		go func() {
			defer wg.Done()
			if me, _, _ := b.call("get_session_user", nil); me["email"] != "b@example.com" {
				t.Errorf("client B saw %v", me["email"])
			}
		}()
	}
	wg.Wait()
	b.ok("sign_out", nil)
	a.ok("get_session_user", nil)
	if n := e.srv.SessionCount(); n != 2 {
		t.Errorf("%d sessions held", n)
	}
	_ = a.c.Close()
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
	res, err := c.c.ListTools(bg, mcp.ListToolsRequest{})
	if err != nil || len(res.Tools) != len(sel) {
		t.Fatalf("%v %d", err, len(res.Tools))
	}
	if _, err := c.c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin", Arguments: signinArgs(adminEmail, adminPass)}}); err == nil || !strings.Contains(err.Error(), "not found") {
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
