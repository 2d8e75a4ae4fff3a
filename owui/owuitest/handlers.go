package owuitest

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

var (
	updateProfileModel = model{
		{name: "profile_image_url", kind: kStr, required: true, check: checkProfileImageURL, checkSince: ver(0, 8, 0)},
		{name: "name", kind: kStr, required: true},
		{name: "bio", kind: kOptStr, since: ver(0, 6, 23)},
		{name: "gender", kind: kOptStr, since: ver(0, 6, 23)},
		{name: "date_of_birth", kind: kOptDate, since: ver(0, 6, 23)},
	}
	signupModel = model{
		{name: "name", kind: kStr, required: true},
		{name: "email", kind: kStr, required: true},
		{name: "password", kind: kStr, required: true},
		{name: "profile_image_url", kind: kOptStr, def: "/user.png", check: checkProfileImageURL, checkSince: ver(0, 8, 0)},
	}
	addUserModel = append(append(model{}, signupModel...), field{name: "role", kind: kOptStr, def: "pending"})
)

// ---- shared pieces --------------------------------------------------------------

func (c *reqCtx) since(a, b, d int) bool { return c.s.ver.atLeast(ver(a, b, d)) }

// sessionImage is the profile_image_url of session responses: the
// constructed route since v0.8.1, the stored value before.
func (c *reqCtx) sessionImage(u *user) string {
	if c.since(0, 8, 1) {
		return "/api/v1/users/" + u.id + "/profile/image"
	}
	return u.imageURL()
}

func tokenCookie(tok string, expires, maxAge *int64) string {
	var b strings.Builder
	b.WriteString("token=")
	b.WriteString(tok)
	if expires != nil && *expires != 0 {
		b.WriteString("; expires=")
		b.WriteString(time.Unix(*expires, 0).UTC().Format(http.TimeFormat))
	}
	b.WriteString("; HttpOnly")
	if maxAge != nil {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.FormatInt(*maxAge, 10))
	}
	b.WriteString("; Path=/; SameSite=lax")
	return b.String()
}

func deleteCookie(name string, now time.Time) string {
	return name + `=""; expires=` + now.UTC().Format(http.TimeFormat) + "; Max-Age=0; Path=/; SameSite=lax"
}

// sessionResponse is create_session_response(): a new JWT, expires_at, the
// optional cookie and the SessionUserResponse body.
func (c *reqCtx) sessionResponse(u *user, setCookie bool) (*resp, error) {
	delta, err := c.st.jwtDelta()
	if err != nil {
		return nil, err
	}
	tok, err := c.s.mintJWT(u.id, c.now, delta)
	if err != nil {
		return nil, err
	}
	var expiresAt, maxAge *int64
	if delta != nil {
		e := c.now.Unix() + int64(*delta)
		m := int64(*delta)
		expiresAt, maxAge = &e, &m
	}
	body := obj{
		{"id", u.id}, {"name", u.name}, {"role", u.role}, {"email", u.email},
		{"profile_image_url", c.sessionImage(u)},
		{"token", tok}, {"token_type", "Bearer"}, {"expires_at", expiresAt},
		{"permissions", c.st.permissions()},
	}
	r := jsonResp(200, body)
	if setCookie {
		r.add("Set-Cookie", tokenCookie(tok, expiresAt, maxAge))
	}
	return r, nil
}

// ---- GET / ----------------------------------------------------------------------

