package owui_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// The suite runs against owuitest, or against a real Open WebUI when
// OWUI_TEST_SERVER is set (with OWUI_TEST_ADMIN_EMAIL and
// OWUI_TEST_ADMIN_PASSWORD of an existing admin). Tests that need the
// emulator's setup hooks skip on a live server; the others must pass on both,
// which is how the emulator's fidelity is checked.

const (
	adminEmail = "admin@example.com"
	adminPass  = "admin-pass-1"
)

type target struct {
	url        string
	adminEmail string
	adminPass  string
	emu        *owuitest.Server // nil on a live server
}

var uniq atomic.Int64

// unique returns an email no other test uses, on this run or an earlier one.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano(), uniq.Add(1))
}

func live() bool { return os.Getenv("OWUI_TEST_SERVER") != "" }

// newTarget returns a server with an admin account: a fresh emulator built
// with opts, or the live server.
func newTarget(t *testing.T, opts ...owuitest.Option) target {
	t.Helper()
	if live() {
		return target{url: os.Getenv("OWUI_TEST_SERVER"), adminEmail: os.Getenv("OWUI_TEST_ADMIN_EMAIL"), adminPass: os.Getenv("OWUI_TEST_ADMIN_PASSWORD")}
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

// adminSessions shares one admin sign-in per server: a live server allows 15
// sign-ins per email in 3 minutes.
var adminSessions sync.Map // url -> *owui.Session

// admin returns a session signed in as the target's admin. Tests must not
// sign it out; freshAdmin gives one they may.
func (tg target) admin(t *testing.T) *owui.Session {
	t.Helper()
	if s, ok := adminSessions.Load(tg.url); ok {
		return s.(*owui.Session)
	}
	s := tg.freshAdmin(t)
	adminSessions.Store(tg.url, s)
	return s
}

func (tg target) freshAdmin(t *testing.T) *owui.Session {
	t.Helper()
	s := tg.client(t).NewSession("")
	if _, err := s.Signin(context.Background(), owui.SigninForm{Email: tg.adminEmail, Password: tg.adminPass}); err != nil {
		t.Fatalf("admin signin: %v", err)
	}
	return s
}

// user adds an account with role and returns a session signed in as it.
func (tg target) user(t *testing.T, role string) (*owui.Session, string) {
	t.Helper()
	email := unique(role)
	ctx := context.Background()
	if _, err := tg.admin(t).AddUser(ctx, owui.AddUserForm{SignupForm: owui.SignupForm{Name: "U " + role, Email: email, Password: "pw-" + role}, Role: role}); err != nil {
		t.Fatalf("add %s: %v", role, err)
	}
	s := tg.client(t).NewSession("")
	if _, err := s.Signin(ctx, owui.SigninForm{Email: email, Password: "pw-" + role}); err != nil {
		t.Fatalf("signin %s: %v", role, err)
	}
	return s, email
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
