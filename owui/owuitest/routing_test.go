package owuitest

import (
	"net/http"
	"strings"
	"testing"
)

func isHTML(r result) bool {
	return r.status == 200 && strings.HasPrefix(r.header.Get("Content-Type"), "text/html") && strings.Contains(string(r.body), "<html")
}

func TestFrontendRouting(t *testing.T) {
	s := start(t, seeded())
	tok := mustToken(t, s, userEmail)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/auths"},                 // no trailing slash
		{"GET", "/api/v1/auths/signin"},          // wrong method GET
		{"GET", "/api/v1/auths/does/not/exist"},  // unknown
		{"GET", "/"},                             // root
		{"HEAD", "/api/v1/auths/update/profile"}, // the frontend takes HEAD
	} {
		r := call(t, s, c.method, c.path, "", withBearer(tok))
		if c.method == "HEAD" {
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Fatalf("HEAD %s: %d %v", c.path, r.status, r.header)
			}
			continue
		}
		if !isHTML(r) {
			t.Fatalf("%s %s: %d %q", c.method, c.path, r.status, r.body)
		}
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/auths/"},
		{"POST", "/api/v1/auths/unknown"},
		{"DELETE", "/api/v1/auths/signin"},
		{"PUT", "/api/v1/auths/api_key"},
		{"POST", "/api/v1/auths/signin/"},
	} {
		r := call(t, s, c.method, c.path, `{}`, withBearer(tok))
		r.expect(t, 405, "Method Not Allowed")
		if r.header.Get("Allow") != "" {
			t.Fatal("StaticFiles sends no Allow header")
		}
	}
	call(t, s, "GET", "/assets/app.js", "").expect(t, 404, "Not Found")
	// HEAD is no API route's method (FastAPI adds none): the frontend
	// answers it, even on an API GET route.
	if r := call(t, s, "HEAD", "/api/v1/auths/", "", withBearer(tok)); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || len(r.body) != 0 {
		t.Fatal(r.status, r.header)
	}
	// Every response carries X-Process-Time.
	for _, r := range []result{call(t, s, "GET", "/health", ""), call(t, s, "GET", "/nowhere", ""), call(t, s, "POST", "/api/v1/auths/signin", "{")} {
		if r.header.Get("X-Process-Time") == "" || r.header.Get("Server") != "uvicorn" {
			t.Fatal(r.header)
		}
	}
	call(t, s, "GET", "/health", "").sameJSON(t, `{"status":true}`)
	v := call(t, s, "GET", "/api/version", "").obj(t)
	if v["version"] != "0.11.0" || v["deployment_id"] == "" {
		t.Fatal(v)
	}
}

func TestAPIOnlyRouting(t *testing.T) {
	s := start(t, seeded(), WithoutFrontend())
	tok := mustToken(t, s, userEmail)
	call(t, s, "GET", "/nowhere", "").expect(t, 404, "Not Found")
	call(t, s, "POST", "/api/v1/auths/unknown", `{}`).expect(t, 404, "Not Found")
	r := call(t, s, "GET", "/api/v1/auths/signin", "")
	r.expect(t, 405, "Method Not Allowed")
	if r.header.Get("Allow") != "POST" {
		t.Fatal(r.header)
	}
	for _, m := range []string{"PUT", "HEAD"} {
		r = call(t, s, m, "/api/v1/auths/", "")
		if r.status != 405 || r.header.Get("Allow") != "GET" {
			t.Fatal(m, r.status, r.header)
		}
	}
	call(t, s, "GET", "/api/v1/auths/signout", "").expect(t, 405, "Method Not Allowed")

	call(t, s, "GET", "/api/v1/auths", "", withBearer(tok)).expect(t, 404, "Not Found")
	call(t, s, "POST", "/api/v1/auths/signin/", `{}`).expect(t, 404, "Not Found")

	// Starlette's redirect_slashes, opt-in (the client follows it).
	s = start(t, seeded(), WithoutFrontend(), WithRedirectSlashes())
	tok = mustToken(t, s, userEmail)
	noFollow := *s.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r = callWith(t, &noFollow, s.URL, "GET", "/api/v1/auths?x=1", "")
	if r.status != 307 || r.header.Get("Location") != s.URL+"/api/v1/auths/?x=1" {
		t.Fatal(r.status, r.header)
	}
	r = callWith(t, &noFollow, s.URL, "POST", "/api/v1/auths/signin//", `{}`)
	if r.status != 307 || r.header.Get("Location") != s.URL+"/api/v1/auths/signin" {
		t.Fatal(r.status, r.header)
	}
	call(t, s, "GET", "/api/v1/auths", "", withBearer(tok)).expect(t, 200, "")
	call(t, s, "GET", "/", "").expect(t, 404, "Not Found")
}

