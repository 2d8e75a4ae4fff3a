package toolstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/livetest"
	"github.com/owui-mcp/owui-mcp/tools"
)

// LiveTools walks through every tool against a server as a deployment has
// it: a real Open WebUI (livetest.Target), or the emulator set up as one.
// Unlike AllTools it cannot start from an empty server: the admin exists,
// sign-up is off and the settings may hold an earlier run's values, so it
// signs that admin in once, does the rest as accounts of its own, sets only
// values it can set again on the next run, and puts back the switches it
// turns. It returns the secrets it sent, none of which may show in a result
// or a log line.
//
// What only a real server can tell is checked as such: a token exchange
// creates no OAuth session, an MCP tool server's session ("mcp:server-1",
// seeded when env can) is ended by its provider name, and LDAP sign-in
// without a directory fails.
func LiveTools(t testing.TB, c *Client, env livetest.Env) []string {
	t.Helper()
	seen := map[string]bool{}
	ok := func(name string, args any) map[string]any {
		t.Helper()
		seen[name] = true
		return c.OK(name, args)
	}
	fail := func(name string, args any, parts ...string) string {
		t.Helper()
		seen[name] = true
		return c.Fail(name, args, parts...)
	}
	owner, ownerPW, ownerPW2 := livetest.Unique("mcp-owner"), "owner-pw-1", "owner-pw-2"
	joiner, joinerPW := livetest.Unique("mcp-joiner"), "joiner-pw-1"
	const bindPW = "s3cret-bind-live"

	fail("get_session_user", nil, "Not authenticated", "no valid credential")
	if r := ok("signin", signinArgs(env.AdminEmail, env.AdminPassword)); r["role"] != "admin" {
		t.Fatalf("signin as the admin: %v", r)
	}
	added := ok("add_user", map[string]any{"name": "Owner", "email": owner, "password": ownerPW, "role": "admin"})
	if added["role"] != "admin" || added["email"] != owner || strings.HasPrefix(fmt.Sprint(added["token"]), "ey") {
		t.Fatalf("add_user %v", added)
	}
	if me := ok("get_session_user", nil); me["email"] != env.AdminEmail {
		t.Fatalf("add_user switched the session to %v", me["email"])
	}
	if d := ok("get_admin_details", nil); d["email"] == nil {
		t.Fatalf("admin details %v", d)
	}

	// Sign-up is off on a server with an admin; open it for one account.
	cfg := ok("get_admin_config", nil)
	if len(cfg) < 28 {
		t.Errorf("admin config has %d keys", len(cfg))
	}
	signupWas := cfg["ENABLE_SIGNUP"]
	up := ok("update_admin_config", map[string]any{"ENABLE_SIGNUP": true})
	if st := up["stored"].(map[string]any); st["ENABLE_SIGNUP"] != true || up["not_applied"] != nil {
		t.Fatalf("update_admin_config %v", up)
	}
	if out := ok("sign_out", nil); out["ok"] != true || out["scope"] != "open_webui" {
		t.Fatalf("sign_out %v", out)
	}
	fail("get_session_user", nil, "Not authenticated")
	joined := ok("signup", map[string]any{"name": "Joiner", "email": joiner, "password": joinerPW})
	if joined["role"] != cfg["DEFAULT_USER_ROLE"] {
		t.Fatalf("signup gave role %v, the default is %v", joined["role"], cfg["DEFAULT_USER_ROLE"])
	}
	if joined["role"] == "pending" {
		fail("update_profile", map[string]any{"name": "Joiner"}, accessProhibited, "lacks the role")
	}
	fail("signin", signinArgs(owner, "wrong-pw"), "incorrect")
	if r := ok("signin", signinArgs(strings.ToUpper(owner), ownerPW)); r["email"] != owner {
		t.Fatalf("signin as the owner: %v", r)
	}
	ok("update_admin_config", map[string]any{"ENABLE_SIGNUP": signupWas})

	// The owner's own account.
	ok("update_profile", map[string]any{"bio": "Runs this server", "date_of_birth": "1990-01-02"})
	ok("update_profile", map[string]any{"name": "Owner Admin"})
	if me := ok("get_session_user", nil); me["bio"] != "Runs this server" || me["name"] != "Owner Admin" || me["date_of_birth"] != "1990-01-02" {
		t.Fatalf("profile after updates %v", me)
	}
	if st := ok("update_timezone", map[string]any{"timezone": "Europe/Berlin"}); st["ok"] != true {
		t.Fatalf("timezone %v", st)
	}
	if r := ok("update_password", map[string]any{"password": ownerPW, "new_password": ownerPW2}); r["ok"] != true {
		t.Fatalf("password %v", r)
	}
	ok("sign_out", nil)
	fail("signin", signinArgs(owner, ownerPW), "incorrect")
	ok("signin", signinArgs(owner, ownerPW2))

	// LDAP: the settings are real, a directory is not there to answer.
	ok("get_ldap_server", nil)
	ok("update_ldap_server", map[string]any{"app_dn": "", "app_dn_password": bindPW,
		"search_base": "ou=users,dc=example,dc=org", "search_filters": "(objectClass=person)"})
	ldap := ok("get_ldap_server", nil)
	if ldap["app_dn_password"] != mask || ldap["search_filters"] != "(objectClass=person)" {
		t.Fatalf("ldap after update %v", ldap)
	}
	ok("update_ldap_server", ldap) // the mask sent back keeps the secret
	ldapWas := ok("get_ldap_config", nil)["ENABLE_LDAP"]
	ok("update_ldap_config", map[string]any{"enable_ldap": true})
	fail("signin_ldap", map[string]any{"user": "nobody", "password": "x"}, "LDAP authentication failed.")
	if r := ok("update_ldap_config", map[string]any{"enable_ldap": false}); r["ENABLE_LDAP"] != false {
		t.Fatalf("update_ldap_config %v", r)
	}
	fail("signin_ldap", map[string]any{"user": "nobody", "password": "x"}, "LDAP authentication is not enabled")
	if ldapWas == true {
		ok("update_ldap_config", map[string]any{"enable_ldap": true})
	}

	// API keys, or the refusal when the server has them off.
	if cfg["ENABLE_API_KEYS"] == true {
		key := ok("generate_api_key", nil)
		if k := fmt.Sprint(key["api_key"]); !strings.HasPrefix(k, "sk-…") || len([]rune(k)) != 8 {
			t.Fatalf("api key not masked: %q", k)
		}
		if got := ok("get_api_key", nil); got["api_key"] != key["api_key"] {
			t.Fatalf("get_api_key %v", got)
		}
		if r := ok("delete_api_key", nil); r["ok"] != true {
			t.Fatalf("delete_api_key %v", r)
		}
		fail("get_api_key", nil, "API key is missing")
	} else {
		for _, name := range []string{"generate_api_key", "get_api_key", "delete_api_key"} {
			fail(name, nil, "API key creation is not allowed", "ENABLE_API_KEYS")
		}
	}

	// OAuth: an MCP tool server's session, then a token exchange, which
	// stores no session of its own.
	oc := ok("get_oauth_config", nil)
	if s, _ := oc["OAUTH_CLIENT_SECRET"].(string); s != "" && s != mask {
		t.Fatal("client secret shown")
	}
	if env.CanSeedOAuthSessions() {
		if err := env.SeedOAuthSession(context.Background(), owner, "mcp:server-1"); err != nil {
			t.Fatal(err)
		}
		if r := ok("delete_oauth_session", map[string]any{"provider": "mcp:server-1"}); r["ok"] != true {
			t.Fatalf("delete_oauth_session %v", r)
		}
	}
	fail("delete_oauth_session", map[string]any{"provider": "mcp:server-1"}, "No OAuth session found for this provider")
	mergeWas := oc["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"]
	if r := ok("update_oauth_config", map[string]any{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL": true}); r["stored"].(map[string]any)["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"] != true {
		t.Fatalf("update_oauth_config %v", r)
	}
	provider := env.OAuthProvider
	if provider == "" {
		provider = "oidc"
	}
	if env.OAuthToken != "" {
		ex := ok("token_exchange", map[string]any{"provider": provider, "token": env.OAuthToken})
		if ex["email"] != env.AdminEmail || strings.HasPrefix(fmt.Sprint(ex["token"]), "ey") {
			t.Fatalf("token_exchange %v", ex)
		}
		if me := ok("get_session_user", nil); me["email"] != env.AdminEmail {
			t.Fatalf("after the exchange: %v", me["email"])
		}
		fail("delete_oauth_session", map[string]any{"provider": provider}, "No OAuth session found for this provider")
	} else {
		// Off, no such provider, or a refused token: each is Open WebUI's answer.
		fail("token_exchange", map[string]any{"provider": provider, "token": "owui-mcp-not-a-token"}, "Open WebUI answered")
	}
	ok("update_oauth_config", map[string]any{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL": mergeWas})
	ok("sign_out", nil)
	fail("get_session_user", nil, "Not authenticated")

	var missed []string
	for _, tl := range tools.Catalogue() {
		if !seen[tl.Name] {
			missed = append(missed, tl.Name)
		}
	}
	if len(missed) > 0 {
		t.Errorf("the scenario left out %v", missed)
	}
	secrets := []string{env.AdminPassword, ownerPW, ownerPW2, joinerPW, bindPW}
	if len(env.OAuthToken) >= 8 {
		// A short one ("good") would be found in unrelated text.
		secrets = append(secrets, env.OAuthToken)
	}
	return slices.DeleteFunc(secrets, func(s string) bool { return s == "" })
}

const accessProhibited = "You do not have permission to access this resource."
