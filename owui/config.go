package owui

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// AdminConfig is the object of get_admin_config and update_admin_config:
// the 28 keys of Open WebUI v0.11.0. The server wants the whole object on
// update, so Unknown keeps keys a newer server sends, and they are written
// back untouched.
type AdminConfig struct {
	ShowAdminDetails                  bool    `json:"SHOW_ADMIN_DETAILS" jsonschema:"required" jsonschema_description:"Show admin contact to pending users."`
	AdminEmail                        *string `json:"ADMIN_EMAIL" jsonschema:"nullable" jsonschema_description:"Admin contact email; null: oldest account."`
	WebUIURL                          string  `json:"WEBUI_URL" jsonschema:"required" jsonschema_description:"Public URL of this Open WebUI."`
	EnableSignup                      bool    `json:"ENABLE_SIGNUP" jsonschema:"required" jsonschema_description:"Allow self sign-up."`
	EnableAPIKeys                     bool    `json:"ENABLE_API_KEYS" jsonschema:"required" jsonschema_description:"Allow API keys."`
	EnableAPIKeysEndpointRestrictions bool    `json:"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS" jsonschema:"required" jsonschema_description:"Limit API keys to allowed endpoints."`
	APIKeysAllowedEndpoints           string  `json:"API_KEYS_ALLOWED_ENDPOINTS" jsonschema:"required" jsonschema_description:"Comma-separated path prefixes."`
	DefaultUserRole                   string  `json:"DEFAULT_USER_ROLE" jsonschema:"required,enum=pending,enum=user,enum=admin" jsonschema_description:"Role of new sign-ups."`
	DefaultGroupID                    string  `json:"DEFAULT_GROUP_ID" jsonschema:"required" jsonschema_description:"Group new users join; empty: none."`
	JWTExpiresIn                      string  `json:"JWT_EXPIRES_IN" jsonschema:"required,pattern=^(-1|0|(-?\\d+(\\.\\d+)?)(ms|s|m|h|d|w))$" jsonschema_description:"Session lifetime, e.g. 12h, 4w; -1: never."`
	EnableCommunitySharing            bool    `json:"ENABLE_COMMUNITY_SHARING" jsonschema:"required" jsonschema_description:"Allow community sharing."`
	EnableMessageRating               bool    `json:"ENABLE_MESSAGE_RATING" jsonschema:"required" jsonschema_description:"Allow rating answers."`
	EnableFolders                     bool    `json:"ENABLE_FOLDERS" jsonschema:"required" jsonschema_description:"Chat folders."`
	// The server sends a number or "" (no limit); callers send a number,
	// or null or 0 for no limit, which the server stores as "".
	FolderMaxFileCount        any     `json:"FOLDER_MAX_FILE_COUNT" jsonschema:"oneof_type=integer;string;null" jsonschema_extras:"input_type=integer" jsonschema_description:"Max files per folder; null or 0: no limit."`
	AutomationMaxCount        any     `json:"AUTOMATION_MAX_COUNT" jsonschema:"oneof_type=integer;string;null" jsonschema_extras:"input_type=integer" jsonschema_description:"Max automations per user; null or 0: no limit."`
	AutomationMinInterval     any     `json:"AUTOMATION_MIN_INTERVAL" jsonschema:"oneof_type=integer;string;null" jsonschema_extras:"input_type=integer" jsonschema_description:"Min seconds between runs; null or 0: none."`
	EnableAutomations         bool    `json:"ENABLE_AUTOMATIONS" jsonschema:"required" jsonschema_description:"Automations."`
	EnableChannels            bool    `json:"ENABLE_CHANNELS" jsonschema:"required" jsonschema_description:"Channels."`
	ChannelModelResponseMode  string  `json:"CHANNEL_MODEL_RESPONSE_MODE,omitempty" jsonschema:"enum=thread,enum=channel" jsonschema_description:"Where models answer in channels."`
	EnableCalendar            bool    `json:"ENABLE_CALENDAR" jsonschema:"required" jsonschema_description:"Calendar."`
	EnableMemories            bool    `json:"ENABLE_MEMORIES" jsonschema:"required" jsonschema_description:"Memories."`
	EnableMemorySystemContext bool    `json:"ENABLE_MEMORY_SYSTEM_CONTEXT" jsonschema:"required" jsonschema_description:"Memories in the system prompt."`
	EnableNotes               bool    `json:"ENABLE_NOTES" jsonschema:"required" jsonschema_description:"Notes."`
	EnableUserWebhooks        bool    `json:"ENABLE_USER_WEBHOOKS" jsonschema:"required" jsonschema_description:"Per-user webhooks."`
	EnableUserStatus          bool    `json:"ENABLE_USER_STATUS" jsonschema:"required" jsonschema_description:"User status messages."`
	PendingUserOverlayTitle   *string `json:"PENDING_USER_OVERLAY_TITLE" jsonschema:"nullable" jsonschema_description:"Title shown to pending users."`
	PendingUserOverlayContent *string `json:"PENDING_USER_OVERLAY_CONTENT" jsonschema:"nullable" jsonschema_description:"Text shown to pending users."`
	ResponseWatermark         *string `json:"RESPONSE_WATERMARK" jsonschema:"nullable" jsonschema_description:"Watermark on copied answers."`

	Unknown map[string]json.RawMessage `json:"-"`
}

