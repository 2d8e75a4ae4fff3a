// Package livetest is what the test suites share to run against a real Open
// WebUI instead of the emulator: the server the environment names, a lock
// that keeps the suites of several packages (which go test runs at once)
// from changing its settings under each other, account names no earlier run
// used, and the seeding of OAuth sessions, which no API route creates.
//
// The environment:
//
//	OWUI_TEST_SERVER          the Open WebUI to test against; unset: the emulator
//	OWUI_TEST_ADMIN_EMAIL     an existing admin account of it
//	OWUI_TEST_ADMIN_PASSWORD  its password
//	OWUI_TEST_OAUTH_TOKEN     optional: an access token of OWUI_TEST_OAUTH_PROVIDER
//	                          (default oidc) that token exchange maps to the admin's email
//	OWUI_TEST_REALOWUI        optional, for ../shared/realowui only: its build dir and,
//	OWUI_TEST_REALOWUI_DATA   the data dir its READY line names; with both, OAuth
//	                          sessions are seeded with its harness/seed_oauth_session.py
//
// A real server allows 15 sign-ins per email in 3 minutes, wrong passwords
// included, so a suite signs the admin in once and gives everything else
// accounts of its own.
package livetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// Env is the Open WebUI to test against: a real one, or the emulator set up
// as a real one is (Target).
type Env struct {
	URL           string
	AdminEmail    string
	AdminPassword string
	// OAuthProvider and OAuthToken: a provider access token that token
	// exchange maps to AdminEmail; OAuthToken is empty when none was given.
	OAuthProvider string
	OAuthToken    string
	// Emu is the emulator, or nil on a real server.
	Emu *owuitest.Server

	realowui, data string
}

// FromEnv returns the server the environment names, if any. It fails the
// test binary when OWUI_TEST_SERVER is set without the admin credentials: a
// live run that quietly fell back to the emulator would prove nothing.
func FromEnv() (Env, bool) {
	e := Env{
		URL:           os.Getenv("OWUI_TEST_SERVER"),
		AdminEmail:    os.Getenv("OWUI_TEST_ADMIN_EMAIL"),
		AdminPassword: os.Getenv("OWUI_TEST_ADMIN_PASSWORD"),
		OAuthProvider: os.Getenv("OWUI_TEST_OAUTH_PROVIDER"),
		OAuthToken:    os.Getenv("OWUI_TEST_OAUTH_TOKEN"),
		realowui:      os.Getenv("OWUI_TEST_REALOWUI"),
		data:          os.Getenv("OWUI_TEST_REALOWUI_DATA"),
	}
	if e.URL == "" {
		return Env{}, false
	}
	if e.AdminEmail == "" || e.AdminPassword == "" {
		panic("livetest: OWUI_TEST_SERVER needs OWUI_TEST_ADMIN_EMAIL and OWUI_TEST_ADMIN_PASSWORD")
	}
	if e.OAuthProvider == "" {
		e.OAuthProvider = "oidc"
	}
	return e, true
}

// The emulator's stand-in for a live server: ../shared/realowui as its
// README runs it for the live suite (ENABLE_API_KEYS=true REDIS=1 IDP=1 and
// the admin made at start-up from WEBUI_ADMIN_EMAIL), without an LDAP
// directory.
const (
	emuAdminEmail    = "admin@example.com"
	emuAdminPassword = "admin-pass-1"
	emuOAuthToken    = "good"
)

// EmulatorOptions set owuitest up as that server: the admin exists and
// sign-up is off, API keys are on, sign-out revokes, and provider oidc takes
// the fake identity provider's tokens ("good" is the admin's).
func EmulatorOptions() []owuitest.Option {
	return []owuitest.Option{
		owuitest.WithUsers(owuitest.User{Name: "Admin", Email: emuAdminEmail, Password: emuAdminPassword, Role: "admin"}),
		owuitest.WithSignup(false),
		owuitest.WithAPIKeys(true),
		owuitest.WithRevocation(),
		owuitest.WithOAuth("oidc",
			owuitest.OAuthToken{AccessToken: emuOAuthToken, Sub: "sub-1", Email: emuAdminEmail},
			owuitest.OAuthToken{AccessToken: "good2", Sub: "sub-2", Email: "nobody@example.com"},
			owuitest.OAuthToken{AccessToken: "nosub", Email: emuAdminEmail}),
		// Only the auths router is mounted: no web app catches other paths.
		owuitest.WithoutFrontend(),
		owuitest.WithRedirectSlashes(),
	}
}

