package owui

import "net/http"

// Operation is one route of Open WebUI's auths router, described once so
// that the client, the MCP tool catalogue, the README and the tests all
// derive from the same facts.
type Operation struct {
	// Name is the operation's name; the MCP tool carries the same name.
	Name string
	// Method is the HTTP method on current servers.
	Method string
	// Path is relative to /api/v1/auths; "{provider}" is replaced at call time.
	Path string
	// Since is the first Open WebUI release that serves this route, or ""
	// when every supported release does.
	Since string
}

// The 23 operations, in the order of Open WebUI's router.
var (
	OpGetSessionUser     = Operation{"get_session_user", http.MethodGet, "/", ""}
	OpUpdateProfile      = Operation{"update_profile", http.MethodPost, "/update/profile", ""}
	OpUpdateTimezone     = Operation{"update_timezone", http.MethodPost, "/update/timezone", "0.7.0"}
	OpUpdatePassword     = Operation{"update_password", http.MethodPost, "/update/password", ""}
	OpSignin             = Operation{"signin", http.MethodPost, "/signin", ""}
	OpSigninLDAP         = Operation{"signin_ldap", http.MethodPost, "/ldap", "0.4.0"}
	OpSignup             = Operation{"signup", http.MethodPost, "/signup", ""}
	OpAddUser            = Operation{"add_user", http.MethodPost, "/add", ""}
	OpGetAdminDetails    = Operation{"get_admin_details", http.MethodGet, "/admin/details", ""}
	OpSignOut            = Operation{"sign_out", http.MethodPost, "/signout", "0.3.33"}
	OpGetAdminConfig     = Operation{"get_admin_config", http.MethodGet, "/admin/config", ""}
	OpUpdateAdminConfig  = Operation{"update_admin_config", http.MethodPost, "/admin/config", ""}
	OpGetLDAPServer      = Operation{"get_ldap_server", http.MethodGet, "/admin/config/ldap/server", "0.4.0"}
	OpUpdateLDAPServer   = Operation{"update_ldap_server", http.MethodPost, "/admin/config/ldap/server", "0.4.0"}
	OpGetLDAPConfig      = Operation{"get_ldap_config", http.MethodGet, "/admin/config/ldap", "0.4.0"}
	OpUpdateLDAPConfig   = Operation{"update_ldap_config", http.MethodPost, "/admin/config/ldap", "0.4.0"}
	OpGenerateAPIKey     = Operation{"generate_api_key", http.MethodPost, "/api_key", ""}
	OpDeleteAPIKey       = Operation{"delete_api_key", http.MethodDelete, "/api_key", ""}
	OpGetAPIKey          = Operation{"get_api_key", http.MethodGet, "/api_key", ""}
	OpTokenExchange      = Operation{"token_exchange", http.MethodPost, "/oauth/{provider}/token/exchange", "0.8.0"}
	OpGetOAuthConfig     = Operation{"get_oauth_config", http.MethodGet, "/admin/config/oauth", "0.10.0"}
	OpUpdateOAuthConfig  = Operation{"update_oauth_config", http.MethodPost, "/admin/config/oauth", "0.10.0"}
	OpDeleteOAuthSession = Operation{"delete_oauth_session", http.MethodDelete, "/oauth/sessions/{provider}", "0.9.2"}
)

// signOutLegacy is sign_out as servers before 0.9.3 serve it.
var signOutLegacy = Operation{"sign_out", http.MethodGet, "/signout", "0.3.33"}

var operations = []Operation{
	OpGetSessionUser, OpUpdateProfile, OpUpdateTimezone, OpUpdatePassword,
	OpSignin, OpSigninLDAP, OpSignup, OpAddUser, OpGetAdminDetails, OpSignOut,
	OpGetAdminConfig, OpUpdateAdminConfig, OpGetLDAPServer, OpUpdateLDAPServer,
	OpGetLDAPConfig, OpUpdateLDAPConfig, OpGenerateAPIKey, OpDeleteAPIKey,
	OpGetAPIKey, OpTokenExchange, OpGetOAuthConfig, OpUpdateOAuthConfig,
	OpDeleteOAuthSession,
}

// Operations returns every operation the client implements.
func Operations() []Operation {
	return append([]Operation(nil), operations...)
}