// LdapServerConfig is the object of get_ldap_server and update_ldap_server.
type LdapServerConfig struct {
	Label                 string  `json:"label" jsonschema:"required" jsonschema_description:"Name on the sign-in page."`
	Host                  string  `json:"host" jsonschema:"required" jsonschema_description:"Server host name or IP."`
	Port                  *int    `json:"port" jsonschema:"nullable" jsonschema_description:"Port; null: default."`
	AttributeForMail      string  `json:"attribute_for_mail" jsonschema_description:"Email attribute, e.g. mail."`
	AttributeForUsername  string  `json:"attribute_for_username" jsonschema_description:"Username attribute, e.g. uid."`
	AppDN                 string  `json:"app_dn" jsonschema:"required" jsonschema_description:"Bind DN; empty: anonymous."`
	AppDNPassword         string  `json:"app_dn_password" jsonschema:"required" jsonschema_description:"Bind password."`
	SearchBase            string  `json:"search_base" jsonschema:"required" jsonschema_description:"Base DN of users."`
	SearchFilters         string  `json:"search_filters" jsonschema_description:"Extra LDAP filter."`
	UseTLS                bool    `json:"use_tls" jsonschema_description:"Use TLS."`
	CertificatePath       *string `json:"certificate_path" jsonschema:"nullable" jsonschema_description:"CA file on the server."`
	ValidateCert          bool    `json:"validate_cert" jsonschema_description:"Verify the certificate."`
	Ciphers               *string `json:"ciphers" jsonschema:"nullable" jsonschema_description:"OpenSSL ciphers, e.g. ALL."`
	EnableGroupManagement bool    `json:"enable_group_management" jsonschema_description:"Sync groups from LDAP."`
	EnableGroupCreation   bool    `json:"enable_group_creation" jsonschema_description:"Create missing groups."`
	AttributeForGroups    string  `json:"attribute_for_groups" jsonschema_description:"Group attribute, e.g. memberOf."`

	Unknown map[string]json.RawMessage `json:"-"`
}

