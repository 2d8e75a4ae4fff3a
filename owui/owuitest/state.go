package owuitest

import (
	"strings"
	"time"
)

type user struct {
	id, name, email, role string
	profileImageURL       *string // nil: stored NULL
	pw                    *pwHash // nil: no usable password (LDAP users)
	apiKey                string
	bio, gender           *string
	dob                   *civilDate
	timezone              *string
	oauth                 map[string]string // provider -> sub
	oauthSessions         map[string]string // session id -> provider
}

func (u *user) public() User {
	p := ""
	if u.profileImageURL != nil {
		p = *u.profileImageURL
	}
	return User{ID: u.id, Name: u.name, Email: u.email, Role: u.role, ProfileImageURL: p, APIKey: u.apiKey}
}

// imageURL is the UserModel view: a falsy stored value is replaced by the
// profile image route.
func (u *user) imageURL() string {
	if u.profileImageURL == nil || *u.profileImageURL == "" {
		return "/api/v1/users/" + u.id + "/profile/image"
	}
	return *u.profileImageURL
}

type ldapDirectory struct {
	host, appDN, appPassword, base string
	entries                        []LDAPEntry
}

type state struct {
	ver      semver
	users    []*user
	byID     map[string]*user
	byEmail  map[string]*user
	byAPIKey map[string]*user

	admin      map[string]any // canonical AdminConfig key -> value
	ldapServer map[string]any
	ldapEnable any
	oauthCfg   map[string]any

	ldap      *ldapDirectory
	providers map[string]map[string]OAuthToken // provider -> access token -> claims

	exchangeOn   bool
	passwordAuth bool
	pwPolicy     bool
	apiKeyPerm   bool

	rate      map[string]map[int64]int
	rateCalls int

	// revoked holds the jti of JWTs signed out, when revocation is on
	// (nil otherwise); each until its expiry, as the Redis key lives.
	revoked map[string]int64
}

func strp(s string) *string { return &s }

func newState(cfg *config, v semver) *state {
	st := &state{
		ver:          v,
		byID:         map[string]*user{},
		byEmail:      map[string]*user{},
		byAPIKey:     map[string]*user{},
		providers:    map[string]map[string]OAuthToken{},
		passwordAuth: cfg.passwordAuth,
		pwPolicy:     cfg.passwordValidation,
		apiKeyPerm:   cfg.userAPIKeyPerm,
		rate:         map[string]map[int64]int{},
	}
	if cfg.revocation {
		st.revoked = map[string]int64{}
	}
	apiKeys := !v.atLeast(ver(0, 6, 37))
	if cfg.apiKeys != nil {
		apiKeys = *cfg.apiKeys
	}
	jwt := "4w"
	if !v.atLeast(ver(0, 6, 34)) {
		jwt = "-1"
	}
	if cfg.jwtExpiry != nil {
		jwt = *cfg.jwtExpiry
	}
	st.admin = map[string]any{}
	for _, f := range adminFields {
		st.admin[f.canon] = f.def
	}
	st.admin["ENABLE_API_KEYS"] = apiKeys
	if cfg.signup != nil {
		st.admin["ENABLE_SIGNUP"] = *cfg.signup
	}
	st.admin["JWT_EXPIRES_IN"] = jwt

	st.ldapServer = map[string]any{
		"label": "LDAP Server", "host": "localhost", "port": pyInt("389"),
		"attribute_for_mail": "mail", "attribute_for_username": "uid",
		"app_dn": "", "app_dn_password": "", "search_base": "", "search_filters": "",
		"use_tls": true, "certificate_path": "", "validate_cert": true, "ciphers": "ALL",
		"enable_group_management": false, "enable_group_creation": false, "attribute_for_groups": "memberOf",
	}
	st.ldapEnable = false
	if cfg.ldapOn {
		st.ldapEnable = true
		dir := &ldapDirectory{host: "ldap.example.org", appDN: "cn=admin,dc=example,dc=org", appPassword: "admin", base: "ou=users,dc=example,dc=org"}
		for _, e := range cfg.ldapEntries {
			if e.CN == "" {
				e.CN = e.Username
			}
			dir.entries = append(dir.entries, e)
		}
		st.ldap = dir
		st.ldapServer["host"] = dir.host
		st.ldapServer["app_dn"] = dir.appDN
		st.ldapServer["app_dn_password"] = dir.appPassword
		st.ldapServer["search_base"] = dir.base
		st.ldapServer["use_tls"] = false
	}

	st.oauthCfg = map[string]any{}
	for _, f := range oauthFields {
		st.oauthCfg[f.name] = f.def
	}
	st.oauthCfg["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"] = cfg.oauthMerge
	for _, p := range cfg.oauthOrder {
		toks := map[string]OAuthToken{}
		for _, t := range cfg.oauthTokens[p] {
			toks[t.AccessToken] = t
		}
		st.providers[p] = toks
		st.exchangeOn = true
		if p == "oidc" {
			st.oauthCfg["OAUTH_CLIENT_ID"] = "owuitest-client"
			st.oauthCfg["OAUTH_CLIENT_SECRET"] = "owuitest-secret"
			st.oauthCfg["OPENID_PROVIDER_URL"] = "https://idp.example.org/.well-known/openid-configuration"
		}
	}

	for _, su := range cfg.users {
		email := strings.ToLower(su.Email)
		if st.byEmail[email] != nil {
			continue
		}
		u := &user{id: su.ID, name: su.Name, email: email, role: su.Role, apiKey: su.APIKey}
		if u.id == "" {
			u.id = uuid4()
		}
		if st.byID[u.id] != nil {
			continue
		}
		if u.role == "" {
			u.role = "user"
		}
		img := su.ProfileImageURL
		if img == "" {
			img = "/user.png"
		}
		u.profileImageURL = strp(img)
		u.pw = hashPassword(su.Password)
		if u.apiKey != "" && st.byAPIKey[u.apiKey] != nil {
			u.apiKey = ""
		}
		st.addUser(u)
	}
	return st
}

