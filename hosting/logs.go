package hosting

import (
	"context"
	"log/slog"
)

// mcpGoLogs adapts the logger for mcp-go's own messages: their routine
// lines (idle sweeps) only show at debug level. Session ids in them are
// scrubbed by the logger itself, as in every other line.
type mcpGoLogs struct {
	slog.Handler
	min slog.Level
}

func mcpGoLogger(log *slog.Logger) *slog.Logger {
	min := slog.LevelWarn
	if log.Enabled(context.Background(), slog.LevelDebug) {
		min = slog.LevelDebug
	}
	return slog.New(mcpGoLogs{log.Handler(), min}).With("component", "mcp-go")
}

// clientCaused are mcp-go's messages about what a client sent (any client
// can post a JSON-RPC response nobody asked for): at error level they would
// let one client fill the log.
var clientCaused = map[string]bool{
	"Failed to handle sampling response": true,
}

func (h mcpGoLogs) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h mcpGoLogs) Handle(ctx context.Context, r slog.Record) error {
	if clientCaused[r.Message] {
		r.Level = slog.LevelDebug
	}
	if r.Level < h.min || !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h mcpGoLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return mcpGoLogs{h.Handler.WithAttrs(as), h.min}
}

func (h mcpGoLogs) WithGroup(name string) slog.Handler {
	return mcpGoLogs{h.Handler.WithGroup(name), h.min}
}
