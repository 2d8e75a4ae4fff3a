// Package toolstest holds what the MCP-level tests of several packages share:
// a client wrapper that checks every result's shape, and the scenario that
// walks through all 23 tools over any transport.
package toolstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

const mask = tools.Mask

// EmulatorOptions sets up the Open WebUI AllTools expects: empty, with API
// keys on, an LDAP directory and an OAuth provider whose token belongs to the
// first account.
func EmulatorOptions() []owuitest.Option {
	return []owuitest.Option{
		owuitest.WithAPIKeys(true),
		owuitest.WithLDAP(owuitest.LDAPEntry{Username: "ldapuser", Password: "ldap-pw", Email: "ldap@corp.example", CN: "Ldap User"}),
		owuitest.WithOAuth("oidc", owuitest.OAuthToken{AccessToken: "oauth-token", Sub: "sub-1", Email: "first@example.com"}),
		owuitest.WithOAuthMergeByEmail(true),
	}
}

// Client wraps an MCP client for tests.
type Client struct {
	T testing.TB
	C *client.Client
}

// Call runs a tool and returns its structured result, its text and whether
// it is an error; a protocol error fails the test.
func (m *Client) Call(name string, args any) (map[string]any, string, bool) {
	m.T.Helper()
	res, err := m.C.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		m.T.Fatalf("%s: protocol error %v", name, err)
	}
	if len(res.Content) != 1 {
		m.T.Fatalf("%s: %d content blocks", name, len(res.Content))
	}
	text := mcp.GetTextFromContent(res.Content[0])
	sc, _ := res.StructuredContent.(map[string]any)
	return sc, text, res.IsError
}

// OK runs a tool that must succeed and checks that the text block carries
// exactly the structured result.
func (m *Client) OK(name string, args any) map[string]any {
	m.T.Helper()
	sc, text, isErr := m.Call(name, args)
	if isErr {
		m.T.Fatalf("%s failed: %s", name, text)
	}
	var fromText map[string]any
	if err := json.Unmarshal([]byte(text), &fromText); err != nil {
		m.T.Fatalf("%s: text is not the JSON result: %q", name, text)
	}
	if b1, b2 := mustJSON(fromText), mustJSON(sc); b1 != b2 {
		m.T.Fatalf("%s: text %s != structuredContent %s", name, b1, b2)
	}
	return sc
}

