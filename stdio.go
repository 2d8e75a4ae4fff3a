package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/rpcmsg"
	"github.com/owui-mcp/owui-mcp/tools"
)

// serveStdio serves one client on stdin/stdout until stdin ends or ctx is
// cancelled (SIGINT/SIGTERM). Either way every request already read gets its
// answer first, within the grace period: mcp-go itself would cancel calls in
// flight the moment its input ends.
func serveStdio(ctx context.Context, srv *tools.Server, cfg *config, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	t := newTracker()
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
	in := &trackedReader{r: stdin, t: t, grace: cfg.grace, atEOF: func() {
		// A client that ended its input is leaving: a call waiting for a
		// browser page answers now rather than after the grace period.
		if p := srv.Pages(); p != nil {
			p.Withdraw()
		}
	}}
	out := &trackedWriter{w: stdout, t: t}
	stdio := server.NewStdioServer(srv.MCP)
	stdio.SetErrorLogger(slog.NewLogLogger(log.Handler(), slog.LevelError))
	err := stdio.Listen(listenCtx, in, out)
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// tracker records the JSON-RPC requests read and not yet answered, so that
// the end of input can wait until every one of them has its answer.
type tracker struct {
	mu      sync.Mutex
	pending map[string]int // by request id
	changed chan struct{}
}

func newTracker() *tracker {
	return &tracker{pending: map[string]int{}, changed: make(chan struct{}, 1)}
}

func (t *tracker) add(id string, n int) {
	t.mu.Lock()
	t.pending[id] += n
	if t.pending[id] <= 0 {
		delete(t.pending, id)
	}
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

func (t *tracker) wait(ctx context.Context) {
	for {
		t.mu.Lock()
		n := len(t.pending)
		t.mu.Unlock()
		if n == 0 {
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

type trackedReader struct {
	r     io.Reader
	t     *tracker
	lines lines
	grace time.Duration
	atEOF func() // if not nil, run at the end of input before waiting
}

func (r *trackedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.lines.feed(p[:n], func(line []byte) {
		if id, answer, ok := rpcmsg.Classify(line, false); ok && !answer {
			r.t.add(id, 1)
		}
	})
	if errors.Is(err, io.EOF) {
		if r.atEOF != nil {
			r.atEOF()
		}
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
		if id, answer, ok := rpcmsg.Classify(line, true); ok && answer {
			w.t.add(id, -1)
		}
	})
	return n, err
}
