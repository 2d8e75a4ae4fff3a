package hosting

import (
	"runtime"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

func heapInUse() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestEndedSessionIDsAreForgotten opens and ends 100,000 sessions: the heap
// stays flat, and an ended id is as unknown as one never issued. mcp-go's
// stateful manager, for comparison, keeps every ended id.
func TestEndedSessionIDsAreForgotten(t *testing.T) {
	const n = 100_000
	cycle := func(m server.SessionIdManager) int64 {
		before := heapInUse()
		for range n {
			id := m.Generate()
			if _, err := m.Validate(id); err != nil {
				t.Fatal(err)
			}
			_, _ = m.Terminate(id)
		}
		after := heapInUse()
		runtime.KeepAlive(m)
		return int64(after) - int64(before)
	}
	ours := newSessionIDs(10)
	growth := cycle(ours)
	theirs := cycle(&server.InsecureStatefulSessionIdManager{})
	t.Logf("heap growth after %d sessions: %d bytes (mcp-go's stateful manager: %d bytes)", n, growth, theirs)
	if growth > 64<<10 {
		t.Errorf("the heap grew by %d bytes over %d sessions", growth, n)
	}
	id := ours.Generate()
	_, _ = ours.Terminate(id)
	if _, err := ours.Validate(id); err == nil {
		t.Error("an ended session id is still valid")
	}
	if _, err := ours.Validate("mcp-session-never-issued"); err == nil {
		t.Error("a made-up session id is valid")
	}
	if ours.len() != 0 {
		t.Errorf("%d ids kept", ours.len())
	}
}

// TestSessionReservations: room for a session is taken before it is made,
// so concurrent initializes cannot overshoot the maximum.
func TestSessionReservations(t *testing.T) {
	m := newSessionIDs(2)
	for i, want := range []bool{true, true, false} {
		if got := m.reserve(); got != want {
			t.Fatalf("reservation %d: %v, want %v (the maximum is 2)", i+1, got, want)
		}
	}
	m.Generate()
	m.release()
	if m.reserve() {
		t.Fatal("a live session and a reservation make two")
	}
	m.release()
	if !m.reserve() {
		t.Fatal("no room after a release")
	}
}
