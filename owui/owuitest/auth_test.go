package owuitest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignupFirstUserBecomesAdmin(t *testing.T) {
	s := start(t)
	r := call(t, s, "POST", "/api/v1/auths/signup", `{"name":"Ada","email":"Ada@Example.com","password":"pw","extra":1}`)
	r.expect(t, 200, "")
	m := r.obj(t)
	if m["role"] != "admin" || m["email"] != "ada@example.com" || m["name"] != "Ada" || m["token_type"] != "Bearer" {
		t.Fatalf("signup body %s", r.body)
	}
	id := m["id"].(string)
	if m["profile_image_url"] != "/api/v1/users/"+id+"/profile/image" {
		t.Fatalf("profile_image_url = %v", m["profile_image_url"])
	}
	want := []string{"id", "name", "role", "email", "profile_image_url", "token", "token_type", "expires_at", "permissions"}
	if got := keysOf(t, r.body); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %v", got)
	}
	perms := m["permissions"].(map[string]any)
	if perms["features"].(map[string]any)["api_keys"] != false || perms["chat"].(map[string]any)["temporary_enforced"] != false {
		t.Fatalf("permissions %v", perms)
	}
	c := r.tokenCookie()
	if c == nil || c.Value != m["token"] || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 28*86400 {
		t.Fatalf("cookie %+v (raw %q)", c, r.header.Values("Set-Cookie"))
	}
	if exp := num(m["expires_at"]); exp < time.Now().Unix()+28*86400-5 || exp > time.Now().Unix()+28*86400+5 {
		t.Fatalf("expires_at %d", exp)
	}
	if u, ok := s.UserByEmail("ADA@example.com"); !ok || u.Role != "admin" || u.ProfileImageURL != "/user.png" {
		t.Fatalf("stored user %+v", u)
	}
	// Signup is now switched off.
	cfg := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(m["token"].(string)))
	cfg.expect(t, 200, "")
	if cfg.obj(t)["ENABLE_SIGNUP"] != false {
		t.Fatalf("ENABLE_SIGNUP still on: %s", cfg.body)
	}
	call(t, s, "POST", "/api/v1/auths/signup", `{"name":"B","email":"b@example.com","password":"pw"}`).expect(t, 403, msgProhib)
}

func TestSignupLaterUsersGetDefaultRole(t *testing.T) {
	s := start(t, seeded())
	// Seeding does not switch signup off; later users are pending.
	r := call(t, s, "POST", "/api/v1/auths/signup", `{"name":"N","email":"new@example.com","password":"pw","profile_image_url":null}`)
	r.expect(t, 200, "")
	if r.obj(t)["role"] != "pending" {
		t.Fatalf("role %s", r.body)
	}
	// A null image is stored as NULL and read back as the route.
	tok := r.obj(t)["token"].(string)
	me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).obj(t)
	if me["profile_image_url"] != "/api/v1/users/"+me["id"].(string)+"/profile/image" {
		t.Fatalf("image %v", me["profile_image_url"])
	}
	// DEFAULT_USER_ROLE is the live switch.
	admin := mustToken(t, s, adminEmail)
	cfg := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin))
	body := strings.Replace(string(cfg.body), `"DEFAULT_USER_ROLE":"pending"`, `"DEFAULT_USER_ROLE":"user"`, 1)
	call(t, s, "POST", "/api/v1/auths/admin/config", body, withBearer(admin)).expect(t, 200, "")
	r = call(t, s, "POST", "/api/v1/auths/signup", `{"name":"M","email":"m@example.com","password":"pw","profile_image_url":"https://img.example.org/a.png"}`)
	if r.obj(t)["role"] != "user" {
		t.Fatalf("role %s", r.body)
	}
	if u, _ := s.UserByEmail("m@example.com"); u.ProfileImageURL != "https://img.example.org/a.png" {
		t.Fatalf("image %q", u.ProfileImageURL)
	}
	// As after a start-up admin (WEBUI_ADMIN_EMAIL): sign-up is off.
	closed := start(t, seeded(), WithSignup(false))
	call(t, closed, "POST", "/api/v1/auths/signup", `{"name":"N","email":"new@example.com","password":"pw"}`).expect(t, 403, msgProhib)
}

