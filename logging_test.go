package main

import (
	"errors"
	"log"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsAreScrubbed(t *testing.T) {
	const sid = "mcp-session-0b7e6f2a-4c1d-4e5f-9a8b-1c2d3e4f5a6b"
	const bare = "1c9e2f00-aaaa-4bbb-8ccc-ddddeeeeffff"
	var buf syncBuffer
	l, err := newLogger("debug", &buf)
	if err != nil {
		t.Fatal(err)
	}
	l = l.With("session", sid)
	l.Error("Failed for session "+bare, "err", errors.New("no active session found for session "+sid),
		slog.Group("g", "inner", bare), "list", []string{bare})
	l.Debug("plain", "n", 3, "ok", true)
	// The standard log package, which mcp-go also uses, goes the same way.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(l)
	log.Printf("panic recovered in SSE message handler for session %s", bare)
	out := buf.String()
	if strings.Contains(out, "0b7e6f2a") || strings.Contains(out, "1c9e2f00") {
		t.Errorf("an id in the logs:\n%s", out)
	}
	if strings.Count(out, "[id ") < 5 || !strings.Contains(out, "n=3") || !strings.Contains(out, "ok=true") {
		t.Errorf("logs:\n%s", out)
	}
	if scrub(sid) == scrub(bare) {
		t.Error("tags do not tell sessions apart")
	}
}
