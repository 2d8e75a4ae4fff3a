package owuitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/golden"
	"github.com/owui-mcp/owui-mcp/internal/livetest"
)

// TestDifferential sends one table of requests to the emulator and, when
// OWUI_TEST_SERVER names a real Open WebUI, to that server too, and compares
// what matters to a client: status, content type, the top-level keys with
// their JSON types, and the detail text (for a 422, each entry's type,
// location, message and keys). Without a real server the emulator is held
// to the answers one gave, recorded in testdata/differential.json; with one,
// UPDATE_GOLDEN=differential records them again.
//
// The real server must be ../shared/realowui started as its README says for
// the live suite (ENABLE_API_KEYS=true REDIS=1 IDP=1, an admin from
// WEBUI_ADMIN_EMAIL): the table uses its fake identity provider's tokens. Each
// difference found is fixed in the emulator or listed in knownDifferences.
func TestDifferential(t *testing.T) {
	recorded := filepath.Join("testdata", "differential.json")
	env, live := livetest.FromEnv()
	if live {
		livetest.Lock(t, env.URL)
	}
	var want map[string]answer
	if !live || !golden.Update(t, golden.Differential) {
		b, err := os.ReadFile(recorded)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
	}

	got := runTable(t, livetest.Emulator(t))
	if !live {
		compare(t, "the emulator", got, "the recorded real server", want)
		return
	}
	real := runTable(t, env)
	compare(t, "the emulator", got, "the real server", real)
	if want == nil {
		b, _ := json.MarshalIndent(real, "", "  ")
		if err := os.WriteFile(recorded, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, name := range slices.Sorted(maps.Keys(real)) {
		if w, ok := want[name]; ok && !sameAnswer(w, real[name]) {
			t.Errorf("%s: the real server now answers %s, recorded %s; record again with UPDATE_GOLDEN=differential", name, real[name], w)
		}
	}
}

// knownDifferences are the answers where the emulator knowingly departs from
// the real server, and why.
var knownDifferences = map[string]string{
	"config": "../shared/realowui mounts only the auths router, so /api/config is 404 there; a full Open WebUI " +
		"serves it, and the emulator a reduced one (version and the auth features) for clients that probe it.",
}

func compare(t *testing.T, gotName string, got map[string]answer, wantName string, want map[string]answer) {
	t.Helper()
	for _, s := range table() {
		g, okG := got[s.name]
		w, okW := want[s.name]
		switch {
		case okG && !okW && s.seed == "":
			t.Errorf("%s: no answer from %s; record the answers again (UPDATE_GOLDEN=differential, against the real server)", s.name, wantName)
			continue
		case !okG || !okW:
			continue // a seeded session, where the server cannot be seeded
		}
		why, known := knownDifferences[s.name]
		switch same := sameAnswer(g, w); {
		case !same && !known:
			t.Errorf("%s: %s answers %s, %s %s", s.name, gotName, g, wantName, w)
		case same && known:
			t.Errorf("%s: listed as a known difference (%s), but both answer %s", s.name, why, g)
		}
	}
}

// step is one request of the table.
type step struct {
	name   string
	as     string // whose credential, and how it is sent: see run.credential
	method string
	path   string // below /api/v1/auths, or absolute when it starts with /api/ or /health
	body   string // sent as application/json unless ctype says otherwise; {{...}} see run.expand
	ctype  string
	times  int    // sent this many times, the last answer counts
	keep   string // remember the answer's api_key or token under this name, as a credential
	seed   string // first store an OAuth session of this provider for the "admin" account
}

// answer is what is compared of one response.
type answer struct {
	Status      int               `json:"status"`
	ContentType string            `json:"content_type,omitempty"`
	Keys        map[string]string `json:"keys,omitempty"` // top-level key -> JSON type, for an object
	Type        string            `json:"type,omitempty"` // the JSON type of anything else
	Detail      any               `json:"detail,omitempty"`
	Location    string            `json:"location,omitempty"` // a redirect's path
}

func (a answer) String() string { b, _ := json.Marshal(a); return string(b) }

func sameAnswer(a, b answer) bool { return a.String() == b.String() }

const auths = "/api/v1/auths"

// Known settings, set on both servers before the table runs.
var knownAdminConfig = map[string]any{
	"SHOW_ADMIN_DETAILS": true, "ADMIN_EMAIL": nil, "WEBUI_URL": "", "ENABLE_SIGNUP": false,
	"ENABLE_API_KEYS": true, "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS": false, "API_KEYS_ALLOWED_ENDPOINTS": "",
	"DEFAULT_USER_ROLE": "pending", "DEFAULT_GROUP_ID": "", "JWT_EXPIRES_IN": "4w",
	"ENABLE_COMMUNITY_SHARING": true, "ENABLE_MESSAGE_RATING": true, "ENABLE_FOLDERS": true,
	"FOLDER_MAX_FILE_COUNT": "", "AUTOMATION_MAX_COUNT": "", "AUTOMATION_MIN_INTERVAL": "",
	"ENABLE_AUTOMATIONS": true, "ENABLE_CHANNELS": false, "CHANNEL_MODEL_RESPONSE_MODE": "thread",
	"ENABLE_CALENDAR": true, "ENABLE_MEMORIES": true, "ENABLE_MEMORY_SYSTEM_CONTEXT": true, "ENABLE_NOTES": true,
	"ENABLE_USER_WEBHOOKS": false, "ENABLE_USER_STATUS": true,
	"PENDING_USER_OVERLAY_TITLE": "", "PENDING_USER_OVERLAY_CONTENT": "", "RESPONSE_WATERMARK": "",
}

// Known LDAP server settings: a server no one listens on.
var knownLDAPServer = map[string]any{
	"label": "Corp LDAP", "host": "127.0.0.1", "port": 1, "attribute_for_mail": "mail",
	"attribute_for_username": "uid", "app_dn": "", "app_dn_password": "", "search_base": "ou=users,dc=example,dc=org",
	"search_filters": "", "use_tls": false, "certificate_path": nil, "validate_cert": true, "ciphers": "ALL",
	"enable_group_management": false, "enable_group_creation": false, "attribute_for_groups": "memberOf",
}

// adminConfig and ldapServer are the known settings as a body, with
// changes: key, value pairs (the value drop leaves the key out).
func adminConfig(changes ...any) string { return changed(knownAdminConfig, changes) }
func ldapServer(changes ...any) string  { return changed(knownLDAPServer, changes) }

var drop = &struct{}{}

func changed(known map[string]any, changes []any) string {
	m := maps.Clone(known)
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == drop {
			delete(m, changes[i].(string))
			continue
		}
		m[changes[i].(string)] = changes[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

var long73 = strings.Repeat("x", 73)

// table is every route of the auths router with its documented errors, role
// gates, 422 shapes and the answers that depend on the release (keys added
// in v0.10 and v0.11). The steps run in order on one server: some set up
// what later ones need.
func table() []step {
	return []step{
		// Unauthenticated routes and routing.
		{name: "version", method: "GET", path: "/api/version"},
		{name: "health", method: "GET", path: "/health"},
		{name: "config", method: "GET", path: "/api/config"},
		{name: "session/anonymous", method: "GET", path: "/"},
		{name: "session/garbage-jwt", as: "bad-jwt", method: "GET", path: "/"},
		{name: "session/unknown-key", as: "bad-key", method: "GET", path: "/"},
		{name: "session/no-slash", method: "GET", path: ""},
		{name: "route/unknown", method: "GET", path: "/nope"},
		{name: "route/unknown-post", method: "POST", path: "/nope", body: `{}`},
		{name: "route/wrong-method", method: "PUT", path: "/signin", body: `{}`},
		{name: "route/get-on-post", method: "GET", path: "/signin"},
		{name: "route/trailing-slash", method: "POST", path: "/signin/", body: `{}`},
		{name: "route/get-on-delete", as: "admin", method: "GET", path: "/oauth/sessions/oidc"},
		{name: "route/head", method: "HEAD", path: "/admin/details"},

		// Settings known on both servers before anything reads them.
		{name: "admin-config/set", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},
		{name: "ldap-server/set", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer()},
		{name: "oauth-config/set", as: "admin", method: "POST", path: "/admin/config/oauth",
			// A claim once set reads back as "" where a fresh server has
			// null: set it on both, so that a second run meets the same.
			body: `{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL":false,"OAUTH_ALLOWED_DOMAINS":"*","OAUTH_PROVIDER_NAME":"SSO","OPENID_END_SESSION_ENDPOINT":"","OAUTH_SUB_CLAIM":"","OAUTH_EMAIL_CLAIM":"email"}`},

		// Sign-in.
		{name: "signin/ok", method: "POST", path: "/signin", body: `{"email":"{{user}}","password":"pw-user"}`},
		{name: "signin/upper-case-email", method: "POST", path: "/signin", body: `{"email":"{{USER}}","password":"pw-user"}`},
		{name: "signin/wrong-password", method: "POST", path: "/signin", body: `{"email":"{{user}}","password":"wrong"}`},
		{name: "signin/unknown-email", method: "POST", path: "/signin", body: `{"email":"{{fresh}}","password":"x"}`},
		{name: "signin/missing-password", method: "POST", path: "/signin", body: `{"email":"{{fresh}}"}`},
		{name: "signin/no-body", method: "POST", path: "/signin"},
		{name: "signin/empty-object", method: "POST", path: "/signin", body: `{}`},
		{name: "signin/invalid-json", method: "POST", path: "/signin", body: `{"email":`},
		{name: "signin/array", method: "POST", path: "/signin", body: `[]`},
		{name: "signin/text-plain", method: "POST", path: "/signin", body: `{"email":"{{fresh}}","password":"x"}`, ctype: "text/plain"},
		{name: "signin/wrong-types", method: "POST", path: "/signin", body: `{"email":5,"password":true}`},
		{name: "signin/pending", method: "POST", path: "/signin", body: `{"email":"{{pending}}","password":"pw-pending"}`},
		{name: "signin/rate-limit", method: "POST", path: "/signin", body: `{"email":"{{fresh}}","password":"x"}`, times: 16},

		// The session user, by each kind of credential.
		{name: "session/admin", as: "admin", method: "GET", path: "/"},
		{name: "session/pending", as: "pending", method: "GET", path: "/"},
		{name: "session/cookie", as: "cookie", method: "GET", path: "/"},
		{name: "session/bearer-lowercase", as: "bearer-lowercase", method: "GET", path: "/"},

		// Profile, time zone, password.
		{name: "profile/ok", as: "user", method: "POST", path: "/update/profile",
			body: `{"name":"U","profile_image_url":"/user.png","bio":"b","gender":"x","date_of_birth":"2000-02-29"}`},
		{name: "profile/session-after", as: "user", method: "GET", path: "/"},
		{name: "profile/pending", as: "pending", method: "POST", path: "/update/profile", body: `{"name":"P","profile_image_url":"/user.png"}`},
		{name: "profile/anonymous", method: "POST", path: "/update/profile", body: `{"name":"P","profile_image_url":"/user.png"}`},
		{name: "profile/bad-image", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"ftp://x"}`},
		{name: "profile/image-without-host", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"https://"}`},
		{name: "profile/bad-date", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"","date_of_birth":"31/12/1990"}`},
		{name: "profile/impossible-date", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"","date_of_birth":"2001-02-29"}`},
		{name: "profile/data-uri", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"data:image/png;base64,iVBORw0KGgo=","bio":null}`},
		{name: "profile/internal-image", as: "user", method: "POST", path: "/update/profile", body: `{"name":"U","profile_image_url":"/api/v1/users/x/profile/image"}`},
		{name: "profile/missing", as: "user", method: "POST", path: "/update/profile", body: `{}`},
		{name: "timezone/ok", as: "user", method: "POST", path: "/update/timezone", body: `{"timezone":"Europe/Berlin"}`},
		{name: "timezone/pending", as: "pending", method: "POST", path: "/update/timezone", body: `{"timezone":"UTC"}`},
		{name: "timezone/missing", as: "user", method: "POST", path: "/update/timezone", body: `{}`},
		{name: "password/wrong-current", as: "pwuser", method: "POST", path: "/update/password", body: `{"password":"wrong","new_password":"pw-2"}`},
		{name: "password/too-long", as: "pwuser", method: "POST", path: "/update/password", body: `{"password":"pw-pwuser","new_password":"` + long73 + `"}`},
		{name: "password/ok", as: "pwuser", method: "POST", path: "/update/password", body: `{"password":"pw-pwuser","new_password":"pw-2"}`},
		{name: "password/pending", as: "pending", method: "POST", path: "/update/password", body: `{"password":"wrong","new_password":"pw-2"}`},
		{name: "password/missing", as: "pwuser", method: "POST", path: "/update/password", body: `{"password":"pw-2"}`},

		// Sign-up, closed and open.
		{name: "signup/closed", method: "POST", path: "/signup", body: `{"name":"N","email":"{{fresh}}","password":"pw"}`},
		{name: "admin-config/open-signup", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("ENABLE_SIGNUP", true)},
		{name: "signup/ok", method: "POST", path: "/signup", body: `{"name":"N","email":"{{fresh}}","password":"pw"}`},
		{name: "signup/upper-case-localhost", method: "POST", path: "/signup", body: `{"name":"N","email":"{{FRESH-LOCALHOST}}","password":"pw"}`},
		{name: "signup/bad-email", method: "POST", path: "/signup", body: `{"name":"N","email":"not-an-email","password":"pw"}`},
		{name: "signup/taken", method: "POST", path: "/signup", body: `{"name":"N","email":"{{USER}}","password":"pw"}`},
		{name: "signup/too-long", method: "POST", path: "/signup", body: `{"name":"N","email":"{{fresh}}","password":"` + long73 + `"}`},
		{name: "signup/bad-image", method: "POST", path: "/signup", body: `{"name":"N","email":"{{fresh}}","password":"pw","profile_image_url":"javascript:x"}`},
		{name: "signup/missing", method: "POST", path: "/signup", body: `{"email":"{{fresh}}"}`},
		{name: "admin-config/close-signup", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},

		// Adding users.
		{name: "add/ok", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw","role":"user"}`},
		{name: "add/default-role", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw"}`},
		{name: "add/null-role", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw","role":null}`},
		{name: "add/taken", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{user}}","password":"pw"}`},
		{name: "add/bad-email", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"a@b","password":"pw"}`},
		{name: "add/too-long", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"` + long73 + `"}`},
		{name: "add/bad-image", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw","profile_image_url":"ftp://x"}`},
		{name: "add/odd-role", as: "admin", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw","role":"root"}`},
		{name: "add/as-user", as: "user", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw"}`},
		{name: "add/as-pending", as: "pending", method: "POST", path: "/add", body: `{"name":"A","email":"{{fresh}}","password":"pw"}`},

		// Admin details and settings.
		{name: "admin-details/pending", as: "pending", method: "GET", path: "/admin/details"},
		{name: "admin-config/contact", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("ADMIN_EMAIL", "contact@example.com")},
		{name: "admin-details/contact", as: "pending", method: "GET", path: "/admin/details"},
		{name: "admin-config/hide-admin", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("SHOW_ADMIN_DETAILS", false)},
		{name: "admin-details/hidden", as: "pending", method: "GET", path: "/admin/details"},
		{name: "admin-config/never-expire", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("JWT_EXPIRES_IN", "-1")},
		{name: "signin/never-expires", method: "POST", path: "/signin", body: `{"email":"{{user}}","password":"pw-user"}`},
		{name: "admin-config/expire-again", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},
		{name: "admin-details/anonymous", method: "GET", path: "/admin/details"},
		{name: "admin-config/get", as: "admin", method: "GET", path: "/admin/config"},
		{name: "admin-config/as-user", as: "user", method: "GET", path: "/admin/config"},
		{name: "admin-config/missing", as: "admin", method: "POST", path: "/admin/config", body: `{}`},
		{name: "admin-config/missing-one", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("JWT_EXPIRES_IN", drop)},
		{name: "admin-config/invalid-role", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("DEFAULT_USER_ROLE", "root")},
		{name: "admin-config/invalid-duration", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("JWT_EXPIRES_IN", "1h30m")},
		{name: "admin-config/invalid-channel-mode", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("CHANNEL_MODEL_RESPONSE_MODE", "x")},
		{name: "admin-config/count-underscores", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("FOLDER_MAX_FILE_COUNT", "1_000")},
		{name: "admin-config/count-number", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("AUTOMATION_MAX_COUNT", 5)},
		{name: "admin-config/count-not-a-number", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("FOLDER_MAX_FILE_COUNT", "abc")},
		{name: "admin-config/wrong-types", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("ENABLE_SIGNUP", "maybe", "WEBUI_URL", 5)},
		{name: "admin-config/known-again", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},

		// LDAP settings and sign-in without a directory.
		{name: "ldap-server/get", as: "admin", method: "GET", path: "/admin/config/ldap/server"},
		{name: "ldap-server/as-user", as: "user", method: "GET", path: "/admin/config/ldap/server"},
		{name: "ldap-server/empty-host", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("host", "")},
		{name: "ldap-server/empty-search-base", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("search_base", "")},
		{name: "ldap-server/groups-without-attribute", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("enable_group_management", true, "attribute_for_groups", " ")},
		{name: "ldap-server/port-underscores", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("port", "1_000")},
		{name: "ldap-server/port-not-a-number", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("port", "x")},
		{name: "ldap-server/missing", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: `{}`},
		{name: "ldap-server/known-again", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer()},
		{name: "ldap-config/get", as: "admin", method: "GET", path: "/admin/config/ldap"},
		{name: "ldap-config/as-user", as: "user", method: "GET", path: "/admin/config/ldap"},
		{name: "ldap/off", method: "POST", path: "/ldap", body: `{"user":"nobody","password":"x"}`},
		{name: "ldap-config/on", as: "admin", method: "POST", path: "/admin/config/ldap", body: `{"enable_ldap":true}`},
		{name: "ldap/no-directory", method: "POST", path: "/ldap", body: `{"user":"nobody","password":"x"}`},
		{name: "ldap/empty-password", method: "POST", path: "/ldap", body: `{"user":"nobody","password":" "}`},
		{name: "ldap/missing", method: "POST", path: "/ldap", body: `{"user":"nobody"}`},
		{name: "ldap-server/missing-ca-file", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer("use_tls", true, "certificate_path", "/nonexistent/ca.pem")},
		{name: "ldap/tls-misconfigured", method: "POST", path: "/ldap", body: `{"user":"nobody","password":"x"}`},
		{name: "ldap-server/known-once-more", as: "admin", method: "POST", path: "/admin/config/ldap/server", body: ldapServer()},
		{name: "ldap-config/null", as: "admin", method: "POST", path: "/admin/config/ldap", body: `{}`},
		{name: "ldap-config/off", as: "admin", method: "POST", path: "/admin/config/ldap", body: `{"enable_ldap":false}`},

		// OAuth settings.
		{name: "oauth-config/get", as: "admin", method: "GET", path: "/admin/config/oauth"},
		{name: "oauth-config/as-user", as: "user", method: "GET", path: "/admin/config/oauth"},
		{name: "oauth-config/partial", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_PROVIDER_NAME":"Corp","OAUTH_ALLOWED_DOMAINS":" example.com , corp.example ","OAUTH_TIMEOUT":"30"}`},
		{name: "oauth-config/timeout-number", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_TIMEOUT":20,"OAUTH_GROUP_DEFAULT_SHARE":"members"}`},
		{name: "oauth-config/wrong-types", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_TIMEOUT":1.5,"ENABLE_OAUTH":{},"OAUTH_GROUP_DEFAULT_SHARE":[]}`},
		{name: "oauth-config/back", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_PROVIDER_NAME":"SSO","OAUTH_ALLOWED_DOMAINS":"*","OAUTH_TIMEOUT":"","OAUTH_GROUP_DEFAULT_SHARE":true}`},

		// API keys, on and off.
		{name: "api-key/none", as: "admin", method: "GET", path: "/api_key"},
		{name: "api-key/create", as: "admin", method: "POST", path: "/api_key", keep: "key"},
		{name: "api-key/get", as: "admin", method: "GET", path: "/api_key"},
		{name: "session/api-key", as: "key", method: "GET", path: "/"},
		{name: "session/x-api-key", as: "x-api-key", method: "GET", path: "/"},
		{name: "api-key/as-user", as: "user", method: "POST", path: "/api_key"},
		{name: "api-key/get-as-user", as: "user", method: "GET", path: "/api_key"},
		{name: "api-key/delete-as-pending", as: "pending", method: "DELETE", path: "/api_key"},
		{name: "admin-config/keys-off", as: "admin", method: "POST", path: "/admin/config", body: adminConfig("ENABLE_API_KEYS", false)},
		{name: "api-key/create-while-off", as: "admin", method: "POST", path: "/api_key"},
		{name: "api-key/delete-while-off", as: "admin", method: "DELETE", path: "/api_key"},
		{name: "session/api-key-while-off", as: "key", method: "GET", path: "/"},
		{name: "admin-config/keys-on", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},
		{name: "api-key/restricted", as: "admin", method: "POST", path: "/admin/config",
			body: adminConfig("ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS", true, "API_KEYS_ALLOWED_ENDPOINTS", "/api/v1/models")},
		{name: "session/api-key-restricted", as: "key", method: "GET", path: "/"},
		{name: "admin-config/unrestricted", as: "admin", method: "POST", path: "/admin/config", body: adminConfig()},
		{name: "api-key/delete", as: "admin", method: "DELETE", path: "/api_key"},
		{name: "api-key/delete-again", as: "admin", method: "DELETE", path: "/api_key"},
		{name: "api-key/none-after-delete", as: "admin", method: "GET", path: "/api_key"},
		{name: "session/deleted-api-key", as: "key", method: "GET", path: "/"},

		// Token exchange, with the fake identity provider's tokens.
		{name: "exchange/unknown-provider", method: "POST", path: "/oauth/google/token/exchange", body: `{"token":"good"}`},
		{name: "exchange/bad-token", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"bad"}`},
		{name: "exchange/no-sub", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"nosub"}`},
		{name: "exchange/no-account", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"good2"}`},
		{name: "exchange/missing", method: "POST", path: "/oauth/oidc/token/exchange", body: `{}`},
		{name: "oauth-config/sub-claim", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_SUB_CLAIM":"oid"}`},
		{name: "exchange/sub-claim-missing", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"good"}`},
		{name: "oauth-config/email-claim", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_SUB_CLAIM":"","OAUTH_EMAIL_CLAIM":"upn"}`},
		{name: "exchange/email-claim-missing", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"good"}`},
		{name: "oauth-config/claims-back", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_EMAIL_CLAIM":"email"}`},
		{name: "oauth-config/domain-refused", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_ALLOWED_DOMAINS":"corp.example","OAUTH_MERGE_ACCOUNTS_BY_EMAIL":true}`},
		{name: "exchange/domain-refused", method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"good"}`},
		{name: "oauth-config/merge", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_ALLOWED_DOMAINS":"*","OAUTH_MERGE_ACCOUNTS_BY_EMAIL":true}`},
		{name: "exchange/ok", method: "POST", path: "/oauth/OIDC/token/exchange", body: `{"token":"good"}`, keep: "exchanged"},
		{name: "oauth-config/no-merge", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL":false}`},

		// OAuth sessions: none from the exchange; a seeded MCP one.
		{name: "oauth-session/after-exchange", as: "exchanged", method: "DELETE", path: "/oauth/sessions/oidc"},
		{name: "oauth-session/none", as: "admin", method: "DELETE", path: "/oauth/sessions/oidc"},
		{name: "oauth-session/slashes", as: "admin", method: "DELETE", path: "/oauth/sessions/mcp:srv/x"},
		{name: "oauth-session/pending", as: "pending", method: "DELETE", path: "/oauth/sessions/oidc"},
		{name: "oauth-session/anonymous", method: "DELETE", path: "/oauth/sessions/oidc"},
		{name: "oauth-session/mcp", as: "admin", method: "DELETE", path: "/oauth/sessions/mcp:server-1", seed: "mcp:server-1"},
		{name: "oauth-session/mcp-again", as: "admin", method: "DELETE", path: "/oauth/sessions/mcp:server-1"},

		// Sign-out.
		{name: "signout/anonymous", method: "POST", path: "/signout"},
		{name: "signout/jwt", as: "leaver", method: "POST", path: "/signout"},
		{name: "signout/reuse", as: "leaver", method: "GET", path: "/"},
		{name: "signout/get", method: "GET", path: "/signout"},
		{name: "signout/unknown-oauth-session", as: "oauth-session-cookie", method: "POST", path: "/signout"},
		{name: "oauth-config/end-session", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OPENID_END_SESSION_ENDPOINT":"https://idp.example/logout"}`},
		{name: "signout/end-session-endpoint", as: "oauth-session-cookie", method: "POST", path: "/signout"},
		{name: "oauth-config/no-end-session", as: "admin", method: "POST", path: "/admin/config/oauth", body: `{"OPENID_END_SESSION_ENDPOINT":""}`},
	}
}

// run is the table's state on one server.
type run struct {
	t     *testing.T
	env   livetest.Env
	hc    *http.Client
	cred  map[string]string // name -> credential
	email map[string]string // account name -> email
}

// runTable sends the table to env's server and returns the answers by step
// name. It skips the test on a server the table does not fit.
func runTable(t *testing.T, env livetest.Env) map[string]answer {
	t.Helper()
	r := &run{t: t, env: env, cred: map[string]string{}, email: map[string]string{},
		hc: &http.Client{
			Timeout: 30 * time.Second,
			// uvicorn closes the connection after an unhandled exception's
			// 500 without saying so; a request sent on it would be reset.
			Transport: &http.Transport{DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}}
	// The configured admin signs in once; the table acts as accounts of
	// its own, made here, so that it can run again within minutes.
	boss := r.signin(env.AdminEmail, env.AdminPassword)
	if probe := r.send(step{method: "POST", path: "/oauth/oidc/token/exchange", body: `{"token":"nosub"}`}); env.Emu == nil &&
		(probe.Status != 400 || probe.Detail != "Token missing required 'sub' claim") {
		t.Skipf("the differential test needs ../shared/realowui with IDP=1 (see its README): token exchange answered %s", probe)
	}
	r.restoreLater(boss)
	for _, role := range []string{"admin", "user", "pending", "pwuser", "leaver"} {
		r.email[role] = livetest.Unique("diff-" + role)
		kind := role
		if role == "pwuser" || role == "leaver" {
			kind = "user"
		}
		body := fmt.Sprintf(`{"name":"%s","email":"%s","password":"pw-%s","role":"%s"}`, role, r.email[role], role, kind)
		if a := r.raw("POST", auths+"/add", body, "application/json", map[string]string{"Authorization": "Bearer " + boss}); a.status != 200 {
			t.Fatalf("adding %s: %d %s", role, a.status, a.body)
		}
		r.cred[role] = r.signin(r.email[role], "pw-"+role)
	}
	out := map[string]answer{}
	for _, s := range table() {
		if s.seed != "" {
			if !env.CanSeedOAuthSessions() {
				continue
			}
			if err := env.SeedOAuthSession(context.Background(), r.email["admin"], s.seed); err != nil {
				t.Fatal(err)
			}
		}
		out[s.name] = r.send(s)
	}
	return out
}

func (r *run) signin(email, password string) string {
	r.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	a := r.raw("POST", auths+"/signin", string(b), "application/json", nil)
	var v struct{ Token string }
	if a.status != 200 || json.Unmarshal(a.body, &v) != nil || v.Token == "" {
		r.t.Fatalf("signin as %s: %d %s", email, a.status, a.body)
	}
	return v.Token
}

// restoreLater puts back, when the test ends, the switches the table turns,
// as they were before it. (The LDAP server settings stay as the table left
// them: a fresh server's have an empty search base, which no one may set.)
func (r *run) restoreLater(boss string) {
	auth := map[string]string{"Authorization": "Bearer " + boss}
	var saved [][2]string
	for _, p := range []string{"/admin/config", "/admin/config/ldap", "/admin/config/oauth"} {
		a := r.raw("GET", auths+p, "", "", auth)
		if a.status != 200 {
			r.t.Fatalf("GET %s: %d %s", p, a.status, a.body)
		}
		body := string(a.body)
		if p == "/admin/config/ldap" {
			body = strings.Replace(body, "ENABLE_LDAP", "enable_ldap", 1)
		}
		saved = append(saved, [2]string{p, body})
	}
	r.t.Cleanup(func() {
		for _, s := range saved {
			if a := r.raw("POST", auths+s[0], s[1], "application/json", auth); a.status != 200 {
				r.t.Errorf("restoring %s: %d %s", s[0], a.status, a.body)
			}
		}
	})
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (r *run) raw(method, path, body, ctype string, header map[string]string) rawAnswer {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(r.env.URL, "/"), "/api")
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	return rawAnswer{res.StatusCode, res.Header, b}
}

// expand fills a body's placeholders: {{user}} (and {{USER}}, upper case) is
// the user account's email, {{pending}} the pending one's, {{fresh}} an address no one has, the same for
// every time the step is sent, and {{FRESH-LOCALHOST}} one at localhost,
// upper case.
func (r *run) expand(body string) string {
	fresh := livetest.Unique("diff-new")
	local := strings.ToUpper(strings.TrimSuffix(fresh, "@example.com") + "@localhost")
	return strings.NewReplacer("{{user}}", r.email["user"], "{{USER}}", strings.ToUpper(r.email["user"]), "{{pending}}", r.email["pending"],
		"{{fresh}}", fresh, "{{FRESH-LOCALHOST}}", local).Replace(body)
}

// credential sets what s.as names on the request: a bearer token by default;
// cookie, x-api-key and bearer-lowercase send the admin's JWT or the API key
// another way; bad-jwt and bad-key send credentials no server issued.
func (r *run) credential(as string) map[string]string {
	switch as {
	case "":
		return nil
	case "bad-jwt":
		return map[string]string{"Authorization": "Bearer not-a-jwt"}
	case "bad-key":
		return map[string]string{"Authorization": "Bearer sk-00000000000000000000000000000000"}
	case "cookie":
		return map[string]string{"Cookie": "token=" + r.cred["admin"]}
	case "bearer-lowercase":
		return map[string]string{"Authorization": "bearer " + r.cred["admin"]}
	case "x-api-key":
		return map[string]string{"X-Api-Key": r.cred["key"]}
	case "oauth-session-cookie":
		return map[string]string{"Cookie": "oauth_session_id=no-such-session"}
	}
	c, ok := r.cred[as]
	if !ok {
		r.t.Fatalf("no credential %q yet", as)
	}
	return map[string]string{"Authorization": "Bearer " + c}
}

func (r *run) send(s step) answer {
	r.t.Helper()
	path := s.path
	if !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/health") {
		path = auths + path
	}
	body := r.expand(s.body)
	ctype := s.ctype
	if ctype == "" && body != "" {
		ctype = "application/json"
	}
	var a rawAnswer
	for i := 0; i < max(s.times, 1); i++ {
		a = r.raw(s.method, path, body, ctype, r.credential(s.as))
	}
	if s.keep != "" {
		var v struct {
			APIKey string `json:"api_key"`
			Token  string `json:"token"`
		}
		_ = json.Unmarshal(a.body, &v)
		r.cred[s.keep] = v.APIKey + v.Token
	}
	return describe(a)
}

// describe reduces a response to what the table compares.
func describe(a rawAnswer) answer {
	out := answer{Status: a.status}
	if ct := a.header.Get("Content-Type"); ct != "" {
		out.ContentType, _, _ = mime.ParseMediaType(ct)
	}
	if loc := a.header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			out.Location = u.Path
		}
	}
	if len(a.body) == 0 {
		return out // HEAD, or a redirect
	}
	if out.ContentType != "application/json" {
		if t := strings.TrimSpace(string(a.body)); t != "" {
			out.Detail = t
		}
		return out
	}
	d := json.NewDecoder(bytes.NewReader(a.body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		out.Detail = "not JSON: " + err.Error()
		return out
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		out.Type = jsonType(v)
		return out
	}
	out.Keys = map[string]string{}
	for k, x := range m {
		out.Keys[k] = jsonType(x)
	}
	switch dt := m["detail"].(type) {
	case string:
		out.Detail = dt
	case []any:
		var entries []string
		for _, e := range dt {
			em, _ := e.(map[string]any)
			loc, _ := json.Marshal(em["loc"])
			keys := strings.Join(slices.Sorted(maps.Keys(em)), " ")
			entries = append(entries, fmt.Sprintf("%v %s %v [%s]", em["type"], loc, em["msg"], keys))
		}
		out.Detail = entries
	}
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}