func TestSignupErrors(t *testing.T) {
	s := start(t, seeded(), WithPasswordValidation(true))
	long := strings.Repeat("x", 73)
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"bad email", `{"name":"a","email":"nope","password":"Passw0rd!"}`, 400, msgInvalidEmail},
		{"no tld", `{"name":"a","email":"a@b","password":"Passw0rd!"}`, 400, msgInvalidEmail},
		{"taken", `{"name":"a","email":"USER@example.com","password":"Passw0rd!"}`, 400, msgEmailTaken},
		{"too long", `{"name":"a","email":"l@example.com","password":"` + long + `"}`, 400, msgPasswordTooLong},
		{"policy", `{"name":"a","email":"p@example.com","password":"password"}`, 400, msgPasswordPolicy},
		{"localhost ok", `{"name":"a","email":"root@localhost","password":"Passw0rd!"}`, 200, ""},
		{"72 bytes ok", `{"name":"a","email":"s72@example.com","password":"Aa1!` + strings.Repeat("y", 68) + `"}`, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			call(t, s, "POST", "/api/v1/auths/signup", c.body).expect(t, c.status, c.msg)
		})
	}
}

func TestSigninBehaviour(t *testing.T) {
	s := start(t, seeded())
	r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"USER@Example.com","password":"`+userPass+`"}`)
	r.expect(t, 200, "")
	if r.obj(t)["email"] != userEmail || r.tokenCookie() == nil {
		t.Fatalf("signin %s", r.body)
	}
	// Pending users can sign in.
	r = call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+pendEmail+`","password":"`+pendPass+`"}`)
	r.expect(t, 200, "")
	if r.obj(t)["role"] != "pending" {
		t.Fatal(string(r.body))
	}
	call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"nope"}`).expect(t, 400, msgInvalidCred)
	call(t, s, "POST", "/api/v1/auths/signin", `{"email":"ghost@example.com","password":"x"}`).expect(t, 400, msgInvalidCred)
	// Not format-checked at sign-in.
	call(t, s, "POST", "/api/v1/auths/signin", `{"email":"not an email","password":"x"}`).expect(t, 400, msgInvalidCred)

	// bcrypt semantics: only the first 72 bytes count.
	s2 := start(t, WithUsers(User{Email: "long@example.com", Password: strings.Repeat("p", 72)}))
	signin(t, s2, "long@example.com", strings.Repeat("p", 72)+"ignored")

	s3 := start(t, seeded(), WithPasswordAuth(false))
	call(t, s3, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`).expect(t, 403, msgActionProhibited)
	// The body is still validated first.
	call(t, s3, "POST", "/api/v1/auths/signin", `{}`).expect(t, 422, "")
}

