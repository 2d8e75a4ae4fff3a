package signinpage

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3). Each names what it broke before its fix.

// Before: used and stopped links counted against MaxLinks until one TTL
// after their expiry, so a client could open sessions, make their links
// and end them (1,024 sessions x 4 links took 7 s), and every other
// session got ErrFull for 20 minutes.
func TestAttackEndedSessionsDoNotFillTheStore(t *testing.T) {
	f := newFixture(t, Config{MaxPerSession: 2, MaxLinks: 4})
	for _, s := range []string{"A", "B"} {
		f.link(t, s, Signin)
		f.link(t, s, Signin)
		f.st.DropSession(s)
	}
	if _, err := f.st.Create(Request{Session: "victim", Complete: func(context.Context, Fields) (string, error) { return "", nil }}); err != nil {
		t.Fatalf("a new session's link after others' sessions ended: %v", err)
	}
	// Pending links still count.
	f = newFixture(t, Config{MaxPerSession: 2, MaxLinks: 2})
	f.link(t, "A", Signin)
	f.link(t, "B", Signin)
	if _, err := f.st.Create(Request{Session: "C", Complete: func(context.Context, Fields) (string, error) { return "", nil }}); !errors.Is(err, ErrFull) {
		t.Errorf("past MaxLinks of pending links: %v", err)
	}
}

// Before: the prefilled login had no bound; links keep it for two TTLs,
// so 4,096 links of 1 MB "emails" held over 4 GiB (measured: 16 MiB of
// RSS per session of 4 links, kept after the sessions ended).
func TestAttackLongLoginRefused(t *testing.T) {
	f := newFixture(t, Config{})
	_, err := f.st.Create(Request{Session: "A", Login: strings.Repeat("a", MaxLoginBytes+1),
		Complete: func(context.Context, Fields) (string, error) { return "", nil }})
	if !errors.Is(err, ErrLogin) {
		t.Errorf("a login of %d bytes: %v", MaxLoginBytes+1, err)
	}
	if f.st.Len() != 0 {
		t.Errorf("%d links kept", f.st.Len())
	}
}

// Before: safeURL cut at the first '?' or '#' before looking for '@', so a
// password holding one of them was printed up to it:
// "https://admin:s3cr…".
func TestAttackPublicURLErrorsHideUserinfo(t *testing.T) {
	for _, bad := range []string{
		"https://admin:s3cr?tpass@mcp.example.com",
		"https://admin:s3cr#tpass@mcp.example.com/x",
		"https://admin:s3cr/tpass@mcp.example.com",
		"https://mcp.example.com/?t=s3cr@tpass",
		"admin:s3cr?tpass@mcp.example.com",
	} {
		_, _, err := CheckPublicURL(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "tpass") || strings.Contains(err.Error(), "admin") {
			t.Errorf("%q: the error shows part of the credential: %v", bad, err)
		}
	}
}