// Fail runs a tool that must fail and returns the error text, checking it
// mentions every part.
func (m *Client) Fail(name string, args any, parts ...string) string {
	m.T.Helper()
	_, text, isErr := m.Call(name, args)
	if !isErr {
		m.T.Fatalf("%s succeeded, want an error: %s", name, text)
	}
	for _, p := range parts {
		if !strings.Contains(text, p) {
			m.T.Errorf("%s error %q lacks %q", name, text, p)
		}
	}
	return text
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func signinArgs(email, pw string) map[string]any {
	return map[string]any{"email": email, "password": pw}
}

// AllTools walks through every tool as an agent would, without ever passing a
// token: sign up as the first admin, profile, time zone, password, sign out
// and a refused call, sign in again, add a user, admin details and settings,
// LDAP, API keys, OAuth settings, token exchange, OAuth sessions and LDAP
// sign-in. The Open WebUI must start empty, built with EmulatorOptions.
func AllTools(t testing.TB, c *Client) {
	t.Helper()
	r := c.OK("signup", map[string]any{"name": "First", "email": "first@example.com", "password": "pw-1"})
	if r["role"] != "admin" || strings.HasPrefix(fmt.Sprint(r["token"]), "ey") {
		t.Fatalf("signup %v", r)
	}
	// A sign-in answers compactly: the expiry in both forms, and what is
	// granted rather than the whole permission tree.
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(r["expires_at_iso"])); err != nil || r["permissions"] != nil || r["permissions_granted"] == nil {
		t.Fatalf("signup %v", r)
	}
	me := c.OK("get_session_user", nil)
	if me["email"] != "first@example.com" || strings.HasPrefix(fmt.Sprint(me["token"]), "ey") || me["permissions"] == nil {
		t.Fatalf("session user %v", me)
	}
	if p := c.OK("update_profile", map[string]any{"bio": "Runs this server", "date_of_birth": "1990-01-02"}); p["bio"] != "Runs this server" || p["date_of_birth"] != "1990-01-02" || p["name"] != "First" {
		t.Fatalf("update_profile answered %v", p)
	}
	me = c.OK("get_session_user", nil)
	if me["bio"] != "Runs this server" || me["name"] != "First" || me["date_of_birth"] != "1990-01-02" {
		t.Fatalf("profile after update %v", me)
	}
	c.OK("update_profile", map[string]any{"name": "First Admin"})
	me = c.OK("get_session_user", nil)
	if me["bio"] != "Runs this server" || me["name"] != "First Admin" {
		t.Fatalf("update_profile lost a field: %v", me)
	}
	if st := c.OK("update_timezone", map[string]any{"timezone": "Europe/Berlin"}); st["ok"] != true {
		t.Fatalf("timezone %v", st)
	}
	if ok := c.OK("update_password", map[string]any{"password": "pw-1", "new_password": "pw-2"}); ok["ok"] != true {
		t.Fatalf("password %v", ok)
	}
	if out := c.OK("sign_out", nil); out["ok"] != true || out["scope"] != "open_webui" {
		t.Fatalf("sign_out %v", out)
	}
	c.Fail("get_session_user", nil, "Not authenticated", "no valid credential")
	c.Fail("signin", signinArgs("first@example.com", "pw-1"), "incorrect")
	c.OK("signin", signinArgs("first@example.com", "pw-2"))

	added := c.OK("add_user", map[string]any{"name": "Bob", "email": "bob@example.com", "password": "pw-b", "role": "user"})
	if added["role"] != "user" || strings.HasPrefix(fmt.Sprint(added["token"]), "ey") {
		t.Fatalf("add_user %v", added)
	}
	if me := c.OK("get_session_user", nil); me["email"] != "first@example.com" {
		t.Fatalf("add_user switched the session to %v", me["email"])
	}
	if d := c.OK("get_admin_details", nil); d["email"] != "first@example.com" {
		t.Fatalf("admin details %v", d)
	}
	cfg := c.OK("get_admin_config", nil)
	if len(cfg) != 28 {
		t.Errorf("admin config has %d keys", len(cfg))
	}
	up := c.OK("update_admin_config", map[string]any{"ENABLE_SIGNUP": true, "RESPONSE_WATERMARK": "draft"})
	if st := up["stored"].(map[string]any); st["ENABLE_SIGNUP"] != true || st["RESPONSE_WATERMARK"] != "draft" || len(st) != 2 {
		t.Fatalf("update_admin_config %v", up)
	}
	after := c.OK("get_admin_config", nil)
	for k, v := range cfg {
		if k == "ENABLE_SIGNUP" || k == "RESPONSE_WATERMARK" {
			continue
		}
		if !reflect.DeepEqual(after[k], v) {
			t.Errorf("update_admin_config changed %s: %v -> %v", k, v, after[k])
		}
	}

	ldap := c.OK("get_ldap_server", nil)
	if ldap["app_dn_password"] != "" && ldap["app_dn_password"] != mask {
		t.Fatalf("bind password shown: %v", ldap["app_dn_password"])
	}
	c.OK("update_ldap_server", map[string]any{"app_dn": "", "app_dn_password": "s3cret-bind", "search_filters": "(objectClass=person)"})
	ldap = c.OK("get_ldap_server", nil)
	if ldap["app_dn_password"] != mask || ldap["search_filters"] != "(objectClass=person)" {
		t.Fatalf("ldap after update %v", ldap)
	}
	// The mask sent back, as an agent echoing what it read, keeps the secret.
	ldap["port"] = 636
	delete(ldap, "enable_group_management")
	c.OK("update_ldap_server", ldap)
	if on := c.OK("get_ldap_config", nil); on["ENABLE_LDAP"] != true {
		t.Fatalf("ldap config %v", on)
	}
	c.OK("update_ldap_config", map[string]any{"enable_ldap": true})

	key := c.OK("generate_api_key", nil)
	if k := fmt.Sprint(key["api_key"]); !strings.HasPrefix(k, "sk-…") || len([]rune(k)) != 8 {
		t.Fatalf("api key not masked: %q", k)
	}
	if got := c.OK("get_api_key", nil); got["api_key"] != key["api_key"] {
		t.Fatalf("get_api_key %v", got)
	}
	if ok := c.OK("delete_api_key", nil); ok["ok"] != true {
		t.Fatalf("delete_api_key %v", ok)
	}
	c.Fail("get_api_key", nil, "API key is missing")

	oc := c.OK("update_oauth_config", map[string]any{"OAUTH_CLIENT_SECRET": "client-secret-1", "OAUTH_PROVIDER_NAME": "Corp"})
	if st := oc["stored"].(map[string]any); st["OAUTH_CLIENT_SECRET"] != mask || st["OAUTH_PROVIDER_NAME"] != "Corp" {
		t.Fatalf("update_oauth_config %v", oc)
	}
	if got := c.OK("get_oauth_config", nil); got["OAUTH_CLIENT_SECRET"] != mask {
		t.Fatalf("client secret shown: %v", got["OAUTH_CLIENT_SECRET"])
	}
	c.OK("update_oauth_config", map[string]any{"OAUTH_CLIENT_SECRET": mask, "OAUTH_SCOPES": "openid email"})

	// Token exchange replaces the session. It stores no OAuth session: those
	// come from a browser's OAuth login or an MCP tool server's (LiveTools
	// seeds one).
	ex := c.OK("token_exchange", map[string]any{"provider": "oidc", "token": "oauth-token"})
	if ex["email"] != "first@example.com" {
		t.Fatalf("token_exchange %v", ex)
	}
	c.Fail("delete_oauth_session", map[string]any{"provider": "oidc"}, "No OAuth session found")
	c.Fail("delete_oauth_session", map[string]any{"provider": "mcp:server-1"}, "No OAuth session found")

	// LDAP sign-in replaces the session with the directory account's.
	l := c.OK("signin_ldap", map[string]any{"user": "ldapuser", "password": "ldap-pw"})
	if l["email"] != "ldap@corp.example" {
		t.Fatalf("signin_ldap %v", l)
	}
	if me := c.OK("get_session_user", nil); me["email"] != "ldap@corp.example" {
		t.Fatalf("after LDAP sign-in: %v", me["email"])
	}
}

// JSON renders v as compact JSON, e.g. to search a result for a secret.
func JSON(v any) string { return mustJSON(v) }

// ScenarioSecrets are the secret values AllTools sends; none may ever show
// in a result or a log line.
var ScenarioSecrets = []string{"pw-1", "pw-2", "pw-b", "ldap-pw", "s3cret-bind", "client-secret-1", "oauth-token"}

// secretPatterns match credentials the servers mint: JWTs and full API keys.
var secretPatterns = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.|sk-[0-9a-f]{32}`)

// FindSecrets returns what in text looks like a leaked secret: a JWT, a full
// API key, or one of known.
func FindSecrets(text string, known ...string) []string {
	found := secretPatterns.FindAllString(text, -1)
	for _, k := range known {
		if strings.Contains(text, k) {
			found = append(found, k)
		}
	}
	return found
}

// Buffer is a goroutine-safe log sink.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
