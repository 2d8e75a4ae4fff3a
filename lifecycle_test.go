package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// Lifecycle: cancellation, disconnects, many sessions, and shutdown, with
// the built binary where the process itself is under test.

const (
	lcEmail    = "admin@example.com"
	lcPassword = "admin-pass"
	lcProtocol = "2025-11-25"
)

func lcEmulator(t testing.TB, opts ...owuitest.Option) *owuitest.Server {
	t.Helper()
	emu := owuitest.NewServer(append([]owuitest.Option{owuitest.WithUsers(owuitest.User{Name: "Admin", Email: lcEmail, Password: lcPassword, Role: "admin"})}, opts...)...)
	t.Cleanup(emu.Close)
	return emu
}

// lcMessage is a JSON-RPC answer.
type lcMessage struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (m lcMessage) text() string {
	if m.Result == nil || len(m.Result.Content) == 0 {
		return ""
	}
	return m.Result.Content[0].Text
}

func lcCall(id int, tool string, args any) string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	return string(b)
}

const lcInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + lcProtocol + `","capabilities":{},"clientInfo":{"name":"lifecycle","version":"1"}}}`
const lcInitialized = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

func lcSigninCall(id int) string {
	return lcCall(id, "signin", map[string]any{"email": lcEmail, "password": lcPassword})
}

// lcStream is a raw client session on streamable HTTP.
type lcStream struct {
	url string
	sid string
	hc  *http.Client
}

func lcOpenStream(t testing.TB, base string, hc *http.Client) *lcStream {
	t.Helper()
	s := &lcStream{url: base + "/mcp", hc: hc}
	resp, msg, err := s.post(context.Background(), lcInit)
	if err != nil || msg == nil || msg.Result == nil {
		t.Fatalf("initialize: %v %v", err, msg)
	}
	s.sid = resp.Header.Get("Mcp-Session-Id")
	if s.sid == "" {
		t.Fatal("no session id")
	}
	if resp, _, err := s.post(context.Background(), lcInitialized); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("initialized: %v %v", err, resp)
	}
	return s
}

// post sends one message and reads the answer, JSON or an SSE stream.
func (s *lcStream) post(ctx context.Context, body string) (*http.Response, *lcMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.sid != "" {
		req.Header.Set("Mcp-Session-Id", s.sid)
		req.Header.Set("Mcp-Protocol-Version", lcProtocol)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		for _, line := range strings.Split(string(b), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok && strings.Contains(d, `"id"`) {
				b = []byte(d)
			}
		}
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return resp, nil, nil
	}
	var m lcMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return resp, nil, fmt.Errorf("answer %q: %w", b, err)
	}
	return resp, &m, nil
}

func (s *lcStream) call(t testing.TB, body string) *lcMessage {
	t.Helper()
	_, m, err := s.post(context.Background(), body)
	if err != nil || m == nil {
		t.Fatalf("%s: %v %v", body, err, m)
	}
	return m
}

func (s *lcStream) delete(t testing.TB) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.url, nil)
	req.Header.Set("Mcp-Session-Id", s.sid)
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
}

// lcSSE is a raw client session on SSE: a GET stream and POSTs.
type lcSSE struct {
	base, endpoint string
	hc             *http.Client
	cancel         context.CancelFunc
	msgs           chan []byte
	done           chan struct{}
}

func lcOpenSSE(t testing.TB, base string, hc *http.Client) *lcSSE {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sse", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &lcSSE{base: base, hc: hc, cancel: cancel, msgs: make(chan []byte, 16), done: make(chan struct{})}
	endpoint := make(chan string, 1)
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "endpoint":
				endpoint <- strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "data: "):
				select {
				case s.msgs <- []byte(strings.TrimPrefix(line, "data: ")):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	select {
	case e := <-endpoint:
		s.endpoint = e
		if !strings.HasPrefix(e, "http") {
			s.endpoint = base + e
		}
	case <-time.After(5 * time.Second):
		s.close()
		t.Fatal("no endpoint event")
	}
	if m := s.call(t, lcInit); m.Result == nil {
		t.Fatalf("initialize: %+v", m)
	}
	s.send(t, lcInitialized)
	return s
}