func hSessionUser(c *reqCtx) *resp {
	u := c.user
	token, have := "", false
	ah := c.r.Header.Get("Authorization")
	if !c.since(0, 9, 2) {
		// Before v0.9.2 the token came from the Authorization header only;
		// without one the handler crashed.
		cred, ok := splitAuth(ah)
		if !ok {
			return internalError()
		}
		token, have = cred, true
	} else {
		if cred, ok := splitAuth(ah); ok {
			token, have = cred, true
		}
		if !have {
			token, have = c.cookie["token"]
		}
		if !have {
			token, _ = c.stateToken()
		}
	}
	var expiresAt *int64
	var cookie string
	if token != "" {
		if claims := c.s.decodeJWT(token, c.now); claims != nil {
			if v, ok := claims.get("exp"); ok && v != nil {
				if n, ok := claimInt(v); ok {
					expiresAt = &n
				}
			}
			if expiresAt != nil && c.now.Unix() > *expiresAt {
				return detail(401, msgInvalidToken)
			}
			var maxAge *int64
			if expiresAt != nil && *expiresAt != 0 {
				m := int64(float64(*expiresAt) - unixFloat(c.now))
				maxAge = &m
			}
			cookie = tokenCookie(token, expiresAt, maxAge)
		}
	}
	var body obj
	if c.since(0, 6, 41) {
		body = append(body, kv{"status_emoji", nil}, kv{"status_message", nil}, kv{"status_expires_at", nil})
	}
	body = append(body,
		kv{"id", u.id}, kv{"name", u.name}, kv{"role", u.role}, kv{"email", u.email},
		kv{"profile_image_url", u.imageURL()},
		kv{"token", token}, kv{"token_type", "Bearer"}, kv{"expires_at", expiresAt},
		kv{"permissions", c.st.permissions()})
	if c.since(0, 6, 23) {
		body = append(body, kv{"bio", u.bio}, kv{"gender", u.gender}, kv{"date_of_birth", u.dob})
	}
	r := jsonResp(200, body)
	if cookie != "" {
		r.add("Set-Cookie", cookie)
	}
	return r
}

// ---- profile, timezone, password ---------------------------------------------------

func hUpdateProfile(c *reqCtx) *resp {
	u, f := c.user, c.form
	u.profileImageURL = strp(f.str("profile_image_url"))
	u.name = f.str("name")
	if c.since(0, 6, 23) {
		u.bio = f.strp("bio")
		u.gender = f.strp("gender")
		u.dob = nil
		if d, ok := f["date_of_birth"].(civilDate); ok {
			u.dob = &d
		}
	}
	return jsonResp(200, obj{{"id", u.id}, {"name", u.name}, {"role", u.role}, {"email", u.email}, {"profile_image_url", u.imageURL()}})
}

func hUpdateTimezone(c *reqCtx) *resp {
	c.user.timezone = strp(c.form.str("timezone"))
	return jsonResp(200, obj{{"status", true}})
}

func hUpdatePassword(c *reqCtx) *resp {
	u, f := c.user, c.form
	if !u.pw.verify(f.str("password")) {
		return detail(400, msgIncorrectPass)
	}
	if c.since(0, 6, 37) {
		checked := f.str("new_password")
		if !c.since(0, 8, 11) {
			checked = f.str("password") // v0.6.37-v0.8.10 validated the old password
		}
		if msg := checkPassword(checked, c.st.pwPolicy); msg != "" {
			return detail(400, msg)
		}
	}
	u.pw = hashPassword(f.str("new_password"))
	return jsonResp(200, true)
}

// ---- sign-in, LDAP, sign-up, sign-out ---------------------------------------------------

func hSignin(c *reqCtx) *resp {
	st := c.st
	if !st.passwordAuth {
		return detail(403, msgActionProhibited)
	}
	email := strings.ToLower(c.form.str("email"))
	if c.since(0, 6, 41) && st.rateLimited(email, c.now) {
		return detail(429, msgRateLimit)
	}
	u := st.userByEmail(email)
	if u == nil || !u.pw.verify(c.form.str("password")) {
		return detail(400, msgInvalidCred)
	}
	r, err := c.sessionResponse(u, true)
	if err != nil {
		return internalError()
	}
	return r
}

// ldapValue reads one attribute of a directory entry.
func ldapValue(e LDAPEntry, attr string) (string, bool) {
	switch strings.ToLower(attr) {
	case "uid":
		return e.Username, true
	case "mail":
		return e.Email, true
	case "cn":
		return e.CN, true
	}
	return "", false
}

