package main

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/owui-mcp/owui-mcp/tools"
)

// A session id is a bearer capability: whoever holds one can act in that
// session. mcp-go puts them in its own messages (even inside error texts),
// so every logged string, at every level and from every source, has them
// (and anything else shaped like a UUID) replaced by a short hash that still
// lets lines about one session be matched up.

var idPattern = regexp.MustCompile(`(?i)(mcp-session-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func scrub(s string) string {
	if len(s) < 36 {
		return s
	}
	return idPattern.ReplaceAllStringFunc(s, func(id string) string { return "[id " + tools.SessionTag(id) + "]" })
}

// scrubbing wraps a handler so that nothing it logs carries an id.
type scrubbing struct{ slog.Handler }

func (h scrubbing) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h scrubbing) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = scrubAttr(a)
	}
	return scrubbing{h.Handler.WithAttrs(clean)}
}

func (h scrubbing) WithGroup(name string) slog.Handler { return scrubbing{h.Handler.WithGroup(name)} }

func scrubAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = scrubAttr(ga)
		}
		a.Value = slog.GroupValue(out...)
	case slog.KindAny:
		// Errors and other values are logged as their text: scrub that.
		text := fmt.Sprint(v.Any())
		if clean := scrub(text); clean != text {
			a.Value = slog.StringValue(clean)
		}
	default:
		a.Value = v
	}
	return a
}