func (s *lcSSE) send(t testing.TB, body string) {
	t.Helper()
	resp, err := s.hc.Post(s.endpoint, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s: %d", s.endpoint, resp.StatusCode)
	}
}

func (s *lcSSE) call(t testing.TB, body string) *lcMessage {
	t.Helper()
	s.send(t, body)
	select {
	case b := <-s.msgs:
		var m lcMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		return &m
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer to %s", body)
	}
	return nil
}

// close drops the stream, as a client that goes away does.
func (s *lcSSE) close() {
	s.cancel()
	<-s.done
}

// lcServe serves the hosted transports in-process, as --transport http and
// sse do, and returns the tool server to look into.
func lcServe(t testing.TB, transport, owuiURL string, timeout time.Duration) (*tools.Server, string) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	c, err := owui.New(owuiURL, owui.WithTimeout(timeout))
	if err != nil {
		t.Fatal(err)
	}
	srv := tools.NewServer(tools.Config{Client: c, Version: "test", IdleTTL: time.Hour, Logger: log, Hosted: true})
	h := hosting.New(srv, hosting.Config{Transport: transport, Addr: "127.0.0.1:0", IdleTTL: time.Hour, Grace: 2 * time.Second, Logger: log})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Close(ctx)
		ts.Close()
	})
	return srv, ts.URL
}

// lcNoLeaks waits until every goroutine started since baseline is gone.
func lcNoLeaks(t testing.TB, baseline goleak.Option) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(baseline)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left behind:\n%v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLifecycleCancelOverStdio: an MCP client that gives up on a call sends
// notifications/cancelled; the owui-mcp process aborts its request to an
// Open WebUI that never answers at once (its timeout is 30 s), and the
// session goes on, still signed in.
func TestLifecycleCancelOverStdio(t *testing.T) {
	emu := lcEmulator(t)
	proxy := toolstest.NewHangProxy(t, emu.URL)
	c := stdioClient(t, "OWUI_SERVER="+proxy.URL)
	c.OK("signin", map[string]any{"email": lcEmail, "password": lcPassword})

	proxy.Hanging.Store(true)
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error, 1)
	go func() {
		_, err := c.C.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_session_user"}})
		errc <- err
	}()
	proxy.WaitArrived(t)
	cancelled := time.Now()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled call returned %v", err)
	}
	proxy.WaitReleased(t, cancelled, time.Second)

	proxy.Hanging.Store(false)
	if me := c.OK("get_session_user", nil); me["email"] != lcEmail {
		t.Errorf("after the cancellation the session is %v", me["email"])
	}
}

