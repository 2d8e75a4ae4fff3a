package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/livetest"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// The browser sign-in, through real MCP clients: over stdio with the built
// binary and over streamable HTTP, with a client that shows URL
// elicitations and with one that does not. Every byte of JSON-RPC either
// way is recorded, and the password must be in none of it, nor in the
// debug logs.

const (
	pagePassword = "page-pass-Zq81x"
	pageNewPass  = "page-new-pass-Kw27v"
)

// pageEnv is the Open WebUI a page test signs in to, with an account of its
// own: the emulator, or the real server OWUI_TEST_SERVER names (live mode).
type pageEnv struct {
	URL  string
	User string           // the account's email; its password is pagePassword
	emu  *owuitest.Server // nil on a real server
	env  livetest.Env
}

func pageTarget(t testing.TB) *pageEnv {
	t.Helper()
	if !livetest.Live() {
		email := "page-user@example.com"
		emu := owuitest.NewServer(owuitest.WithAPIKeys(true),
			owuitest.WithUsers(owuitest.User{Name: "Page User", Email: email, Password: pagePassword, Role: "user"}))
		t.Cleanup(emu.Close)
		return &pageEnv{URL: emu.URL, User: email, emu: emu}
	}
	env := livetest.Target(t)
	email := livetest.Unique("page")
	resp := liveAdminCall(t, env, "/api/v1/auths/add", `{"name":"Page User","email":"`+email+`","password":"`+pagePassword+`","role":"user"}`)
	if resp != http.StatusOK {
		t.Fatalf("adding the page test's account: %d", resp)
	}
	return &pageEnv{URL: env.URL, User: email, env: env}
}

// The admin signs in once per run: a real server allows 15 sign-ins per
// email in 3 minutes.
var liveAdmin = struct {
	sync.Mutex
	token string
}{}

func liveAdminCall(t testing.TB, env livetest.Env, path, body string) int {
	t.Helper()
	liveAdmin.Lock()
	defer liveAdmin.Unlock()
	if liveAdmin.token == "" {
		r, err := http.Post(env.URL+"/api/v1/auths/signin", "application/json",
			strings.NewReader(`{"email":"`+env.AdminEmail+`","password":"`+env.AdminPassword+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Token string }
		_ = json.NewDecoder(r.Body).Decode(&v)
		r.Body.Close()
		if v.Token == "" {
			t.Fatalf("admin sign-in: %d", r.StatusCode)
		}
		liveAdmin.token = v.Token
	}
	req, _ := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+liveAdmin.token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r.StatusCode
}

// requests is how many requests reached the emulator, or -1 live.
func (pe *pageEnv) requests() int {
	if pe.emu == nil {
		return -1
	}
	return len(pe.emu.Requests())
}

// recorder keeps every byte that crosses it.
type recorder = toolstest.Buffer

// recordingTransport records HTTP request and response bodies, streamed
// ones included.
type recordingTransport struct{ rec *recorder }

func (rt recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_, _ = rt.rec.Write(b)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, rt.rec), resp.Body}
	return resp, nil
}