func hLDAP(c *reqCtx) *resp {
	st, f := c.st, c.form
	if !truthy(st.ldapEnable) {
		return detail(400, "LDAP authentication is not enabled")
	}
	if !st.passwordAuth {
		return detail(403, msgActionProhibited)
	}
	password := f.str("password")
	if c.since(0, 9, 0) && strings.TrimSpace(password) == "" {
		return detail(400, msgInvalidCred)
	}
	cfg := st.ldapServer
	if cp, _ := cfg["certificate_path"].(string); cp != "" {
		if fi, err := os.Stat(cp); err != nil || fi.IsDir() {
			return detail(400, "Failed to configure TLS for LDAP connection.")
		}
	}
	failed := detail(400, "LDAP authentication failed.")
	dir := st.ldap
	host, _ := cfg["host"].(string)
	if dir == nil || !strings.EqualFold(strings.TrimSpace(host), dir.host) {
		return failed // cannot reach the directory
	}
	if appDN, _ := cfg["app_dn"].(string); appDN != "" {
		pw, _ := cfg["app_dn_password"].(string)
		if !strings.EqualFold(appDN, dir.appDN) || pw != dir.appPassword {
			return failed // application account bind failed
		}
	}
	base, _ := cfg["search_base"].(string)
	base = strings.ToLower(strings.TrimSpace(base))
	if base == "" || (base != dir.base && !strings.HasSuffix(dir.base, ","+base)) {
		return failed // user not found
	}
	userAttr, _ := cfg["attribute_for_username"].(string)
	mailAttr, _ := cfg["attribute_for_mail"].(string)
	login := strings.ToLower(f.str("user"))
	var entry *LDAPEntry
	for i := range dir.entries {
		if v, ok := ldapValue(dir.entries[i], userAttr); ok && v != "" && strings.ToLower(v) == login {
			entry = &dir.entries[i]
			break
		}
	}
	if entry == nil || entry.Password == "" || entry.Password != password {
		return failed // not found / authentication failed
	}
	mail, _ := ldapValue(*entry, mailAttr)
	email := strings.ToLower(mail)
	if email == "" {
		return failed // no valid email address
	}
	u := st.userByEmail(email)
	if u == nil {
		u = st.newUser(email, entry.CN, strp("/user.png"), st.defaultRole(), nil)
		if len(st.users) == 1 {
			u.role = "admin"
		}
	}
	r, err := c.sessionResponse(u, true)
	if err != nil {
		return failed
	}
	return r
}

func hSignup(c *reqCtx) *resp {
	st, f := c.st, c.form
	if len(st.users) > 0 || !c.since(0, 9, 6) {
		if !st.adminBool("ENABLE_SIGNUP") {
			return detail(403, msgAccessProhibited)
		}
	}
	email := strings.ToLower(f.str("email"))
	if !validEmailFormat(email) {
		return detail(400, msgInvalidEmail)
	}
	if st.userByEmail(email) != nil {
		return detail(400, msgEmailTaken)
	}
	if c.since(0, 6, 3) {
		if msg := checkPassword(f.str("password"), st.pwPolicy && c.since(0, 6, 37)); msg != "" {
			return detail(400, msg)
		}
	}
	u := st.newUser(email, f.str("name"), f.strp("profile_image_url"), st.defaultRole(), hashPassword(f.str("password")))
	if len(st.users) == 1 {
		u.role = "admin"
		st.admin["ENABLE_SIGNUP"] = false
	}
	r, err := c.sessionResponse(u, true)
	if err != nil {
		return detail(500, "An internal error occurred during signup.")
	}
	return r
}

func hSignout(c *reqCtx) *resp {
	if c.st.revoked != nil {
		tok, ok := splitAuth(c.r.Header.Get("Authorization"))
		if !ok {
			tok = c.cookie["token"]
		}
		c.st.revoke(c.s.decodeJWT(tok, c.now), c.now)
	}
	body := obj{{"status", true}}
	cookies := []string{deleteCookie("token", c.now), deleteCookie("oui-session", c.now), deleteCookie("oauth_id_token", c.now)}
	if c.cookie["oauth_session_id"] != "" {
		cookies = append(cookies, deleteCookie("oauth_session_id", c.now))
		if ep, _ := c.st.oauthStr("OPENID_END_SESSION_ENDPOINT"); ep != "" {
			body = append(body, kv{"redirect_url", ep})
		}
	}
	r := jsonResp(200, body)
	for _, ck := range cookies {
		r.add("Set-Cookie", ck)
	}
	return r
}