func TestVersionEmulation(t *testing.T) {
	t.Run("0.6.30", func(t *testing.T) {
		s := start(t, seeded(), WithVersion("v0.6.30"))
		tok := mustToken(t, s, userEmail)
		admin := adminTokenFor(t, s)
		call(t, s, "POST", "/api/v1/auths/update/timezone", `{"timezone":"UTC"}`, withBearer(tok)).expect(t, 405, "Method Not Allowed")
		call(t, s, "POST", "/api/v1/auths/oauth/oidc/token/exchange", `{"token":"x"}`).expect(t, 405, "Method Not Allowed")
		call(t, s, "DELETE", "/api/v1/auths/oauth/sessions/oidc", "", withBearer(tok)).expect(t, 405, "Method Not Allowed")
		if !isHTML(call(t, s, "GET", "/api/v1/auths/admin/config/oauth", "", withBearer(admin))) {
			t.Fatal("oauth config present")
		}
		// Sign-out is GET.
		call(t, s, "GET", "/api/v1/auths/signout", "").sameJSON(t, `{"status":true}`)
		call(t, s, "POST", "/api/v1/auths/signout", "").expect(t, 405, "Method Not Allowed")
		// Admin config keys of that release, with the old API-key names.
		cfg := call(t, s, "GET", "/api/v1/auths/admin/config", "", withBearer(admin))
		keys := keysOf(t, cfg.body)
		want := "SHOW_ADMIN_DETAILS WEBUI_URL ENABLE_SIGNUP ENABLE_API_KEY ENABLE_API_KEY_ENDPOINT_RESTRICTIONS API_KEY_ALLOWED_ENDPOINTS " +
			"DEFAULT_USER_ROLE JWT_EXPIRES_IN ENABLE_COMMUNITY_SHARING ENABLE_MESSAGE_RATING ENABLE_CHANNELS ENABLE_NOTES " +
			"ENABLE_USER_WEBHOOKS PENDING_USER_OVERLAY_TITLE PENDING_USER_OVERLAY_CONTENT RESPONSE_WATERMARK"
		if strings.Join(keys, " ") != want {
			t.Fatalf("keys %v", keys)
		}
		m := cfg.obj(t)
		if m["ENABLE_API_KEY"] != true || m["JWT_EXPIRES_IN"] != "-1" {
			t.Fatal(string(cfg.body))
		}
		// API keys were on by default and not permission-gated.
		key := call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(tok)).obj(t)["api_key"].(string)
		call(t, s, "GET", "/api/v1/auths/admin/details", "", withBearer(key)).expect(t, 200, "")
		// No rate limit before v0.6.41, no expiry by default, stored image.
		for i := 0; i < 20; i++ {
			call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"x"}`).expect(t, 400, msgInvalidCred)
		}
		r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+userEmail+`","password":"`+userPass+`"}`)
		if m := r.obj(t); m["expires_at"] != nil || m["profile_image_url"] != "/user.png" {
			t.Fatal(string(r.body))
		}
		// No image validation before v0.8.0; no bio fields before v0.6.23 is not this release.
		call(t, s, "POST", "/api/v1/auths/update/profile", `{"profile_image_url":"javascript:x","name":"n"}`, withBearer(tok)).expect(t, 200, "")
		// Cookie-only GET /auths/ crashed before v0.9.2.
		r = call(t, s, "GET", "/api/v1/auths/", "", cookie("token", tok))
		if r.status != 500 || string(r.body) != "Internal Server Error" {
			t.Fatal(r.status, string(r.body))
		}
		call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 200, "")
		// x-api-key was not honoured before v0.9.0.
		call(t, s, "GET", "/api/v1/auths/admin/details", "", header("X-Api-Key", key)).expect(t, 401, msgNotAuth)
		// v0.6.37-v0.8.10 validated the current password... not this release: no policy at all.
		call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+userPass+`","new_password":"`+strings.Repeat("z", 90)+`"}`, withBearer(tok)).sameJSON(t, `true`)
		v := call(t, s, "GET", "/api/version", "").obj(t)
		if v["version"] != "0.6.30" {
			t.Fatal(v)
		}
	})
	t.Run("0.8.5", func(t *testing.T) {
		s := start(t, seeded(), WithVersion("0.8.5"), WithAPIKeys(true), WithPasswordValidation(true), WithoutFrontend())
		admin := adminTokenFor(t, s)
		tok := mustToken(t, s, userEmail)
		// Admins were not exempt from features.api_keys before v0.8.11.
		call(t, s, "POST", "/api/v1/auths/api_key", "", withBearer(admin)).expect(t, 403, msgAPIKeyCreation)
		// GET/DELETE were not gated before v0.10.0.
		call(t, s, "DELETE", "/api/v1/auths/api_key", "", withBearer(tok)).sameJSON(t, `true`)
		call(t, s, "GET", "/api/v1/auths/api_key", "", withBearer(tok)).expect(t, 404, msgAPIKeyNotFound)
		// The old password was validated instead of the new one.
		call(t, s, "POST", "/api/v1/auths/update/password", `{"password":"`+userPass+`","new_password":"Str0ng!pass"}`, withBearer(tok)).expect(t, 400, msgPasswordPolicy)
		call(t, s, "POST", "/api/v1/auths/update/timezone", `{"timezone":"UTC"}`, withBearer(tok)).expect(t, 200, "")
		call(t, s, "POST", "/api/v1/auths/oauth/oidc/token/exchange", `{"token":"x"}`).expect(t, 403, "Token exchange is disabled")
		call(t, s, "DELETE", "/api/v1/auths/oauth/sessions/oidc", "", withBearer(tok)).expect(t, 404, "Not Found")
		call(t, s, "GET", "/api/v1/auths/signout", "").expect(t, 200, "")
		// LDAP empty passwords reached the directory before v0.9.0.
		l := start(t, WithVersion("0.8.5"), WithLDAP(LDAPEntry{Username: "a", Password: "b", Email: "a@example.com"}))
		call(t, l, "POST", "/api/v1/auths/ldap", `{"user":"a","password":""}`).expect(t, 400, "LDAP authentication failed.")
		// add_user tokens had no exp before v0.9.0.
		r := call(t, s, "POST", "/api/v1/auths/add", `{"name":"n","email":"n@example.com","password":"Str0ng!pass"}`, withBearer(admin))
		me := call(t, s, "GET", "/api/v1/auths/", "", withBearer(r.obj(t)["token"].(string))).obj(t)
		if me["expires_at"] != nil {
			t.Fatal(me)
		}
		// LDAP server app_dn was required to be non-empty before v0.8.4 (not here).
		call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","app_dn":"","app_dn_password":"","search_base":"b"}`, withBearer(admin)).expect(t, 200, "")
	})
	t.Run("0.9.5 first signup", func(t *testing.T) {
		s := start(t, WithVersion("0.9.5"))
		s.mu.Lock()
		s.st.admin["ENABLE_SIGNUP"] = false
		s.mu.Unlock()
		call(t, s, "POST", "/api/v1/auths/signup", `{"name":"a","email":"a@example.com","password":"p"}`).expect(t, 403, msgProhib)
		cur := start(t)
		cur.mu.Lock()
		cur.st.admin["ENABLE_SIGNUP"] = false
		cur.mu.Unlock()
		call(t, cur, "POST", "/api/v1/auths/signup", `{"name":"a","email":"a@example.com","password":"p"}`).expect(t, 200, "")
	})
	t.Run("0.8.0 ldap server", func(t *testing.T) {
		s := start(t, seeded(), WithVersion("0.8.0"))
		admin := adminTokenFor(t, s)
		call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","app_dn":"","app_dn_password":"","search_base":"b"}`, withBearer(admin)).expect(t, 400, "Required field app_dn is empty")
		keys := keysOf(t, call(t, s, "GET", "/api/v1/auths/admin/config/ldap/server", "", withBearer(admin)).body)
		if len(keys) != 13 {
			t.Fatal(keys)
		}
	})
	t.Run("0.5.0", func(t *testing.T) {
		s := start(t, seeded(), WithVersion("0.5.0"))
		tok := mustToken(t, s, userEmail)
		admin := adminTokenFor(t, s)
		keys := keysOf(t, call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).body)
		if strings.Join(keys, ",") != "id,name,role,email,profile_image_url,token,token_type,expires_at,permissions" {
			t.Fatal(keys)
		}
		call(t, s, "POST", "/api/v1/auths/update/profile", `{"profile_image_url":"","name":"n","bio":"ignored"}`, withBearer(tok)).expect(t, 200, "")
		call(t, s, "POST", "/api/v1/auths/admin/config/ldap/server", `{"label":"L","host":"h","app_dn":"x","app_dn_password":"y","search_base":"b","attribute_for_mail":""}`, withBearer(admin)).expect(t, 200, "")
	})
}
