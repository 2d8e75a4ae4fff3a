package hosting_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

// What the drain on shutdown adds to http.Server.Shutdown, which waits only
// for requests still being answered: the listener stays open while calls
// finish, so a call that comes meanwhile is told the server is stopping
// (not refused a connection); and an SSE call, whose POST was answered 202
// long before, still gets its answer on its stream.

const (
	drainEmail = "a@example.com"
	slowPath   = "/api/v1/auths/" // get_session_user's; the emulator delays it
	slowCall   = time.Second
)

// drainTarget runs hosting.Serve in front of an emulator whose
// get_session_user answers after slowCall; cancel starts the shutdown, and
// done is closed when Serve has returned.
type drainTarget struct {
	base   string
	emu    *owuitest.Server
	token  string
	cancel context.CancelFunc
	done   chan struct{}
}

func serveDraining(t *testing.T, transport string) *drainTarget {
	t.Helper()
	emu := owuitest.NewServer(owuitest.WithUsers(owuitest.User{Name: "A", Email: drainEmail, Password: "pa", Role: "admin"}))
	t.Cleanup(emu.Close)
	emu.SetFault(owuitest.FaultOnPath(slowPath, owuitest.FaultDelay(slowCall)))
	tok, err := emu.IssueToken(drainEmail, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := owui.New(emu.URL, owui.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	srv := tools.NewServer(tools.Config{Client: c, Version: "test", CallTimeout: 10 * time.Second, Hosted: true, Logger: log})
	cfg := hosting.Config{Transport: transport, Addr: "127.0.0.1:0", IdleTTL: time.Hour, Grace: 10 * time.Second, Logger: log}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	d := &drainTarget{emu: emu, token: tok, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		if err := hosting.Serve(ctx, srv, cfg, func(a string) { addr <- a }); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.done:
		case <-time.After(15 * time.Second):
			t.Error("Serve did not return")
		}
	})
	select {
	case a := <-addr:
		d.base = "http://" + a
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not start")
	}
	return d
}

// waitArrived waits until the slow call has reached Open WebUI.
func (d *drainTarget) waitArrived(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range d.emu.Requests() {
			if r.Path == slowPath {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the slow call never reached Open WebUI")
}

func TestShutdownLetsStreamableCallsFinishAndRefusesNewOnes(t *testing.T) {
	d := serveDraining(t, "http")
	cred := map[string]string{hosting.CredentialHeader: d.token}
	slow, other := open(t, d.base+"/mcp", cred), open(t, d.base+"/mcp", cred)
	answer := make(chan *message, 1)
	go func() {
		resp, body := send(t, http.MethodPost, slow.url, callBody(1, "get_session_user", nil), slow.headers)
		answer <- decodeAnswer(t, resp, body)
	}()
	d.waitArrived(t)
	d.cancel()
	// Until the slow call is done, a new call still reaches the server and
	// gets a tool error that says why, on a connection of its own.
	refused := false
	for deadline := time.Now().Add(slowCall / 2); time.Now().Before(deadline) && !refused; {
		req, _ := http.NewRequest(http.MethodPost, other.url, strings.NewReader(callBody(2, "get_admin_details", nil)))
		for k, v := range other.headers {
			req.Header.Set(k, v)
		}
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("a call during the drain was not taken: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := decodeAnswer(t, resp, body)
		refused = m.Result != nil && m.Result.IsError && strings.Contains(m.text(), "shutting down")
	}
	if !refused {
		t.Error("no call during the drain was told the server is shutting down")
	}
	select {
	case m := <-answer:
		if m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), drainEmail) {
			t.Errorf("the call in flight: %+v %s", m, m.text())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call in flight got no answer")
	}
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		t.Error("Serve did not return once the call was done")
	}
}

func TestShutdownDeliversSSEAnswersInFlight(t *testing.T) {
	d := serveDraining(t, "sse")
	c, _ := openSSE(t, d.base, map[string]string{hosting.CredentialHeader: d.token})
	post := func(body string) {
		resp, _ := send(t, http.MethodPost, c.msgURL, body, map[string]string{"Content-Type": "application/json", hosting.CredentialHeader: d.token})
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("post: %d", resp.StatusCode)
		}
	}
	post(initBody)
	if m := readEvent(t, c); m.Result == nil {
		t.Fatalf("initialize: %+v", m)
	}
	post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	post(callBody(1, "get_session_user", nil))
	d.waitArrived(t)
	d.cancel()
	m := readEvent(t, c)
	if m == nil || m.Result == nil || m.Result.IsError || !strings.Contains(m.text(), drainEmail) {
		t.Fatalf("the SSE call in flight at shutdown: %+v", m)
	}
}

// readEvent reads the next message event from an SSE stream, or nil if
// the stream ends first.
func readEvent(t *testing.T, c *sseClient) *message {
	t.Helper()
	for {
		line, err := c.events.ReadString('\n')
		if err != nil {
			return nil
		}
		if d, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			var m message
			if err := json.Unmarshal([]byte(d), &m); err != nil {
				t.Fatalf("event %q: %v", d, err)
			}
			return &m
		}
	}
}