// TestLifecycleCancelOverHostedHTTP sends the cancellation by hand on
// streamable HTTP: the hung upstream request is released at once, the
// cancelled call's POST is answered, and the next call works.
func TestLifecycleCancelOverHostedHTTP(t *testing.T) {
	emu := lcEmulator(t)
	proxy := toolstest.NewHangProxy(t, emu.URL)
	base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": proxy.URL})
	s := lcOpenStream(t, base, &http.Client{})
	if m := s.call(t, lcSigninCall(2)); m.Result == nil || m.Result.IsError {
		t.Fatalf("signin: %+v", m)
	}

	proxy.Hanging.Store(true)
	answer := make(chan *lcMessage, 1)
	go func() {
		_, m, err := s.post(bg, lcCall(7, "get_session_user", nil))
		if err != nil {
			t.Errorf("the cancelled call's POST: %v", err)
		}
		answer <- m
	}()
	proxy.WaitArrived(t)
	cancelled := time.Now()
	if resp, _, err := s.post(bg, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"stop"}}`); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("notifications/cancelled: %v %v", err, resp)
	}
	proxy.WaitReleased(t, cancelled, time.Second)
	select {
	case m := <-answer:
		if m != nil && m.Result != nil && !m.Result.IsError {
			t.Errorf("the cancelled call succeeded: %s", m.text())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled call's POST never returned")
	}

	proxy.Hanging.Store(false)
	if m := s.call(t, lcCall(8, "get_session_user", nil)); m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), lcEmail) {
		t.Fatalf("after the cancellation: %+v", m)
	}
}

// TestLifecycleDisconnectMidCallLeaksNothing: a hosted client that vanishes
// while its call waits on Open WebUI leaves no goroutine behind once the
// call is over (streamable HTTP aborts it at once; SSE lets it run to the
// request timeout), and the server keeps serving.
func TestLifecycleDisconnectMidCallLeaksNothing(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		t.Run(tr, func(t *testing.T) {
			emu := lcEmulator(t)
			proxy := toolstest.NewHangProxy(t, emu.URL)
			const timeout = time.Second
			srv, base := lcServe(t, tr, proxy.URL, timeout)
			tp := http.DefaultTransport.(*http.Transport).Clone()
			hc := &http.Client{Transport: tp}
			// Warm up, so that lazily started goroutines are part of the
			// baseline; then start counting.
			if tr == "http" {
				lcOpenStream(t, base, hc).delete(t)
			} else {
				lcOpenSSE(t, base, hc).close()
			}
			tp.CloseIdleConnections()
			baseline := goleak.IgnoreCurrent()

			proxy.Hanging.Store(true)
			var gone time.Time
			switch tr {
			case "http":
				s := lcOpenStream(t, base, hc)
				ctx, cancel := context.WithCancel(bg)
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, _, _ = s.post(ctx, lcCall(3, "get_session_user", nil))
				}()
				proxy.WaitArrived(t)
				gone = time.Now()
				cancel() // the client drops the connection mid-call
				<-done
				proxy.WaitReleased(t, gone, time.Second)
			case "sse":
				s := lcOpenSSE(t, base, hc)
				s.send(t, lcCall(3, "get_session_user", nil))
				proxy.WaitArrived(t)
				gone = time.Now()
				s.close() // the stream goes away mid-call
				// SSE calls outlive their client (mcp-go detaches them);
				// the request timeout ends this one.
				proxy.WaitReleased(t, gone, timeout+time.Second)
			}
			proxy.Hanging.Store(false)

			// Idle keep-alive connections are not leaks: close them, on
			// the client and between owui-mcp and Open WebUI.
			tp.CloseIdleConnections()
			proxy.CloseClientConnections()
			http.DefaultTransport.(*http.Transport).CloseIdleConnections()
			lcNoLeaks(t, baseline)
			if tr == "sse" && srv.SessionCount() != 0 {
				t.Errorf("%d Open WebUI sessions held after the SSE client left", srv.SessionCount())
			}

			// Still serving.
			if tr == "http" {
				s := lcOpenStream(t, base, hc)
				if m := s.call(t, lcSigninCall(2)); m.Result == nil || m.Result.IsError {
					t.Fatalf("signin after the disconnect: %+v", m)
				}
				s.delete(t)
			} else {
				s := lcOpenSSE(t, base, hc)
				if m := s.call(t, lcSigninCall(2)); m.Result == nil || m.Result.IsError {
					t.Fatalf("signin after the disconnect: %+v", m)
				}
				s.close()
			}
		})
	}
}

// TestLifecycleThousandSessions opens and closes 1,000 hosted sessions on
// each transport, each making a call (so each gets an Open WebUI session).
// Afterwards no session is held, no goroutine is left and the heap has not
// grown beyond a few hundred bytes per session.
func TestLifecycleThousandSessions(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		t.Run(tr, func(t *testing.T) {
			emu := lcEmulator(t, owuitest.WithMaxRecordedRequests(0))
			srv, base := lcServe(t, tr, emu.URL, 5*time.Second)
			tp := http.DefaultTransport.(*http.Transport).Clone()
			hc := &http.Client{Transport: tp}
			session := func() {
				switch tr {
				case "http":
					s := lcOpenStream(t, base, hc)
					if m := s.call(t, lcCall(2, "get_session_user", nil)); m.Result == nil || !m.Result.IsError {
						t.Fatalf("get_session_user, not signed in: %+v", m)
					}
					s.delete(t)
				case "sse":
					s := lcOpenSSE(t, base, hc)
					if m := s.call(t, lcCall(2, "get_session_user", nil)); m.Result == nil || !m.Result.IsError {
						t.Fatalf("get_session_user, not signed in: %+v", m)
					}
					s.close()
				}
			}
			const warmup, n = 100, 1000
			for range warmup {
				session()
			}
			lcWaitSessions(t, srv)
			tp.CloseIdleConnections()
			baseline := goleak.IgnoreCurrent()
			before := lcHeap()

			for range n {
				session()
			}
			lcWaitSessions(t, srv)
			tp.CloseIdleConnections()
			lcNoLeaks(t, baseline)
			after := lcHeap()
			growth := int64(after) - int64(before)
			t.Logf("%s: heap %d -> %d bytes over %d sessions (%d per session)", tr, before, after, n, growth/n)
			// Ended session ids are forgotten (mcp-go's own stateful manager
			// would keep about 170 bytes for each); owui-mcp's per-session
			// state is checked by count (lcWaitSessions); this bound is for
			// anything else a session could leave behind.
			if growth > 128*n {
				t.Errorf("the heap grew by %d bytes over %d sessions", growth, n)
			}
		})
	}
}

// lcWaitSessions waits until the server holds no Open WebUI session.
func lcWaitSessions(t testing.TB, srv *tools.Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.SessionCount() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d Open WebUI sessions still held", srv.SessionCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func lcHeap() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// lcProcess is the built binary running as a subprocess.
type lcProcess struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, once done
}

// lcCommand prepares the binary with env added to the test's environment.
func lcCommand(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// lcStart starts cmd and kills it when the test ends, if still running.
func lcStart(t testing.TB, cmd *exec.Cmd) *lcProcess {
	t.Helper()
	p := &lcProcess{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitExit fails unless the process exits 0 within limit.
func (p *lcProcess) waitExit(t testing.TB, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("exit: %v\n%s", p.err, p.stderr)
		}
	case <-time.After(limit):
		t.Fatalf("still running %v later\n%s", limit, p.stderr)
	}
	return time.Since(start)
}

var lcServingURL = regexp.MustCompile(`url=(http://[^/\s]+)`)

// lcHostedBinary starts the binary on streamable HTTP and returns its URL.
func lcHostedBinary(t testing.TB, owuiURL string, args ...string) (*lcProcess, string) {
	t.Helper()
	p := lcStart(t, lcCommand([]string{"OWUI_SERVER=" + owuiURL},
		append([]string{"--transport", "http", "--addr", "127.0.0.1:0"}, args...)...))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := lcServingURL.FindStringSubmatch(p.stderr.String()); m != nil {
			return p, m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("not serving:\n%s", p.stderr)
	return nil, ""
}

// lcWaitRequests waits until Open WebUI has received n requests for path.
func lcWaitRequests(t testing.TB, emu *owuitest.Server, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := 0
		for _, r := range emu.Requests() {
			if r.Path == path {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests for %s reached Open WebUI, want %d", got, path, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLifecycleSIGTERMHosted: SIGTERM while three calls wait on a slow Open
// WebUI. A new call is refused with a clear tool error; the three finish
// with their real answers; then the process exits 0, well within the grace.
func TestLifecycleSIGTERMHosted(t *testing.T) {
	const delay = 1500 * time.Millisecond
	emu := lcEmulator(t)
	emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(delay)))
	p, base := lcHostedBinary(t, emu.URL, "--shutdown-grace", "10s")
	hc := &http.Client{}
	var sessions []*lcStream
	for range 3 {
		s := lcOpenStream(t, base, hc)
		if m := s.call(t, lcSigninCall(2)); m.Result == nil || m.Result.IsError {
			t.Fatalf("signin: %+v", m)
		}
		sessions = append(sessions, s)
	}
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, m, err := s.post(bg, lcCall(10+i, "get_session_user", nil))
			if err != nil || m == nil || m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), lcEmail) {
				t.Errorf("call %d in flight at SIGTERM: %v %+v", i, err, m)
			}
		}()
	}
	lcWaitRequests(t, emu, "/api/v1/auths/", 3)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	// A call that arrives during the drain is refused, clearly.
	if _, m, err := sessions[0].post(bg, lcCall(20, "get_admin_details", nil)); err != nil {
		t.Logf("a call during shutdown: %v", err)
	} else if m == nil || m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), "shutting down") {
		t.Errorf("a call during shutdown: %+v", m)
	}
	wg.Wait()
	if d := p.waitExit(t, 10*time.Second); d > 5*time.Second {
		t.Errorf("exit took %v after the calls finished", d)
	}
	if !strings.Contains(p.stderr.String(), "owui-mcp serving") || strings.Contains(p.stderr.String(), "abandoned") {
		t.Errorf("logs:\n%s", p.stderr)
	}
}