// ---- OAuth sessions, add user, admin details -----------------------------------------

// hDeleteOAuthSession deletes every session of the user with exactly that
// provider name, as the SQL delete does.
func hDeleteOAuthSession(c *reqCtx) *resp {
	p := c.params["provider"]
	found := false
	for id, provider := range c.user.oauthSessions {
		if provider == p {
			delete(c.user.oauthSessions, id)
			found = true
		}
	}
	if !found {
		return detail(404, "No OAuth session found for this provider")
	}
	return jsonResp(200, true)
}

const msgAddUserError = "An internal error occurred while adding the user."

func hAddUser(c *reqCtx) *resp {
	st, f := c.st, c.form
	email := strings.ToLower(f.str("email"))
	if !validEmailFormat(email) {
		return detail(400, msgInvalidEmail)
	}
	if st.userByEmail(email) != nil {
		return detail(400, msgEmailTaken)
	}
	if c.since(0, 6, 3) {
		if msg := checkPassword(f.str("password"), st.pwPolicy && c.since(0, 6, 37)); msg != "" {
			return detail(400, msg)
		}
	}
	role := f.strp("role")
	if role == nil {
		return detail(500, msgAddUserError) // UserModel rejects role=None
	}
	u := st.newUser(email, f.str("name"), f.strp("profile_image_url"), *role, hashPassword(f.str("password")))
	var delta *float64
	if c.since(0, 9, 0) {
		d, err := st.jwtDelta()
		if err != nil {
			return detail(500, msgAddUserError)
		}
		delta = d
	}
	tok, err := c.s.mintJWT(u.id, c.now, delta)
	if err != nil {
		return detail(500, msgAddUserError)
	}
	return jsonResp(200, obj{
		{"id", u.id}, {"name", u.name}, {"role", u.role}, {"email", u.email},
		{"profile_image_url", c.sessionImage(u)}, {"token", tok}, {"token_type", "Bearer"},
	})
}

func hAdminDetails(c *reqCtx) *resp {
	st := c.st
	if !st.adminBool("SHOW_ADMIN_DETAILS") {
		return detail(400, msgActionProhibited)
	}
	if c.since(0, 7, 0) {
		if email, ok := st.admin["ADMIN_EMAIL"].(string); ok && email != "" {
			var name any
			if u := st.userByEmail(email); u != nil {
				name = u.name
			}
			return jsonResp(200, obj{{"name", name}, {"email", email}})
		}
	}
	if len(st.users) == 0 {
		return jsonResp(200, obj{{"name", nil}, {"email", nil}})
	}
	first := st.users[0]
	return jsonResp(200, obj{{"name", first.name}, {"email", first.email}})
}

// ---- admin config -----------------------------------------------------------------

func hGetAdminConfig(c *reqCtx) *resp { return jsonResp(200, c.st.adminConfigObj()) }

var countKeys = map[string]bool{"FOLDER_MAX_FILE_COUNT": true, "AUTOMATION_MAX_COUNT": true, "AUTOMATION_MIN_INTERVAL": true}

func hUpdateAdminConfig(c *reqCtx) *resp {
	st, f := c.st, c.form
	updates := map[string]any{}
	for _, fd := range adminFields {
		if !fd.in(st.ver) {
			continue
		}
		v := f[fd.name]
		switch {
		case countKeys[fd.canon]:
			// int(value) if value else ''; int("abc") raises -> 500.
			if !truthy(v) {
				v = ""
			} else if s, ok := v.(string); ok {
				n, ok := pythonInt(s)
				if !ok {
					return internalError()
				}
				v = n
			}
		case fd.canon == "DEFAULT_USER_ROLE":
			if s, _ := v.(string); s != "pending" && s != "user" && s != "admin" {
				continue
			}
		case fd.canon == "CHANNEL_MODEL_RESPONSE_MODE":
			if s, _ := v.(string); s != "thread" && s != "channel" {
				continue
			}
		case fd.canon == "JWT_EXPIRES_IN":
			if s, _ := v.(string); !adminJWTRE.MatchString(s) {
				continue
			}
		}
		updates[fd.canon] = v
	}
	for k, v := range updates {
		st.admin[k] = v
	}
	return jsonResp(200, st.adminConfigObj())
}