// OAuthConfig is the object of get_oauth_config and update_oauth_config.
// Every field is optional: the server changes only the fields sent, and
// ignores nulls, so unset fields are left out both ways (send "" to clear a
// string).
type OAuthConfig struct {
	EnableOAuth                   *bool   `json:"ENABLE_OAUTH,omitempty" jsonschema_description:"OAuth sign-in."`
	EnableOAuthSignup             *bool   `json:"ENABLE_OAUTH_SIGNUP,omitempty" jsonschema_description:"Create accounts on OAuth sign-in."`
	OAuthMergeAccountsByEmail     *bool   `json:"OAUTH_MERGE_ACCOUNTS_BY_EMAIL,omitempty" jsonschema_description:"Link logins by email."`
	OAuthAutoRedirect             *bool   `json:"OAUTH_AUTO_REDIRECT,omitempty" jsonschema_description:"Skip the sign-in page."`
	OAuthAllowedDomains           *string `json:"OAUTH_ALLOWED_DOMAINS,omitempty" jsonschema_description:"Allowed email domains, comma list; *: all."`
	OAuthBlockedGroups            *string `json:"OAUTH_BLOCKED_GROUPS,omitempty" jsonschema_description:"Provider groups refused."`
	EnableOAuthRoleManagement     *bool   `json:"ENABLE_OAUTH_ROLE_MANAGEMENT,omitempty" jsonschema_description:"Roles from a claim."`
	OAuthRolesClaim               *string `json:"OAUTH_ROLES_CLAIM,omitempty" jsonschema_description:"Roles claim."`
	OAuthAdminRoles               *string `json:"OAUTH_ADMIN_ROLES,omitempty" jsonschema_description:"Admin roles, comma list."`
	OAuthAllowedRoles             *string `json:"OAUTH_ALLOWED_ROLES,omitempty" jsonschema_description:"Allowed roles, comma list."`
	EnableOAuthGroupManagement    *bool   `json:"ENABLE_OAUTH_GROUP_MANAGEMENT,omitempty" jsonschema_description:"Groups from a claim."`
	EnableOAuthGroupCreation      *bool   `json:"ENABLE_OAUTH_GROUP_CREATION,omitempty" jsonschema_description:"Create missing groups."`
	OAuthGroupClaim               *string `json:"OAUTH_GROUP_CLAIM,omitempty" jsonschema_description:"Groups claim."`
	OAuthGroupDefaultShare        any     `json:"OAUTH_GROUP_DEFAULT_SHARE,omitempty" jsonschema:"oneof_type=boolean;string" jsonschema_extras:"input_type=string" jsonschema_description:"Who new groups are shared with: true, false or members."`
	OAuthProviderName             *string `json:"OAUTH_PROVIDER_NAME,omitempty" jsonschema_description:"OIDC button label."`
	OpenIDProviderURL             *string `json:"OPENID_PROVIDER_URL,omitempty" jsonschema_description:"OIDC discovery URL."`
	OAuthClientID                 *string `json:"OAUTH_CLIENT_ID,omitempty" jsonschema_description:"OIDC client id."`
	OAuthClientSecret             *string `json:"OAUTH_CLIENT_SECRET,omitempty" jsonschema_description:"OIDC client secret."`
	OpenIDRedirectURI             *string `json:"OPENID_REDIRECT_URI,omitempty" jsonschema_description:"OIDC redirect URI."`
	OAuthScopes                   *string `json:"OAUTH_SCOPES,omitempty" jsonschema_description:"Scopes, space-separated."`
	OAuthCodeChallengeMethod      *string `json:"OAUTH_CODE_CHALLENGE_METHOD,omitempty" jsonschema_description:"PKCE method, e.g. S256."`
	OAuthTokenEndpointAuthMethod  *string `json:"OAUTH_TOKEN_ENDPOINT_AUTH_METHOD,omitempty" jsonschema_description:"Token endpoint auth method."`
	OpenIDEndSessionEndpoint      *string `json:"OPENID_END_SESSION_ENDPOINT,omitempty" jsonschema_description:"Provider logout URL."`
	OAuthTimeout                  any     `json:"OAUTH_TIMEOUT,omitempty" jsonschema:"oneof_type=integer;string" jsonschema_extras:"input_type=integer" jsonschema_description:"Provider timeout, s; 0: none."`
	OAuthClientTimeout            any     `json:"OAUTH_CLIENT_TIMEOUT,omitempty" jsonschema:"oneof_type=integer;string" jsonschema_extras:"input_type=integer" jsonschema_description:"Client timeout, s; 0: none."`
	OAuthEmailClaim               *string `json:"OAUTH_EMAIL_CLAIM,omitempty" jsonschema_description:"Email claim."`
	OAuthUsernameClaim            *string `json:"OAUTH_USERNAME_CLAIM,omitempty" jsonschema_description:"Name claim."`
	OAuthPictureClaim             *string `json:"OAUTH_PICTURE_CLAIM,omitempty" jsonschema_description:"Avatar claim."`
	OAuthSubClaim                 *string `json:"OAUTH_SUB_CLAIM,omitempty" jsonschema_description:"Subject claim."`
	OAuthAudience                 *string `json:"OAUTH_AUDIENCE,omitempty" jsonschema_description:"Audience."`
	OAuthUpdateEmailOnLogin       *bool   `json:"OAUTH_UPDATE_EMAIL_ON_LOGIN,omitempty" jsonschema_description:"Refresh email at login."`
	OAuthUpdateNameOnLogin        *bool   `json:"OAUTH_UPDATE_NAME_ON_LOGIN,omitempty" jsonschema_description:"Refresh name at login."`
	OAuthUpdatePictureOnLogin     *bool   `json:"OAUTH_UPDATE_PICTURE_ON_LOGIN,omitempty" jsonschema_description:"Refresh avatar at login."`
	OAuthRefreshTokenIncludeScope *bool   `json:"OAUTH_REFRESH_TOKEN_INCLUDE_SCOPE,omitempty" jsonschema_description:"Send scope on token refresh."`

	Unknown map[string]json.RawMessage `json:"-"`
}