// TestLifecycleSIGTERMPastTheGrace: a call that outlasts the grace period is
// abandoned and the process still exits 0, promptly.
func TestLifecycleSIGTERMPastTheGrace(t *testing.T) {
	const grace = 500 * time.Millisecond
	emu := lcEmulator(t)
	emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(time.Minute)))
	p, base := lcHostedBinary(t, emu.URL, "--shutdown-grace", grace.String())
	s := lcOpenStream(t, base, &http.Client{})
	go func() { _, _, _ = s.post(bg, lcCall(3, "get_session_user", nil)) }()
	lcWaitRequests(t, emu, "/api/v1/auths/", 1)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The drain and the HTTP shutdown share one grace period.
	p.waitExit(t, grace+2*time.Second)
	if !strings.Contains(p.stderr.String(), "abandoned") {
		t.Errorf("no warning about the abandoned call:\n%s", p.stderr)
	}
}

// lcStdio drives the binary over stdio by hand.
type lcStdio struct {
	p     *lcProcess
	in    io.WriteCloser
	lines chan lcMessage
}

func lcStartStdio(t testing.TB, owuiURL string, args ...string) *lcStdio {
	t.Helper()
	cmd := lcCommand([]string{"OWUI_SERVER=" + owuiURL}, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// stdout is a pipe of our own, read to its end: exec's StdoutPipe
	// would be closed by Wait, possibly before the last answer is read.
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = outW
	s := &lcStdio{in: in, lines: make(chan lcMessage, 16)}
	s.p = lcStart(t, cmd)
	outW.Close()
	go func() {
		defer close(s.lines)
		defer outR.Close()
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m lcMessage
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("stdout line %q is not JSON-RPC", sc.Text())
				continue
			}
			s.lines <- m
		}
	}()
	return s
}

