package hosting

import (
	"context"
	"errors"
	"sync"

	"github.com/google/uuid"
)

var (
	errUnknownSession = errors.New("unknown or ended session")
	errStreamOpen     = errors.New("a listening stream is already open")
)

// sessionIDs is the streamable transport's session-id manager (mcp-go's
// SessionIdManager). It knows the live sessions and nothing else: an ended
// session's id is forgotten, since answering 404 for an id nobody knows
// needs no record of it (mcp-go's stateful manager keeps one per ended
// session, forever). It also counts sessions against the maximum.
type sessionIDs struct {
	mu       sync.Mutex
	live     map[string]context.CancelFunc // id -> ends its listening stream, if one is open
	reserved int                           // initialize requests being served
	max      int
}

func newSessionIDs(max int) *sessionIDs {
	return &sessionIDs{live: map[string]context.CancelFunc{}, max: max}
}

func (m *sessionIDs) Generate() string {
	id := "mcp-session-" + uuid.NewString()
	m.mu.Lock()
	m.live[id] = nil
	m.mu.Unlock()
	return id
}

func (m *sessionIDs) Validate(id string) (isTerminated bool, err error) {
	if !m.known(id) {
		return false, errUnknownSession
	}
	return false, nil
}

// Terminate forgets id, and ends its listening stream: mcp-go's DELETE and
// idle sweep leave that stream open, outside every count.
func (m *sessionIDs) Terminate(id string) (isNotAllowed bool, err error) {
	m.mu.Lock()
	if stop := m.live[id]; stop != nil {
		stop()
	}
	delete(m.live, id)
	m.mu.Unlock()
	return false, nil
}

func (m *sessionIDs) known(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.live[id]
	return ok
}

func (m *sessionIDs) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.live)
}

// reserve takes room for a session about to be created; release gives the
// reservation back once the initialize request is done (the session, if it
// was created, then counts as live).
func (m *sessionIDs) reserve() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.live)+m.reserved >= m.max {
		return false
	}
	m.reserved++
	return true
}

func (m *sessionIDs) release() {
	m.mu.Lock()
	m.reserved--
	m.mu.Unlock()
}

// openStream records id's listening stream, which stop ends: one per
// session.
func (m *sessionIDs) openStream(id string, stop context.CancelFunc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	open, ok := m.live[id]
	switch {
	case !ok:
		return errUnknownSession
	case open != nil:
		return errStreamOpen
	}
	m.live[id] = stop
	return nil
}

func (m *sessionIDs) closeStream(id string) {
	m.mu.Lock()
	if _, ok := m.live[id]; ok {
		m.live[id] = nil
	}
	m.mu.Unlock()
}
