package owui_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/livetest"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// The suite runs against owuitest, or against a real Open WebUI when
// OWUI_TEST_SERVER is set (see internal/livetest). Tests that need the
// emulator's setup hooks skip on a live server; the others must pass on both,
// which is how the emulator's fidelity is checked.
//
// A real server allows 15 sign-ins per email in 3 minutes, and the suite must
// pass twice in a row on one server: it signs its admin in once (admin), and
// every test that signs in does so as an account of its own (account, user).

const (
	adminEmail = "admin@example.com"
	adminPass  = "admin-pass-1"
)

type target struct {
	url        string
	adminEmail string
	adminPass  string
	emu        *owuitest.Server // nil on a live server
	env        livetest.Env     // the live server's, when emu is nil
}

func unique(prefix string) string { return livetest.Unique(prefix) }

func live() bool { return livetest.Live() }

// newTarget returns a server with an admin account: a fresh emulator built
// with opts, or the live server, held for the test (livetest.Lock).
func newTarget(t *testing.T, opts ...owuitest.Option) target {
	t.Helper()
	if env, ok := livetest.FromEnv(); ok {
		livetest.Lock(t, env.URL)
		return target{url: env.URL, adminEmail: env.AdminEmail, adminPass: env.AdminPassword, env: env}
	}
	opts = append([]owuitest.Option{owuitest.WithUsers(owuitest.User{Name: "Admin", Email: adminEmail, Password: adminPass, Role: "admin"})}, opts...)
	s := owuitest.NewServer(opts...)
	t.Cleanup(s.Close)
	return target{url: s.APIURL(), adminEmail: adminEmail, adminPass: adminPass, emu: s}
}

// emulatorOnly skips tests that need the emulator's setup hooks.
func emulatorOnly(t *testing.T) {
	t.Helper()
	if live() {
		t.Skip("needs the emulator's setup hooks")
	}
}

func (tg target) client(t *testing.T, opts ...owui.Option) *owui.Client {
	t.Helper()
	c, err := owui.New(tg.url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// adminSessions shares one sign-in of the target's admin per server.
var adminSessions sync.Map // url -> *owui.Session

// admin returns a session signed in as the target's admin. Tests must not
// sign it out, nor change its password: user(t, "admin") gives an admin of
// their own.
func (tg target) admin(t *testing.T) *owui.Session {
	t.Helper()
	if s, ok := adminSessions.Load(tg.url); ok {
		return s.(*owui.Session)
	}
	s := tg.client(t).NewSession("")
	if _, err := s.Signin(context.Background(), owui.SigninForm{Email: tg.adminEmail, Password: tg.adminPass}); err != nil {
		t.Fatalf("admin signin: %v", err)
	}
	adminSessions.Store(tg.url, s)
	return s
}

// account adds an account with role and returns its email and password. No
// other test signs in as it.
func (tg target) account(t *testing.T, role string) (email, password string) {
	t.Helper()
	email, password = unique(role), "pw-"+role
	if _, err := tg.admin(t).AddUser(context.Background(), owui.AddUserForm{SignupForm: owui.SignupForm{Name: "U " + role, Email: email, Password: password}, Role: role}); err != nil {
		t.Fatalf("add %s: %v", role, err)
	}
	return email, password
}

// user adds an account with role and returns a session signed in as it.
func (tg target) user(t *testing.T, role string) (*owui.Session, string) {
	t.Helper()
	email, password := tg.account(t, role)
	s := tg.client(t).NewSession("")
	if _, err := s.Signin(context.Background(), owui.SigninForm{Email: email, Password: password}); err != nil {
		t.Fatalf("signin %s: %v", role, err)
	}
	return s, email
}

// seedOAuthSession stores an OAuth session for the account, as a browser's
// OAuth login or an MCP tool server's would; no API route creates one.
func (tg target) seedOAuthSession(t *testing.T, email, provider string) error {
	t.Helper()
	if tg.emu != nil {
		_, err := tg.emu.AddOAuthSession(email, provider)
		return err
	}
	return tg.env.SeedOAuthSession(context.Background(), email, provider)
}

// wantErr checks err is an *owui.Error with status and a message containing
// every part.
func wantErr(t *testing.T, err error, status int, parts ...string) *owui.Error {
	t.Helper()
	var e *owui.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want *owui.Error", err, err)
	}
	if status != 0 && e.StatusCode != status {
		t.Errorf("status %d, want %d (%v)", e.StatusCode, status, e)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error(), p) {
			t.Errorf("error %q lacks %q", e.Error(), p)
		}
	}
	return e
}

func ptr[T any](v T) *T { return &v }

func asErr(err error, target **owui.Error) bool { return errors.As(err, target) }
