package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// The stdio transport (stdio.go) through the MCP protocol: mcp-go's own
// client, or raw JSON-RPC lines, against the transport over io.Pipe, with
// owui-mcp's tool server behind it and test-only tools added to it.

// pipeServer is the stdio transport serving srv over a pair of pipes.
type pipeServer struct {
	srv    *tools.Server
	toSrv  *io.PipeWriter // the client's stdout: the server's stdin
	fromS  *io.PipeReader // the server's stdout
	done   chan error     // serve's result
	cancel context.CancelFunc
}

// newToolServer is owui-mcp's tool server against a fresh emulator.
func newToolServer(t testing.TB) *tools.Server {
	t.Helper()
	emu := lcEmulator(t)
	c, err := owui.New(emu.URL, owui.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return tools.NewServer(tools.Config{Client: c, Version: "test"})
}

func startPipeServer(t testing.TB, srv *tools.Server, grace time.Duration) *pipeServer {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(bg)
	p := &pipeServer{srv: srv, toSrv: inW, fromS: outR, done: make(chan error, 1), cancel: cancel}
	// As serveStdio does: one processor, so that nothing here relies on
	// goroutines running in parallel.
	restore := oneProcessor()
	t.Cleanup(restore)
	go func() {
		err := newStdioConn(srv.MCP, inR, outW, slog.New(slog.DiscardHandler)).serve(ctx, grace, srv.Drain)
		outW.Close()
		inR.Close()
		p.done <- err
	}()
	t.Cleanup(func() {
		inW.Close()
		cancel()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Error("the stdio transport did not stop")
		}
	})
	return p
}

// waitServed fails unless serve returns (nil) within limit.
func (p *pipeServer) waitServed(t testing.TB, limit time.Duration) {
	t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
		p.done <- nil // for the cleanup
	case <-time.After(limit):
		t.Fatalf("serve still running %v later", limit)
	}
}

