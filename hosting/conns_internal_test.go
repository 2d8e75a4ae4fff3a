package hosting

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestConnectionsAreBounded: past the bound, with none idle, a new
// connection is told 503 and closed; when one closes, there is room again;
// and an idle keep-alive connection makes room for a new one.
func TestConnectionsAreBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConns(ln, 2)
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	dial()
	first := <-accepted
	<-accepted
	third := dial()
	_ = third.SetReadDeadline(time.Now().Add(2 * time.Second))
	b, _ := io.ReadAll(third)
	if !strings.HasPrefix(string(b), "HTTP/1.1 503 ") || !strings.Contains(string(b), "too many connections") {
		t.Fatalf("third connection got %q", b)
	}
	first.Close()
	dial()
	var second net.Conn
	select {
	case second = <-accepted:
	case <-time.After(2 * time.Second):
		t.Fatal("no room after a connection closed")
	}
	l.track(second, http.StateIdle)
	dial()
	select {
	case <-accepted:
	case <-time.After(2 * time.Second):
		t.Fatal("an idle connection did not make room")
	}
	if _, err := second.Read(make([]byte, 1)); err == nil {
		t.Error("the idle connection was not closed")
	}
}
