package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/tools"
)

// serveStdio serves one client on stdin/stdout until stdin ends or ctx is
// cancelled (SIGINT/SIGTERM). Either way every request already read gets its
// answer first, within the grace period: mcp-go itself would cancel calls in
// flight the moment its input ends.
func serveStdio(ctx context.Context, srv *tools.Server, cfg *config, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	t := &tracker{changed: make(chan struct{}, 1)}
	listenCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
			gctx, gcancel := context.WithTimeout(context.Background(), cfg.grace)
			_ = srv.Drain(gctx) // refuse new calls, let running ones finish
			t.wait(gctx)        // and have their answers written
			gcancel()
			cancel()
		case <-listenCtx.Done():
		}
	}()
	in := &trackedReader{r: stdin, t: t, grace: cfg.grace}
	out := &trackedWriter{w: stdout, t: t}
	stdio := server.NewStdioServer(srv.MCP)
	stdio.SetErrorLogger(slog.NewLogLogger(log.Handler(), slog.LevelError))
	err := stdio.Listen(listenCtx, in, out)
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// tracker counts JSON-RPC requests read and responses written, so that the
// end of input can wait until every request has been answered.
type tracker struct {
	mu      sync.Mutex
	pending int
	changed chan struct{}
}

func (t *tracker) add(n int) {
	if n == 0 {
		return
	}
	t.mu.Lock()
	t.pending += n
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

func (t *tracker) wait(ctx context.Context) {
	for {
		t.mu.Lock()
		p := t.pending
		t.mu.Unlock()
		if p <= 0 {
			return
		}
		select {
		case <-t.changed:
		case <-ctx.Done():
			return
		}
	}
}

// lines splits a byte stream into complete lines.
type lines struct{ partial []byte }

func (l *lines) feed(p []byte, each func([]byte)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			return
		}
		line := p[:i]
		if len(l.partial) > 0 {
			line = append(l.partial, line...)
			l.partial = l.partial[:0]
		}
		each(line)
		p = p[i+1:]
	}
}

// message is just enough of a JSON-RPC message to tell its kind.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// kind tells a request (which will be answered) from a response. A line
// that is not JSON counts as a request: it is answered with a parse error,
// whose id is null.
func kind(line []byte) (isRequest, isResponse bool) {
	if len(bytes.TrimSpace(line)) == 0 {
		return false, false
	}
	var m message
	if json.Unmarshal(line, &m) != nil {
		return true, false
	}
	if m.Method != "" {
		return len(m.ID) > 0 && string(m.ID) != "null", false
	}
	return false, len(m.Result) > 0 || len(m.Error) > 0
}

type trackedReader struct {
	r     io.Reader
	t     *tracker
	lines lines
	grace time.Duration
}

func (r *trackedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.lines.feed(p[:n], func(line []byte) {
		if req, _ := kind(line); req {
			r.t.add(1)
		}
	})
	if errors.Is(err, io.EOF) {
		ctx, cancel := context.WithTimeout(context.Background(), r.grace)
		r.t.wait(ctx)
		cancel()
	}
	return n, err
}

type trackedWriter struct {
	w     io.Writer
	t     *tracker
	lines lines
}

func (w *trackedWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.lines.feed(p[:n], func(line []byte) {
		if _, resp := kind(line); resp {
			w.t.add(-1)
		}
	})
	return n, err
}
