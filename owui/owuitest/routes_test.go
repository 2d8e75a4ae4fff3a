package owuitest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestUpdateProfile(t *testing.T) {
	s := start(t, seeded())
	tok := mustToken(t, s, userEmail)
	r := call(t, s, "POST", "/api/v1/auths/update/profile",
		`{"profile_image_url":"https://example.org/me.png","name":"Neo","bio":"hi","gender":"x","date_of_birth":"1990-02-03"}`, withBearer(tok))
	r.expect(t, 200, "")
	m := r.obj(t)
	if got := keysOf(t, r.body); !reflect.DeepEqual(got, []string{"id", "name", "role", "email", "profile_image_url"}) {
		t.Fatalf("keys %v", got)
	}
	if m["name"] != "Neo" || m["profile_image_url"] != "https://example.org/me.png" {
		t.Fatal(string(r.body))
	}
	me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).obj(t)
	if me["bio"] != "hi" || me["gender"] != "x" || me["date_of_birth"] != "1990-02-03" || me["name"] != "Neo" {
		t.Fatalf("session after update %v", me)
	}
	// Omitted optional fields are nulled; an empty image reads back as the route.
	r = call(t, s, "POST", "/api/v1/auths/update/profile", `{"profile_image_url":"","name":""}`, withBearer(tok))
	r.expect(t, 200, "")
	me = call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).obj(t)
	if me["bio"] != nil || me["gender"] != nil || me["date_of_birth"] != nil || me["name"] != "" {
		t.Fatalf("not nulled: %v", me)
	}
	if me["profile_image_url"] != "/api/v1/users/"+me["id"].(string)+"/profile/image" {
		t.Fatalf("image %v", me["profile_image_url"])
	}
	// Accepted image URLs and dates.
	for _, body := range []string{
		`{"profile_image_url":"/user.png","name":"n"}`,
		`{"profile_image_url":"/favicon.png","name":"n"}`,
		`{"profile_image_url":"/static/favicon.png","name":"n"}`,
		`{"profile_image_url":"/api/v1/users/abc/profile/image","name":"n"}`,
		`{"profile_image_url":"HTTPS://Example.org","name":"n"}`,
		`{"profile_image_url":"http://[::1]:8080/x","name":"n"}`,
		`{"profile_image_url":"data:image/PNG;base64,AAAA","name":"n"}`,
		`{"profile_image_url":"","name":"n","date_of_birth":"2000-02-29T00:00:00Z"}`,
		`{"profile_image_url":"","name":"n","date_of_birth":"2000-01-01 00:00"}`,
		`{"profile_image_url":"","name":"n","date_of_birth":0}`,
		`{"profile_image_url":"","name":"n","date_of_birth":"86400"}`,
		`{"profile_image_url":"","name":"n","date_of_birth":null}`,
	} {
		call(t, s, "POST", "/api/v1/auths/update/profile", body, withBearer(tok)).expect(t, 200, "")
	}
	type bad struct{ body, want string }
	for _, c := range []bad{
		{`{"profile_image_url":"javascript:alert(1)","name":"n"}`,
			`{"detail":[{"type":"value_error","loc":["body","profile_image_url"],"msg":"Value error, ` + msgImageBad + `","input":"javascript:alert(1)","ctx":{"error":{}}}]}`},
		{`{"profile_image_url":"https:///x","name":"n"}`,
			`{"detail":[{"type":"value_error","loc":["body","profile_image_url"],"msg":"Value error, ` + msgImageNoHost + `","input":"https:///x","ctx":{"error":{}}}]}`},
		{`{"profile_image_url":"http://[::1/x","name":"n"}`,
			`{"detail":[{"type":"value_error","loc":["body","profile_image_url"],"msg":"Value error, Invalid IPv6 URL","input":"http://[::1/x","ctx":{"error":{}}}]}`},
		{`{"profile_image_url":"/etc/passwd","name":"n"}`,
			`{"detail":[{"type":"value_error","loc":["body","profile_image_url"],"msg":"Value error, ` + msgImageBad + `","input":"/etc/passwd","ctx":{"error":{}}}]}`},
		{`{"profile_image_url":null,"name":"n"}`,
			`{"detail":[{"type":"string_type","loc":["body","profile_image_url"],"msg":"Input should be a valid string","input":null}]}`},
		{`{"profile_image_url":"","name":"n","date_of_birth":"1990-13-01"}`,
			`{"detail":[{"type":"date_from_datetime_parsing","loc":["body","date_of_birth"],"msg":"Input should be a valid date or datetime, month value is outside expected range of 1-12","input":"1990-13-01","ctx":{"error":"month value is outside expected range of 1-12"}}]}`},
		{`{"profile_image_url":"","name":"n","date_of_birth":"01/02/1990"}`,
			`{"detail":[{"type":"date_from_datetime_parsing","loc":["body","date_of_birth"],"msg":"Input should be a valid date or datetime, invalid character in year","input":"01/02/1990","ctx":{"error":"invalid character in year"}}]}`},
		{`{"profile_image_url":"","name":"n","date_of_birth":"1990-01-01T10:00:00"}`,
			`{"detail":[{"type":"date_from_datetime_inexact","loc":["body","date_of_birth"],"msg":"Datetimes provided to dates should have zero time - e.g. be exact dates","input":"1990-01-01T10:00:00"}]}`},
		{`{"profile_image_url":"","name":"n","date_of_birth":true}`,
			`{"detail":[{"type":"date_type","loc":["body","date_of_birth"],"msg":"Input should be a valid date","input":true}]}`},
		{`{"name":5}`,
			`{"detail":[{"type":"missing","loc":["body","profile_image_url"],"msg":"Field required","input":{"name":5}},{"type":"string_type","loc":["body","name"],"msg":"Input should be a valid string","input":5}]}`},
	} {
		r := call(t, s, "POST", "/api/v1/auths/update/profile", c.body, withBearer(tok))
		if r.status != 422 {
			t.Fatalf("%s: status %d %s", c.body, r.status, r.body)
		}
		r.sameJSON(t, c.want)
	}
}