func hGetLDAPServer(c *reqCtx) *resp { return jsonResp(200, c.st.ldapServerObj()) }

func hUpdateLDAPServer(c *reqCtx) *resp {
	st, f := c.st, c.form
	required := []string{"label", "host", "attribute_for_mail", "attribute_for_username", "search_base"}
	if !c.since(0, 8, 4) {
		required = []string{"label", "host", "attribute_for_mail", "attribute_for_username", "app_dn", "app_dn_password", "search_base"}
	}
	for _, k := range required {
		if k == "attribute_for_mail" && !c.since(0, 5, 5) {
			continue
		}
		if !truthy(f[k]) {
			return detail(400, fmt.Sprintf("Required field %s is empty", k))
		}
	}
	if c.since(0, 11, 0) && truthy(f["enable_group_management"]) && strings.TrimSpace(f.str("attribute_for_groups")) == "" {
		return detail(400, "Required field attribute_for_groups is empty")
	}
	for _, fd := range ldapServerModel {
		if fd.in(st.ver) {
			st.ldapServer[fd.name] = f[fd.name]
		}
	}
	return jsonResp(200, st.ldapServerObj())
}

func hGetLDAPConfig(c *reqCtx) *resp {
	return jsonResp(200, obj{{"ENABLE_LDAP", c.st.ldapEnable}})
}

func hUpdateLDAPConfig(c *reqCtx) *resp {
	c.st.ldapEnable = c.form["enable_ldap"]
	return jsonResp(200, obj{{"ENABLE_LDAP", c.st.ldapEnable}})
}

func hGetOAuthConfig(c *reqCtx) *resp { return jsonResp(200, c.st.oauthConfigObj()) }