func (st *state) addUser(u *user) {
	if u.oauth == nil {
		u.oauth = map[string]string{}
	}
	if u.oauthSessions == nil {
		u.oauthSessions = map[string]string{}
	}
	st.users = append(st.users, u)
	st.byID[u.id] = u
	st.byEmail[strings.ToLower(u.email)] = u
	if u.apiKey != "" {
		st.byAPIKey[u.apiKey] = u
	}
}

func (st *state) deleteUser(u *user) {
	for i, x := range st.users {
		if x == u {
			st.users = append(st.users[:i], st.users[i+1:]...)
			break
		}
	}
	delete(st.byID, u.id)
	delete(st.byEmail, strings.ToLower(u.email))
	if u.apiKey != "" {
		delete(st.byAPIKey, u.apiKey)
	}
}

func (st *state) userByEmail(email string) *user { return st.byEmail[strings.ToLower(email)] }

func (st *state) setAPIKey(u *user, key string) {
	if u.apiKey != "" {
		delete(st.byAPIKey, u.apiKey)
	}
	u.apiKey = key
	if key != "" {
		st.byAPIKey[key] = u
	}
}

// newUser inserts a user as Auths.insert_new_auth does.
func (st *state) newUser(email, name string, image *string, role string, pw *pwHash) *user {
	u := &user{id: uuid4(), name: name, email: email, role: role, profileImageURL: image, pw: pw}
	st.addUser(u)
	return u
}

func (st *state) jwtExpiry() string {
	s, _ := st.admin["JWT_EXPIRES_IN"].(string)
	return s
}

// jwtDelta parses the configured JWT_EXPIRES_IN.
func (st *state) jwtDelta() (*float64, error) { return parseDuration(st.jwtExpiry()) }

func (st *state) adminBool(key string) bool { return truthy(st.admin[key]) }

func (st *state) defaultRole() string {
	s, _ := st.admin["DEFAULT_USER_ROLE"].(string)
	return s
}

// hasAPIKeyPermission is has_permission(user, 'features.api_keys').
func (st *state) hasAPIKeyPermission() bool { return st.apiKeyPerm }

// rateLimited is RateLimiter(limit=15, window=180).is_limited(key) with the
// in-memory store: 60-second buckets, the current one plus the 3 previous
// ones (an effective window of 180-240 s); every call counts, and the call
// is limited when the total exceeds 15.
func (st *state) rateLimited(key string, now time.Time) bool {
	const bucketSize, numBuckets, limit = 60, 3, 15
	bucket := now.Unix() / bucketSize
	minBucket := bucket - numBuckets
	st.rateCalls++
	if st.rateCalls%1024 == 0 {
		for k, b := range st.rate {
			for idx := range b {
				if idx < minBucket {
					delete(b, idx)
				}
			}
			if len(b) == 0 {
				delete(st.rate, k)
			}
		}
	}
	b := st.rate[key]
	if b == nil {
		b = map[int64]int{}
		st.rate[key] = b
	}
	b[bucket]++
	total := 0
	for idx, n := range b {
		if idx < minBucket {
			delete(b, idx)
			continue
		}
		total += n
	}
	return total > limit
}

