package main

import (
	"context"
	"log/slog"

	"github.com/owui-mcp/owui-mcp/tools"
)

// mcpGoLogs adapts the logger for mcp-go's own messages: session ids in them
// are hashed, since anyone holding one can act in that session, and their
// routine lines (idle sweeps) only show at debug level.
type mcpGoLogs struct {
	slog.Handler
	min slog.Level
}

func newMCPGoLogger(log *slog.Logger) *slog.Logger {
	min := slog.LevelWarn
	if log.Enabled(context.Background(), slog.LevelDebug) {
		min = slog.LevelDebug
	}
	return slog.New(mcpGoLogs{log.Handler(), min}).With("component", "mcp-go")
}

func (h mcpGoLogs) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h mcpGoLogs) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "session", "sessionID", "sessionId", "mcp.session.id":
			a = slog.String("session", tools.SessionTag(a.Value.String()))
		}
		out.AddAttrs(a)
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h mcpGoLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return mcpGoLogs{h.Handler.WithAttrs(as), h.min}
}

func (h mcpGoLogs) WithGroup(name string) slog.Handler {
	return mcpGoLogs{h.Handler.WithGroup(name), h.min}
}
