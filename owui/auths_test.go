package owui_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

var ctx = context.Background()

const accessProhibited = "You do not have permission to access this resource. Please contact your administrator for assistance."

func TestSigninKeepsTokenAndGetSessionUser(t *testing.T) {
	tg := newTarget(t)
	email, password := tg.account(t, "admin")
	s := tg.client(t).NewSession("")
	if k, _ := s.State(); k != owui.CredentialNone {
		t.Fatalf("fresh session holds %s", k)
	}
	r, err := s.Signin(ctx, owui.SigninForm{Email: strings.ToUpper(email), Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if r.Role != "admin" || r.Email != email || r.TokenType != "Bearer" || r.Token == "" {
		t.Fatalf("signin answer %+v", r)
	}
	if r.ProfileImageURL != "/api/v1/users/"+r.ID+"/profile/image" {
		t.Errorf("profile_image_url %q", r.ProfileImageURL)
	}
	if r.Permissions == nil {
		t.Error("no permissions")
	}
	if kind, exp := s.State(); kind != owui.CredentialJWT || s.Credential() != r.Token || (r.ExpiresAt != nil) != (exp != nil) {
		t.Fatalf("session after signin: %s %v", kind, exp)
	}
	me, err := s.GetSessionUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != r.ID || me.Token != r.Token {
		t.Errorf("session user %+v", me.SessionUserResponse)
	}
}

// TestSessionsOfOneClientAreSeparate: the server sets a token cookie on
// sign-in; no other session of the same client may ride on it.
func TestSessionsOfOneClientAreSeparate(t *testing.T) {
	tg := newTarget(t)
	email, password := tg.account(t, "user")
	c := tg.client(t)
	a, b := c.NewSession(""), c.NewSession("")
	if _, err := a.Signin(ctx, owui.SigninForm{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	_, err := b.GetSessionUser(ctx)
	wantErr(t, err, 401, "Not authenticated")
	if tg.emu != nil {
		for _, r := range tg.emu.Requests() {
			if r.Header.Get("Cookie") != "" {
				t.Fatalf("a cookie was sent: %s %s", r.Method, r.Path)
			}
		}
	}
}

func TestGetSessionUserErrors(t *testing.T) {
	tg := newTarget(t)
	_, err := tg.client(t).NewSession("").GetSessionUser(ctx)
	wantErr(t, err, 401, "Not authenticated", "no valid credential")
	_, err = tg.client(t).NewSession("not-a-jwt").GetSessionUser(ctx)
	wantErr(t, err, 401, "401 Unauthorized")
}

func TestExpiredTokenIsRefused(t *testing.T) {
	emulatorOnly(t)
	tg := newTarget(t)
	tok, err := tg.emu.IssueToken(adminEmail, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tg.client(t).NewSession(tok).GetSessionUser(ctx)
	wantErr(t, err, 401, "401 Unauthorized", "expired")
}

func TestSigninErrors(t *testing.T) {
	tg := newTarget(t)
	email, _ := tg.account(t, "user")
	s := tg.client(t).NewSession("")
	_, err := s.Signin(ctx, owui.SigninForm{Email: email, Password: "wrong"})
	wantErr(t, err, 400, "The email or password provided is incorrect")
	if k, _ := s.State(); k != owui.CredentialNone {
		t.Error("a failed signin must not set a credential")
	}
}

func TestSigninRateLimit(t *testing.T) {
	tg := newTarget(t)
	s := tg.client(t).NewSession("")
	// Attempts count per email, accounts or not: this one locks out no one.
	email := unique("nobody")
	var err error
	for i := 0; i < 16; i++ {
		_, err = s.Signin(ctx, owui.SigninForm{Email: email, Password: "x"})
	}
	e := wantErr(t, err, 429, "API rate limit exceeded", "wait")
	if e.Kind != owui.KindStatus {
		t.Errorf("kind %v", e.Kind)
	}
}

func TestSignupFirstUserBecomesAdminAndSignupCloses(t *testing.T) {
	emulatorOnly(t)
	srv := owuitest.NewServer()
	defer srv.Close()
	c, _ := owui.New(srv.URL)
	s := c.NewSession("")
	r, err := s.Signup(ctx, owui.SignupForm{Name: "First", Email: "First@Example.com", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Role != "admin" || r.Email != "first@example.com" || s.Credential() != r.Token {
		t.Fatalf("first signup %+v", r)
	}
	_, err = c.NewSession("").Signup(ctx, owui.SignupForm{Name: "Second", Email: "second@example.com", Password: "pw"})
	wantErr(t, err, 403, accessProhibited)
	cfg, err := s.GetAdminConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EnableSignup {
		t.Error("ENABLE_SIGNUP still on after the first signup")
	}
	// With sign-up on again, later accounts get the default role.
	cfg.EnableSignup = true
	if _, err := s.UpdateAdminConfig(ctx, *cfg); err != nil {
		t.Fatal(err)
	}
	r2, err := c.NewSession("").Signup(ctx, owui.SignupForm{Name: "Second", Email: "second@example.com", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Role != "pending" {
		t.Errorf("second role %q", r2.Role)
	}
	_, err = c.NewSession("").Signup(ctx, owui.SignupForm{Name: "Bad", Email: "not-an-email", Password: "pw"})
	wantErr(t, err, 400, "The email format you entered is invalid")
	_, err = c.NewSession("").Signup(ctx, owui.SignupForm{Name: "Dup", Email: "SECOND@example.com", Password: "pw"})
	wantErr(t, err, 400, "already registered")
	_, err = c.NewSession("").Signup(ctx, owui.SignupForm{Name: "Long", Email: "long@example.com", Password: strings.Repeat("x", 73)})
	wantErr(t, err, 400, "less than 72 bytes")
}

func TestAddUserLeavesSessionAlone(t *testing.T) {
	tg := newTarget(t)
	admin := tg.admin(t)
	before := admin.Credential()
	email := unique("added")
	r, err := admin.AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "Added", Email: email, Password: "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Role != "pending" || r.Email != email || r.Token == "" || r.Token == before {
		t.Fatalf("add_user answer %+v", r)
	}
	if admin.Credential() != before {
		t.Error("add_user replaced the admin's credential")
	}
	// The returned token is the new account's.
	me, err := tg.client(t).NewSession(r.Token).GetSessionUser(ctx)
	if err != nil || me.Email != email {
		t.Fatalf("new account token: %v %+v", err, me)
	}
	_, err = admin.AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "Dup", Email: email, Password: "pw"}})
	wantErr(t, err, 400, "already registered")
	_, err = admin.AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "Img", Email: unique("img"), Password: "pw", ProfileImageURL: "ftp://x"}})
	e := wantErr(t, err, 422, "profile_image_url: Value error")
	if len(e.Fields) != 1 || e.Fields[0].Field != "profile_image_url" {
		t.Errorf("fields %+v", e.Fields)
	}
}

func TestRoleGates(t *testing.T) {
	tg := newTarget(t)
	pending, _ := tg.user(t, "pending")
	user, _ := tg.user(t, "user")
	_, err := user.AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "x", Email: unique("x"), Password: "pw"}})
	wantErr(t, err, 401, accessProhibited, "admin")
	_, err = user.GetAdminConfig(ctx)
	wantErr(t, err, 401, accessProhibited)
	_, err = pending.UpdateProfile(ctx, owui.UpdateProfileForm{Name: "P", ProfileImageURL: "/user.png"})
	wantErr(t, err, 401, accessProhibited, "not pending")
	// Pending accounts may still see who they are and who to ask.
	if _, err := pending.GetSessionUser(ctx); err != nil {
		t.Error(err)
	}
	if _, err := pending.GetAdminDetails(ctx); err != nil {
		t.Error(err)
	}
}