// revoke is invalidate_token: a decoded JWT with a jti and an expiry still
// ahead is revoked until that expiry.
func (st *state) revoke(claims obj, now time.Time) {
	if st.revoked == nil || claims == nil {
		return
	}
	jti, _ := claims.get("jti")
	exp, _ := claims.get("exp")
	id, _ := jti.(string)
	until, ok := claimInt(exp)
	if id != "" && ok && until > now.Unix() {
		st.revoked[id] = until
	}
}

func (st *state) isRevoked(claims obj, now time.Time) bool {
	jti, _ := claims.get("jti")
	id, _ := jti.(string)
	until, ok := st.revoked[id]
	if ok && until <= now.Unix() {
		delete(st.revoked, id)
		return false
	}
	return ok
}

// permissions is the v0.11.0 default USER_PERMISSIONS dict.
func (st *state) permissions() obj {
	f, t := false, true
	return obj{
		{"workspace", obj{{"models", f}, {"knowledge", f}, {"prompts", f}, {"tools", f}, {"skills", f},
			{"models_import", f}, {"models_export", f}, {"prompts_import", f}, {"prompts_export", f},
			{"tools_import", f}, {"tools_export", f}, {"skills_import", f}, {"skills_export", f}}},
		{"sharing", obj{{"models", f}, {"public_models", f}, {"knowledge", f}, {"public_knowledge", f},
			{"prompts", f}, {"public_prompts", f}, {"tools", f}, {"public_tools", f}, {"skills", f},
			{"public_skills", f}, {"notes", f}, {"public_notes", f}, {"folders", f}, {"public_chats", f},
			{"open_chats", f}, {"public_calendars", f}}},
		{"access_grants", obj{{"allow_users", t}, {"allow_groups", t}}},
		{"chat", obj{{"controls", t}, {"valves", t}, {"system_prompt", t}, {"params", t}, {"file_upload", t},
			{"web_upload", t}, {"delete", t}, {"delete_message", t}, {"continue_response", t},
			{"regenerate_response", t}, {"rate_response", t}, {"edit", t}, {"share", t}, {"export", t},
			{"import", t}, {"stt", t}, {"tts", t}, {"call", t}, {"multiple_models", t}, {"temporary", t},
			{"temporary_enforced", f}}},
		{"features", obj{{"api_keys", st.apiKeyPerm}, {"notes", t}, {"folders", t}, {"channels", t},
			{"direct_tool_servers", f}, {"web_search", t}, {"image_generation", t}, {"code_interpreter", t},
			{"memories", t}, {"automations", f}, {"calendar", t}, {"webhooks", f}}},
		{"settings", obj{{"interface", t}}},
	}
}

// ---- AdminConfig ------------------------------------------------------------------

type adminField struct {
	field
	canon string // storage identity (the v0.11.0 name)
}

func af(name string, kind fkind, required bool, def any, since semver) adminField {
	return adminField{field: field{name: name, kind: kind, required: required, def: def, since: since}, canon: name}
}

