package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/tools"
)

// serveStdio serves one client on stdin/stdout until stdin ends or ctx is
// cancelled (SIGINT/SIGTERM). Either way every request already read gets its
// answer first, within the grace period.
func serveStdio(ctx context.Context, srv *tools.Server, cfg *config, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	defer oneProcessor()()
	in, restore := pollableStdin(stdin)
	defer restore()
	c := newStdioConn(srv.MCP, in, stdout, log)
	c.atEOF = func() {
		// A client that ended its input is leaving: a call waiting for a
		// browser page answers now rather than after the grace period.
		if p := srv.Pages(); p != nil {
			p.Withdraw()
		}
	}
	return c.serve(ctx, cfg.grace, srv.Drain)
}

// oneProcessor runs Go code on one processor while serving stdio, unless
// GOMAXPROCS says otherwise, and returns what restores the default.
//
// A stdio server serves one client, a call at a time for the most part,
// and its calls wait on Open WebUI far longer than they compute. With
// several processors each hand-off between goroutines (the reader, the
// call, net/http's connection goroutines, --demo's Open WebUI) may wake
// another thread and move the work to another core; on one processor the
// goroutine that is woken runs next, on the thread already running. On two
// cores that cut the added cost of a call from 54 to 24 us with --demo and
// from 155 to 122 us with Open WebUI in a process of its own
// (bench/overhead.sh).
func oneProcessor() (restore func()) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		return func() {}
	}
	runtime.GOMAXPROCS(1)
	return runtime.SetDefaultGOMAXPROCS
}

// maxStdioCalls bounds the requests served at once; past it the reader
// waits, as mcp-go's transport does once its queue is full. Tool calls have
// their own, lower bound per session (tools.DefaultMaxCallsPerSession).
const maxStdioCalls = 256

// stdioConn is owui-mcp's stdio transport: one line per JSON-RPC message,
// served by mcp-go's MCPServer.HandleMessage. It replaces mcp-go's
// StdioServer, which reads each line on a goroutine of its own, parses it up
// to five times before HandleMessage parses it again, queues tool calls
// through a worker pool, and cancels calls in flight when its input ends;
// owui-mcp wrapped it in trackers that parsed every line read and written
// once more to answer before exiting. Here each line is read once into its
// id and method, which is all the transport needs: to route the client's
// answers to the server's own requests, to cancel a call (its cancel
// function is registered before the next line is read, so a cancellation
// sent right after its request always finds it), and to know which
// requests still wait for their answer.
type stdioConn struct {
	mcp  *server.MCPServer
	in   io.Reader
	out  io.Writer
	log  *slog.Logger
	sess *stdioSession

	wmu     sync.Mutex // one message at a time on out
	wfailed bool       // a write failed (logged once)
	wbuf    []byte     // encoding buffer, reused under wmu

	atEOF func()          // run when the input ends, before waiting for calls
	base  context.Context // the session's context, for every message
	slots chan struct{}
	// handoff passes the reader to a goroutine waiting for it; stopped
	// ends the waiting when serving ends.
	handoff chan *bufio.Reader
	stopped chan struct{}

	mu      sync.Mutex
	calls   map[string][]*stdioCall // requests being served, by id
	running int
	idle    chan struct{} // closed when running drops to 0, if someone waits
	closed  bool          // serve has returned: lines still read are dropped
}

// stdioCall is a request being served.
type stdioCall struct {
	cancel context.CancelFunc
	// listen marks subscriptions/listen, which runs until cancelled and so
	// is not waited for when the input ends.
	listen bool
}

func newStdioConn(s *server.MCPServer, in io.Reader, out io.Writer, log *slog.Logger) *stdioConn {
	c := &stdioConn{mcp: s, in: in, out: out, log: log, slots: make(chan struct{}, maxStdioCalls),
		handoff: make(chan *bufio.Reader), stopped: make(chan struct{}), calls: map[string][]*stdioCall{}}
	c.sess = newStdioSession(c)
	return c
}

