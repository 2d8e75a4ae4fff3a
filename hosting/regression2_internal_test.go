package hosting

// Regression tests from a second attack on the hosted mode (internal
// part): each failed before the hole it names was closed.

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// TestPendingCountNotTakenAfterRelease: a POST /message finds its session,
// then parses its body before counting the answer to come; if the stream
// ends in between, nothing is counted. Counted after the release, the
// count was never given back: 1,024 of them and every SSE client got 429
// for the life of the process (in about 40 s in the attack).
func TestPendingCountNotTakenAfterRelease(t *testing.T) {
	s := newSSEStreams(10)
	if !s.reserve() {
		t.Fatal("reserve")
	}
	st := &sseStream{cancel: func() {}}
	id, err := s.newID(context.WithValue(context.Background(), streamKey{}, st), httptest.NewRequest("GET", "/sse", nil))
	if err != nil {
		t.Fatal(err)
	}
	got := s.get(id)   // serveSSEMessage: the session is live
	s.release(st)      // the stream ends while the body is being parsed
	s.expect(got, 100) // serveSSEMessage: count the answer to come
	s.mu.Lock()
	pending := s.pending
	s.mu.Unlock()
	if pending != 0 {
		t.Errorf("%d answers counted as waiting with no session open: the count leaked and is never given back", pending)
	}
}

// TestAnsweredAgreesWithMCPGo: answered says "an answer will be written on
// the stream" exactly when mcp-go's HandleMessage returns one. A message
// mcp-go answered but answered did not count ("result" set, "method" not a
// string) bypassed the bound: one client that did not read its stream took
// the server from 19 MB to 4.3 GB in 29 s in the attack.
func TestAnsweredAgreesWithMCPGo(t *testing.T) {
	mcp := server.NewMCPServer("t", "1", server.WithToolCapabilities(false))
	bodies := []string{
		`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1,"result":{}}`,
		`{"jsonrpc":"2.0","id":1,"result":null,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1,"error":{}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","method":1}`,
		`{"jsonrpc":"2.0","id":1,"method":1}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":1}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":{}}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":[]}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":true}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":1,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1,"result":{},"METHOD":2}`,
		`{"jsonrpc":"2.0","id":1,"result":1,"method":null}`,
		`{"jsonrpc":2,"id":1,"result":1}`,
		`{"jsonrpc":"1.0","id":1,"result":1}`,
		`[1]`,
		`"x"`,
	}
	for _, b := range bodies {
		want := mcp.HandleMessage(context.Background(), json.RawMessage(b)) != nil
		if got, _ := answered([]byte(b)); got != want {
			t.Errorf("%s: answered says %v, mcp-go answers: %v", b, got, want)
		}
	}
}