func (s *lcStdio) write(t testing.TB, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		if _, err := io.WriteString(s.in, m+"\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// next returns the next answer with an id.
func (s *lcStdio) next(t testing.TB) lcMessage {
	t.Helper()
	for {
		select {
		case m, ok := <-s.lines:
			if !ok {
				t.Fatal("stdout ended")
			}
			if len(m.ID) > 0 {
				return m
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no answer within 10s")
		}
	}
}

// TestLifecycleStdioEnds: stdio mode, with a call in flight on a slow Open
// WebUI, ended by SIGTERM and by the end of stdin. Either way the call's
// real answer is written first, and the process exits 0.
func TestLifecycleStdioEnds(t *testing.T) {
	for _, how := range []string{"SIGTERM", "stdin EOF"} {
		t.Run(how, func(t *testing.T) {
			emu := lcEmulator(t)
			emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(time.Second)))
			s := lcStartStdio(t, emu.URL, "--shutdown-grace", "10s")
			s.write(t, lcInit)
			if m := s.next(t); m.Result == nil {
				t.Fatalf("initialize: %+v", m)
			}
			s.write(t, lcInitialized, lcSigninCall(2))
			if m := s.next(t); m.Result == nil || m.Result.IsError {
				t.Fatalf("signin: %+v", m)
			}
			s.write(t, lcCall(3, "get_session_user", nil))
			lcWaitRequests(t, emu, "/api/v1/auths/", 1)
			if how == "SIGTERM" {
				if err := s.p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			} else {
				s.in.Close()
			}
			m := s.next(t)
			if string(m.ID) != "3" || m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), lcEmail) {
				t.Errorf("the call in flight answered %s %+v", m.ID, m.Result)
			}
			s.p.waitExit(t, 10*time.Second)
			s.in.Close()
		})
	}
}

