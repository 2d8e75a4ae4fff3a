package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3), through real MCP clients. Each names what it broke before its
// fix.

// neverAnswers is a client that declares URL elicitation and never
// answers one, as a client whose dialog the user leaves open does.
type neverAnswers struct {
	asked chan mcp.ElicitationParams
	stop  chan struct{}
}

func (n *neverAnswers) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	n.asked <- req.Params
	select {
	case <-ctx.Done():
	case <-n.stop:
	}
	return nil, context.Canceled
}

// Before: the call waited for the client's answer to elicitation/create
// with no bound: a link of 3 s had a call still waiting after 12 s (and
// for good), holding its call slot and any graceful shutdown.
func TestAttackUnansweredElicitationEndsAtExpiry(t *testing.T) {
	pe := pageTarget(t)
	n := &neverAnswers{asked: make(chan mcp.ElicitationParams, 1), stop: make(chan struct{})}
	t.Cleanup(func() { close(n.stop) })
	pc := stdioPageClient(t, pe.URL, n, "--signin-link-ttl", "2s")
	ctx, cancel := context.WithTimeout(bg, 15*time.Second)
	defer cancel()
	start := time.Now()
	res, err := pc.C.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin", Arguments: map[string]any{"email": pe.User}}})
	if err != nil {
		t.Fatalf("no answer %v after the link's expiry: %v", time.Since(start), err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("answered %v after the call, for a link of 2 s", d)
	}
	if text := mcp.GetTextFromContent(res.Content[0]); !res.IsError || !strings.Contains(text, "expired") {
		t.Errorf("answer %v %s, want an error saying the page expired", res.IsError, text)
	}
}

// completeThenDecline fills the page and then tells the server the user
// declined.
type completeThenDecline struct {
	t     testing.TB
	pages chan pageOutcome
}

func (c *completeThenDecline) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	status, body := fillPage(req.Params.URL, map[string]string{"password": pagePassword})
	c.pages <- pageOutcome{status, body}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
}

// Before: a user who completed the page (opening the URL from the
// client's dialog) and then declined got "nothing was done and nothing
// was kept" from the tool, while the session was signed in as them.
func TestAttackDeclineAfterCompletingThePage(t *testing.T) {
	pe := pageTarget(t)
	e := &completeThenDecline{t: t, pages: make(chan pageOutcome, 1)}
	pc := stdioPageClient(t, pe.URL, e)
	sc, text, isErr := pc.Call("signin", map[string]any{"email": pe.User})
	if out := <-e.pages; out.status != http.StatusOK {
		t.Fatalf("page: %d %s", out.status, out.body)
	}
	me := pc.OK("get_session_user", nil)
	if me["email"] != pe.User {
		t.Fatalf("after the page: %v", me)
	}
	if isErr || sc["email"] != pe.User {
		t.Errorf("signin answered %v %s although the session is signed in as %s", isErr, text, pe.User)
	}
}

// Before: a client ending its input while a call waited for the page kept
// the process for the whole shutdown grace period (10 s), and the call
// answered "context canceled" instead of saying the page was withdrawn.
func TestAttackStdioExitWithAWaitingPage(t *testing.T) {
	pe := pageTarget(t)
	cmd := exec.Command(binary, "--shutdown-grace", "10s")
	cmd.Env = []string{"OWUI_SERVER=" + pe.URL}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan map[string]any, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	send := func(s string) {
		if _, err := io.WriteString(stdin, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{"url":{}}},"clientInfo":{"name":"t","version":"1"}}}`)
	<-lines
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"signin","arguments":{"email":"` + pe.User + `"}}}`)
	elicit := <-lines
	if elicit["method"] != "elicitation/create" {
		t.Fatalf("want an elicitation, got %v", elicit)
	}
	send(`{"jsonrpc":"2.0","id":` + mustMarshal(elicit["id"]) + `,"result":{"action":"accept"}}`)
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	_ = stdin.Close()
	var answer string
	for m := range lines {
		if m["id"] == float64(2) {
			b, _ := json.Marshal(m)
			answer = string(b)
		}
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(8 * time.Second):
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("exit %v after the input ended, with a page waiting", d)
	}
	if !strings.Contains(answer, "withdrawn") {
		t.Errorf("the waiting call answered %q, want the page withdrawn", answer)
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Before: a hosted server shutting down with a call waiting for a page
// took its whole grace period (10 s) to stop.
func TestAttackHostedShutdownWithAWaitingPage(t *testing.T) {
	pe := pageTarget(t)
	addrs := make(chan string, 1)
	listening = func(a string) { addrs <- a }
	t.Cleanup(func() { listening = func(string) {} })
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--transport", "http", "--addr", "127.0.0.1:0", "--shutdown-grace", "10s"},
			strings.NewReader(""), io.Discard, logs, envOf(map[string]string{"OWUI_SERVER": pe.URL}))
	}()
	base := "http://" + <-addrs
	e := &elicitor{t: t, pages: make(chan pageOutcome, 1)}
	//lint:ignore SA1019 hosted owui-mcp speaks the legacy revisions, which have the GET stream
	tr, err := transport.NewStreamableHTTP(base+"/mcp", transport.WithContinuousListening())
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithElicitationHandler(&acceptOnly{e}))
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initializeURLCapable(t, c)
	answered := make(chan string, 1)
	go func() {
		res, err := c.CallTool(bg, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin", Arguments: map[string]any{"email": pe.User}}})
		if err != nil {
			answered <- err.Error()
			return
		}
		answered <- mcp.GetTextFromContent(res.Content[0])
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.mu.Lock()
		n := len(e.requests)
		e.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(12 * time.Second):
		t.Fatal("no exit")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v with a page waiting", d)
	}
	select {
	case text := <-answered:
		if !strings.Contains(text, "withdrawn") {
			t.Errorf("the waiting call answered %q", text)
		}
	case <-time.After(2 * time.Second):
		t.Error("the waiting call got no answer")
	}
}

// Before: the hosted Host check logged refused requests with their path,
// and a page's path is its link: a proxy that does not pass the public
// Host put every link id in the debug log.
func TestAttackHostedRefusalLogsNoLinkID(t *testing.T) {
	pe := pageTarget(t)
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": pe.URL}, "--log-level", "debug")
	pc := httpPageClient(t, base, logs, nil)
	sc := pc.OK("signin", map[string]any{"email": pe.User})
	link, _ := sc["browser"].(map[string]any)["url"].(string)
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Host = "rebound.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host: %d", resp.StatusCode)
	}
	id := link[strings.LastIndex(link, "/")+1:]
	if strings.Contains(logs.String(), id) {
		t.Errorf("the link's id is in the logs:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "request refused") {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}
}

// Before: the prefilled email had no bound, and every link (with the
// whole call, padding included) was kept for two TTLs: 40 links of 1 MB
// of whitespace padding took the server from 15 to 131 MiB of RSS, a
// megabyte-long email 4 MiB a link, kept after the sessions ended.
func TestAttackLongEmailIsRefused(t *testing.T) {
	pe := pageTarget(t)
	c := stdioClient(t, "OWUI_SERVER="+pe.URL)
	c.Fail("signin", map[string]any{"email": strings.Repeat("a", 2000) + "@example.com"}, "longer than")
}