// pageForm reads a page and returns its form's hidden fields.
func pageForm(t testing.TB, link string) url.Values {
	t.Helper()
	status, header, body := fetchPage(t, link)
	if status != http.StatusOK {
		t.Fatalf("GET page: %d %s", status, body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Cache-Control", "Referrer-Policy"} {
		if header.Get(h) == "" {
			t.Errorf("page without %s", h)
		}
	}
	f := url.Values{}
	// What a browser sends: every input's name and its (prefilled) value.
	for _, m := range regexp.MustCompile(`<input [^>]*name="([a-z_]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], html.UnescapeString(m[2]))
	}
	if f.Get("link") == "" || f.Get("form_token") == "" {
		t.Fatalf("page without its hidden fields:\n%s", body)
	}
	return f
}

// fillPage is submitPage for a goroutine other than the test's: it
// reports failures in what it returns.
func fillPage(link string, fields map[string]string) (int, string) {
	rec := &fatalRecorder{}
	done := make(chan struct{})
	var status int
	var body string
	go func() {
		defer close(done)
		status, body = submitPage(rec, link, fields)
	}()
	<-done
	if rec.msg != "" {
		return 0, rec.msg
	}
	return status, body
}

// fatalRecorder is a testing.TB whose Fatal ends only its goroutine.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *fatalRecorder) Errorf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

// submitPage fills and posts a page as a browser would (same Origin) and
// returns the status and the page shown.
func submitPage(t testing.TB, link string, fields map[string]string) (int, string) {
	t.Helper()
	f := pageForm(t, link)
	for k, v := range fields {
		f.Set(k, v)
	}
	return postPage(t, link, f, pageOrigin(link))
}

func pageOrigin(link string) string {
	u, _ := url.Parse(link)
	return u.Scheme + "://" + u.Host
}

func postPage(t testing.TB, link string, f url.Values, origin string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func getPage(t testing.TB, link string) (int, string) {
	t.Helper()
	status, _, body := fetchPage(t, link)
	return status, body
}

func fetchPage(t testing.TB, link string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// elicitor is a client's URL-elicitation handler: it answers with action,
// and when it accepts it has the page filled, as a user would after the
// client opened it.
type elicitor struct {
	t      testing.TB
	action mcp.ElicitationResponseAction
	fields map[string]string

	mu       sync.Mutex
	requests []mcp.ElicitationParams
	pages    chan pageOutcome
}

type pageOutcome struct {
	status int
	body   string
}

func newElicitor(t testing.TB, action mcp.ElicitationResponseAction, fields map[string]string) *elicitor {
	return &elicitor{t: t, action: action, fields: fields, pages: make(chan pageOutcome, 4)}
}

func (e *elicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	e.mu.Lock()
	e.requests = append(e.requests, req.Params)
	e.mu.Unlock()
	if e.action == mcp.ElicitationResponseActionAccept {
		go func() {
			// The user opens the page after the client says it was shown.
			time.Sleep(50 * time.Millisecond)
			status, body := fillPage(req.Params.URL, e.fields)
			e.pages <- pageOutcome{status, body}
		}()
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: e.action}}, nil
}

func (e *elicitor) last(t testing.TB) mcp.ElicitationParams {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.requests) == 0 {
		t.Fatal("no elicitation request reached the client")
	}
	return e.requests[len(e.requests)-1]
}

// urlCapable declares URL-mode elicitation at initialize.
func initializeURLCapable(t testing.TB, c *client.Client) {
	t.Helper()
	_, err := c.Initialize(bg, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: mcp.LATEST_LEGACY_PROTOCOL_VERSION,
		ClientInfo:      mcp.Implementation{Name: "page-test", Version: "1"},
		Capabilities:    mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{URL: &struct{}{}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// pageClient is an MCP client whose traffic and server logs are recorded.
type pageClient struct {
	*toolstest.Client
	traffic *recorder
	logs    func() string
	notes   chan mcp.JSONRPCNotification
	// strictNotes: every notification must arrive (see waitNote).
	strictNotes bool
}

// stdioPageClient runs the built binary with its stdin and stdout
// recorded.
func stdioPageClient(t *testing.T, owuiURL string, e client.ElicitationHandler, args ...string) *pageClient {
	t.Helper()
	// A link that is never completed ends the waiting call at its expiry:
	// a short one turns a broken page into a failure instead of a hang.
	cmd := exec.Command(binary, append([]string{"--log-level", "debug", "--signin-link-ttl", "20s"}, args...)...)
	cmd.Env = []string{"OWUI_SERVER=" + owuiURL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &recorder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	traffic := &recorder{}
	tr := transport.NewIO(io.TeeReader(stdout, traffic), writeCloser{io.MultiWriter(stdin, traffic), stdin}, io.NopCloser(strings.NewReader("")))
	var opts []client.ClientOption
	if e != nil {
		opts = append(opts, client.WithElicitationHandler(e))
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("the binary did not exit within 5s of its input ending")
		}
	})
	pc := &pageClient{Client: &toolstest.Client{T: t, C: c}, traffic: traffic, logs: stderr.String, notes: make(chan mcp.JSONRPCNotification, 16), strictNotes: true}
	c.OnNotification(func(n mcp.JSONRPCNotification) { pc.notes <- n })
	if e != nil {
		initializeURLCapable(t, c)
	} else {
		initialize(t, c)
	}
	return pc
}

type writeCloser struct {
	io.Writer
	io.Closer
}

// httpPageClient connects over streamable HTTP to an in-process server.
func httpPageClient(t *testing.T, base string, logs *syncBuffer, e client.ElicitationHandler) *pageClient {
	t.Helper()
	traffic := &recorder{}
	var opts []client.ClientOption
	if e != nil {
		opts = append(opts, client.WithElicitationHandler(e))
	}
	// Listening on the GET stream, as clients that show elicitations do:
	// notifications sent after a call's answer is ready travel there.
	//lint:ignore SA1019 hosted owui-mcp speaks the legacy revisions, which have the GET stream
	tr, err := transport.NewStreamableHTTP(base+"/mcp", transport.WithContinuousListening(),
		transport.WithHTTPBasicClient(&http.Client{Transport: recordingTransport{traffic}}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	pc := &pageClient{Client: &toolstest.Client{T: t, C: c}, traffic: traffic, logs: logs.String, notes: make(chan mcp.JSONRPCNotification, 16)}
	c.OnNotification(func(n mcp.JSONRPCNotification) { pc.notes <- n })
	if e != nil {
		initializeURLCapable(t, c)
	} else {
		initialize(t, c)
	}
	return pc
}

// noPasswords fails if a password appears in the recorded traffic or logs.
func (pc *pageClient) noPasswords(t testing.TB, passwords ...string) {
	t.Helper()
	traffic, logs := pc.traffic.String(), pc.logs()
	if !strings.Contains(traffic, "tools/call") {
		t.Fatalf("nothing recorded: %q", traffic)
	}
	if !strings.Contains(logs, "level=DEBUG") {
		t.Fatalf("no debug logs recorded: %q", logs)
	}
	for _, p := range passwords {
		if strings.Contains(traffic, p) {
			t.Errorf("a password crossed the MCP connection:\n%s", traffic)
		}
		if strings.Contains(logs, p) {
			t.Errorf("a password is in the logs:\n%s", logs)
		}
	}
}

// handler is e as a client's handler; none for a nil e.
func handler(e *elicitor) client.ElicitationHandler {
	if e == nil {
		return nil
	}
	return e
}

// pageTransports runs f over stdio (the built binary) and streamable HTTP.
func pageTransports(t *testing.T, e func() *elicitor, f func(t *testing.T, pc *pageClient, pe *pageEnv, e *elicitor)) {
	t.Run("stdio", func(t *testing.T) {
		pe := pageTarget(t)
		el := e()
		f(t, stdioPageClient(t, pe.URL, handler(el)), pe, el)
	})
	t.Run("http", func(t *testing.T) {
		pe := pageTarget(t)
		base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": pe.URL}, "--log-level", "debug", "--signin-link-ttl", "20s")
		el := e()
		f(t, httpPageClient(t, base, logs, handler(el)), pe, el)
	})
}

func TestBrowserSigninByURLElicitation(t *testing.T) {
	accept := func() *elicitor {
		return newElicitor(t, mcp.ElicitationResponseActionAccept, map[string]string{"password": pagePassword})
	}
	pageTransports(t, accept, func(t *testing.T, pc *pageClient, pe *pageEnv, e *elicitor) {
		sc := pc.OK("signin", map[string]any{"email": pe.User})
		if sc["email"] != pe.User || sc["role"] != "user" || sc["browser"] != nil {
			t.Fatalf("signin result %v, want the signed-in account", sc)
		}
		p := e.last(t)
		if p.Mode != mcp.ElicitationModeURL || p.ElicitationID == "" || !strings.HasPrefix(p.URL, "http://127.0.0.1:") ||
			!strings.Contains(p.Message, pe.URL) {
			t.Errorf("elicitation %+v", p)
		}
		if out := <-e.pages; out.status != http.StatusOK || !strings.Contains(out.body, "Signed in as Page User (user). You can close this tab.") {
			t.Errorf("page after submit: %d %s", out.status, out.body)
		}
		if me := pc.OK("get_session_user", nil); me["email"] != pe.User {
			t.Errorf("get_session_user after the page: %v", me)
		}
		waitNote(t, pc, "notifications/elicitation/complete", p.ElicitationID, pc.strictNotes)
		if strings.Contains(pc.traffic.String(), `"browser"`) {
			t.Error("the link reached the model although the client showed it")
		}
		pc.noPasswords(t, pagePassword)
		// The link worked once.
		if status, body := getPage(t, p.URL); status != http.StatusGone || !strings.Contains(body, "already used") {
			t.Errorf("used link: %d %s", status, body)
		}
	})
}

// waitNote waits for a notification. Over streamable HTTP mcp-go may drop
// one sent just before an answer (mark3labs/mcp-go#969; owui-mcp narrows
// the window but cannot close it), so there a miss is logged, not failed;
// over stdio, owui-mcp's own transport writes every one.
func waitNote(t testing.TB, pc *pageClient, method, id string, strict bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	if !strict {
		deadline = time.After(2 * time.Second)
	}
	for {
		select {
		case n := <-pc.notes:
			if n.Method == method && n.Params.AdditionalFields["elicitationId"] == id {
				return
			}
		case <-deadline:
			if strict {
				t.Errorf("no %s for %s; traffic:\n%s", method, id, pc.traffic)
			} else {
				t.Logf("no %s for %s over streamable HTTP (mark3labs/mcp-go#969)", method, id)
			}
			return
		}
	}
}

func TestBrowserSigninByLink(t *testing.T) {
	none := func() *elicitor { return nil }
	pageTransports(t, none, func(t *testing.T, pc *pageClient, pe *pageEnv, _ *elicitor) {
		sc := pc.OK("signin", map[string]any{"email": pe.User})
		step, _ := sc["browser"].(map[string]any)
		link, _ := step["url"].(string)
		if link == "" || sc["email"] != nil {
			t.Fatalf("signin without a password: %v, want a link", sc)
		}
		next, _ := step["next"].(string)
		for _, w := range []string{"works once", "for 20 seconds", "get_session_user"} {
			if !strings.Contains(next, w) {
				t.Errorf("next %q lacks %q", next, w)
			}
		}
		if _, text, isErr := pc.Call("get_session_user", nil); !isErr || !strings.Contains(text, "401") {
			t.Errorf("before the page: %v %s", isErr, text)
		}
		// A wrong password shows Open WebUI's message and the link
		// stays usable.
		status, body := submitPage(t, link, map[string]string{"password": "wrong-one"})
		if status != http.StatusBadRequest || !strings.Contains(body, "incorrect") || strings.Contains(body, "wrong-one") {
			t.Errorf("wrong password: %d %s", status, body)
		}
		if !strings.Contains(body, `value="`+pe.User+`"`) {
			t.Errorf("the email is not prefilled: %s", body)
		}
		if status, body := submitPage(t, link, map[string]string{"password": pagePassword}); status != http.StatusOK || !strings.Contains(body, "Signed in as Page User") {
			t.Fatalf("page: %d %s", status, body)
		}
		if me := pc.OK("get_session_user", nil); me["email"] != pe.User {
			t.Errorf("get_session_user after the page: %v", me)
		}
		pc.noPasswords(t, pagePassword, "wrong-one")
		if id := link[strings.LastIndex(link, "/")+1:]; strings.Contains(pc.logs(), id) {
			t.Errorf("the link's id is in the logs:\n%s", pc.logs())
		}
	})
}

// Protocol 2026-07-28 has no server-initiated requests: a client of that
// revision gets the link even if it declares URL elicitation.
func TestBrowserSigninModernProtocolGetsTheLink(t *testing.T) {
	pe := pageTarget(t)
	e := newElicitor(t, mcp.ElicitationResponseActionAccept, nil)
	c := client.NewClient(transport.NewStdio(binary, []string{"OWUI_SERVER=" + pe.URL}, "--signin-link-ttl", "20s"),
		client.WithElicitationHandler(e))
	if err := c.Start(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	res, err := c.Initialize(bg, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: mcp.LATEST_PROTOCOL_VERSION,
		ClientInfo:      mcp.Implementation{Name: "modern", Version: "1"},
		Capabilities:    mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{URL: &struct{}{}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ProtocolVersion != mcp.LATEST_PROTOCOL_VERSION {
		t.Fatalf("negotiated %s", res.ProtocolVersion)
	}
	tc := &toolstest.Client{T: t, C: c}
	sc := tc.OK("signin", map[string]any{"email": pe.User})
	link, _ := sc["browser"].(map[string]any)["url"].(string)
	if link == "" {
		t.Fatalf("modern client: %v, want the link", sc)
	}
	e.mu.Lock()
	if n := len(e.requests); n != 0 {
		t.Errorf("%d server-initiated requests under 2026-07-28", n)
	}
	e.mu.Unlock()
	if status, body := submitPage(t, link, map[string]string{"password": pagePassword}); status != http.StatusOK {
		t.Fatalf("page: %d %s", status, body)
	}
	if me := tc.OK("get_session_user", nil); me["email"] != pe.User {
		t.Errorf("after the page: %v", me)
	}
}

func TestBrowserPasswordChange(t *testing.T) {
	newPass := map[string]string{"password": pagePassword, "new_password": pageNewPass}
	accept := func() *elicitor { return newElicitor(t, mcp.ElicitationResponseActionAccept, nil) }
	pageTransports(t, accept, func(t *testing.T, pc *pageClient, pe *pageEnv, e *elicitor) {
		e.fields = map[string]string{"password": pagePassword}
		pc.OK("signin", map[string]any{"email": pe.User})
		<-e.pages
		e.fields = newPass
		if sc := pc.OK("update_password", nil); sc["ok"] != true {
			t.Fatalf("update_password: %v", sc)
		}
		if out := <-e.pages; out.status != http.StatusOK || !strings.Contains(out.body, "password was changed") {
			t.Errorf("page: %d %s", out.status, out.body)
		}
		if p := e.last(t); !strings.Contains(p.Message, "change your password") {
			t.Errorf("elicitation message %q", p.Message)
		}
		signsIn(t, pe, pageNewPass)
		pc.noPasswords(t, pagePassword, pageNewPass)
	})
	t.Run("link", func(t *testing.T) {
		pe := pageTarget(t)
		pc := stdioPageClient(t, pe.URL, nil)
		sc := pc.OK("signin", map[string]any{"email": pe.User})
		step, _ := sc["browser"].(map[string]any)
		submitPage(t, step["url"].(string), map[string]string{"password": pagePassword})
		sc = pc.OK("update_password", map[string]any{})
		step, _ = sc["browser"].(map[string]any)
		link, _ := step["url"].(string)
		if link == "" {
			t.Fatalf("update_password without passwords: %v", sc)
		}
		status, body := getPage(t, link)
		if status != http.StatusOK || !strings.Contains(body, `name="new_password"`) || strings.Contains(body, `name="email"`) {
			t.Errorf("password page: %d %s", status, body)
		}
		if status, body := submitPage(t, link, newPass); status != http.StatusOK {
			t.Fatalf("page: %d %s", status, body)
		}
		signsIn(t, pe, pageNewPass)
		pc.noPasswords(t, pagePassword, pageNewPass)
	})
}

// signsIn checks at Open WebUI itself, outside MCP, that password is the
// account's password now.
func signsIn(t testing.TB, pe *pageEnv, password string) {
	t.Helper()
	body := `{"email":"` + pe.User + `","password":"` + password + `"}`
	resp, err := http.Post(pe.URL+"/api/v1/auths/signin", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("sign-in with the new password: %d", resp.StatusCode)
	}
}

func TestBrowserSigninDeclinedOrCancelled(t *testing.T) {
	for _, action := range []mcp.ElicitationResponseAction{mcp.ElicitationResponseActionDecline, mcp.ElicitationResponseActionCancel} {
		t.Run(string(action), func(t *testing.T) {
			pe := pageTarget(t)
			e := newElicitor(t, action, nil)
			pc := stdioPageClient(t, pe.URL, handler(e))
			text := pc.Fail("signin", map[string]any{"email": pe.User}, "nothing was kept")
			if action == mcp.ElicitationResponseActionDecline && !strings.Contains(text, "declined") {
				t.Errorf("decline: %s", text)
			}
			// Nothing is kept: the link no longer works, and the session is
			// not signed in.
			if status, body := getPage(t, e.last(t).URL); status != http.StatusGone || !strings.Contains(body, "withdrawn") {
				t.Errorf("link after %s: %d %s", action, status, body)
			}
			pc.Fail("get_session_user", nil, "401")
			if n := pe.requests(); n != 1 && n != -1 { // the get_session_user above
				t.Errorf("%d requests reached Open WebUI", n)
			}
		})
	}
}

func TestBrowserSigninExpires(t *testing.T) {
	pe := pageTarget(t)
	pc := stdioPageClient(t, pe.URL, nil, "--signin-link-ttl", "1s")
	sc := pc.OK("signin", map[string]any{"email": pe.User})
	link := sc["browser"].(map[string]any)["url"].(string)
	time.Sleep(1100 * time.Millisecond)
	if status, body := getPage(t, link); status != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d %s", status, body)
	}
	f := url.Values{"link": {"x"}}
	if status, _ := postPage(t, link, f, ""); status != http.StatusGone {
		t.Errorf("post to an expired link: %d", status)
	}
	// A client that accepted the page and whose user never opens it gets
	// an answer when the link expires.
	e2 := &elicitor{t: t, action: mcp.ElicitationResponseActionAccept, pages: make(chan pageOutcome, 1)}
	pc2 := stdioPageClient(t, pe.URL, &acceptOnly{e2}, "--signin-link-ttl", "1s")
	start := time.Now()
	pc2.Fail("signin", map[string]any{"email": pe.User}, "expired")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the waiting call answered after %v", d)
	}
}

// acceptOnly accepts an elicitation and never opens the page.
type acceptOnly struct{ e *elicitor }

func (a *acceptOnly) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	a.e.mu.Lock()
	a.e.requests = append(a.e.requests, req.Params)
	a.e.mu.Unlock()
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}}, nil
}

func TestBrowserSigninHostedSessions(t *testing.T) {
	pe := pageTarget(t)
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": pe.URL}, "--log-level", "debug")
	a := httpPageClient(t, base, logs, nil)
	b := httpPageClient(t, base, logs, nil)
	linkOf := func(pc *pageClient) string {
		sc := pc.OK("signin", map[string]any{"email": pe.User})
		link, _ := sc["browser"].(map[string]any)["url"].(string)
		if !strings.HasPrefix(link, base+"/page/") {
			t.Fatalf("link %q, want one on this server (%s)", link, base)
		}
		if next, _ := sc["browser"].(map[string]any)["next"].(string); !strings.Contains(next, "It works once, for 10 minutes.") {
			t.Errorf("next %q: want the default lifetime", next)
		}
		return link
	}
	la, lb := linkOf(a), linkOf(b)

	// A's link, posted with B's form token, is refused.
	fa, fb := pageForm(t, la), pageForm(t, lb)
	fa.Set("password", pagePassword)
	fa.Set("form_token", fb.Get("form_token"))
	if status, body := postPage(t, la, fa, pageOrigin(la)); status != http.StatusForbidden {
		t.Errorf("A's link with B's form token: %d %s", status, body)
	}
	// Another page's origin is refused.
	fa = pageForm(t, la)
	fa.Set("password", pagePassword)
	if status, _ := postPage(t, la, fa, "https://evil.example"); status != http.StatusForbidden {
		t.Errorf("post from another origin: %d", status)
	}
	// A DNS-rebound Host is refused on the shared server too.
	req, _ := http.NewRequest(http.MethodGet, la, nil)
	req.Host = "evil.example"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %v %v", resp.StatusCode, err)
	}
	// The page needs no endpoint token or MCP session header: the link is
	// the capability. A's page signs in A, and only A.
	if status, body := postPage(t, la, fa, pageOrigin(la)); status != http.StatusOK {
		t.Fatalf("A's page: %d %s", status, body)
	}
	if me := a.OK("get_session_user", nil); me["email"] != pe.User {
		t.Errorf("A after its page: %v", me)
	}
	b.Fail("get_session_user", nil, "401")

	// B's MCP session ends while its page is open: the page is dropped.
	_ = b.C.Close()
	waitGone(t, lb, "session that asked for it has ended")
	fb.Set("password", pagePassword)
	before := pe.requests()
	if status, _ := postPage(t, lb, fb, pageOrigin(lb)); status != http.StatusGone {
		t.Errorf("post to an ended session's page: %d", status)
	}
	if n := pe.requests() - before; before >= 0 && n != 0 {
		t.Errorf("%d requests reached Open WebUI for an ended session's page", n)
	}
	a.noPasswords(t, pagePassword)
}

func TestBrowserSigninHostedNeedsAnAddress(t *testing.T) {
	pe := pageTarget(t)
	// A public URL that is not https is refused at start.
	var stderr bytes.Buffer
	code := run(bg, []string{"--transport", "http", "--public-url", "http://mcp.example.com"}, strings.NewReader(""), io.Discard, &stderr, envOf(map[string]string{"OWUI_SERVER": pe.URL}))
	if code != 2 || !strings.Contains(stderr.String(), "https") {
		t.Errorf("plain-http public URL: exit %d, %s", code, stderr.String())
	}
	// Over SSE (no URL elicitation there) the link uses the public URL.
	base, logs := hosted(t, "sse", map[string]string{"OWUI_SERVER": pe.URL, "OWUI_MCP_PUBLIC_URL": "https://mcp.example.com/owui/"}, "--log-level", "debug")
	c := hostedClient(t, "sse", base, nil)
	sc := c.OK("signin", map[string]any{"email": pe.User})
	link, _ := sc["browser"].(map[string]any)["url"].(string)
	if !strings.HasPrefix(link, "https://mcp.example.com/owui/page/") {
		t.Errorf("link %q", link)
	}
	// The same page, reached directly (as the proxy in front would).
	local := base + strings.TrimPrefix(link, "https://mcp.example.com/owui")
	if status, body := getPage(t, local); status != http.StatusOK || !strings.Contains(body, pe.URL) {
		t.Errorf("page: %d %s", status, body)
	}
	_ = logs
}

func TestBrowserSigninLDAP(t *testing.T) {
	emu := owuitest.NewServer(
		owuitest.WithUsers(owuitest.User{Name: "Admin", Email: "admin@example.com", Password: "admin-pw", Role: "admin"}),
		owuitest.WithLDAP(owuitest.LDAPEntry{Username: "ldapuser", Password: "ldap-page-pw", Email: "ldap@corp.example", CN: "Ldap User"}))
	t.Cleanup(emu.Close)
	pc := stdioPageClient(t, emu.URL, nil)
	pc.OK("signin", map[string]any{"email": "admin@example.com", "password": "admin-pw"})
	pc.OK("update_ldap_config", map[string]any{"enable_ldap": true})
	pc.OK("sign_out", nil)
	sc := pc.OK("signin_ldap", map[string]any{"user": "ldapuser"})
	link, _ := sc["browser"].(map[string]any)["url"].(string)
	status, body := getPage(t, link)
	if status != http.StatusOK || !strings.Contains(body, `name="user"`) || !strings.Contains(body, `value="ldapuser"`) {
		t.Fatalf("LDAP page: %d %s", status, body)
	}
	if status, body := submitPage(t, link, map[string]string{"password": "ldap-page-pw"}); status != http.StatusOK || !strings.Contains(body, "Signed in as") {
		t.Fatalf("LDAP page submit: %d %s", status, body)
	}
	if me := pc.OK("get_session_user", nil); me["email"] != "ldap@corp.example" {
		t.Errorf("after the LDAP page: %v", me)
	}
	pc.noPasswords(t, "ldap-page-pw")
}

// A client that stops waiting (notifications/cancelled) withdraws the page.
func TestBrowserSigninCancelledCallWithdrawsThePage(t *testing.T) {
	pe := pageTarget(t)
	e := &elicitor{t: t, pages: make(chan pageOutcome, 1)}
	pc := stdioPageClient(t, pe.URL, &acceptOnly{e})
	ctx, cancel := context.WithTimeout(bg, 500*time.Millisecond)
	defer cancel()
	_, err := pc.C.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "signin", Arguments: map[string]any{"email": pe.User}}})
	if err == nil {
		t.Fatal("the call answered although the page was never completed")
	}
	link := e.last(t).URL
	waitGone(t, link, "withdrawn")
}

// waitGone waits until the page at link says, with 410, why it no longer
// works: the server learns of an ended session or call asynchronously.
func waitGone(t testing.TB, link, why string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, body := getPage(t, link)
		if status == http.StatusGone && strings.Contains(body, why) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("page: %d %s, want 410 saying %q", status, body, why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
