package tools

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
)

type fakeSession struct{ id string }

func (f fakeSession) Initialize()                                         {}
func (f fakeSession) Initialized() bool                                   { return true }
func (f fakeSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return nil }
func (f fakeSession) SessionID() string                                   { return f.id }

func sessionCtx(id string) context.Context {
	s := server.NewMCPServer("t", "1")
	return s.WithContext(context.Background(), fakeSession{id})
}

// owuiSession is the Open WebUI session st gives ctx, or nil.
func owuiSession(st *sessions, ctx context.Context) *owui.Session {
	e, err := st.get(ctx)
	if err != nil {
		return nil
	}
	return e.s
}

func TestIdleSessionsAreForgotten(t *testing.T) {
	c, _ := owui.New("http://127.0.0.1:1")
	st := newSessions(c, "", 30*time.Minute)
	now := time.Unix(1_000_000, 0)
	st.now = func() time.Time { return now }

	a := owuiSession(st, sessionCtx("a"))
	a.SetCredential("jwt-a", nil)
	b := owuiSession(st, sessionCtx("b"))
	b.SetCredential("jwt-b", nil)
	now = now.Add(20 * time.Minute)
	if s := owuiSession(st, sessionCtx("a")); s != a || s.Credential() != "jwt-a" {
		t.Fatal("an active session was replaced")
	}
	// b has been idle for 31 minutes: the next access by anyone sweeps it.
	now = now.Add(11 * time.Minute)
	_, _ = st.get(sessionCtx("a"))
	if st.len() != 1 || b.Credential() != "" {
		t.Fatalf("idle session kept: %d sessions, credential %q", st.len(), b.Credential())
	}
}

// TestIdleSessionIsNotReusedBeforeASweep: a session idle past the limit is
// dropped when it is next used, even while no sweep is due (sweeps run at
// most every quarter of the limit), so a sign-in never outlives its idle
// time by up to a sweep interval.
func TestIdleSessionIsNotReusedBeforeASweep(t *testing.T) {
	c, _ := owui.New("http://127.0.0.1:1")
	st := newSessions(c, "", 30*time.Minute)
	now := time.Unix(1_000_000, 0)
	st.now = func() time.Time { return now }
	a := owuiSession(st, sessionCtx("a"))
	a.SetCredential("jwt-a", nil)
	// A sweep at 29 minutes keeps a (idle 29 minutes); the next sweep is
	// not due until 36.5 minutes.
	now = now.Add(29 * time.Minute)
	owuiSession(st, sessionCtx("b"))
	if a.Credential() != "jwt-a" {
		t.Fatal("the sweep at 29 minutes dropped a")
	}
	now = now.Add(2 * time.Minute)
	if s := owuiSession(st, sessionCtx("a")); s == a || s.Credential() != "" || a.Credential() != "" {
		t.Fatal("a session idle past the limit was reused")
	}
	if st.len() != 2 {
		t.Fatalf("%d sessions, want b and a's new one", st.len())
	}
}

func TestSessionsPerCredentialAndDrop(t *testing.T) {
	c, _ := owui.New("http://127.0.0.1:1")
	st := newSessions(c, "sk-shared", 0)
	plain := owuiSession(st, sessionCtx("s1"))
	if plain.Credential() != "sk-shared" {
		t.Fatalf("starting credential %q", plain.Credential())
	}
	own := owuiSession(st, WithCredential(sessionCtx("s1"), "sk-own", "a header"))
	if own == plain || own.Credential() != "sk-own" {
		t.Fatal("a client's own credential did not get its own session")
	}
	other := owuiSession(st, sessionCtx("s2"))
	if other == plain {
		t.Fatal("two MCP sessions share an Open WebUI session")
	}
	st.drop("s1")
	if st.len() != 1 || own.Credential() != "" || plain.Credential() != "" {
		t.Fatalf("drop left %d sessions", st.len())
	}
	if _, err := st.get(context.Background()); !errors.Is(err, errNoSession) {
		t.Fatalf("no session: %v", err)
	}
	if _, err := st.get(sessionCtx("")); !errors.Is(err, errNoSession) {
		t.Fatalf("empty session id: %v", err)
	}
}