// mcpClient is mcp-go's client on the pipes, initialized with protocol
// 2025-11-25 (the one with server-to-client requests).
func (p *pipeServer) mcpClient(t testing.TB, opts ...client.ClientOption) *client.Client {
	t.Helper()
	tr := transport.NewIO(p.fromS, p.toSrv, io.NopCloser(strings.NewReader("")))
	c := client.NewClient(tr, append([]client.ClientOption{client.WithProtocolVersion(mcp.ProtocolVersion20251125)}, opts...)...)
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(bg, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: mcp.ProtocolVersion20251125, ClientInfo: mcp.Implementation{Name: "pipe-test", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// rawMsg is a line the server wrote, read as a JSON-RPC message.
type rawMsg struct {
	lcMessage
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	line   string
}

func (p *pipeServer) rawLines(t testing.TB) <-chan rawMsg {
	t.Helper()
	ch := make(chan rawMsg, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(p.fromS)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m rawMsg
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("stdout line %q is not JSON-RPC", sc.Text())
				continue
			}
			m.line = sc.Text()
			ch <- m
		}
	}()
	return ch
}

// send writes lines in one write, as a client that batches them would.
func (p *pipeServer) send(t testing.TB, lines ...string) {
	t.Helper()
	if _, err := io.WriteString(p.toSrv, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
}

func nextMsg(t testing.TB, ch <-chan rawMsg) rawMsg {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("the server's output ended")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return rawMsg{}
}

// rawInit does the handshake by hand.
func rawInit(t testing.TB, p *pipeServer, lines <-chan rawMsg) {
	t.Helper()
	p.send(t, `{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	if m := nextMsg(t, lines); string(m.ID) != `"init"` || m.Error != nil {
		t.Fatalf("initialize: %s", m.line)
	}
}

// waitTool is a test-only tool that runs until its call is cancelled (or
// 10 s pass), then says which.
func addWaitTool(srv *tools.Server, started chan<- struct{}) {
	srv.MCP.AddTool(mcp.NewTool("test_wait"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if started != nil {
			started <- struct{}{}
		}
		select {
		case <-ctx.Done():
			return mcp.NewToolResultText("cancelled"), nil
		case <-time.After(10 * time.Second):
			return mcp.NewToolResultText("not cancelled"), nil
		}
	})
}

// TestStdioCancelRightAfterRequest: a notifications/cancelled that arrives
// in the same write as its request, before the call has even started,
// cancels it. mcp-go's transport handed the call to a worker and handled
// the cancellation on the reader, so the cancellation could come first and
// be lost, leaving the call to run to its end.
func TestStdioCancelRightAfterRequest(t *testing.T) {
	srv := newToolServer(t)
	addWaitTool(srv, nil)
	p := startPipeServer(t, srv, 5*time.Second)
	lines := p.rawLines(t)
	rawInit(t, p, lines)
	const n = 50
	start := time.Now()
	for i := range n {
		id := fmt.Sprint(10 + i)
		p.send(t, `{"jsonrpc":"2.0","id":`+id+`,"method":"tools/call","params":{"name":"test_wait","arguments":{}}}`,
			`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":`+id+`,"reason":"changed my mind"}}`)
	}
	for range n {
		// A call whose cancellation arrives while it waits for one of
		// the session's call slots (others not yet finished) ends there,
		// never started: cancelled too.
		m := nextMsg(t, lines)
		if m.text() != "cancelled" && !strings.Contains(m.text(), "It was not sent to Open WebUI") {
			t.Errorf("call %s: %s", m.ID, m.line)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("%d cancelled calls took %v", n, d)
	}
	// A string id is cancelled by the same string; other calls go on.
	p.send(t, `{"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"test_wait","arguments":{}}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a-1"}}`,
		`{"jsonrpc":"2.0","id":"a-2","method":"tools/list"}`)
	got := map[string]rawMsg{}
	for range 2 {
		m := nextMsg(t, lines)
		got[string(m.ID)] = m
	}
	if got[`"a-1"`].text() != "cancelled" || got[`"a-2"`].Result == nil {
		t.Errorf("%+v", got)
	}
}

// TestStdioCancelAfterStart: the usual case, a call cancelled while it
// runs, through mcp-go's client (which sends notifications/cancelled when
// its context ends); the session goes on.
func TestStdioCancelAfterStart(t *testing.T) {
	srv := newToolServer(t)
	started := make(chan struct{}, 1)
	addWaitTool(srv, started)
	p := startPipeServer(t, srv, 5*time.Second)
	c := p.mcpClient(t)
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error, 1)
	go func() {
		_, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "test_wait"}})
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled call returned %v", err)
	}
	if _, err := c.ListTools(bg, mcp.ListToolsRequest{}); err != nil {
		t.Errorf("after the cancellation: %v", err)
	}
}

// TestStdioConcurrentCalls: calls are served at once, not one after the
// other: eight calls of a tool that waits until all eight are running
// finish (mcp-go's transport ran five at most), and real tool calls in
// between get their own answers.
func TestStdioConcurrentCalls(t *testing.T) {
	srv := newToolServer(t)
	const n = 8
	var running atomic.Int32
	all := make(chan struct{})
	srv.MCP.AddTool(mcp.NewTool("test_barrier"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if running.Add(1) == n {
			close(all)
		}
		select {
		case <-all:
			return mcp.NewToolResultText("together"), nil
		case <-time.After(5 * time.Second):
			return mcp.NewToolResultError("alone"), nil
		}
	})
	p := startPipeServer(t, srv, 5*time.Second)
	c := p.mcpClient(t)
	if _, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin",
		Arguments: map[string]any{"email": lcEmail, "password": lcPassword}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "test_barrier"}})
			if err != nil || res.IsError || mcp.GetTextFromContent(res.Content[0]) != "together" {
				t.Errorf("barrier call: %v %+v", err, res)
			}
		})
		wg.Go(func() {
			res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_session_user"}})
			if err != nil || res.IsError || !strings.Contains(mcp.GetTextFromContent(res.Content[0]), lcEmail) {
				t.Errorf("get_session_user: %v %+v", err, res)
			}
		})
	}
	wg.Wait()
}

