package tools

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxCallsPerSession bounds the tool calls one MCP session may have
// in flight. It is well below the client's connection pool to Open WebUI
// (owui.MaxConns), so one client with many slow calls cannot take every
// connection and make other clients' calls time out.
const DefaultMaxCallsPerSession = 16

// callSlots hands out the per-session call slots. A session's entry lives
// only while it has calls running or waiting, so ended sessions leave
// nothing behind.
type callSlots struct {
	max int
	mu  sync.Mutex
	m   map[string]*slots
}

type slots struct {
	ch    chan struct{}
	users int // calls holding or waiting for a slot
}

func newCallSlots(max int) *callSlots {
	return &callSlots{max: max, m: map[string]*slots{}}
}

// slotWaitError is a call that never got a slot before its deadline: it was
// never sent, and Open WebUI is not to blame.
type slotWaitError struct {
	max    int
	waited time.Duration
}

func (e slotWaitError) Error() string {
	return fmt.Sprintf("this MCP session already has %d calls in flight (the most one session may have at once), and this call waited %s for one of them to finish without getting its turn. It was not sent to Open WebUI. Wait for the earlier calls to finish, or make fewer calls at once", e.max, e.waited.Round(time.Millisecond))
}

// acquire takes a slot of session sid, waiting while all are taken, until
// ctx ends. release must be called once the call is done.
func (c *callSlots) acquire(ctx context.Context, sid string) (release func(), err error) {
	c.mu.Lock()
	s := c.m[sid]
	if s == nil {
		s = &slots{ch: make(chan struct{}, c.max)}
		c.m[sid] = s
	}
	s.users++
	c.mu.Unlock()
	leave := func() {
		c.mu.Lock()
		if s.users--; s.users == 0 {
			delete(c.m, sid)
		}
		c.mu.Unlock()
	}
	select {
	case s.ch <- struct{}{}:
		return func() { <-s.ch; leave() }, nil
	default:
	}
	start := time.Now()
	select {
	case s.ch <- struct{}{}:
		if ctx.Err() == nil {
			return func() { <-s.ch; leave() }, nil
		}
		<-s.ch // the slot came free just as the wait ran out
	case <-ctx.Done():
	}
	leave()
	return nil, slotWaitError{c.max, time.Since(start)}
}