func TestSigninRateLimit(t *testing.T) {
	clk := newClock()
	s := start(t, seeded(), WithClock(clk.Now))
	attempt := func(pw string) int {
		return call(t, s, "POST", "/api/v1/auths/signin", `{"email":"User@example.com","password":"`+pw+`"}`).status
	}
	for i := 0; i < 15; i++ {
		pw := "wrong"
		if i%3 == 0 {
			pw = userPass
		}
		if st := attempt(pw); st != 200 && st != 400 {
			t.Fatalf("attempt %d: %d", i+1, st)
		}
		clk.Add(5 * time.Second)
	}
	r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"user@EXAMPLE.com","password":"`+userPass+`"}`)
	r.expect(t, 429, "API rate limit exceeded")
	// Other e-mails are not affected.
	signin(t, s, adminEmail, adminPass)
	// Refused attempts count too; after the window everything is forgotten.
	clk.Add(2 * time.Minute)
	if st := attempt(userPass); st != 429 {
		t.Fatalf("still within 4 buckets: %d", st)
	}
	clk.Add(4 * time.Minute)
	if st := attempt(userPass); st != 200 {
		t.Fatalf("after the window: %d", st)
	}
}

func TestSessionUser(t *testing.T) {
	clk := newClock()
	s := start(t, seeded(), WithClock(clk.Now), WithAPIKeys(true),
		WithUsers(User{Name: "Keyed", Email: "keyed@example.com", Password: "x", Role: "admin", APIKey: "sk-0123456789abcdef0123456789abcdef"}))
	tok := signin(t, s, userEmail, userPass)

	r := call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok))
	r.expect(t, 200, "")
	m := r.obj(t)
	if m["token"] != tok || m["role"] != "user" || m["profile_image_url"] != "/user.png" || m["bio"] != nil || m["date_of_birth"] != nil {
		t.Fatalf("session %s", r.body)
	}
	want := []string{"status_emoji", "status_message", "status_expires_at", "id", "name", "role", "email",
		"profile_image_url", "token", "token_type", "expires_at", "permissions", "bio", "gender", "date_of_birth"}
	if got := keysOf(t, r.body); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %v", got)
	}
	exp := num(m["expires_at"])
	if exp != clk.Now().Unix()+28*86400 {
		t.Fatalf("expires_at %d", exp)
	}
	c := r.tokenCookie()
	if c == nil || c.Value != tok || c.MaxAge != 28*86400 || !c.Expires.Equal(time.Unix(exp, 0)) {
		t.Fatalf("cookie %+v", c)
	}

	// Cookie only, x-api-key, lower-case scheme.
	call(t, s, "GET", "/api/v1/auths/", "", cookie("token", tok)).expect(t, 200, "")
	call(t, s, "GET", "/api/v1/auths/", "", header("Authorization", "bearer "+tok)).expect(t, 200, "")
	k := call(t, s, "GET", "/api/v1/auths/", "", header("X-API-Key", "sk-0123456789abcdef0123456789abcdef"))
	k.expect(t, 200, "")
	km := k.obj(t)
	if km["token"] != "sk-0123456789abcdef0123456789abcdef" || km["expires_at"] != nil || km["email"] != "keyed@example.com" || k.tokenCookie() != nil {
		t.Fatalf("api key session %s", k.body)
	}
	// A non-bearer Authorization header is used by the middleware fallback.
	call(t, s, "GET", "/api/v1/auths/", "", header("Authorization", "Basic "+tok)).expect(t, 200, "")

	// Failures.
	call(t, s, "GET", "/api/v1/auths/", "").expect(t, 401, msgNotAuth)
	call(t, s, "GET", "/api/v1/auths/", "", withBearer("garbage")).expect(t, 401, msgUnauth)
	// (HTTP strips the trailing space: "Bearer" alone is no credential.)
	call(t, s, "GET", "/api/v1/auths/", "", header("Authorization", "Bearer ")).expect(t, 401, msgNotAuth)
	call(t, s, "GET", "/api/v1/auths/", "", header("Authorization", "Bearer a b")).expect(t, 401, msgUnauth)
	call(t, s, "GET", "/api/v1/auths/", "", withBearer("sk-unknown")).expect(t, 401, msgInvalTok)
	other := NewServer(seeded())
	foreign := mustToken(t, other, userEmail)
	other.Close()
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(foreign)).expect(t, 401, msgUnauth)

	// Expired tokens.
	short, err := s.IssueToken(userEmail, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(short)).expect(t, 200, "")
	clk.Add(2 * time.Minute)
	r = call(t, s, "GET", "/api/v1/auths/", "", withBearer(short))
	r.expect(t, 401, msgUnauth)
	if len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatal("error responses carry no cookie")
	}
	expired, _ := s.IssueToken(userEmail, -time.Second)
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(expired)).expect(t, 401, msgUnauth)

	// Deleted user.
	if err := s.DeleteUser(userEmail); err != nil {
		t.Fatal(err)
	}
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 401, msgInvalTok)
	if err := s.DeleteUser(userEmail); err != ErrNoSuchUser {
		t.Fatal(err)
	}
}

func TestJWTValidation(t *testing.T) {
	clk := newClock()
	s := start(t, seeded(), WithClock(clk.Now), WithSecret("s3cret"))
	u, _ := s.UserByEmail(userEmail)
	sign := func(header, payload string) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(header))
		p := base64.RawURLEncoding.EncodeToString([]byte(payload))
		return h + "." + p + "." + hs256("s3cret", h+"."+p)
	}
	now := clk.Now().Unix()
	hdr := `{"alg":"HS256","typ":"JWT"}`
	cases := []struct {
		name, tok string
		status    int
		msg       string
	}{
		{"minimal", sign(hdr, `{"id":"`+u.ID+`"}`), 200, ""},
		{"string exp", sign(hdr, `{"id":"`+u.ID+`","exp":"`+itoa(now+60)+`"}`), 200, ""},
		{"float exp", sign(hdr, `{"id":"`+u.ID+`","exp":`+itoa(now+60)+`.5}`), 200, ""},
		{"expired", sign(hdr, `{"id":"`+u.ID+`","exp":`+itoa(now)+`}`), 401, msgUnauth},
		{"bad exp", sign(hdr, `{"id":"`+u.ID+`","exp":"soon"}`), 401, msgUnauth},
		{"future iat", sign(hdr, `{"id":"`+u.ID+`","iat":`+itoa(now+100)+`}`), 401, msgUnauth},
		{"future nbf", sign(hdr, `{"id":"`+u.ID+`","nbf":`+itoa(now+100)+`}`), 401, msgUnauth},
		{"audience", sign(hdr, `{"id":"`+u.ID+`","aud":"x"}`), 401, msgUnauth},
		{"int sub", sign(hdr, `{"id":"`+u.ID+`","sub":1}`), 401, msgUnauth},
		{"int jti", sign(hdr, `{"id":"`+u.ID+`","jti":1}`), 401, msgUnauth},
		{"no id", sign(hdr, `{"user":"`+u.ID+`"}`), 401, msgUnauth},
		{"numeric id", sign(hdr, `{"id":5}`), 401, msgInvalTok},
		{"unknown id", sign(hdr, `{"id":"nobody"}`), 401, msgInvalTok},
		{"alg none", sign(`{"alg":"none"}`, `{"id":"`+u.ID+`"}`), 401, msgUnauth},
		{"header not object", sign(`[]`, `{"id":"`+u.ID+`"}`), 401, msgUnauth},
		{"payload not object", sign(hdr, `["x"]`), 401, msgUnauth},
		{"payload not json", sign(hdr, `{`), 401, msgUnauth},
		{"bad signature", sign(hdr, `{"id":"`+u.ID+`"}`) + "x", 401, msgUnauth},
		{"two parts", "a.b", 401, msgUnauth},
		{"bad base64", "a.b.!!", 401, msgUnauth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(c.tok)).expect(t, c.status, c.msg)
		})
	}
}

func TestRoleGates(t *testing.T) {
	s := start(t, seeded())
	user, pend := mustToken(t, s, userEmail), mustToken(t, s, pendEmail)
	adminOnly := []struct{ method, path, body string }{
		{"POST", "/api/v1/auths/add", `{}`},
		{"GET", "/api/v1/auths/admin/config", ""},
		{"POST", "/api/v1/auths/admin/config", `{}`},
		{"GET", "/api/v1/auths/admin/config/ldap/server", ""},
		{"POST", "/api/v1/auths/admin/config/ldap/server", `{}`},
		{"GET", "/api/v1/auths/admin/config/ldap", ""},
		{"POST", "/api/v1/auths/admin/config/ldap", `{}`},
		{"GET", "/api/v1/auths/admin/config/oauth", ""},
		{"POST", "/api/v1/auths/admin/config/oauth", `{}`},
	}
	for _, c := range adminOnly {
		call(t, s, c.method, c.path, c.body, withBearer(user)).expect(t, 401, msgProhib)
		call(t, s, c.method, c.path, c.body, withBearer(pend)).expect(t, 401, msgProhib)
		call(t, s, c.method, c.path, c.body).expect(t, 401, msgNotAuth)
	}
	verified := []struct{ method, path, body string }{
		{"POST", "/api/v1/auths/update/profile", `{"name":"x","profile_image_url":""}`},
		{"DELETE", "/api/v1/auths/oauth/sessions/oidc", ""},
	}
	for _, c := range verified {
		call(t, s, c.method, c.path, c.body, withBearer(pend)).expect(t, 401, msgProhib)
	}
	// Pending users pass get_current_user routes.
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(pend)).expect(t, 200, "")
	call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(pend)).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/update/timezone", `{"timezone":"Mars/Olympus"}`, withBearer(pend)).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+pendPass+`","new_password":"n"}`, withBearer(pend)).expect(t, 200, "")
	// Approving the user opens the verified routes.
	if err := s.SetRole(pendEmail, "user"); err != nil {
		t.Fatal(err)
	}
	call(t, s, "POST", "/api/v1/auths/update/profile", `{"name":"x","profile_image_url":""}`, withBearer(pend)).expect(t, 200, "")
	if err := s.SetRole("ghost@example.com", "user"); err != ErrNoSuchUser {
		t.Fatal(err)
	}
	// Auth errors come before body validation errors...
	call(t, s, "POST", "/api/v1/auths/add", `{}`).expect(t, 401, msgNotAuth)
	// ...but after JSON decoding errors.
	call(t, s, "POST", "/api/v1/auths/add", `{`).expect(t, 422, "")
}

