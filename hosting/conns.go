package hosting

import (
	"net"
	"sync"
	"time"
)

// connLimit bounds the connections open at once: past the bound a new one
// is answered 503 and closed, rather than held. Sessions are bounded on
// their own; this also bounds idle keep-alive connections and connections
// that never become a session.
type connLimit struct {
	net.Listener
	max int

	mu   sync.Mutex
	open int
}

// limitConns wraps ln; max <= 0 means no bound.
func limitConns(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &connLimit{Listener: ln, max: max}
}

const tooManyConns = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 75\r\n\r\nservice unavailable: too many connections to this server; try again shortly"

func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		full := l.open >= l.max
		if !full {
			l.open++
		}
		l.mu.Unlock()
		if !full {
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