// Target returns the live server the environment names, held for t (Lock),
// or else an Emulator.
func Target(t testing.TB) Env {
	t.Helper()
	if e, ok := FromEnv(); ok {
		Lock(t, e.URL)
		return e
	}
	return Emulator(t)
}

// Emulator starts owuitest built with EmulatorOptions, closed when t ends.
func Emulator(t testing.TB) Env {
	emu := owuitest.NewServer(EmulatorOptions()...)
	t.Cleanup(emu.Close)
	return Env{URL: emu.URL, AdminEmail: emuAdminEmail, AdminPassword: emuAdminPassword,
		OAuthProvider: "oidc", OAuthToken: emuOAuthToken, Emu: emu}
}

// Live reports whether the environment names a real server.
func Live() bool { return os.Getenv("OWUI_TEST_SERVER") != "" }

var seq atomic.Int64

// Unique returns an email address no other test of this run or of an
// earlier run against the same server uses.
func Unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano(), seq.Add(1))
}

// ErrCannotSeed means the environment gives no way to create OAuth sessions.
var ErrCannotSeed = errors.New("livetest: set OWUI_TEST_REALOWUI and OWUI_TEST_REALOWUI_DATA to seed OAuth sessions")

// CanSeedOAuthSessions reports whether SeedOAuthSession can work.
func (e Env) CanSeedOAuthSessions() bool { return e.Emu != nil || (e.realowui != "" && e.data != "") }

// SeedOAuthSession stores an OAuth session (provider, e.g. "mcp:server-1")
// for the account with email, through Open WebUI's own model, as its web
// OAuth callback or an MCP tool server's OAuth flow would.
func (e Env) SeedOAuthSession(ctx context.Context, email, provider string) error {
	if e.Emu != nil {
		_, err := e.Emu.AddOAuthSession(email, provider)
		return err
	}
	if !e.CanSeedOAuthSessions() {
		return ErrCannotSeed
	}
	py := os.Getenv("PYTHON")
	if py == "" {
		py = "python3"
	}
	cmd := exec.CommandContext(ctx, py, filepath.Join(e.realowui, "harness", "seed_oauth_session.py"), email, provider)
	cmd.Dir = e.data
	// The session's tokens are encrypted with the server's key; deleting a
	// session never decrypts them, so any key does when none is given.
	key := os.Getenv("WEBUI_SECRET_KEY")
	if key == "" {
		key = "owui-mcp-live-test"
	}
	path := strings.Join([]string{
		filepath.Join(e.realowui, "site"), filepath.Join(e.realowui, "stubs"),
		filepath.Join(e.realowui, "owui", "backend"), filepath.Join(e.realowui, "harness"),
	}, string(os.PathListSeparator))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+path, "DATA_DIR="+e.data, "VECTOR_DB=qdrant",
		"WEBUI_SECRET_KEY="+key, "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil || len(bytes.TrimSpace(out)) == 0 {
		return fmt.Errorf("livetest: seeding an OAuth session: %v: %s", err, lastLine(stderr.String()))
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

var inProcess sync.Mutex

// Lock holds the server for t until it ends: test binaries of other packages
// wait, so that no one changes a setting another is reading, or reads the
// whole settings object while another writes it back. The lock is a file
// lock in the temporary directory, released by the system if the test
// binary dies. It is not re-entrant: once per test.
func Lock(t testing.TB, url string) {
	t.Helper()
	inProcess.Lock()
	sum := sha256.Sum256([]byte(url))
	name := filepath.Join(os.TempDir(), "owui-mcp-live-"+hex.EncodeToString(sum[:6])+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		inProcess.Unlock()
		t.Fatalf("livetest: %v", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		inProcess.Unlock()
		t.Fatalf("livetest: locking %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = unlockFile(f)
		f.Close()
		inProcess.Unlock()
	})
}
