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
	// An idle session is never used, even before a sweep has run.
	now = now.Add(31 * time.Minute)
	if s := owuiSession(st, sessionCtx("a")); s == a || s.Credential() != "" {
		t.Fatal("a session idle past the limit was reused")
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
