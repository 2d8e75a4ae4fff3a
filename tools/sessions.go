package tools

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
)

// credentialKey carries a hosted client's own Open WebUI credential (from a
// request header) into the tool handlers.
type credentialKey struct{}

type credential struct{ value, from string }

// WithCredential attaches a client's own Open WebUI credential to ctx; it
// becomes the starting credential of that client's session. from says where
// it came from ("the X-OWUI-API-Key header"), for messages.
func WithCredential(ctx context.Context, cred, from string) context.Context {
	if cred == "" {
		return ctx
	}
	return context.WithValue(ctx, credentialKey{}, credential{cred, from})
}

// MaxCredentialsPerSession bounds the Open WebUI sessions one MCP session
// may hold, one per credential it has sent: a client switching keys gets a
// session per key, a client sending a new key with every request does not
// get unbounded memory.
const MaxCredentialsPerSession = 2

var errNoSession = errors.New("this request arrived without an MCP session, so there is nowhere to keep an Open WebUI sign-in; connect with protocol version 2025-11-25 or earlier (owui-mcp's HTTP transport negotiates it) or use stdio")

// sessions maps each MCP client session to its own Open WebUI session, so
// that a token one client obtains is never used for another.
type sessions struct {
	client  *owui.Client
	initial string        // server-wide starting credential (OWUI_API_KEY)
	ttl     time.Duration // idle time after which a session is forgotten; 0: never
	now     func() time.Time

	mu        sync.Mutex
	m         map[string]map[string]*entry // MCP session id -> credential hash -> entry
	n         int
	lastSweep time.Time
}

type entry struct {
	s    *owui.Session
	from string // where the starting credential came from; "" if none
	last time.Time
}

func newSessions(c *owui.Client, initial string, ttl time.Duration) *sessions {
	return &sessions{client: c, initial: initial, ttl: ttl, now: time.Now, m: map[string]map[string]*entry{}}
}

// get returns the Open WebUI session of the MCP session in ctx, creating it
// on first use. A client that brings its own credential gets a session of its
// own per credential, so switching keys never mixes identities.
func (st *sessions) get(ctx context.Context) (*entry, error) {
	cs := server.ClientSessionFromContext(ctx)
	if cs == nil || cs.SessionID() == "" {
		return nil, errNoSession
	}
	sid := cs.SessionID()
	key, cred, from := "", st.initial, ""
	if cred != "" {
		from = "OWUI_API_KEY"
	}
	if c, ok := ctx.Value(credentialKey{}).(credential); ok {
		sum := sha256.Sum256([]byte(c.value))
		key, cred, from = string(sum[:8]), c.value, c.from
	}
	now := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sweepLocked(now)
	byCred := st.m[sid]
	if byCred == nil {
		byCred = map[string]*entry{}
		st.m[sid] = byCred
	}
	e := byCred[key]
	if e != nil && st.ttl > 0 && now.Sub(e.last) > st.ttl {
		e.s.Clear() // idle too long, even if no sweep has run since
		e = nil
		st.n--
	}
	if e == nil {
		if len(byCred) >= MaxCredentialsPerSession {
			st.evictOldestLocked(byCred)
		}
		e = &entry{s: st.client.NewSession(cred), from: from}
		byCred[key] = e
		st.n++
	}
	e.last = now
	return e, nil
}

// evictOldestLocked forgets the least recently used session of byCred.
func (st *sessions) evictOldestLocked(byCred map[string]*entry) {
	var oldest string
	found := false
	for k, e := range byCred {
		if !found || e.last.Before(byCred[oldest].last) {
			oldest, found = k, true
		}
	}
	byCred[oldest].s.Clear()
	delete(byCred, oldest)
	st.n--
}

// drop forgets every Open WebUI session of an MCP session that ended.
func (st *sessions) drop(sid string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, e := range st.m[sid] {
		e.s.Clear()
		st.n--
	}
	delete(st.m, sid)
}

// sweepLocked forgets sessions idle for longer than ttl. It runs on access,
// at most every ttl/4, so no goroutine has to be stopped.
func (st *sessions) sweepLocked(now time.Time) {
	if st.ttl <= 0 || now.Sub(st.lastSweep) < st.ttl/4 {
		return
	}
	st.lastSweep = now
	for sid, byCred := range st.m {
		for k, e := range byCred {
			if now.Sub(e.last) > st.ttl {
				e.s.Clear()
				delete(byCred, k)
				st.n--
			}
		}
		if len(byCred) == 0 {
			delete(st.m, sid)
		}
	}
}

func (st *sessions) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.n
}

// SessionTag identifies a session in logs without revealing it: a session
// id is a bearer capability (SSE even carries it in the URL).
func SessionTag(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	const hexdigits = "0123456789abcdef"
	var b strings.Builder
	for _, c := range sum[:4] {
		b.WriteByte(hexdigits[c>>4])
		b.WriteByte(hexdigits[c&15])
	}
	return b.String()
}
