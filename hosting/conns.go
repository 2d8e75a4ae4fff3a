package hosting

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit bounds the connections open at once. Sessions are bounded on
// their own; this also bounds idle keep-alive connections and connections
// that never become a session. When the bound is reached, an idle
// keep-alive connection makes room for the new one (it costs its client a
// reconnect at most); with none idle, the new one is answered 503 and
// closed rather than held.
type connLimit struct {
	net.Listener
	max int

	mu    sync.Mutex
	open  int
	idle  map[net.Conn]struct{}
	fresh map[net.Conn]struct{} // connected, no request yet
}

// limitConns wraps ln; max <= 0 means no bound. Its track method must be
// the http.Server's ConnState hook.
func limitConns(ln net.Listener, max int) *connLimit {
	return &connLimit{Listener: ln, max: max, idle: map[net.Conn]struct{}{}, fresh: map[net.Conn]struct{}{}}
}

// track follows which connections wait idle between requests.
func (l *connLimit) track(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateIdle:
		l.idle[c] = struct{}{}
		delete(l.fresh, c)
	case http.StateNew:
		l.fresh[c] = struct{}{}
	default:
		delete(l.idle, c)
		delete(l.fresh, c)
	}
}

// closeFresh closes the connections that have not sent a request, on
// shutdown: http.Server.Shutdown waits up to 5 s for each of them, and an
// HTTP client often holds one it dialed and never needed.
func (l *connLimit) closeFresh() {
	l.mu.Lock()
	fresh := make([]net.Conn, 0, len(l.fresh))
	for c := range l.fresh {
		fresh = append(fresh, c)
	}
	l.mu.Unlock()
	for _, c := range fresh {
		_ = c.Close()
	}
}

const tooManyConns = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 75\r\n\r\nservice unavailable: too many connections to this server; try again shortly"

func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		full := l.max > 0 && l.open >= l.max
		var victim net.Conn
		if full {
			for v := range l.idle {
				victim = v
				delete(l.idle, v)
				break
			}
		}
		if !full || victim != nil {
			l.open++
		}
		l.mu.Unlock()
		if victim != nil {
			_ = victim.Close()
		}
		if !full || victim != nil {
			return &countedConn{Conn: c, l: l}, nil
		}
		go func() {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte(tooManyConns))
			_ = c.Close()
		}()
	}
}

type countedConn struct {
	net.Conn
	l    *connLimit
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