func TestAPIKeys(t *testing.T) {
	t.Run("disabled", func(t *testing.T) {
		s := start(t, seeded(), WithUsers(User{Email: "k@example.com", Role: "admin", APIKey: "sk-00000000000000000000000000000000"}))
		admin := mustToken(t, s, adminEmail)
		for _, m := range []string{"POST", "GET", "DELETE"} {
			call(t, s, m, "/api/v1/auths/api_key", "", withBearer(admin)).expect(t, 403, msgAPIKeyCreation)
		}
		call(t, s, "GET", "/api/v1/auths/", "", withBearer("sk-00000000000000000000000000000000")).expect(t, 403, msgAPIKeyNotAllowed)
		call(t, s, "GET", "/api/v1/auths/", "", withBearer("sk-11111111111111111111111111111111")).expect(t, 401, msgInvalTok)
	})
	t.Run("enabled", func(t *testing.T) {
		s := start(t, seeded(), WithAPIKeys(true))
		admin, user := mustToken(t, s, adminEmail), mustToken(t, s, userEmail)
		call(t, s, "GET", "/api/v1/auths/api_key", "", withBearer(admin)).expect(t, 404, msgAPIKeyNotFound)
		call(t, s, "DELETE", "/api/v1/auths/api_key", "", withBearer(admin)).sameJSON(t, `true`)
		r := call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(admin))
		r.expect(t, 200, "")
		key := r.obj(t)["api_key"].(string)
		if len(key) != 35 || !strings.HasPrefix(key, "sk-") || strings.ToLower(key) != key {
			t.Fatalf("key %q", key)
		}
		call(t, s, "GET", "/api/v1/auths/api_key", "", withBearer(admin)).sameJSON(t, `{"api_key":"`+key+`"}`)
		if u, _ := s.UserByEmail(adminEmail); u.APIKey != key {
			t.Fatal("UserByEmail lacks the key")
		}
		// The key authenticates (admins need no permission).
		me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(key))
		me.expect(t, 200, "")
		if me.obj(t)["token"] != key {
			t.Fatal(string(me.body))
		}
		call(t, s, "GET", "/api/v1/auths/admin/config", "", header("x-api-key", key)).expect(t, 200, "")
		// A new key replaces the old one.
		key2 := call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(key)).obj(t)["api_key"].(string)
		call(t, s, "GET", "/api/v1/auths/", "", withBearer(key)).expect(t, 401, msgInvalTok)
		call(t, s, "DELETE", "/api/v1/auths/api_key", "", withBearer(admin)).sameJSON(t, `true`)
		call(t, s, "GET", "/api/v1/auths/", "", withBearer(key2)).expect(t, 401, msgInvalTok)
		// Users lack features.api_keys by default.
		call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(user)).expect(t, 403, msgAPIKeyCreation)
		call(t, s, "GET", "/api/v1/auths/api_key", "", withBearer(user)).expect(t, 403, msgAPIKeyCreation)
	})
	t.Run("user permission", func(t *testing.T) {
		s := start(t, seeded(), WithAPIKeys(true), WithUserAPIKeyPermission(true))
		user := mustToken(t, s, userEmail)
		key := call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(user)).obj(t)["api_key"].(string)
		r := call(t, s, "GET", "/api/v1/auths/", "", withBearer(key))
		if r.obj(t)["permissions"].(map[string]any)["features"].(map[string]any)["api_keys"] != true {
			t.Fatal(string(r.body))
		}
	})
	t.Run("user key without permission", func(t *testing.T) {
		s := start(t, WithAPIKeys(true), WithUsers(User{Email: "u@example.com", APIKey: "sk-22222222222222222222222222222222"}))
		call(t, s, "GET", "/api/v1/auths/", "", withBearer("sk-22222222222222222222222222222222")).expect(t, 403, msgAPIKeyNotAllowed)
	})
	t.Run("endpoint restrictions", func(t *testing.T) {
		s := start(t, seeded(), WithAPIKeys(true), WithUsers(User{Email: "k@example.com", Role: "admin", APIKey: "sk-33333333333333333333333333333333"}))
		admin := mustToken(t, s, adminEmail)
		cfg := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin))
		body := strings.Replace(string(cfg.body), `"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS":false`, `"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS":true`, 1)
		body = strings.Replace(body, `"API_KEYS_ALLOWED_ENDPOINTS":""`, `"API_KEYS_ALLOWED_ENDPOINTS":" /api/v1/auths/admin , /api/models"`, 1)
		call(t, s, "POST", "/api/v1/auths/admin/config", body, withBearer(admin)).expect(t, 200, "")
		key := "sk-33333333333333333333333333333333"
		call(t, s, "GET", "/api/v1/auths/", "", withBearer(key)).expect(t, 403, msgProhib)
		call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(key)).expect(t, 200, "")
		// JWTs are not restricted.
		call(t, s, "GET", "/api/v1/auths/", "", withBearer(admin)).expect(t, 200, "")
	})
}

func hs256(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
