package hosting_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// target is a hosted owui-mcp in front of an emulated Open WebUI.
type target struct {
	base string
	emu  *owuitest.Server
	h    *hosting.Handler
	srv  *tools.Server
	logs *toolstest.Buffer
}

// setup lets a test adjust what serve builds.
type setup struct {
	cfg     hosting.Config
	tools   tools.Config
	emuOpts []owuitest.Option
}

// serve starts a hosted owui-mcp (streamable HTTP unless cfg says SSE) on a
// loopback port, in front of a fresh emulator; both stop with the test.
func serve(t testing.TB, adjust ...func(*setup)) *target {
	t.Helper()
	s := &setup{
		cfg:   hosting.Config{Transport: "http", Addr: "127.0.0.1:0", IdleTTL: time.Hour, Grace: time.Second},
		tools: tools.Config{Version: "test", IdleTTL: time.Hour, CallTimeout: 5 * time.Second, Hosted: true},
	}
	for _, a := range adjust {
		a(s)
	}
	emu := owuitest.NewServer(s.emuOpts...)
	t.Cleanup(emu.Close)
	c, err := owui.New(emu.URL, owui.WithTimeout(s.tools.CallTimeout))
	if err != nil {
		t.Fatal(err)
	}
	logs := &toolstest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.tools.Client, s.tools.Logger, s.cfg.Logger = c, log, log
	srv := tools.NewServer(s.tools)
	h := hosting.New(srv, s.cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Close(ctx)
		ts.Close()
	})
	return &target{base: ts.URL, emu: emu, h: h, srv: srv, logs: logs}
}

// message is a JSON-RPC answer as a client reads it.
type message struct {
	ID     any `json:"id"`
	Result *struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent map[string]any   `json:"structuredContent"`
		Tools             []map[string]any `json:"tools"`
		ProtocolVersion   string           `json:"protocolVersion"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (m *message) text() string {
	if m.Result == nil || len(m.Result.Content) == 0 {
		return ""
	}
	return m.Result.Content[0].Text
}

// send makes one raw HTTP request and returns the answer and its body.
func send(t testing.TB, method, url, body string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// decodeAnswer reads a streamable HTTP answer: JSON, or one SSE event.
func decodeAnswer(t testing.TB, resp *http.Response, body []byte) *message {
	t.Helper()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		for _, line := range strings.Split(string(body), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				body = []byte(d)
			}
		}
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("answer %d %q: %v", resp.StatusCode, body, err)
	}
	return &m
}

func callBody(id int, tool string, args any) string {
	if args == nil {
		args = map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	return string(b)
}

const initBody = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp","version":"0.1.0"}}}`

// session is a raw streamable HTTP session.
type session struct {
	t       testing.TB
	url     string
	headers map[string]string
	id      string
	version string
}

// open initializes a session with headers sent on every request.
func open(t testing.TB, url string, headers map[string]string) *session {
	t.Helper()
	s := &session{t: t, url: url, headers: map[string]string{
		"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}}
	for k, v := range headers {
		s.headers[k] = v
	}
	resp, body := send(t, http.MethodPost, url, initBody, s.headers)
	if resp.StatusCode != 200 {
		t.Fatalf("initialize: %d %s", resp.StatusCode, body)
	}
	m := decodeAnswer(t, resp, body)
	s.id = resp.Header.Get("Mcp-Session-Id")
	if s.id == "" || m.Result == nil {
		t.Fatalf("initialize: no session: %s", body)
	}
	s.version = m.Result.ProtocolVersion
	s.headers["Mcp-Session-Id"] = s.id
	s.headers["Mcp-Protocol-Version"] = s.version
	if resp, body := send(t, http.MethodPost, url, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, s.headers); resp.StatusCode != 202 {
		t.Fatalf("initialized: %d %s", resp.StatusCode, body)
	}
	return s
}

// call runs a tool and returns its answer.
func (s *session) call(id int, tool string, args any) *message {
	s.t.Helper()
	resp, body := send(s.t, http.MethodPost, s.url, callBody(id, tool, args), s.headers)
	if resp.StatusCode != 200 {
		s.t.Fatalf("%s: HTTP %d %s", tool, resp.StatusCode, body)
	}
	return decodeAnswer(s.t, resp, body)
}

func (s *session) close() {
	s.t.Helper()
	if resp, body := send(s.t, http.MethodDelete, s.url, "", s.headers); resp.StatusCode != 200 {
		s.t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
	}
}

// listen opens the session's GET stream, as the Python SDK does after
// initialized, and returns a function that closes it.
func (s *session) listen() func() {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	for k, v := range s.headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		s.t.Fatalf("GET stream: %d %s", resp.StatusCode, b)
	}
	go func() { _, _ = io.Copy(io.Discard, resp.Body) }()
	return func() { cancel(); resp.Body.Close() }
}

// sseClient is a raw SSE session whose stream the test reads, or not.
type sseClient struct {
	t      testing.TB
	base   string
	msgURL string
	resp   *http.Response
	events *bufio.Reader
}

func openSSE(t testing.TB, base string, headers map[string]string) (*sseClient, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/sse", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, resp
	}
	c := &sseClient{t: t, base: base, resp: resp, events: bufio.NewReader(resp.Body)}
	t.Cleanup(func() { resp.Body.Close() })
	for c.msgURL == "" {
		line, err := c.events.ReadString('\n')
		if err != nil {
			t.Fatalf("SSE endpoint event: %v", err)
		}
		if d, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			c.msgURL = base + d
		}
	}
	return c, resp
}

func (c *sseClient) post(body string) int {
	c.t.Helper()
	resp, _ := send(c.t, http.MethodPost, c.msgURL, body, map[string]string{"Content-Type": "application/json"})
	return resp.StatusCode
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(bytes.TrimSpace(b))
}