func (c *stdioConn) serve(ctx context.Context, grace time.Duration, drain func(context.Context) error) error {
	// Calls do not end with ctx: a signal lets them finish within the grace.
	base, cancelAll := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelAll()
	if err := c.mcp.RegisterSession(base, c.sess); err != nil {
		return fmt.Errorf("stdio session: %w", err)
	}
	defer c.mcp.UnregisterSession(base, stdioSessionID)
	c.base = c.mcp.WithContext(base, c.sess)

	stopNotes, notesDone := make(chan struct{}), make(chan struct{})
	go c.forwardNotifications(stopNotes, notesDone)
	readDone := make(chan error, 1)
	go c.read(bufio.NewReaderSize(c.in, 64<<10), readDone)

	var readErr error
	select {
	case readErr = <-readDone:
		// Nothing the client could still send will be read: requests to it
		// fail now rather than at the end of the grace.
		c.sess.clientGone()
		if c.atEOF != nil {
			c.atEOF()
		}
		c.cancelCalls(true)
		gctx, gcancel := context.WithTimeout(context.Background(), grace)
		c.waitCalls(gctx)
		gcancel()
	case <-ctx.Done():
		gctx, gcancel := context.WithTimeout(context.Background(), grace)
		_ = drain(gctx) // refuse new calls, let running ones finish
		c.cancelCalls(true)
		c.waitCalls(gctx) // and have their answers written
		gcancel()
	}
	if n := c.cancelCalls(false); n > 0 {
		c.log.Warn("stdio: calls still running after the shutdown grace were cancelled", "calls", n, "grace", grace)
		// Cancelled calls return at once; give them a moment to answer.
		wctx, wcancel := context.WithTimeout(context.Background(), time.Second)
		c.waitCalls(wctx)
		wcancel()
	}
	cancelAll()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	close(c.stopped)
	close(stopNotes)
	select {
	case <-notesDone:
	case <-time.After(time.Second): // a write stuck on a client that no longer reads
	}
	if d, ok := c.in.(interface{ SetReadDeadline(time.Time) error }); ok {
		_ = d.SetReadDeadline(time.Now()) // release the reader, where the input allows it
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return fmt.Errorf("reading stdin: %w", readErr)
	}
	return nil
}

// read reads and dispatches lines until the input ends, and then says why
// on done. The goroutine that reads a request serves it, handing the
// reader on first: the call starts at once, on a processor that is already
// running and with the line in its cache, instead of waiting for another
// goroutine to be scheduled (10 to 20 us here, on two cores). The request
// is registered before the next line can be read. The reader goes to a
// goroutine that has finished serving a call and waits for it (its stack
// has grown to what serving takes, which a new goroutine's would have to
// do again, copying it: 5 us a call), or else to a new one.
func (c *stdioConn) read(r *bufio.Reader, done chan<- error) {
	for {
		line, err := r.ReadBytes('\n')
		// A last line without its newline is served too; an empty line gets
		// the parse error mcp-go answers it with.
		if err == nil || len(bytes.TrimSpace(line)) > 0 {
			if req := c.dispatch(line); req != nil {
				if err != nil {
					done <- err
				} else {
					select {
					case c.handoff <- r:
					default:
						go c.read(r, done)
					}
				}
				c.serveCall(req)
				select {
				case r = <-c.handoff:
					continue
				case <-c.stopped:
					return
				}
			}
		}
		if err != nil {
			done <- err
			return
		}
	}
}

var null = []byte("null")

// dispatch handles a line that needs no answer, or one that can be given
// at once, and registers a request, which it returns for the caller to
// serve.
func (c *stdioConn) dispatch(line []byte) *stdioRequest {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil
	}
	h, ok := scanHead(line)
	if !ok {
		h = head{}
		if err := json.Unmarshal(line, &h); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				c.send(mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(nil),
					Error: mcp.NewJSONRPCErrorDetails(mcp.PARSE_ERROR, "Parse error", nil)})
				return nil
			}
			// JSON, but not a message: HandleMessage gives mcp-go's answer.
			c.serveNow(line)
			return nil
		}
	}
	if (len(h.Result) > 0 || len(h.Error) > 0) && c.sess.deliver(h.ID, h.Result, h.Error) {
		return nil
	}
	if len(h.ID) == 0 || bytes.Equal(h.ID, null) {
		if h.Method == string(mcp.MethodNotificationCancelled) && c.cancelRequest(h.Params) {
			return nil
		}
		c.serveNow(line)
		return nil
	}
	return c.register(h, line)
}

// serveNow serves a notification (or what HandleMessage will refuse) on
// the reader, as mcp-go does: it has no answer to wait for.
func (c *stdioConn) serveNow(line []byte) {
	if resp := c.handle(c.base, nil, line); resp != nil {
		c.send(resp)
	}
}

// stdioRequest is a request registered and not yet answered.
type stdioRequest struct {
	ctx  context.Context
	key  string
	id   json.RawMessage
	line []byte
	call *stdioCall
}

// register counts a request in and makes it cancellable, waiting first
// while maxStdioCalls are being served.
func (c *stdioConn) register(h head, line []byte) *stdioRequest {
	c.slots <- struct{}{}
	ctx, cancel := context.WithCancel(c.base)
	req := &stdioRequest{ctx: ctx, key: callKey(h.ID), id: h.ID, line: line,
		call: &stdioCall{cancel: cancel, listen: h.Method == string(mcp.MethodSubscriptionsListen)}}
	c.mu.Lock()
	c.calls[req.key] = append(c.calls[req.key], req.call)
	c.running++
	c.mu.Unlock()
	return req
}