// The marshalling below keeps keys this client does not know (a newer
// server's) in Unknown, so that a read-modify-write never drops them.

func (c *AdminConfig) UnmarshalJSON(b []byte) error {
	type plain AdminConfig
	return decodeKeepingUnknown(b, (*plain)(c), &c.Unknown)
}

func (c AdminConfig) MarshalJSON() ([]byte, error) {
	type plain AdminConfig
	return encodeWithUnknown(plain(c), c.Unknown)
}

func (c *AdminConfig) check() error { return checkRole(c.DefaultUserRole) }

func (c *LdapServerConfig) UnmarshalJSON(b []byte) error {
	type plain LdapServerConfig
	return decodeKeepingUnknown(b, (*plain)(c), &c.Unknown)
}

func (c LdapServerConfig) MarshalJSON() ([]byte, error) {
	type plain LdapServerConfig
	return encodeWithUnknown(plain(c), c.Unknown)
}

func (c *OAuthConfig) UnmarshalJSON(b []byte) error {
	type plain OAuthConfig
	return decodeKeepingUnknown(b, (*plain)(c), &c.Unknown)
}

func (c OAuthConfig) MarshalJSON() ([]byte, error) {
	type plain OAuthConfig
	return encodeWithUnknown(plain(c), c.Unknown)
}

func checkRole(role string) error {
	if role == "" {
		return errNoRole
	}
	return nil
}

// knownKeys caches, per struct type, the JSON names of its fields.
var knownKeys sync.Map // reflect.Type -> map[string]bool

func jsonNames(t reflect.Type) map[string]bool {
	if v, ok := knownKeys.Load(t); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	knownKeys.Store(t, names)
	return names
}

// decodeKeepingUnknown decodes b into plain (a pointer to a struct) as
// encoding/json does (fields absent from b keep their values, which is what
// makes a patch merge work) and adds any key the struct lacks to *unknown.
func decodeKeepingUnknown(b []byte, plain any, unknown *map[string]json.RawMessage) error {
	if err := json.Unmarshal(b, plain); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := jsonNames(reflect.TypeOf(plain).Elem())
	for k, v := range all {
		if known[k] {
			continue
		}
		if *unknown == nil {
			*unknown = map[string]json.RawMessage{}
		}
		(*unknown)[k] = v
	}
	return nil
}

// encodeWithUnknown marshals plain and appends the unknown keys to the
// object, keeping the known keys in their declared order.
func encodeWithUnknown(plain any, unknown map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(plain)
	if err != nil || len(unknown) == 0 {
		return b, err
	}
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	first := len(b) == 2 // "{}"
	for _, k := range slices.Sorted(maps.Keys(unknown)) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(unknown[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