func TestUpdateProfile(t *testing.T) {
	tg := newTarget(t)
	s, email := tg.user(t, "user")
	r, err := s.UpdateProfile(ctx, owui.UpdateProfileForm{
		Name: "New Name", ProfileImageURL: "https://example.com/a.png",
		Bio: ptr("bio"), Gender: ptr("x"), DateOfBirth: ptr(owui.Date("2000-02-29")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "New Name" || r.Email != email || r.ProfileImageURL != "https://example.com/a.png" {
		t.Errorf("answer %+v", r)
	}
	me, err := s.GetSessionUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Bio == nil || *me.Bio != "bio" || me.DateOfBirth == nil || *me.DateOfBirth != "2000-02-29" {
		t.Errorf("stored profile %+v", me)
	}
	// The server writes all five fields: left out, optional ones become null.
	if _, err := s.UpdateProfile(ctx, owui.UpdateProfileForm{Name: "N", ProfileImageURL: "/user.png"}); err != nil {
		t.Fatal(err)
	}
	me, _ = s.GetSessionUser(ctx)
	if me.Bio != nil || me.DateOfBirth != nil {
		t.Errorf("optional fields not cleared: %+v", me)
	}
	_, err = s.UpdateProfile(ctx, owui.UpdateProfileForm{Name: "N", ProfileImageURL: "javascript:alert(1)"})
	wantErr(t, err, 422, "profile_image_url", "Invalid profile image URL")
}

func TestUpdateTimezone(t *testing.T) {
	tg := newTarget(t)
	r, err := tg.admin(t).UpdateTimezone(ctx, owui.UpdateTimezoneForm{Timezone: "Europe/Berlin"})
	if err != nil || !r.Status {
		t.Fatalf("%v %+v", err, r)
	}
	_, err = tg.client(t).NewSession("").UpdateTimezone(ctx, owui.UpdateTimezoneForm{Timezone: "UTC"})
	wantErr(t, err, 401, "Not authenticated")
}

func TestOlderServerLacksRoutes(t *testing.T) {
	emulatorOnly(t)
	for _, frontend := range []bool{true, false} {
		opts := []owuitest.Option{owuitest.WithVersion("0.6.41")}
		if !frontend {
			opts = append(opts, owuitest.WithoutFrontend())
		}
		tg := newTarget(t, opts...)
		s := tg.admin(t)
		_, err := s.UpdateTimezone(ctx, owui.UpdateTimezoneForm{Timezone: "UTC"})
		e := wantErr(t, err, 0, "does not offer update_timezone (added in v0.7.0)")
		if e.Kind != owui.KindUnsupported {
			t.Errorf("frontend=%v: kind %v", frontend, e.Kind)
		}
		_, err = s.GetOAuthConfig(ctx)
		wantErr(t, err, 0, "does not offer get_oauth_config (added in v0.10.0)")
		_, err = s.TokenExchange(ctx, "oidc", owui.TokenExchangeForm{Token: "x"})
		wantErr(t, err, 0, "does not offer token_exchange (added in v0.8.0)")
		_, err = s.DeleteOAuthSession(ctx, "oidc")
		wantErr(t, err, 0, "does not offer delete_oauth_session (added in v0.9.2)")
		// Sign-out was GET before 0.9.3: the POST's 405 falls back to it.
		if _, err := s.SignOut(ctx); err != nil {
			t.Fatalf("frontend=%v: legacy sign_out: %v", frontend, err)
		}
		if k, _ := s.State(); k != owui.CredentialNone {
			t.Error("sign_out kept the credential")
		}
	}
}

func TestUpdatePassword(t *testing.T) {
	tg := newTarget(t)
	s, email := tg.user(t, "user")
	_, err := s.UpdatePassword(ctx, owui.UpdatePasswordForm{Password: "wrong", NewPassword: "new-pw"})
	wantErr(t, err, 400, "The password provided is incorrect")
	ok, err := s.UpdatePassword(ctx, owui.UpdatePasswordForm{Password: "pw-user", NewPassword: "new-pw"})
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	// Existing tokens stay valid; the new password works.
	if _, err := s.GetSessionUser(ctx); err != nil {
		t.Error(err)
	}
	if _, err := tg.client(t).NewSession("").Signin(ctx, owui.SigninForm{Email: email, Password: "new-pw"}); err != nil {
		t.Error(err)
	}
	_, err = s.UpdatePassword(ctx, owui.UpdatePasswordForm{Password: "new-pw", NewPassword: strings.Repeat("é", 37)})
	wantErr(t, err, 400, "less than 72 bytes")
}

func TestSignOutClearsCredential(t *testing.T) {
	tg := newTarget(t)
	s, _ := tg.user(t, "user")
	r, err := s.SignOut(ctx)
	if err != nil || !r.Status {
		t.Fatalf("%v %+v", err, r)
	}
	if k, _ := s.State(); k != owui.CredentialNone || s.Credential() != "" {
		t.Error("credential kept after sign_out")
	}
	_, err = s.GetSessionUser(ctx)
	wantErr(t, err, 401, "Not authenticated")
	// Signing out with no session is fine too.
	if _, err := s.SignOut(ctx); err != nil {
		t.Error(err)
	}
}

func TestAdminDetails(t *testing.T) {
	tg := newTarget(t)
	admin := tg.admin(t)
	d, err := admin.GetAdminDetails(ctx)
	if err != nil || d.Email == nil || d.Name == nil {
		t.Fatalf("%v %+v", err, d)
	}
	cfg, err := admin.GetAdminConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orig := *cfg
	t.Cleanup(func() { _, _ = admin.UpdateAdminConfig(ctx, orig) })
	cfg.ShowAdminDetails = false
	if _, err := admin.UpdateAdminConfig(ctx, *cfg); err != nil {
		t.Fatal(err)
	}
	_, err = admin.GetAdminDetails(ctx)
	wantErr(t, err, 400, "The requested action has been restricted as a security measure.")
}

func TestAdminConfigRoundTrip(t *testing.T) {
	tg := newTarget(t)
	admin := tg.admin(t)
	cfg, err := admin.GetAdminConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orig := *cfg
	t.Cleanup(func() { _, _ = admin.UpdateAdminConfig(ctx, orig) })
	cfg.PendingUserOverlayTitle = ptr("Wait for approval")
	cfg.JWTExpiresIn = "2h"
	cfg.FolderMaxFileCount = 7
	cfg.DefaultUserRole = "nonsense" // silently ignored by the server
	got, err := admin.UpdateAdminConfig(ctx, *cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got.PendingUserOverlayTitle == nil || *got.PendingUserOverlayTitle != "Wait for approval" || got.JWTExpiresIn != "2h" {
		t.Errorf("stored %+v", got)
	}
	if n, ok := got.FolderMaxFileCount.(float64); !ok || n != 7 {
		t.Errorf("FOLDER_MAX_FILE_COUNT %#v", got.FolderMaxFileCount)
	}
	if got.DefaultUserRole != orig.DefaultUserRole {
		t.Errorf("invalid role was stored: %q", got.DefaultUserRole)
	}
}

func TestLDAP(t *testing.T) {
	emulatorOnly(t)
	tg := newTarget(t, owuitest.WithLDAP(owuitest.LDAPEntry{Username: "jdoe", Password: "ldap-pw", Email: "JDoe@corp.example", CN: "John Doe"}))
	admin := tg.admin(t)
	lc, err := admin.GetLDAPConfig(ctx)
	if err != nil || lc.EnableLDAP == nil || !*lc.EnableLDAP {
		t.Fatalf("%v %+v", err, lc)
	}
	s := tg.client(t).NewSession("")
	r, err := s.SigninLDAP(ctx, owui.LdapForm{User: "JDoe", Password: "ldap-pw"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Email != "jdoe@corp.example" || r.Name != "John Doe" || s.Credential() != r.Token {
		t.Errorf("ldap signin %+v", r)
	}
	_, err = s.SigninLDAP(ctx, owui.LdapForm{User: "jdoe", Password: "wrong"})
	wantErr(t, err, 400, "LDAP authentication failed.")
	if s.Credential() != r.Token {
		t.Error("a failed LDAP signin changed the credential")
	}

	srv, err := admin.GetLDAPServer(ctx)
	if err != nil || srv.Host == "" {
		t.Fatalf("%v %+v", err, srv)
	}
	srv.SearchFilters = "(objectClass=person)"
	got, err := admin.UpdateLDAPServer(ctx, *srv)
	if err != nil || got.SearchFilters != "(objectClass=person)" || got.AppDNPassword != srv.AppDNPassword {
		t.Fatalf("%v %+v", err, got)
	}
	bad := *srv
	bad.Host = ""
	_, err = admin.UpdateLDAPServer(ctx, bad)
	wantErr(t, err, 400, "Required field host is empty")

	off, err := admin.UpdateLDAPConfig(ctx, owui.LdapConfigForm{EnableLDAP: ptr(false)})
	if err != nil || off.EnableLDAP == nil || *off.EnableLDAP {
		t.Fatalf("%v %+v", err, off)
	}
	_, err = s.SigninLDAP(ctx, owui.LdapForm{User: "jdoe", Password: "ldap-pw"})
	wantErr(t, err, 400, "LDAP authentication is not enabled")
}

func TestAPIKeys(t *testing.T) {
	tg := newTarget(t, owuitest.WithAPIKeys(true))
	if cfg, err := tg.admin(t).GetAdminConfig(ctx); err != nil || !cfg.EnableAPIKeys {
		t.Skipf("API keys are off on this server (%v)", err)
	}
	admin, email := tg.user(t, "admin")
	_, err := admin.GetAPIKey(ctx)
	e := wantErr(t, err, 404, "The API key is missing")
	if e.Kind == owui.KindUnsupported {
		t.Error("a route's own 404 was taken for a missing route")
	}
	k, err := admin.GenerateAPIKey(ctx)
	if err != nil || k.APIKey == nil || !strings.HasPrefix(*k.APIKey, "sk-") || len(*k.APIKey) != 35 {
		t.Fatalf("%v %+v", err, k)
	}
	got, err := admin.GetAPIKey(ctx)
	if err != nil || *got.APIKey != *k.APIKey {
		t.Fatalf("%v %+v", err, got)
	}
	// A session started with the key acts as its owner; the server echoes the key.
	ks := tg.client(t).NewSession(*k.APIKey)
	if kind, _ := ks.State(); kind != owui.CredentialAPIKey {
		t.Errorf("kind %s", kind)
	}
	me, err := ks.GetSessionUser(ctx)
	if err != nil || me.Email != email || me.Token != *k.APIKey || me.ExpiresAt != nil {
		t.Fatalf("%v %+v", err, me)
	}
	ok, err := admin.DeleteAPIKey(ctx)
	if err != nil || !ok {
		t.Fatal(err)
	}
	if ok, err := admin.DeleteAPIKey(ctx); err != nil || !ok {
		t.Errorf("second delete: %v %v", ok, err)
	}
	_, err = ks.GetSessionUser(ctx)
	wantErr(t, err, 401, "Your session has expired or the token is invalid")

	user, _ := tg.user(t, "user")
	_, err = user.GenerateAPIKey(ctx)
	wantErr(t, err, 403, "API key creation is not allowed in the environment.", "api_keys permission")
}

func TestAPIKeysDisabled(t *testing.T) {
	tg := newTarget(t)
	admin := tg.admin(t)
	cfg, err := admin.GetAdminConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EnableAPIKeys {
		t.Skip("API keys are enabled on this server")
	}
	_, err = admin.GenerateAPIKey(ctx)
	wantErr(t, err, 403, "API key creation is not allowed in the environment.", "ENABLE_API_KEYS")
	_, err = admin.GetAPIKey(ctx)
	wantErr(t, err, 403, "API key creation is not allowed")
	_, err = admin.DeleteAPIKey(ctx)
	wantErr(t, err, 403, "API key creation is not allowed")
}

func TestAPIKeyUseWhenDisabled(t *testing.T) {
	emulatorOnly(t)
	key := "sk-0123456789abcdef0123456789abcdef"
	tg := newTarget(t, owuitest.WithUsers(owuitest.User{Name: "K", Email: "k@example.com", Password: "pw", Role: "user", APIKey: key}))
	_, err := tg.client(t).NewSession(key).GetSessionUser(ctx)
	wantErr(t, err, 403, "Use of API key is not enabled in the environment.", "switched off")
}

// TestTokenExchangeAndOAuthSessions runs live with OWUI_TEST_OAUTH_TOKEN, and
// seeds the OAuth session there with OWUI_TEST_REALOWUI.
func TestTokenExchangeAndOAuthSessions(t *testing.T) {
	tg := newTarget(t,
		owuitest.WithOAuth("oidc", owuitest.OAuthToken{AccessToken: "good", Sub: "sub-1", Email: adminEmail}))
	provider, token := "oidc", "good"
	if tg.emu == nil {
		if tg.env.OAuthToken == "" {
			t.Skip("set OWUI_TEST_OAUTH_TOKEN to exchange a token on this server")
		}
		provider, token = tg.env.OAuthProvider, tg.env.OAuthToken
	}
	admin := tg.admin(t)
	cur, err := admin.GetOAuthConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.UpdateOAuthConfig(ctx, owui.OAuthConfig{OAuthMergeAccountsByEmail: cur.OAuthMergeAccountsByEmail})
	})
	if _, err := admin.UpdateOAuthConfig(ctx, owui.OAuthConfig{OAuthMergeAccountsByEmail: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	s := tg.client(t).NewSession("")
	r, err := s.TokenExchange(ctx, strings.ToUpper(provider), owui.TokenExchangeForm{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if r.Email != tg.adminEmail || s.Credential() != r.Token {
		t.Fatalf("exchange %+v", r)
	}
	_, err = s.TokenExchange(ctx, provider, owui.TokenExchangeForm{Token: "owui-mcp-not-a-token"})
	wantErr(t, err, 400, "Invalid token or unable to validate with provider")
	_, err = s.TokenExchange(ctx, "no-such-provider", owui.TokenExchangeForm{Token: token})
	e := wantErr(t, err, 404, "Provider 'no-such-provider' is not configured")
	if e.Kind == owui.KindUnsupported {
		t.Error("an unconfigured provider was taken for a missing route")
	}
	// An exchange creates no OAuth session; an MCP tool server's OAuth does.
	_, err = s.DeleteOAuthSession(ctx, provider)
	wantErr(t, err, 404, "No OAuth session found for this provider")
	if err := tg.seedOAuthSession(t, tg.adminEmail, "mcp:server-1"); err != nil {
		t.Skip(err)
	}
	ok, err := s.DeleteOAuthSession(ctx, "mcp:server-1")
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	_, err = s.DeleteOAuthSession(ctx, "mcp:server-1")
	wantErr(t, err, 404, "No OAuth session found for this provider")
}

func TestTokenExchangeDisabled(t *testing.T) {
	tg := newTarget(t)
	_, err := tg.client(t).NewSession("").TokenExchange(ctx, "oidc", owui.TokenExchangeForm{Token: "x"})
	var e *owui.Error
	if tg.emu == nil && asErr(err, &e) && e.Detail != "Token exchange is disabled" {
		t.Skipf("token exchange is on on this server (%v)", err)
	}
	wantErr(t, err, 403, "Token exchange is disabled")
}

func TestOAuthConfigPartialUpdate(t *testing.T) {
	tg := newTarget(t)
	admin := tg.admin(t)
	cur, err := admin.GetOAuthConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.UpdateOAuthConfig(ctx, *cur) })
	got, err := admin.UpdateOAuthConfig(ctx, owui.OAuthConfig{OAuthProviderName: ptr("Corp SSO"), OAuthAllowedDomains: ptr("example.com, corp.example")})
	if err != nil {
		t.Fatal(err)
	}
	if got.OAuthProviderName == nil || *got.OAuthProviderName != "Corp SSO" {
		t.Errorf("%+v", got)
	}
	if got.OAuthAllowedDomains == nil || *got.OAuthAllowedDomains != "example.com,corp.example" {
		t.Errorf("allowed domains %v", got.OAuthAllowedDomains)
	}
	user, _ := tg.user(t, "user")
	_, err = user.GetOAuthConfig(ctx)
	wantErr(t, err, 401, accessProhibited)
}

func TestBaseURLForms(t *testing.T) {
	tg := newTarget(t)
	email, password := tg.account(t, "user")
	root := strings.TrimSuffix(tg.url, "/api")
	for _, u := range []string{root, root + "/", root + "/api", root + "/api/"} {
		c, err := owui.New(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if c.BaseURL() != root+"/api/v1/auths" {
			t.Errorf("%s -> %s", u, c.BaseURL())
		}
		if _, err := c.NewSession("").Signin(ctx, owui.SigninForm{Email: email, Password: password}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestRequestsOnTheWire(t *testing.T) {
	emulatorOnly(t)
	tg := newTarget(t)
	s := tg.admin(t)
	tg.emu.ResetRequests()
	if _, err := s.GetSessionUser(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTimezone(ctx, owui.UpdateTimezoneForm{Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	reqs := tg.emu.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if reqs[0].Method != http.MethodGet || reqs[0].Path != "/api/v1/auths/" {
		t.Errorf("session route %s %s", reqs[0].Method, reqs[0].Path)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+s.Credential() {
		t.Errorf("Authorization %q", got)
	}
	if ct := reqs[1].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if string(reqs[1].Body) != `{"timezone":"UTC"}` {
		t.Errorf("body %s", reqs[1].Body)
	}
}

// TestSessionConcurrency runs calls that read, replace and clear one
// session's credential at once; -race checks the locking, and every call
// must end with one of the outcomes the sequence allows.
func TestSessionConcurrency(t *testing.T) {
	tg := newTarget(t)
	email, password := tg.account(t, "user") // signed in 9 times
	s := tg.client(t).NewSession("")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			if _, err := s.Signin(ctx, owui.SigninForm{Email: email, Password: password}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			_, err := s.GetSessionUser(ctx)
			var e *owui.Error
			if err != nil && !(asErr(err, &e) && e.StatusCode == 401) {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			_, _ = s.State()
			if i%5 == 0 {
				s.Clear()
			}
		}()
	}
	wg.Wait()
	if _, err := s.Signin(ctx, owui.SigninForm{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSessionUser(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAdminOnlyOperations: every admin route answers a plain user with 401
// and the ACCESS_PROHIBITED text, which the error turns into advice.
func TestAdminOnlyOperations(t *testing.T) {
	tg := newTarget(t)
	user, _ := tg.user(t, "user")
	calls := map[string]func() error{
		"add_user": func() error {
			_, err := user.AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "x", Email: unique("x"), Password: "p"}})
			return err
		},
		"get_admin_config": func() error { _, err := user.GetAdminConfig(ctx); return err },
		"update_admin_config": func() error {
			_, err := user.UpdateAdminConfig(ctx, owui.AdminConfig{DefaultUserRole: "user", JWTExpiresIn: "4w"})
			return err
		},
		"get_ldap_server": func() error { _, err := user.GetLDAPServer(ctx); return err },
		"update_ldap_server": func() error {
			_, err := user.UpdateLDAPServer(ctx, owui.LdapServerConfig{Label: "l", Host: "h", SearchBase: "dc=x", AttributeForMail: "mail", AttributeForUsername: "uid"})
			return err
		},
		"get_ldap_config":     func() error { _, err := user.GetLDAPConfig(ctx); return err },
		"update_ldap_config":  func() error { _, err := user.UpdateLDAPConfig(ctx, owui.LdapConfigForm{}); return err },
		"get_oauth_config":    func() error { _, err := user.GetOAuthConfig(ctx); return err },
		"update_oauth_config": func() error { _, err := user.UpdateOAuthConfig(ctx, owui.OAuthConfig{}); return err },
	}
	for name, call := range calls {
		e := wantErr(t, call(), 401, accessProhibited, "lacks the role")
		if e.Op != name {
			t.Errorf("%s: error names %s", name, e.Op)
		}
	}
}

func TestAdminConfigNonNumericCountIsAServerError(t *testing.T) {
	emulatorOnly(t) // it makes a real server log a traceback
	tg := newTarget(t)
	admin := tg.admin(t)
	cfg, err := admin.GetAdminConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FolderMaxFileCount = "many"
	_, err = admin.UpdateAdminConfig(ctx, *cfg)
	wantErr(t, err, 500, "Internal Server Error", "failed on its side")
}

func TestSignOutFailureKeepsCredential(t *testing.T) {
	emulatorOnly(t)
	tg := newTarget(t)
	s := tg.admin(t)
	tg.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/signout",
		owuitest.FaultStatus(500, "application/json", `{"detail":"Failed to sign out from the OpenID provider."}`)))
	_, err := s.SignOut(ctx)
	wantErr(t, err, 500, "Failed to sign out from the OpenID provider.")
	tg.emu.SetFault(nil)
	if _, err := s.GetSessionUser(ctx); err != nil {
		t.Fatalf("credential lost after a failed sign-out: %v", err)
	}
}