// serveCall serves a registered request and writes its answer.
func (c *stdioConn) serveCall(req *stdioRequest) {
	defer func() {
		req.call.cancel()
		c.finish(req.key, req.call)
		<-c.slots
	}()
	if resp := c.handle(req.ctx, req.id, req.line); resp != nil {
		c.send(resp)
	}
}

func (c *stdioConn) finish(key string, call *stdioCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls[key]
	for i, x := range calls {
		if x == call {
			calls = append(calls[:i], calls[i+1:]...)
			break
		}
	}
	if len(calls) == 0 {
		delete(c.calls, key)
	} else {
		c.calls[key] = calls
	}
	c.running--
	if c.running == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// cancelRequest cancels the call a notifications/cancelled names. It
// reports false for params HandleMessage should see (and refuse).
func (c *stdioConn) cancelRequest(params json.RawMessage) bool {
	var p struct {
		RequestID json.RawMessage `json:"requestId"`
	}
	if len(params) > 0 && json.Unmarshal(params, &p) != nil {
		return false
	}
	if len(p.RequestID) == 0 {
		return true
	}
	c.mu.Lock()
	calls := c.calls[callKey(p.RequestID)]
	c.mu.Unlock()
	for _, call := range calls {
		call.cancel()
	}
	return true
}

// cancelCalls cancels the calls being served (only subscriptions/listen
// when listenOnly) and says how many it cancelled.
func (c *stdioConn) cancelCalls(listenOnly bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, calls := range c.calls {
		for _, call := range calls {
			if call.listen || !listenOnly {
				call.cancel()
				n++
			}
		}
	}
	return n
}

// waitCalls waits until every request read has been answered, or ctx ends.
func (c *stdioConn) waitCalls(ctx context.Context) {
	c.mu.Lock()
	if c.running == 0 {
		c.mu.Unlock()
		return
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
	case <-ctx.Done():
	}
}

// handle runs HandleMessage; a panic there becomes an internal error for a
// request and nothing for a notification, and the server keeps serving.
func (c *stdioConn) handle(ctx context.Context, id json.RawMessage, msg []byte) (resp mcp.JSONRPCMessage) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("stdio: a message handler panicked", "panic_type", fmt.Sprintf("%T", r))
			if id != nil {
				resp = errorAnswer(id, mcp.INTERNAL_ERROR, "internal error; the server keeps serving, please report this")
			}
		}
	}()
	return c.mcp.HandleMessage(ctx, msg)
}

func errorAnswer(id json.RawMessage, code int, msg string) mcp.JSONRPCError {
	var v any
	_ = json.Unmarshal(id, &v)
	return mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(v),
		Error: mcp.NewJSONRPCErrorDetails(code, msg, nil)}
}

// send writes an answer or a notification as one line.
func (c *stdioConn) send(msg mcp.JSONRPCMessage) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// Notifications a handler sent before returning go out before its
	// answer, unless the forwarder has already taken them.
	c.flushNotificationsLocked()
	c.writeMessageLocked(msg)
}

// write writes one line the caller has encoded.
func (c *stdioConn) write(line []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.flushNotificationsLocked()
	return c.writeLocked(line)
}

func (c *stdioConn) writeMessageLocked(msg mcp.JSONRPCMessage) {
	b, err := appendMessage(c.wbuf[:0], msg)
	if err != nil {
		c.log.Error("stdio: an answer could not be encoded", "err", err)
		resp, ok := msg.(mcp.JSONRPCResponse)
		if !ok {
			return
		}
		// The request still gets an answer, so the client does not wait forever.
		b, err = appendMessage(c.wbuf[:0], mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: resp.ID,
			Error: mcp.NewJSONRPCErrorDetails(mcp.INTERNAL_ERROR, "the answer could not be encoded", nil)})
		if err != nil {
			return
		}
	}
	_ = c.writeLocked(b)
	if cap(b) <= maxKeptBuffer {
		c.wbuf = b
	}
}

// maxKeptBuffer is the largest encoding buffer kept for the next message:
// an answer of a few KiB is the rule, a large one the exception.
const maxKeptBuffer = 64 << 10

func (c *stdioConn) writeLocked(line []byte) error {
	_, err := c.out.Write(line)
	if err != nil && !c.wfailed {
		c.wfailed = true
		c.log.Error("stdio: writing to stdout failed; the client may be gone", "err", err)
	}
	return err
}

func (c *stdioConn) flushNotificationsLocked() {
	for {
		select {
		case n := <-c.sess.notifications:
			c.writeMessageLocked(n)
		default:
			return
		}
	}
}

// forwardNotifications writes the notifications handlers send, until stop;
// then it writes those still queued.
func (c *stdioConn) forwardNotifications(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case n := <-c.sess.notifications:
			c.wmu.Lock()
			c.writeMessageLocked(n)
			c.flushNotificationsLocked()
			c.wmu.Unlock()
		case <-stop:
			c.wmu.Lock()
			c.flushNotificationsLocked()
			c.wmu.Unlock()
			return
		}
	}
}