func TestUpdateTimezoneAndPassword(t *testing.T) {
	s := start(t, seeded(), WithPasswordValidation(true))
	tok := mustToken(t, s, userEmail)
	call(t, s, "POST", "/api/v1/auths/update/timezone", `{"timezone":"not/a zone"}`, withBearer(tok)).sameJSON(t, `{"status":true}`)
	call(t, s, "POST", "/api/v1/auths/update/timezone", `{}`, withBearer(tok)).sameJSON(t,
		`{"detail":[{"type":"missing","loc":["body","timezone"],"msg":"Field required","input":{}}]}`)

	call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"wrong","new_password":"N3w-pass!"}`, withBearer(tok)).expect(t, 400, msgIncorrectPass)
	call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+userPass+`","new_password":"weak"}`, withBearer(tok)).expect(t, 400, msgPasswordPolicy)
	call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+userPass+`","new_password":"`+strings.Repeat("A", 80)+`"}`, withBearer(tok)).expect(t, 400, msgPasswordTooLong)
	call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+userPass+`","new_password":"N3w-pass!"}`, withBearer(tok)).sameJSON(t, `true`)
	signin(t, s, userEmail, "N3w-pass!")
	call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`).expect(t, 400, msgInvalidCred)
	// Existing JWTs stay valid.
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 200, "")
}

func TestAddUser(t *testing.T) {
	s := start(t, seeded())
	admin := mustToken(t, s, adminEmail)
	r := call(t, s, "POST", "/api/v1/auths/add", `{"name":"Bob","email":"Bob@Example.com","password":"pw"}`, withBearer(admin))
	r.expect(t, 200, "")
	m := r.obj(t)
	if got := keysOf(t, r.body); !reflect.DeepEqual(got, []string{"id", "name", "role", "email", "profile_image_url", "token", "token_type"}) {
		t.Fatalf("keys %v", got)
	}
	if m["role"] != "pending" || m["email"] != "bob@example.com" || len(r.cookies()) != 0 {
		t.Fatalf("add %s %v", r.body, r.header)
	}
	// The token is the new user's, with an expiry.
	me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(m["token"].(string))).obj(t)
	if me["email"] != "bob@example.com" || me["expires_at"] == nil {
		t.Fatal(me)
	}
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"C","email":"c@example.com","password":"pw","role":"wizard","profile_image_url":null}`, withBearer(admin)).expect(t, 200, "")
	if u, _ := s.UserByEmail("c@example.com"); u.Role != "wizard" {
		t.Fatalf("role %q", u.Role)
	}
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"D","email":"d@example.com","password":"pw","role":null}`, withBearer(admin)).expect(t, 500, msgAddUserError)
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"E","email":"e","password":"pw"}`, withBearer(admin)).expect(t, 400, msgInvalidEmail)
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"E","email":"bob@example.com","password":"pw"}`, withBearer(admin)).expect(t, 400, msgEmailTaken)
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"E","email":"e@example.com","password":"`+strings.Repeat("é", 37)+`"}`, withBearer(admin)).expect(t, 400, msgPasswordTooLong)
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"E"}`, withBearer(admin)).sameJSON(t,
		`{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required","input":{"name":"E"}},{"type":"missing","loc":["body","password"],"msg":"Field required","input":{"name":"E"}}]}`)
	// Not gated by ENABLE_SIGNUP, and signup itself is unaffected.
	call(t, s, "POST", "/api/v1/auths/signup", `{"name":"F","email":"f@example.com","password":"pw"}`).expect(t, 200, "")
}