// elicitHandler answers URL elicitations with accept and form ones with a
// name, and remembers what it was asked.
type elicitHandler struct {
	mu   sync.Mutex
	seen []mcp.ElicitationParams
}

func (h *elicitHandler) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	h.seen = append(h.seen, req.Params)
	h.mu.Unlock()
	res := &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}}
	if req.Params.Mode != mcp.ElicitationModeURL {
		res.Content = map[string]any{"name": "Ana"}
	}
	return res, nil
}

// addElicitTool is a test-only tool doing what issue 12's sign-in does
// without a password: read the client's capabilities and version, ask for
// a URL interaction, say it is complete, and ask for a form as well.
func addElicitTool(srv *tools.Server) {
	srv.MCP.AddTool(mcp.NewTool("test_elicit"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		s := server.ServerFromContext(ctx)
		cs := server.ClientSessionFromContext(ctx)
		info, ok := cs.(server.SessionWithClientInfo)
		if !ok || info.GetClientCapabilities().Elicitation == nil {
			return mcp.NewToolResultError("no elicitation capability"), nil
		}
		url, err := s.RequestURLElicitation(ctx, cs, "el-1", "https://owui.example/auth/confirm", "Sign in on this page")
		if err != nil {
			return mcp.NewToolResultError("url: " + err.Error()), nil
		}
		if err := s.SendElicitationComplete(ctx, cs, "el-1"); err != nil {
			return mcp.NewToolResultError("complete: " + err.Error()), nil
		}
		form, err := s.RequestElicitation(ctx, mcp.ElicitationRequest{Params: mcp.ElicitationParams{
			Message: "Your name?", RequestedSchema: map[string]any{"type": "object",
				"properties": map[string]any{"name": map[string]any{"type": "string"}}}}})
		if err != nil {
			return mcp.NewToolResultError("form: " + err.Error()), nil
		}
		return mcp.NewToolResultText(fmt.Sprintf("%s session=%s client=%s url=%s form=%s %v", server.RequestProtocolVersion(ctx),
			cs.SessionID(), info.GetClientInfo().Name, url.Action, form.Action, form.Content)), nil
	})
}