// TestLifecycleBadInputOnTheWire sends broken and oversized messages over
// the real transports: stdio (no size limit; a 1 MiB argument is answered)
// and streamable HTTP (bodies over 1 MiB get 413). Each gets its answer and
// the session's next call works.
func TestLifecycleBadInputOnTheWire(t *testing.T) {
	mib := strings.Repeat("x", 1<<20)
	t.Run("stdio", func(t *testing.T) {
		emu := lcEmulator(t)
		s := lcStartStdio(t, emu.URL)
		s.write(t, lcInit)
		s.next(t)
		s.write(t, lcInitialized, lcSigninCall(2))
		if m := s.next(t); m.Result == nil || m.Result.IsError {
			t.Fatalf("signin: %+v", m)
		}
		s.write(t,
			`this is not json`,
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"signin\",\"arguments\":{\"email\":\"a\xff@b.co\",\"password\":\"p\"}}}",
			lcCall(4, "signup", map[string]any{"name": "n", "email": mib, "password": "p"}),
			lcCall(5, "no_such_tool", nil),
			`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"update_timezone","arguments":null}}`,
		)
		got := map[string]lcMessage{}
		for range 5 {
			m := s.next(t)
			got[string(m.ID)] = m
		}
		if m := got["null"]; m.Error == nil || m.Error.Code != -32700 {
			t.Errorf("not JSON: %+v", m)
		}
		if m := got["3"]; m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), "not valid UTF-8") {
			t.Errorf("invalid UTF-8: %+v", m)
		}
		if m := got["4"]; m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), "must be an email address") {
			t.Errorf("1 MiB email: %+v", m)
		}
		if m := got["5"]; m.Error == nil || m.Error.Code != -32602 {
			t.Errorf("unknown tool: %+v", m)
		}
		if m := got["6"]; m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), `missing required argument "timezone"`) {
			t.Errorf("null arguments: %+v", m)
		}
		s.write(t, lcCall(7, "get_session_user", nil))
		if m := s.next(t); m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), lcEmail) {
			t.Errorf("the next call: %+v", m)
		}
		s.in.Close()
		s.p.waitExit(t, 10*time.Second)
	})
	t.Run("http", func(t *testing.T) {
		emu := lcEmulator(t)
		base, _ := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL})
		s := lcOpenStream(t, base, &http.Client{})
		s.call(t, lcSigninCall(2))
		resp, _, _ := s.post(bg, lcCall(3, "signin", map[string]any{"email": mib, "password": "p"}))
		if resp == nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a body over 1 MiB: %v", resp)
		}
		resp, m, _ := s.post(bg, `{not json`)
		if resp == nil || m == nil || m.Error == nil || m.Error.Code != -32700 {
			t.Errorf("not JSON: %v %+v", resp, m)
		}
		if m := s.call(t, lcCall(4, "signin", map[string]any{"email": mib[:1<<19], "password": "p"})); m.Result == nil || !m.Result.IsError {
			t.Errorf("a 512 KiB email: %+v", m)
		}
		if m := s.call(t, lcCall(5, "get_session_user", nil)); m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), lcEmail) {
			t.Errorf("the next call: %+v", m)
		}
	})
}