func TestAdminDetails(t *testing.T) {
	s := start(t)
	r := call(t, s, "POST", "/api/v1/auths/signup", `{"name":"First","email":"first@example.com","password":"pw"}`)
	tok := r.obj(t)["token"].(string)
	call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(tok)).sameJSON(t, `{"name":"First","email":"first@example.com"}`)

	admin := tok
	cfg := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin))
	body := strings.Replace(string(cfg.body), `"ADMIN_EMAIL":null`, `"ADMIN_EMAIL":"Boss@Example.com"`, 1)
	call(t, s, "POST", "/api/v1/auths/admin/config", body, withBearer(admin)).expect(t, 200, "")
	call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(tok)).sameJSON(t, `{"name":null,"email":"Boss@Example.com"}`)
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"Boss","email":"boss@example.com","password":"pw"}`, withBearer(admin)).expect(t, 200, "")
	call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(tok)).sameJSON(t, `{"name":"Boss","email":"Boss@Example.com"}`)

	body = strings.Replace(body, `"SHOW_ADMIN_DETAILS":true`, `"SHOW_ADMIN_DETAILS":false`, 1)
	call(t, s, "POST", "/api/v1/auths/admin/config", body, withBearer(admin)).expect(t, 200, "")
	call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(tok)).expect(t, 400, msgActionProhibited)

	empty := start(t)
	empty.mu.Lock()
	empty.st.addUser(&user{id: "ghost", name: "G", email: "g@example.com", role: "pending"})
	empty.mu.Unlock()
	tok2, _ := empty.IssueToken("g@example.com", 0)
	_ = empty.DeleteUser("g@example.com")
	call(t, empty, "GET", "/api/v1/auths/admin/details", "", withBearer(tok2)).expect(t, 401, msgInvalTok)
}

const defaultAdminConfig = `{"SHOW_ADMIN_DETAILS":true,"ADMIN_EMAIL":null,"WEBUI_URL":"","ENABLE_SIGNUP":true,"ENABLE_API_KEYS":false,
"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS":false,"API_KEYS_ALLOWED_ENDPOINTS":"","DEFAULT_USER_ROLE":"pending","DEFAULT_GROUP_ID":"",
"JWT_EXPIRES_IN":"4w","ENABLE_COMMUNITY_SHARING":true,"ENABLE_MESSAGE_RATING":true,"ENABLE_FOLDERS":true,"FOLDER_MAX_FILE_COUNT":"",
"AUTOMATION_MAX_COUNT":"","AUTOMATION_MIN_INTERVAL":"","ENABLE_AUTOMATIONS":true,"ENABLE_CHANNELS":false,
"CHANNEL_MODEL_RESPONSE_MODE":"thread","ENABLE_CALENDAR":true,"ENABLE_MEMORIES":true,"ENABLE_MEMORY_SYSTEM_CONTEXT":true,
"ENABLE_NOTES":true,"ENABLE_USER_WEBHOOKS":false,"ENABLE_USER_STATUS":true,"PENDING_USER_OVERLAY_TITLE":"",
"PENDING_USER_OVERLAY_CONTENT":"","RESPONSE_WATERMARK":""}`

func TestAdminConfig(t *testing.T) {
	clk := newClock()
	s := start(t, seeded(), WithClock(clk.Now))
	admin := mustToken(t, s, adminEmail)
	get := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin))
	get.sameJSON(t, defaultAdminConfig)
	keys := keysOf(t, get.body)
	if len(keys) != 28 || keys[0] != "SHOW_ADMIN_DETAILS" || keys[27] != "RESPONSE_WATERMARK" {
		t.Fatalf("keys %v", keys)
	}

	// Missing required keys: one entry per key, in model order.
	r := call(t, s, "POST", "/api/v1/auths/admin/config", `{"WEBUI_URL":"x"}`, withBearer(admin))
	if r.status != 422 {
		t.Fatal(r.status)
	}
	var locs []string
	for _, e := range r.decode(t).(map[string]any)["detail"].([]any) {
		em := e.(map[string]any)
		if em["type"] != "missing" {
			t.Fatal(em)
		}
		locs = append(locs, em["loc"].([]any)[1].(string))
	}
	want := []string{"SHOW_ADMIN_DETAILS", "ENABLE_SIGNUP", "ENABLE_API_KEYS", "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS",
		"API_KEYS_ALLOWED_ENDPOINTS", "DEFAULT_USER_ROLE", "DEFAULT_GROUP_ID", "JWT_EXPIRES_IN", "ENABLE_COMMUNITY_SHARING",
		"ENABLE_MESSAGE_RATING", "ENABLE_FOLDERS", "ENABLE_AUTOMATIONS", "ENABLE_CHANNELS", "ENABLE_CALENDAR", "ENABLE_MEMORIES",
		"ENABLE_MEMORY_SYSTEM_CONTEXT", "ENABLE_NOTES", "ENABLE_USER_WEBHOOKS", "ENABLE_USER_STATUS"}
	if !reflect.DeepEqual(locs, want) {
		t.Fatalf("missing %v", locs)
	}

	// Silent ignores, counts, lax bools, omitted optionals -> null.
	post := `{"SHOW_ADMIN_DETAILS":"yes","WEBUI_URL":"http://w","ENABLE_SIGNUP":0,"ENABLE_API_KEYS":true,
"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS":false,"API_KEYS_ALLOWED_ENDPOINTS":"","DEFAULT_USER_ROLE":"superuser","DEFAULT_GROUP_ID":"g",
"JWT_EXPIRES_IN":"1 hour","ENABLE_COMMUNITY_SHARING":false,"ENABLE_MESSAGE_RATING":true,"ENABLE_FOLDERS":true,"FOLDER_MAX_FILE_COUNT":"12",
"AUTOMATION_MAX_COUNT":0,"AUTOMATION_MIN_INTERVAL":7,"ENABLE_AUTOMATIONS":true,"ENABLE_CHANNELS":true,"CHANNEL_MODEL_RESPONSE_MODE":"dm",
"ENABLE_CALENDAR":true,"ENABLE_MEMORIES":true,"ENABLE_MEMORY_SYSTEM_CONTEXT":true,"ENABLE_NOTES":true,"ENABLE_USER_WEBHOOKS":false,
"ENABLE_USER_STATUS":true,"UNKNOWN":1}`
	r = call(t, s, "POST", "/api/v1/auths/admin/config", post, withBearer(admin))
	r.sameJSON(t, `{"SHOW_ADMIN_DETAILS":true,"ADMIN_EMAIL":null,"WEBUI_URL":"http://w","ENABLE_SIGNUP":false,"ENABLE_API_KEYS":true,
"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS":false,"API_KEYS_ALLOWED_ENDPOINTS":"","DEFAULT_USER_ROLE":"pending","DEFAULT_GROUP_ID":"g",
"JWT_EXPIRES_IN":"4w","ENABLE_COMMUNITY_SHARING":false,"ENABLE_MESSAGE_RATING":true,"ENABLE_FOLDERS":true,"FOLDER_MAX_FILE_COUNT":12,
"AUTOMATION_MAX_COUNT":"","AUTOMATION_MIN_INTERVAL":7,"ENABLE_AUTOMATIONS":true,"ENABLE_CHANNELS":true,
"CHANNEL_MODEL_RESPONSE_MODE":"thread","ENABLE_CALENDAR":true,"ENABLE_MEMORIES":true,"ENABLE_MEMORY_SYSTEM_CONTEXT":true,
"ENABLE_NOTES":true,"ENABLE_USER_WEBHOOKS":false,"ENABLE_USER_STATUS":true,"PENDING_USER_OVERLAY_TITLE":null,
"PENDING_USER_OVERLAY_CONTENT":null,"RESPONSE_WATERMARK":null}`)
	// ENABLE_SIGNUP is live.
	call(t, s, "POST", "/api/v1/auths/signup", `{"name":"x","email":"x@example.com","password":"pw"}`).expect(t, 403, msgProhib)

	// Non-numeric count -> plain-text 500, nothing stored.
	bad := strings.Replace(post, `"FOLDER_MAX_FILE_COUNT":"12"`, `"FOLDER_MAX_FILE_COUNT":"abc"`, 1)
	bad = strings.Replace(bad, `"WEBUI_URL":"http://w"`, `"WEBUI_URL":"http://changed"`, 1)
	r = call(t, s, "POST", "/api/v1/auths/admin/config", bad, withBearer(admin))
	if r.status != 500 || string(r.body) != "Internal Server Error" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %q %v", r.status, r.body, r.header)
	}
	if call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin)).obj(t)["WEBUI_URL"] != "http://w" {
		t.Fatal("partial update stored")
	}
	// Type errors on the union fields.
	r = call(t, s, "POST", "/api/v1/auths/admin/config", strings.Replace(post, `"FOLDER_MAX_FILE_COUNT":"12"`, `"FOLDER_MAX_FILE_COUNT":1.5`, 1), withBearer(admin))
	r.sameJSON(t, `{"detail":[{"type":"int_from_float","loc":["body","FOLDER_MAX_FILE_COUNT","int"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5},{"type":"string_type","loc":["body","FOLDER_MAX_FILE_COUNT","str"],"msg":"Input should be a valid string","input":1.5}]}`)
	r = call(t, s, "POST", "/api/v1/auths/admin/config", strings.Replace(post, `"ENABLE_NOTES":true`, `"ENABLE_NOTES":"maybe"`, 1), withBearer(admin))
	r.sameJSON(t, `{"detail":[{"type":"bool_parsing","loc":["body","ENABLE_NOTES"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}`)

	// JWT_EXPIRES_IN changes newly minted tokens.
	noExp := strings.Replace(post, `"JWT_EXPIRES_IN":"1 hour"`, `"JWT_EXPIRES_IN":"-1"`, 1)
	call(t, s, "POST", "/api/v1/auths/admin/config", noExp, withBearer(admin)).expect(t, 200, "")
	r = call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`)
	if r.obj(t)["expires_at"] != nil || r.tokenCookie().MaxAge != 0 || strings.Contains(r.header.Get("Set-Cookie"), "expires=") {
		t.Fatalf("no-expiry sign-in %s %v", r.body, r.header)
	}
	oneHour := strings.Replace(post, `"JWT_EXPIRES_IN":"1 hour"`, `"JWT_EXPIRES_IN":"1h"`, 1)
	call(t, s, "POST", "/api/v1/auths/admin/config", oneHour, withBearer(admin)).expect(t, 200, "")
	r = call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`)
	if num(r.obj(t)["expires_at"]) != clk.Now().Unix()+3600 {
		t.Fatal(string(r.body))
	}
	// GET /auths/ reports the exp of the presented token.
	tok := r.obj(t)["token"].(string)
	clk.Add(10 * time.Minute)
	me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok))
	if num(me.obj(t)["expires_at"]) != clk.Now().Unix()+3000 || me.tokenCookie().MaxAge != 3000 {
		t.Fatal(string(me.body))
	}
}

func TestBadJWTExpiry(t *testing.T) {
	s := start(t, seeded(), WithJWTExpiry("forever"), WithLDAP(LDAPEntry{Username: "l", Password: "p", Email: "l@example.com"}), WithOAuth("oidc", OAuthToken{AccessToken: "at", Sub: "s", Email: userEmail}), WithOAuthMergeByEmail(true))
	r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`)
	if r.status != 500 || string(r.body) != "Internal Server Error" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	call(t, s, "POST", "/api/v1/auths/signup", `{"name":"n","email":"n@example.com","password":"p"}`).expect(t, 500, "An internal error occurred during signup.")
	call(t, s, "POST", "/api/v1/auths/add", `{"name":"n","email":"m@example.com","password":"p"}`, withBearer(adminTokenFor(t, s))).expect(t, 500, msgAddUserError)
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"l","password":"p"}`).expect(t, 400, "LDAP authentication failed.")
	if r := call(t, s, "POST", "/api/v1/auths/oauth/oidc/token/exchange", `{"token":"at"}`); r.status != 500 {
		t.Fatal(r.status)
	}
	if _, err := s.IssueToken(userEmail, 0); err == nil {
		t.Fatal("IssueToken with a bad expiry")
	}
	if _, err := s.IssueToken("ghost@example.com", 0); err != ErrNoSuchUser {
		t.Fatal(err)
	}
	big := start(t, seeded(), WithJWTExpiry("99999999w"))
	if r := call(t, big, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`); r.status != 500 {
		t.Fatal(r.status)
	}
	zero := start(t, seeded(), WithJWTExpiry("0s"))
	if signinBody := call(t, zero, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`).obj(t); signinBody["expires_at"] != nil {
		t.Fatal(signinBody)
	}
	mixed := start(t, seeded(), WithJWTExpiry("1h30m500ms"))
	tok := signin(t, mixed, userEmail, userPass)
	me := call(t, mixed, "GET", "/api/v1/auths/", "", withBearer(tok)).obj(t)
	if d := num(me["expires_at"]) - time.Now().Unix(); d < 5399 || d > 5402 {
		t.Fatalf("exp in %d s", d)
	}
}

func adminTokenFor(t testing.TB, s *Server) string {
	t.Helper()
	tok, err := s.IssueToken(adminEmail, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLDAP(t *testing.T) {
	entries := []LDAPEntry{
		{Username: "alice", Password: "wonder", Email: "Alice@Corp.example", CN: "Alice Liddell"},
		{Username: "bob", Password: "builder", Email: "bob@corp.example"},
		{Username: "nomail", Password: "x"},
	}
	s := start(t, WithLDAP(entries...))
	r := call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"ALICE","password":"wonder"}`)
	r.expect(t, 200, "")
	m := r.obj(t)
	if m["email"] != "alice@corp.example" || m["name"] != "Alice Liddell" || m["role"] != "admin" || r.tokenCookie() == nil {
		t.Fatal(string(r.body))
	}
	// LDAP users do not switch signup off; later ones get the default role.
	r = call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`)
	if r.obj(t)["role"] != "pending" || r.obj(t)["name"] != "bob" {
		t.Fatal(string(r.body))
	}
	call(t, s, "POST", "/api/v1/auths/signup", `{"name":"s","email":"s@example.com","password":"pw"}`).expect(t, 200, "")
	// Signing in again reuses the account.
	r = call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"alice","password":"wonder"}`)
	if r.obj(t)["id"] != m["id"] {
		t.Fatal("new account")
	}
	// LDAP accounts cannot use password sign-in.
	call(t, s, "POST", "/api/v1/auths/signin", `{"email":"alice@corp.example","password":"wonder"}`).expect(t, 400, msgInvalidCred)

	for _, body := range []string{
		`{"user":"alice","password":"wrong"}`,
		`{"user":"carol","password":"x"}`,
		`{"user":"nomail","password":"x"}`,
		`{"user":"*","password":"x"}`,
	} {
		call(t, s, "POST", "/api/v1/auths/ldap", body).expect(t, 400, "LDAP authentication failed.")
	}
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"alice","password":"  "}`).expect(t, 400, msgInvalidCred)
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"alice"}`).expect(t, 422, "")

	admin := call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"alice","password":"wonder"}`).obj(t)["token"].(string)
	srv := call(t, s, "GET", "/api/v1/auths/admin/config/ldap/server", "", withBearer(admin))
	srv.sameJSON(t, `{"label":"LDAP Server","host":"ldap.example.org","port":389,"attribute_for_mail":"mail","attribute_for_username":"uid",
"app_dn":"cn=admin,dc=example,dc=org","app_dn_password":"admin","search_base":"ou=users,dc=example,dc=org","search_filters":"",
"use_tls":false,"certificate_path":"","validate_cert":true,"ciphers":"ALL","enable_group_management":false,"enable_group_creation":false,
"attribute_for_groups":"memberOf"}`)

	update := func(old, new string) result {
		return call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", strings.Replace(string(srv.body), old, new, 1), withBearer(admin))
	}
	// Log in by e-mail instead of uid.
	update(`"attribute_for_username":"uid"`, `"attribute_for_username":"mail"`).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob@corp.example","password":"builder"}`).expect(t, 200, "")
	// A broader search base still finds the entries.
	update(`"search_base":"ou=users,dc=example,dc=org"`, `"search_base":"DC=example,DC=org"`).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 200, "")
	for _, c := range [][2]string{
		{`"host":"ldap.example.org"`, `"host":"elsewhere.example"`},
		{`"app_dn_password":"admin"`, `"app_dn_password":"nope"`},
		{`"search_base":"ou=users,dc=example,dc=org"`, `"search_base":"ou=other,dc=example,dc=org"`},
		{`"attribute_for_mail":"mail"`, `"attribute_for_mail":"email"`},
	} {
		update(c[0], c[1]).expect(t, 200, "")
		call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 400, "LDAP authentication failed.")
	}
	// Anonymous bind works.
	r = update(`"app_dn":"cn=admin,dc=example,dc=org","app_dn_password":"admin"`, `"app_dn":"","app_dn_password":""`)
	r.expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 200, "")
	// TLS configuration failure.
	update(`"certificate_path":""`, `"certificate_path":"/nonexistent/ca.pem"`).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 400, "Failed to configure TLS for LDAP connection.")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	update(`"certificate_path":""`, `"certificate_path":"`+ca+`"`).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 200, "")

	// Server config validation.
	for _, c := range []struct{ old, new, msg string }{
		{`"label":"LDAP Server"`, `"label":""`, "Required field label is empty"},
		{`"host":"ldap.example.org"`, `"host":""`, "Required field host is empty"},
		{`"attribute_for_mail":"mail"`, `"attribute_for_mail":""`, "Required field attribute_for_mail is empty"},
		{`"search_base":"ou=users,dc=example,dc=org"`, `"search_base":""`, "Required field search_base is empty"},
		{`"attribute_for_groups":"memberOf"`, `"attribute_for_groups":"  ","enable_group_management":true`, "Required field attribute_for_groups is empty"},
	} {
		update(c.old, c.new).expect(t, 400, c.msg)
	}
	r = call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","port":"636"}`, withBearer(admin))
	r.sameJSON(t, `{"detail":[{"type":"missing","loc":["body","app_dn"],"msg":"Field required","input":{"label":"L","host":"h","port":"636"}},{"type":"missing","loc":["body","app_dn_password"],"msg":"Field required","input":{"label":"L","host":"h","port":"636"}},{"type":"missing","loc":["body","search_base"],"msg":"Field required","input":{"label":"L","host":"h","port":"636"}}]}`)
	r = call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","port":"x","app_dn":"","app_dn_password":"","search_base":"b"}`, withBearer(admin))
	r.sameJSON(t, `{"detail":[{"type":"int_parsing","loc":["body","port"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}`)
	r = call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","port":" 636 ","app_dn":"","app_dn_password":"","search_base":"b"}`, withBearer(admin))
	r.expect(t, 200, "")
	if o := r.obj(t); num(o["port"]) != 636 || o["certificate_path"] != nil || o["ciphers"] != "ALL" || o["use_tls"] != true {
		t.Fatal(string(r.body))
	}

	// Enable flag.
	call(t, s, "GET", "/api/v1/auths/admin/config/ldap", "", withBearer(admin)).sameJSON(t, `{"ENABLE_LDAP":true}`)
	call(t, s, "POST", "/api/v1/auths/admin/config/ldap", `{}`, withBearer(admin)).sameJSON(t, `{"ENABLE_LDAP":null}`)
	call(t, s, "POST", "/api/v1/auths/ldap", `{"user":"bob","password":"builder"}`).expect(t, 400, "LDAP authentication is not enabled")
	call(t, s, "POST", "/api/v1/auths/admin/config/ldap", `{"enable_ldap":"on"}`, withBearer(admin)).sameJSON(t, `{"ENABLE_LDAP":true}`)
	call(t, s, "POST", "/api/v1/auths/admin/config/ldap", ``, withBearer(admin)).sameJSON(t,
		`{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`)

	// Defaults without WithLDAP; password auth switch.
	plain := start(t, seeded(), WithPasswordAuth(false))
	call(t, plain, "POST", "/api/v1/auths/ldap", `{"user":"a","password":"b"}`).expect(t, 400, "LDAP authentication is not enabled")
	pa := adminTokenFor(t, plain)
	call(t, plain, "GET", "/api/v1/auths/admin/config/ldap/server", "", withBearer(pa)).sameJSON(t, `{"label":"LDAP Server","host":"localhost","port":389,"attribute_for_mail":"mail","attribute_for_username":"uid",
"app_dn":"","app_dn_password":"","search_base":"","search_filters":"","use_tls":true,"certificate_path":"","validate_cert":true,"ciphers":"ALL",
"enable_group_management":false,"enable_group_creation":false,"attribute_for_groups":"memberOf"}`)
	call(t, plain, "POST", "/api/v1/auths/admin/config/ldap", `{"enable_ldap":true}`, withBearer(pa)).expect(t, 200, "")
	call(t, plain, "POST", "/api/v1/auths/ldap", `{"user":"a","password":"b"}`).expect(t, 403, msgActionProhibited)
	noPass := start(t, WithLDAP())
	call(t, noPass, "POST", "/api/v1/auths/ldap", `{"user":"a","password":"b"}`).expect(t, 400, "LDAP authentication failed.")
	// Directory unreachable when LDAP was only switched on via the API.
	call(t, plain, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"localhost","app_dn":"","app_dn_password":"","search_base":"b"}`, withBearer(pa)).expect(t, 200, "")
}

func TestTokenExchange(t *testing.T) {
	off := start(t, seeded())
	call(t, off, "POST", "/api/v1/auths/oauth/oidc/token/exchange", `{"token":"x"}`).expect(t, 403, "Token exchange is disabled")

	s := start(t, seeded(),
		WithOAuth("OIDC", OAuthToken{AccessToken: "good", Sub: "sub-1", Email: "User@Example.com"},
			OAuthToken{AccessToken: "nosub", Email: userEmail},
			OAuthToken{AccessToken: "nomail", Sub: "sub-2"},
			OAuthToken{AccessToken: "stranger", Sub: "sub-3", Email: "stranger@example.com"}),
		WithOAuth("github", OAuthToken{AccessToken: "gh", Sub: "42", Email: adminEmail}))
	ex := func(provider, tok string) result {
		return call(t, s, "POST", "/api/v1/auths/oauth/"+provider+"/token/exchange", `{"token":"`+tok+`"}`)
	}
	ex("google", "good").expect(t, 404, "Provider 'google' is not configured")
	ex("Nope", "good").expect(t, 404, "Provider 'nope' is not configured")
	ex("oidc", "bad").expect(t, 400, "Invalid token or unable to validate with provider")
	ex("oidc", "nosub").expect(t, 400, "Token missing required 'sub' claim")
	ex("oidc", "nomail").expect(t, 400, "Token missing required email claim")
	ex("oidc", "good").expect(t, 403, "User not found. Please sign in via the web interface first.")
	call(t, s, "POST", "/api/v1/auths/oauth/oidc/token/exchange", `{}`).expect(t, 422, "")

	// Linked identities work without merge.
	if err := s.LinkOAuth(adminEmail, "GitHub", "42"); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkOAuth("ghost@example.com", "github", "1"); err != ErrNoSuchUser {
		t.Fatal(err)
	}
	r := ex("github", "gh")
	r.expect(t, 200, "")
	if r.obj(t)["email"] != adminEmail || len(r.cookies()) != 0 || r.obj(t)["expires_at"] == nil {
		t.Fatal(string(r.body))
	}
	admin := r.obj(t)["token"].(string)

	// Merge by e-mail through the OAuth admin config.
	cfg := call(t, s, "GET", "/api/v1/auths/admin/config/oauth", "", withBearer(admin))
	cfg.expect(t, 200, "")
	if m := cfg.obj(t); m["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"] != false || m["OAUTH_CLIENT_ID"] != "owuitest-client" || m["OAUTH_ALLOWED_DOMAINS"] != "*" {
		t.Fatal(string(cfg.body))
	}
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL":true}`, withBearer(admin)).expect(t, 200, "")
	r = ex("OIDC", "good")
	r.expect(t, 200, "")
	user := r.obj(t)["token"].(string)
	ex("oidc", "stranger").expect(t, 403, "User not found. Please sign in via the web interface first.")

	// The exchange recorded no OAuth session, as upstream; seeded ones are
	// ended by their exact provider name, slashes and colons included.
	del := func(provider string) result {
		return call(t, s, "DELETE", "/api/v1/auths/oauth/sessions/"+provider, "", withBearer(user))
	}
	del("oidc").expect(t, 404, "No OAuth session found for this provider")
	for _, p := range []string{"oidc", "mcp:server-1", "mcp:server-1", "mcp:server/one"} {
		if _, err := s.AddOAuthSession("USER@example.com", p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddOAuthSession("ghost@example.com", "oidc"); err != ErrNoSuchUser {
		t.Fatal(err)
	}
	del("github").expect(t, 404, "No OAuth session found for this provider")
	del("OIDC").expect(t, 404, "No OAuth session found for this provider")
	del("oidc").sameJSON(t, `true`)
	del("oidc").expect(t, 404, "No OAuth session found for this provider")
	del("mcp:server-1").sameJSON(t, `true`) // both of that provider
	del("mcp:server-1").expect(t, 404, "No OAuth session found for this provider")
	del("mcp:server/one").sameJSON(t, `true`)
	// Another user's session is not the caller's.
	if _, err := s.AddOAuthSession(adminEmail, "oidc"); err != nil {
		t.Fatal(err)
	}
	del("oidc").expect(t, 404, "No OAuth session found for this provider")

	// The link stays after merge is switched off again.
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_MERGE_ACCOUNTS_BY_EMAIL":false}`, withBearer(admin)).expect(t, 200, "")
	ex("oidc", "good").expect(t, 200, "")

	// Domain allowlist and claim names.
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_ALLOWED_DOMAINS":" corp.example , other.example "}`, withBearer(admin)).expect(t, 200, "")
	ex("oidc", "good").expect(t, 403, msgProhib)
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_ALLOWED_DOMAINS":"example.com"}`, withBearer(admin)).expect(t, 200, "")
	ex("oidc", "good").expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_SUB_CLAIM":"oid"}`, withBearer(admin)).expect(t, 200, "")
	ex("oidc", "good").expect(t, 400, "Token missing required 'sub' claim")
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_SUB_CLAIM":"sub","OAUTH_EMAIL_CLAIM":"upn"}`, withBearer(admin)).expect(t, 200, "")
	ex("oidc", "good").expect(t, 400, "Token missing required email claim")
}

func TestOAuthConfig(t *testing.T) {
	s := start(t, seeded())
	admin := adminTokenFor(t, s)
	get := call(t, s, "GET", "/api/v1/auths/admin/config/oauth", "", withBearer(admin))
	get.sameJSON(t, `{"ENABLE_OAUTH":true,"ENABLE_OAUTH_SIGNUP":false,"OAUTH_MERGE_ACCOUNTS_BY_EMAIL":false,"OAUTH_AUTO_REDIRECT":false,
"OAUTH_ALLOWED_DOMAINS":"*","OAUTH_BLOCKED_GROUPS":"[]","ENABLE_OAUTH_ROLE_MANAGEMENT":false,"OAUTH_ROLES_CLAIM":"roles",
"OAUTH_ADMIN_ROLES":"admin","OAUTH_ALLOWED_ROLES":"user,admin","ENABLE_OAUTH_GROUP_MANAGEMENT":false,"ENABLE_OAUTH_GROUP_CREATION":false,
"OAUTH_GROUP_CLAIM":"groups","OAUTH_GROUP_DEFAULT_SHARE":true,"OAUTH_PROVIDER_NAME":"SSO","OPENID_PROVIDER_URL":"","OAUTH_CLIENT_ID":"",
"OAUTH_CLIENT_SECRET":"","OPENID_REDIRECT_URI":"","OAUTH_SCOPES":"openid email profile","OAUTH_CODE_CHALLENGE_METHOD":null,
"OAUTH_TOKEN_ENDPOINT_AUTH_METHOD":null,"OPENID_END_SESSION_ENDPOINT":"","OAUTH_TIMEOUT":"","OAUTH_CLIENT_TIMEOUT":"",
"OAUTH_EMAIL_CLAIM":"email","OAUTH_USERNAME_CLAIM":"name","OAUTH_PICTURE_CLAIM":"picture","OAUTH_SUB_CLAIM":null,"OAUTH_AUDIENCE":"",
"OAUTH_UPDATE_EMAIL_ON_LOGIN":false,"OAUTH_UPDATE_NAME_ON_LOGIN":false,"OAUTH_UPDATE_PICTURE_ON_LOGIN":false,
"OAUTH_REFRESH_TOKEN_INCLUDE_SCOPE":false}`)
	r := call(t, s, "POST", "/api/v1/auths/admin/config/oauth",
		`{"ENABLE_OAUTH":false,"OAUTH_ADMIN_ROLES":"a, b,,c","OAUTH_TIMEOUT":30,"OAUTH_CLIENT_TIMEOUT":"","OAUTH_GROUP_DEFAULT_SHARE":"members","OAUTH_SCOPES":null}`, withBearer(admin))
	r.expect(t, 200, "")
	m := r.obj(t)
	if m["ENABLE_OAUTH"] != false || m["OAUTH_ADMIN_ROLES"] != "a,b,c" || num(m["OAUTH_TIMEOUT"]) != 30 || m["OAUTH_GROUP_DEFAULT_SHARE"] != "members" || m["OAUTH_SCOPES"] != "openid email profile" {
		t.Fatal(string(r.body))
	}
	r = call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_GROUP_DEFAULT_SHARE":1,"OAUTH_TIMEOUT":"5"}`, withBearer(admin))
	if m := r.obj(t); m["OAUTH_GROUP_DEFAULT_SHARE"] != true || m["OAUTH_TIMEOUT"] != "5" {
		t.Fatal(string(r.body))
	}
	r = call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OAUTH_GROUP_DEFAULT_SHARE":[],"ENABLE_OAUTH":{}}`, withBearer(admin))
	r.sameJSON(t, `{"detail":[{"type":"bool_type","loc":["body","ENABLE_OAUTH"],"msg":"Input should be a valid boolean","input":{}},
{"type":"bool_type","loc":["body","OAUTH_GROUP_DEFAULT_SHARE","bool"],"msg":"Input should be a valid boolean","input":[]},
{"type":"string_type","loc":["body","OAUTH_GROUP_DEFAULT_SHARE","str"],"msg":"Input should be a valid string","input":[]}]}`)
	// Before v0.11.0 there is no ENABLE_OAUTH, neither read nor written.
	old := start(t, seeded(), WithVersion("0.10.2"))
	oldAdmin := adminTokenFor(t, old)
	for _, r := range []result{
		call(t, old, "GET", "/api/v1/auths/admin/config/oauth", "", withBearer(oldAdmin)),
		call(t, old, "POST", "/api/v1/auths/admin/config/oauth", `{"ENABLE_OAUTH":false,"OAUTH_PROVIDER_NAME":"Corp"}`, withBearer(oldAdmin)),
	} {
		r.expect(t, 200, "")
		if m := r.obj(t); len(m) != 33 || m["ENABLE_OAUTH"] != nil {
			t.Fatalf("v0.10.2: %s", r.body)
		}
	}
	// Signout reports a configured end-session endpoint for OIDC sessions.
	call(t, s, "POST", "/api/v1/auths/admin/config/oauth", `{"OPENID_END_SESSION_ENDPOINT":"https://idp.example/logout"}`, withBearer(admin)).expect(t, 200, "")
	call(t, s, "POST", "/api/v1/auths/signout", "", cookie("oauth_session_id", "abc")).sameJSON(t, `{"status":true,"redirect_url":"https://idp.example/logout"}`)
}

func TestSignout(t *testing.T) {
	s := start(t, seeded())
	tok := mustToken(t, s, userEmail)
	r := call(t, s, "POST", "/api/v1/auths/signout", "", withBearer(tok))
	r.sameJSON(t, `{"status":true}`)
	sc := r.header.Values("Set-Cookie")
	if len(sc) != 3 || !strings.HasPrefix(sc[0], `token=""; expires=`) || !strings.Contains(sc[0], "Max-Age=0; Path=/; SameSite=lax") ||
		!strings.HasPrefix(sc[1], "oui-session=") || !strings.HasPrefix(sc[2], "oauth_id_token=") {
		t.Fatalf("Set-Cookie %q", sc)
	}
	for _, c := range r.cookies() {
		if c.MaxAge >= 0 {
			t.Fatalf("cookie %s not deleted", c.Name)
		}
	}
	r = call(t, s, "POST", "/api/v1/auths/signout", "", cookie("oauth_session_id", "x"))
	if len(r.header.Values("Set-Cookie")) != 4 {
		t.Fatal(r.header.Values("Set-Cookie"))
	}
	// No revocation without Redis.
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 200, "")
	// With it, the token signed out is refused, and only that one.
	rs := start(t, seeded(), WithRevocation())
	gone, kept := mustToken(t, rs, userEmail), mustToken(t, rs, userEmail)
	call(t, rs, "POST", "/api/v1/auths/signout", "", withBearer(gone)).expect(t, 200, "")
	call(t, rs, "GET", "/api/v1/auths/", "", withBearer(gone)).expect(t, 401, "Invalid token")
	call(t, rs, "GET", "/api/v1/auths/", "", withBearer(kept)).expect(t, 200, "")
	byCookie := mustToken(t, rs, userEmail)
	call(t, rs, "POST", "/api/v1/auths/signout", "", cookie("token", byCookie)).expect(t, 200, "")
	call(t, rs, "GET", "/api/v1/auths/admin/details", "", withBearer(byCookie)).expect(t, 401, "Invalid token")
	// A token that never expires is not revoked (there is no key lifetime).
	forever := start(t, seeded(), WithRevocation(), WithJWTExpiry("-1"))
	tok = mustToken(t, forever, userEmail)
	call(t, forever, "POST", "/api/v1/auths/signout", "", withBearer(tok)).expect(t, 200, "")
	call(t, forever, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 200, "")
	// GET is the SPA on v0.9.3+.
	if r := call(t, s, "GET", "/api/v1/auths/signout", ""); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatal(r.status, r.header)
	}
}