func hUpdateOAuthConfig(c *reqCtx) *resp {
	st := c.st
	for _, fd := range oauthFields {
		v := c.form[fd.name]
		if v == nil {
			continue // model_dump(exclude_none=True): a partial update
		}
		if s, ok := v.(string); ok && oauthCommaFields[fd.name] {
			items := []string{}
			for _, it := range strings.Split(s, ",") {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			v = items
		}
		st.oauthCfg[fd.name] = v
	}
	return jsonResp(200, st.oauthConfigObj())
}

// ---- API keys -----------------------------------------------------------------------

// apiKeyGate is _check_api_key_permission (for GET and DELETE only since
// v0.10.0).
func (c *reqCtx) apiKeyGate(create bool) *resp {
	if !create && !c.since(0, 10, 0) {
		return nil
	}
	st := c.st
	if !st.adminBool("ENABLE_API_KEYS") {
		return detail(403, msgAPIKeyCreation)
	}
	if !c.since(0, 6, 37) {
		return nil
	}
	if c.user.role == "admin" && c.since(0, 8, 11) {
		return nil
	}
	if !st.hasAPIKeyPermission() {
		return detail(403, msgAPIKeyCreation)
	}
	return nil
}

func hGenerateAPIKey(c *reqCtx) *resp {
	if e := c.apiKeyGate(true); e != nil {
		return e
	}
	key := newAPIKey()
	c.st.setAPIKey(c.user, key)
	return jsonResp(200, obj{{"api_key", key}})
}

func hDeleteAPIKey(c *reqCtx) *resp {
	if e := c.apiKeyGate(false); e != nil {
		return e
	}
	c.st.setAPIKey(c.user, "")
	return jsonResp(200, true)
}

func hGetAPIKey(c *reqCtx) *resp {
	if e := c.apiKeyGate(false); e != nil {
		return e
	}
	if c.user.apiKey == "" {
		return detail(404, msgAPIKeyNotFound)
	}
	return jsonResp(200, obj{{"api_key", c.user.apiKey}})
}

// ---- token exchange -------------------------------------------------------------------

// providerSubClaim is the provider's default sub claim.
func providerSubClaim(p string) string {
	switch p {
	case "github":
		return "id"
	case "feishu":
		return "user_id"
	}
	return "sub"
}

func hTokenExchange(c *reqCtx) *resp {
	st := c.st
	if !st.exchangeOn {
		return detail(403, "Token exchange is disabled")
	}
	provider := strings.ToLower(c.params["provider"])
	tokens, ok := st.providers[provider]
	if !ok {
		return detail(404, fmt.Sprintf("Provider '%s' is not configured", provider))
	}
	info, ok := tokens[c.form.str("token")]
	if !ok {
		return detail(400, "Invalid token or unable to validate with provider")
	}
	subClaim := providerSubClaim(provider)
	if s, _ := st.oauthStr("OAUTH_SUB_CLAIM"); s != "" {
		subClaim = s
	}
	sub := ""
	if subClaim == providerSubClaim(provider) {
		sub = info.Sub
	}
	if sub == "" {
		return detail(400, "Token missing required 'sub' claim")
	}
	email := ""
	if claim, ok := st.oauthStr("OAUTH_EMAIL_CLAIM"); ok && claim == "email" {
		email = info.Email
	}
	if email == "" {
		return detail(400, "Token missing required email claim")
	}
	email = strings.ToLower(email)
	if c.since(0, 9, 0) {
		domains, _ := st.oauthCfg["OAUTH_ALLOWED_DOMAINS"].([]string)
		domain := email[strings.LastIndexByte(email, '@')+1:]
		allowed := false
		for _, d := range domains {
			if d == "*" || d == domain {
				allowed = true
				break
			}
		}
		if !allowed {
			return detail(403, msgAccessProhibited)
		}
	}
	var u *user
	for _, x := range st.users {
		if s, ok := x.oauth[provider]; ok && s == sub {
			u = x
			break
		}
	}
	if u == nil && truthy(st.oauthCfg["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"]) {
		if u = st.userByEmail(email); u != nil {
			u.oauth[provider] = sub
		}
	}
	if u == nil {
		return detail(403, "User not found. Please sign in via the web interface first.")
	}
	// An exchange returns a session token only: OAuth sessions (the stored
	// provider tokens) come from the web OAuth login and MCP tool-server
	// OAuth, which AddOAuthSession stands in for.
	r, err := c.sessionResponse(u, false)
	if err != nil {
		return internalError()
	}
	return r
}

// ---- unauthenticated info routes ----------------------------------------------------------

func hVersion(c *reqCtx) *resp {
	return jsonResp(200, obj{{"version", c.s.cfg.version}, {"deployment_id", c.s.deploymentID}})
}

func hHealth(*reqCtx) *resp { return jsonResp(200, obj{{"status", true}}) }

// hAPIConfig is a reduced GET /api/config (version and the auth features).
func hAPIConfig(c *reqCtx) *resp {
	st := c.st
	providers := obj{}
	for _, p := range c.s.cfg.oauthOrder {
		providers = append(providers, kv{p, p})
	}
	features := obj{
		{"auth", true}, {"auth_trusted_header", false},
		{"enable_ldap", truthy(st.ldapEnable)},
		{"enable_signup", st.adminBool("ENABLE_SIGNUP")},
		{"enable_login_form", true}, {"enable_websocket", true},
	}
	if tok, ok := c.credential(); ok && tok != "" {
		if c.authenticate(authCurrent) == nil {
			features = append(features, kv{"enable_api_keys", st.adminBool("ENABLE_API_KEYS")})
		}
	}
	body := obj{{"status", true}, {"name", "Open WebUI"}, {"version", c.s.cfg.version}, {"default_locale", ""},
		{"oauth", obj{{"providers", providers}}}, {"features", features}}
	if len(st.users) == 0 {
		body = append(body, kv{"onboarding", true})
	}
	return jsonResp(200, body)
}
