package hosting_test

import (
	"net"
	"strings"
	"testing"
	"time"
)

// A connection that never sent a request (an HTTP client dials spares and
// keeps them) must not hold up shutdown: http.Server.Shutdown alone waits
// up to 5 s for each.
func TestShutdownDoesNotWaitForUnusedConnections(t *testing.T) {
	s := serveReal(t, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // accepted and tracked
	if took := s.stop(); took > 2*time.Second {
		t.Errorf("shutdown took %v with an unused connection open", took)
	}
}