// adminFields lists the AdminConfig keys in v0.11.0 order, with the
// version each appeared in; def is the stored default.
var adminFields = []adminField{
	af("SHOW_ADMIN_DETAILS", kBool, true, true, semver{}),
	af("ADMIN_EMAIL", kOptStr, false, nil, ver(0, 7, 0)),
	af("WEBUI_URL", kStr, true, "", ver(0, 5, 0)),
	af("ENABLE_SIGNUP", kBool, true, true, semver{}),
	{field: field{name: "ENABLE_API_KEY", kind: kBool, required: true, def: false, since: ver(0, 4, 0), until: ver(0, 6, 37)}, canon: "ENABLE_API_KEYS"},
	af("ENABLE_API_KEYS", kBool, true, false, ver(0, 6, 37)),
	{field: field{name: "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS", kind: kBool, required: true, def: false, since: ver(0, 5, 2), until: ver(0, 6, 37)}, canon: "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS"},
	af("ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS", kBool, true, false, ver(0, 6, 37)),
	{field: field{name: "API_KEY_ALLOWED_ENDPOINTS", kind: kStr, required: true, def: "", since: ver(0, 5, 2), until: ver(0, 6, 37)}, canon: "API_KEYS_ALLOWED_ENDPOINTS"},
	af("API_KEYS_ALLOWED_ENDPOINTS", kStr, true, "", ver(0, 6, 37)),
	af("DEFAULT_USER_ROLE", kStr, true, "pending", semver{}),
	af("DEFAULT_GROUP_ID", kStr, true, "", ver(0, 6, 37)),
	af("JWT_EXPIRES_IN", kStr, true, "4w", semver{}),
	af("ENABLE_COMMUNITY_SHARING", kBool, true, true, semver{}),
	af("ENABLE_MESSAGE_RATING", kBool, true, true, ver(0, 3, 14)),
	af("ENABLE_FOLDERS", kBool, true, true, ver(0, 6, 41)),
	af("FOLDER_MAX_FILE_COUNT", kIntStr, false, "", ver(0, 7, 0)),
	af("AUTOMATION_MAX_COUNT", kIntStr, false, "", ver(0, 9, 0)),
	af("AUTOMATION_MIN_INTERVAL", kIntStr, false, "", ver(0, 9, 0)),
	af("ENABLE_AUTOMATIONS", kBool, true, true, ver(0, 9, 0)),
	af("ENABLE_CHANNELS", kBool, true, false, ver(0, 5, 0)),
	af("CHANNEL_MODEL_RESPONSE_MODE", kStr, false, "thread", ver(0, 11, 0)),
	af("ENABLE_CALENDAR", kBool, true, true, ver(0, 9, 0)),
	af("ENABLE_MEMORIES", kBool, true, true, ver(0, 7, 0)),
	af("ENABLE_MEMORY_SYSTEM_CONTEXT", kBool, true, true, ver(0, 10, 2)),
	af("ENABLE_NOTES", kBool, true, true, ver(0, 6, 6)),
	af("ENABLE_USER_WEBHOOKS", kBool, true, false, ver(0, 6, 0)),
	af("ENABLE_USER_STATUS", kBool, true, true, ver(0, 7, 0)),
	af("PENDING_USER_OVERLAY_TITLE", kOptStr, false, "", ver(0, 6, 10)),
	af("PENDING_USER_OVERLAY_CONTENT", kOptStr, false, "", ver(0, 6, 10)),
	af("RESPONSE_WATERMARK", kOptStr, false, "", ver(0, 6, 10)),
}

// adminModel is the AdminConfig request model; the optional fields default
// to None in the request model (the stored defaults are in adminFields).
func adminModel() model {
	m := make(model, 0, len(adminFields))
	for _, f := range adminFields {
		g := f.field
		if !g.required {
			g.def = nil
			if g.name == "CHANNEL_MODEL_RESPONSE_MODE" {
				g.def = "thread"
			}
		}
		m = append(m, g)
	}
	return m
}

var adminConfigModel = adminModel()

func (st *state) adminConfigObj() obj {
	o := make(obj, 0, len(adminFields))
	for _, f := range adminFields {
		if f.in(st.ver) {
			o = append(o, kv{f.name, st.admin[f.canon]})
		}
	}
	return o
}

// ---- LdapServerConfig --------------------------------------------------------------

var ldapServerModel = model{
	{name: "label", kind: kStr, required: true},
	{name: "host", kind: kStr, required: true},
	{name: "port", kind: kOptInt},
	{name: "attribute_for_mail", kind: kStr, def: "mail", since: ver(0, 5, 5)},
	{name: "attribute_for_username", kind: kStr, def: "uid"},
	{name: "app_dn", kind: kStr, required: true},
	{name: "app_dn_password", kind: kStr, required: true},
	{name: "search_base", kind: kStr, required: true},
	{name: "search_filters", kind: kStr, def: ""},
	{name: "use_tls", kind: kBool, def: true},
	{name: "certificate_path", kind: kOptStr},
	{name: "validate_cert", kind: kBool, def: true, since: ver(0, 6, 10)},
	{name: "ciphers", kind: kOptStr, def: "ALL"},
	{name: "enable_group_management", kind: kBool, def: false, since: ver(0, 11, 0)},
	{name: "enable_group_creation", kind: kBool, def: false, since: ver(0, 11, 0)},
	{name: "attribute_for_groups", kind: kStr, def: "memberOf", since: ver(0, 11, 0)},
}