// TestStdioElicitationRoundTrip: a tool asks the client over stdio (URL
// mode, then a form), the client's answers come back to it, and the
// elicitation-complete notification reaches the client; the session is
// the one the hooks saw registered, with the client's info and version.
func TestStdioElicitationRoundTrip(t *testing.T) {
	srv := newToolServer(t)
	addElicitTool(srv)
	var registered, unregistered atomic.Value
	srv.MCP.GetHooks().AddOnRegisterSession(func(_ context.Context, cs server.ClientSession) { registered.Store(cs.SessionID()) })
	srv.MCP.GetHooks().AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) { unregistered.Store(cs.SessionID()) })
	p := startPipeServer(t, srv, 5*time.Second)
	h := &elicitHandler{}
	c := p.mcpClient(t, client.WithElicitationHandler(h))
	completed := make(chan string, 1)
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == string(mcp.MethodNotificationElicitationComplete) {
			id, _ := n.Params.AdditionalFields["elicitationId"].(string)
			completed <- id
		}
	})
	res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "test_elicit"}})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	want := "2025-11-25 session=stdio client=pipe-test url=accept form=accept map[name:Ana]"
	if got := mcp.GetTextFromContent(res.Content[0]); got != want {
		t.Errorf("the tool saw %q, want %q", got, want)
	}
	select {
	case id := <-completed:
		if id != "el-1" {
			t.Errorf("completed %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Error("no notifications/elicitation/complete")
	}
	h.mu.Lock()
	if len(h.seen) != 2 || h.seen[0].Mode != mcp.ElicitationModeURL || h.seen[0].URL != "https://owui.example/auth/confirm" || h.seen[0].ElicitationID != "el-1" {
		t.Errorf("the client was asked %+v", h.seen)
	}
	h.mu.Unlock()
	if registered.Load() != stdioSessionID {
		t.Errorf("registered %v", registered.Load())
	}
	_ = c.Close()
	p.waitServed(t, 5*time.Second)
	if unregistered.Load() != stdioSessionID {
		t.Errorf("unregistered %v", unregistered.Load())
	}
}

// TestStdioSamplingAndRoots: the other requests a server may send its
// client (mcp-go's stdio session offers them too) travel the same way.
func TestStdioSamplingAndRoots(t *testing.T) {
	srv := newToolServer(t)
	srv.MCP.AddTool(mcp.NewTool("test_ask"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		s := server.ServerFromContext(ctx)
		//lint:ignore SA1019 sampling is deprecated in 2026-07-28, but the stdio session still offers it to earlier clients
		msg, err := s.RequestSampling(ctx, mcp.CreateMessageRequest{CreateMessageParams: mcp.CreateMessageParams{
			Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: mcp.NewTextContent("hi")}}, MaxTokens: 5}})
		if err != nil {
			return mcp.NewToolResultError("sampling: " + err.Error()), nil
		}
		roots, err := s.RequestRoots(ctx, mcp.ListRootsRequest{})
		if err != nil {
			return mcp.NewToolResultError("roots: " + err.Error()), nil
		}
		text, _ := msg.Content.(mcp.TextContent)
		return mcp.NewToolResultText(fmt.Sprintf("%s %s %d", msg.Model, text.Text, len(roots.Roots))), nil
	})
	p := startPipeServer(t, srv, 5*time.Second)
	c := p.mcpClient(t, client.WithSamplingHandler(samplerFunc(func(context.Context, mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
		return &mcp.CreateMessageResult{Model: "m1", SamplingMessage: mcp.SamplingMessage{Role: mcp.RoleAssistant, Content: mcp.NewTextContent("hello")}}, nil
	})), client.WithRootsHandler(rootsFunc(func(context.Context, mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
		return &mcp.ListRootsResult{Roots: []mcp.Root{{URI: "file:///a", Name: "a"}, {URI: "file:///b", Name: "b"}}}, nil
	})))
	res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "test_ask"}})
	if err != nil || res.IsError || mcp.GetTextFromContent(res.Content[0]) != "m1 hello 2" {
		t.Fatalf("%v %+v", err, res)
	}
}

type samplerFunc func(context.Context, mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error)

func (f samplerFunc) CreateMessage(ctx context.Context, r mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	return f(ctx, r)
}

type rootsFunc func(context.Context, mcp.ListRootsRequest) (*mcp.ListRootsResult, error)

func (f rootsFunc) ListRoots(ctx context.Context, r mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
	return f(ctx, r)
}

