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

func (h mcpGoLogs) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h mcpGoLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return mcpGoLogs{h.Handler.WithAttrs(as), h.min}
}

func (h mcpGoLogs) WithGroup(name string) slog.Handler {
	return mcpGoLogs{h.Handler.WithGroup(name), h.min}
}