func (st *state) ldapServerObj() obj {
	o := obj{}
	for _, f := range ldapServerModel {
		if f.in(st.ver) {
			o = append(o, kv{f.name, st.ldapServer[f.name]})
		}
	}
	return o
}

// ---- OAuthConfigForm -----------------------------------------------------------

var oauthCommaFields = map[string]bool{"OAUTH_ALLOWED_DOMAINS": true, "OAUTH_ADMIN_ROLES": true, "OAUTH_ALLOWED_ROLES": true}

func of(name string, kind fkind, def any) field { return field{name: name, kind: kind, def: def} }

// oauthFields is OAuthConfigForm (all optional) with the stored defaults.
var oauthFields = model{
	{name: "ENABLE_OAUTH", kind: kOptBool, def: true, since: ver(0, 11, 0)},
	of("ENABLE_OAUTH_SIGNUP", kOptBool, false),
	of("OAUTH_MERGE_ACCOUNTS_BY_EMAIL", kOptBool, false),
	of("OAUTH_AUTO_REDIRECT", kOptBool, false),
	of("OAUTH_ALLOWED_DOMAINS", kOptStr, []string{"*"}),
	of("OAUTH_BLOCKED_GROUPS", kOptStr, "[]"),
	of("ENABLE_OAUTH_ROLE_MANAGEMENT", kOptBool, false),
	of("OAUTH_ROLES_CLAIM", kOptStr, "roles"),
	of("OAUTH_ADMIN_ROLES", kOptStr, []string{"admin"}),
	of("OAUTH_ALLOWED_ROLES", kOptStr, []string{"user", "admin"}),
	of("ENABLE_OAUTH_GROUP_MANAGEMENT", kOptBool, false),
	of("ENABLE_OAUTH_GROUP_CREATION", kOptBool, false),
	of("OAUTH_GROUP_CLAIM", kOptStr, "groups"),
	of("OAUTH_GROUP_DEFAULT_SHARE", kBoolStr, true),
	of("OAUTH_PROVIDER_NAME", kOptStr, "SSO"),
	of("OPENID_PROVIDER_URL", kOptStr, ""),
	of("OAUTH_CLIENT_ID", kOptStr, ""),
	of("OAUTH_CLIENT_SECRET", kOptStr, ""),
	of("OPENID_REDIRECT_URI", kOptStr, ""),
	of("OAUTH_SCOPES", kOptStr, "openid email profile"),
	of("OAUTH_CODE_CHALLENGE_METHOD", kOptStr, nil),
	of("OAUTH_TOKEN_ENDPOINT_AUTH_METHOD", kOptStr, nil),
	of("OPENID_END_SESSION_ENDPOINT", kOptStr, ""),
	of("OAUTH_TIMEOUT", kIntStr, ""),
	of("OAUTH_CLIENT_TIMEOUT", kIntStr, ""),
	of("OAUTH_EMAIL_CLAIM", kOptStr, "email"),
	of("OAUTH_USERNAME_CLAIM", kOptStr, "name"),
	of("OAUTH_PICTURE_CLAIM", kOptStr, "picture"),
	of("OAUTH_SUB_CLAIM", kOptStr, nil),
	of("OAUTH_AUDIENCE", kOptStr, ""),
	of("OAUTH_UPDATE_EMAIL_ON_LOGIN", kOptBool, false),
	of("OAUTH_UPDATE_NAME_ON_LOGIN", kOptBool, false),
	of("OAUTH_UPDATE_PICTURE_ON_LOGIN", kOptBool, false),
	of("OAUTH_REFRESH_TOKEN_INCLUDE_SCOPE", kOptBool, false),
}

// oauthRequestModel is OAuthConfigForm as a request model (defaults None).
var oauthRequestModel = func() model {
	m := make(model, len(oauthFields))
	for i, f := range oauthFields {
		f.def = nil
		m[i] = f
	}
	return m
}()

func (st *state) oauthConfigObj() obj {
	o := make(obj, 0, len(oauthFields))
	for _, f := range oauthFields {
		if !f.in(st.ver) {
			continue
		}
		v := st.oauthCfg[f.name]
		if l, ok := v.([]string); ok {
			v = strings.Join(l, ",")
		}
		o = append(o, kv{f.name, v})
	}
	return o
}

func (st *state) oauthStr(key string) (string, bool) {
	s, ok := st.oauthCfg[key].(string)
	return s, ok
}