// TestStdioEndOfInputAnswersFirst: when the input ends, a call that waits
// on the client (an elicitation nobody will answer) fails at once instead
// of at the end of the grace, a call that waits on Open WebUI-like work
// still gets its real answer, and serve returns once both are written.
func TestStdioEndOfInputAnswersFirst(t *testing.T) {
	srv := newToolServer(t)
	addElicitTool(srv)
	srv.MCP.AddTool(mcp.NewTool("test_slow"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		select {
		case <-time.After(300 * time.Millisecond):
			return mcp.NewToolResultText("slow done"), nil
		case <-ctx.Done():
			return mcp.NewToolResultError("cancelled"), nil
		}
	})
	p := startPipeServer(t, srv, 10*time.Second)
	lines := p.rawLines(t)
	p.send(t, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	nextMsg(t, lines)
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_elicit","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"test_slow","arguments":{}}}`)
	if m := nextMsg(t, lines); m.Method != string(mcp.MethodElicitationCreate) {
		t.Fatalf("expected the elicitation request, got %s", m.line)
	}
	start := time.Now()
	p.toSrv.Close() // the client goes away without answering
	got := map[string]rawMsg{}
	for range 2 {
		m := nextMsg(t, lines)
		got[string(m.ID)] = m
	}
	if m := got["2"]; m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), "closed its input") {
		t.Errorf("the elicitation call: %s", m.line)
	}
	if m := got["3"]; m.text() != "slow done" {
		t.Errorf("the slow call: %s", m.line)
	}
	p.waitServed(t, 5*time.Second)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("ending took %v", d)
	}
}

// TestStdioSignalDrains: on a signal (ctx cancelled) new tool calls are
// refused, the running one finishes with its answer, and serve returns.
func TestStdioSignalDrains(t *testing.T) {
	srv := newToolServer(t)
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv.MCP.AddTool(mcp.NewTool("test_held"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		started <- struct{}{}
		<-release
		return mcp.NewToolResultText("held done"), nil
	})
	p := startPipeServer(t, srv, 10*time.Second)
	lines := p.rawLines(t)
	rawInit(t, p, lines)
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_held","arguments":{}}}`)
	<-started
	p.cancel()
	time.Sleep(50 * time.Millisecond)
	p.send(t, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"test_held","arguments":{}}}`)
	if m := nextMsg(t, lines); string(m.ID) != "3" || !strings.Contains(m.text(), "shutting down") {
		t.Errorf("a call after the signal: %s", m.line)
	}
	close(release)
	if m := nextMsg(t, lines); string(m.ID) != "2" || m.text() != "held done" {
		t.Errorf("the running call: %s", m.line)
	}
	p.waitServed(t, 5*time.Second)
}

// TestStdioWireForms: lines mcp-go's transport answered in its own way are
// answered the same way: not JSON, JSON that is not a message, an empty
// line, a message without a method, a notification, a last line without
// its newline; a panic in a handler is an internal error and serving goes
// on.
func TestStdioWireForms(t *testing.T) {
	srv := newToolServer(t)
	srv.MCP.GetHooks().AddBeforePing(func(context.Context, any, *mcp.PingRequest) { panic("boom") })
	p := startPipeServer(t, srv, 5*time.Second)
	lines := p.rawLines(t)
	rawInit(t, p, lines)
	p.send(t, `not json`, `[1,2]`, ``, `{"jsonrpc":"2.0","id":4}`, `{"jsonrpc":"2.0","method":"notifications/unknown"}`,
		`{"jsonrpc":"2.0","id":5,"method":"ping"}`, `{"jsonrpc":"2.0","id":6,"method":"tools/list"}`)
	var got []rawMsg
	for range 6 {
		got = append(got, nextMsg(t, lines))
	}
	byID := map[string][]rawMsg{}
	for _, m := range got {
		byID[string(m.ID)] = append(byID[string(m.ID)], m)
	}
	if ms := byID["null"]; len(ms) != 3 {
		t.Errorf("want 3 parse errors with a null id (not JSON, not a message, empty line): %+v", got)
	} else {
		for _, m := range ms {
			if m.Error == nil || m.Error.Code != mcp.PARSE_ERROR {
				t.Errorf("%s", m.line)
			}
		}
	}
	if ms := byID["4"]; len(ms) != 1 || ms[0].Error == nil || ms[0].Error.Code != mcp.METHOD_NOT_FOUND {
		t.Errorf("no method: %+v", ms)
	}
	if ms := byID["5"]; len(ms) != 1 || ms[0].Error == nil || ms[0].Error.Code != mcp.INTERNAL_ERROR || strings.Contains(ms[0].line, "boom") {
		t.Errorf("panic: %+v", ms)
	}
	if ms := byID["6"]; len(ms) != 1 || ms[0].Result == nil {
		t.Errorf("tools/list: %+v", ms)
	}
	if _, err := io.WriteString(p.toSrv, `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`); err != nil {
		t.Fatal(err)
	}
	p.toSrv.Close()
	if m := nextMsg(t, lines); string(m.ID) != "7" || m.Result == nil {
		t.Errorf("last line without a newline: %s", m.line)
	}
	p.waitServed(t, 5*time.Second)
}

// TestStdioTwoServersInOneProcess: each transport has its own session, so
// two servers in one process never see each other's notifications (with
// mcp-go's transport they shared one per process).
func TestStdioTwoServersInOneProcess(t *testing.T) {
	const notes = 20
	var clients [2]*client.Client
	var got [2]chan string
	for i := range 2 {
		srv := newToolServer(t)
		srv.MCP.AddTool(mcp.NewTool("test_notify"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			for range notes {
				err := server.ServerFromContext(ctx).SendNotificationToClient(ctx, "notifications/test", map[string]any{"from": i})
				if err != nil {
					return mcp.NewToolResultError(err.Error()), nil
				}
			}
			return mcp.NewToolResultText("sent"), nil
		})
		p := startPipeServer(t, srv, 5*time.Second)
		clients[i] = p.mcpClient(t)
		got[i] = make(chan string, 2*notes)
		clients[i].OnNotification(func(n mcp.JSONRPCNotification) {
			if n.Method == "notifications/test" {
				got[i] <- fmt.Sprint(n.Params.AdditionalFields["from"])
			}
		})
	}
	for i, c := range clients {
		if res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "test_notify"}}); err != nil || res.IsError {
			t.Fatalf("%d: %v %+v", i, err, res)
		}
	}
	for i := range 2 {
		for range notes {
			select {
			case from := <-got[i]:
				if from != fmt.Sprint(i) {
					t.Fatalf("client %d got server %s's notification", i, from)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("client %d is missing notifications", i)
			}
		}
	}
}

// TestStdioOneProcessor: stdio mode runs on one processor and gives the
// default back at the end; a GOMAXPROCS the user set is left alone.
func TestStdioOneProcessor(t *testing.T) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		t.Skip("GOMAXPROCS is set for this test run")
	}
	before := runtime.GOMAXPROCS(0)
	srv := newToolServer(t)
	srv.MCP.AddTool(mcp.NewTool("test_procs"), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText(fmt.Sprint(runtime.GOMAXPROCS(0))), nil
	})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serveStdio(bg, srv, &config{grace: time.Second}, inR, outW, slog.New(slog.DiscardHandler))
		outW.Close()
	}()
	lines := (&pipeServer{toSrv: inW, fromS: outR}).rawLines(t)
	p := &pipeServer{toSrv: inW}
	rawInit(t, p, lines)
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_procs","arguments":{}}}`)
	if m := nextMsg(t, lines); m.text() != "1" {
		t.Errorf("GOMAXPROCS while serving: %s", m.line)
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Errorf("GOMAXPROCS %d after serving, %d before", after, before)
	}
	t.Setenv("GOMAXPROCS", "3")
	restore := oneProcessor()
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Errorf("with GOMAXPROCS set, %d processors", n)
	}
	restore()
}

// TestStdioClientStopsReading: a client that closes its end of stdin but
// never reads stdout again leaves answers that cannot be written; serving
// still ends, within the grace and a little more.
func TestStdioClientStopsReading(t *testing.T) {
	srv := newToolServer(t)
	p := startPipeServer(t, srv, 300*time.Millisecond)
	p.send(t, lcInit) // its answer is never read, so the write blocks
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	start := time.Now()
	p.toSrv.Close()
	p.waitServed(t, 5*time.Second)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("serving ended %v after the input", d)
	}
	p.fromS.Close() // lets the stuck write fail
}
