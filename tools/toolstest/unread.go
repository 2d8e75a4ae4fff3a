package toolstest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
)

// UnreadSSE opens an SSE stream on the hosted server at base (http://host:port),
// reads its endpoint event and then never reads again, with a small receive
// window so that the server's writes block soon: a client that posts but
// does not drain its stream. It returns the message URL; the connection
// closes when the test ends.
func UnreadSSE(tb testing.TB, base string) string {
	tb.Helper()
	host := strings.TrimPrefix(base, "http://")
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /sse HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", host)
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			tb.Fatalf("reading the SSE stream: %v", err)
		}
		if endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			return base + endpoint
		}
	}
}
