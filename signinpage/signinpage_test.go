package signinpage

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixture is a Store on its own loopback listener, as over stdio, whose
// Complete accepts one password.
type fixture struct {
	st        *Store
	logs      *bytes.Buffer
	completed atomic.Int32
	got       chan Fields
}

const goodPassword = "good-Pw-4471"

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	f := &fixture{logs: &bytes.Buffer{}, got: make(chan Fields, 8)}
	cfg.Local = true
	cfg.Server = "http://owui.test"
	cfg.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: f.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	f.st = st
	return f
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (f *fixture) link(t *testing.T, session string, kind Kind) *Link {
	t.Helper()
	l, err := f.st.Create(Request{Session: session, Kind: kind, Login: "ann@example.com",
		Complete: func(_ context.Context, fl Fields) (string, error) {
			f.got <- fl
			if fl.Password != goodPassword {
				return "", errors.New("The email or password provided is incorrect.")
			}
			f.completed.Add(1)
			return "Signed in as Ann (user). You can close this tab.", nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func get(t *testing.T, link string) answer {
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	return do(t, req)
}

// form reads the page's inputs as a browser would submit them.
func form(t *testing.T, link string) url.Values {
	t.Helper()
	a := get(t, link)
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d %s", a.status, a.body)
	}
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input [^>]*name="([a-z_]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(a.body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func post(t *testing.T, link string, v url.Values, headers map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, h := range headers {
		req.Header.Set(k, h)
	}
	return do(t, req)
}

func origin(link string) string {
	u, _ := url.Parse(link)
	return u.Scheme + "://" + u.Host
}

func TestPageHeadersAndForm(t *testing.T) {
	f := newFixture(t, Config{})
	l := f.link(t, "s1", Signin)
	if !strings.HasPrefix(l.URL, "http://127.0.0.1:") || len(strings.TrimPrefix(l.URL[strings.LastIndex(l.URL, "/"):], "/")) < 22 {
		t.Fatalf("link %q: want a loopback URL with an id of at least 128 bits", l.URL)
	}
	a := get(t, l.URL)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; form-action 'self'; style-src 'unsafe-inline'",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"Content-Type":            "text/html; charset=utf-8",
	}
	for k, v := range want {
		if !strings.Contains(a.header.Get(k), v) {
			t.Errorf("%s: %q, want %q", k, a.header.Get(k), v)
		}
	}
	for _, w := range []string{`<form method="post"`, `name="email"`, `value="ann@example.com"`, `type="password"`,
		`type="hidden" name="link"`, `type="hidden" name="form_token"`, "http://owui.test"} {
		if !strings.Contains(a.body, w) {
			t.Errorf("page lacks %s", w)
		}
	}
	for _, no := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(a.body, no) {
			t.Errorf("page loads something (%s)", no)
		}
	}
	ldap := get(t, f.link(t, "s1", SigninLDAP).URL)
	if !strings.Contains(ldap.body, `name="user"`) || strings.Contains(ldap.body, `name="email"`) {
		t.Errorf("LDAP page:\n%s", ldap.body)
	}
	pw := get(t, f.link(t, "s1", Password).URL)
	if !strings.Contains(pw.body, `name="new_password"`) || strings.Contains(pw.body, `name="email"`) {
		t.Errorf("password page:\n%s", pw.body)
	}
}

func TestPageCompletesOnce(t *testing.T) {
	f := newFixture(t, Config{})
	l := f.link(t, "s1", Signin)
	v := form(t, l.URL)
	v.Set("password", "wrong")
	a := post(t, l.URL, v, map[string]string{"Origin": origin(l.URL)})
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, "incorrect") || strings.Contains(a.body, `value="wrong"`) {
		t.Fatalf("wrong password: %d %s", a.status, a.body)
	}
	v.Set("password", goodPassword)
	a = post(t, l.URL, v, map[string]string{"Origin": origin(l.URL)})
	if a.status != http.StatusOK || !strings.Contains(a.body, "Signed in as Ann (user). You can close this tab.") {
		t.Fatalf("good password: %d %s", a.status, a.body)
	}
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	for _, a := range []answer{get(t, l.URL), post(t, l.URL, v, map[string]string{"Origin": origin(l.URL)})} {
		if a.status != http.StatusGone || !strings.Contains(a.body, "already used") {
			t.Errorf("used link: %d %s", a.status, a.body)
		}
	}
	if n := f.completed.Load(); n != 1 {
		t.Errorf("completed %d times", n)
	}
	if strings.Contains(f.logs.String(), l.id) || strings.Contains(f.logs.String(), l.token) || strings.Contains(f.logs.String(), goodPassword) {
		t.Errorf("logs carry the link, its token or the password:\n%s", f.logs)
	}
	if !strings.Contains(f.logs.String(), Tag(l.id)) {
		t.Errorf("logs do not name the link by its hash:\n%s", f.logs)
	}
}

func TestPageRefusals(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.link(t, "session-A", Signin)
	b := f.link(t, "session-B", Signin)
	va, vb := form(t, a.URL), form(t, b.URL)
	va.Set("password", goodPassword)
	vb.Set("password", goodPassword)
	same := map[string]string{"Origin": origin(a.URL)}
	noToken := url.Values{"link": {va.Get("link")}, "email": {"ann@example.com"}, "password": {goodPassword}}
	aWithBToken := url.Values{"link": {va.Get("link")}, "form_token": {vb.Get("form_token")}, "email": {"ann@example.com"}, "password": {goodPassword}}
	bFieldsOnALink := vb // B's link and token, posted to A's page
	cases := []struct {
		name    string
		v       url.Values
		headers map[string]string
		status  int
	}{
		{"another origin", va, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"cross-site fetch", va, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"opaque origin from another site", va, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"opaque origin without fetch metadata", va, map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"no form token", noToken, same, http.StatusForbidden},
		{"session B's form token on A's link", aWithBToken, same, http.StatusForbidden},
		{"session B's link and token posted to A's page", bFieldsOnALink, same, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := post(t, a.URL, tc.v, tc.headers)
			if got.status != tc.status {
				t.Errorf("%d %s, want %d", got.status, got.body, tc.status)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, a.URL, strings.NewReader(va.Encode()))
	req.Header.Set("Content-Type", "application/json")
	if got := do(t, req); got.status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON post: %d", got.status)
	}
	if n := f.completed.Load(); n != 0 {
		t.Fatalf("a refused post completed %d sign-ins", n)
	}
	// What a browser sends under the page's no-referrer policy works, and
	// completes A only.
	if got := post(t, a.URL, va, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}); got.status != http.StatusOK {
		t.Fatalf("browser post: %d %s", got.status, got.body)
	}
	select {
	case <-b.Done():
		t.Error("completing A's link touched B's")
	default:
	}
}

func TestPageAnswersOnlyOnLoopbackByItsOwnAddress(t *testing.T) {
	f := newFixture(t, Config{})
	l := f.link(t, "s1", Signin)
	// A page request from another address (the handler itself, as a
	// listener on a public address would feed it).
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, l.URL, nil)
	req.RemoteAddr = "192.0.2.10:40000"
	f.st.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("request from a non-loopback address: %d", rec.Code)
	}
	// A DNS-rebound name.
	req, _ = http.NewRequest(http.MethodGet, l.URL, nil)
	req.Host = "evil.example:" + strings.Split(f.st.LocalAddr(), ":")[1]
	if got := do(t, req); got.status != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", got.status)
	}
	req, _ = http.NewRequest(http.MethodGet, l.URL, nil)
	req.Host = "localhost:" + strings.Split(f.st.LocalAddr(), ":")[1]
	if got := do(t, req); got.status != http.StatusOK {
		t.Errorf("localhost with the right port: %d", got.status)
	}
	if !strings.HasPrefix(f.st.LocalAddr(), "127.0.0.1:") {
		t.Errorf("listening on %s", f.st.LocalAddr())
	}
}

func TestPageExpires(t *testing.T) {
	f := newFixture(t, Config{TTL: time.Minute})
	now := time.Now()
	f.st.now = func() time.Time { return now }
	l := f.link(t, "s1", Signin)
	v := form(t, l.URL)
	v.Set("password", goodPassword)
	now = now.Add(time.Minute + time.Second)
	for _, a := range []answer{get(t, l.URL), post(t, l.URL, v, nil)} {
		if a.status != http.StatusGone || !strings.Contains(a.body, "expired") {
			t.Errorf("expired link: %d %s", a.status, a.body)
		}
	}
	if err := l.Wait(context.Background()); !errors.Is(err, ErrExpired) {
		t.Errorf("Wait: %v", err)
	}
	// Forgotten one TTL later.
	now = now.Add(2 * time.Minute)
	f.st.mu.Lock()
	f.st.sweepLocked(now, true)
	f.st.mu.Unlock()
	if a := get(t, l.URL); a.status != http.StatusNotFound || f.st.Len() != 0 {
		t.Errorf("long-expired link: %d, %d kept", a.status, f.st.Len())
	}
}

func TestSessionEndStopsItsLinks(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.link(t, "A", Signin)
	b := f.link(t, "B", Signin)
	v := form(t, a.URL)
	v.Set("password", goodPassword)
	f.st.DropSession("A")
	if got := post(t, a.URL, v, nil); got.status != http.StatusGone || !strings.Contains(got.body, "session that asked for it has ended") {
		t.Errorf("post after the session ended: %d %s", got.status, got.body)
	}
	if err := a.Wait(context.Background()); !errors.Is(err, ErrEnded) {
		t.Errorf("Wait: %v", err)
	}
	if n := f.completed.Load(); n != 0 || len(f.got) != 0 {
		t.Errorf("Complete ran for an ended session")
	}
	if got := get(t, b.URL); got.status != http.StatusOK {
		t.Errorf("another session's link: %d", got.status)
	}
}

func TestPageBounds(t *testing.T) {
	f := newFixture(t, Config{MaxPerSession: 2, MaxLinks: 3, MaxTries: 2})
	first := f.link(t, "A", Signin)
	f.link(t, "A", Signin)
	f.link(t, "A", Signin) // replaces the first
	if err := first.Wait(context.Background()); !errors.Is(err, ErrReplaced) {
		t.Errorf("oldest link: %v", err)
	}
	f.link(t, "B", Signin)
	if _, err := f.st.Create(Request{Session: "C", Complete: func(context.Context, Fields) (string, error) { return "", nil }}); !errors.Is(err, ErrFull) {
		t.Errorf("past MaxLinks: %v", err)
	}
	f = newFixture(t, Config{MaxTries: 2})
	l := f.link(t, "B", Password)
	v := form(t, l.URL)
	v.Set("password", "wrong")
	v.Set("new_password", "x")
	post(t, l.URL, v, nil)
	if got := post(t, l.URL, v, nil); got.status != http.StatusGone || !strings.Contains(got.body, "too many failed tries") {
		t.Errorf("after MaxTries: %d %s", got.status, got.body)
	}
	big := url.Values{"password": {strings.Repeat("x", MaxFormBytes)}}
	if got := post(t, f.link(t, "B", Signin).URL, big, nil); got.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", got.status)
	}
}

func TestCheckPublicURL(t *testing.T) {
	good := map[string]string{
		"https://mcp.example.com":       "https://mcp.example.com",
		"https://mcp.example.com/owui/": "https://mcp.example.com/owui",
		"http://127.0.0.1:8765":         "http://127.0.0.1:8765",
		"http://localhost:1":            "http://localhost:1",
	}
	for in, want := range good {
		if got, _, err := CheckPublicURL(in); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"http://mcp.example.com", "mcp.example.com", "https://u:secret@mcp.example.com",
		"https://mcp.example.com/?t=secret", "ftp://x", ""} {
		_, _, err := CheckPublicURL(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error echoes a credential: %v", bad, err)
		}
	}
}

// A link made for one account signs in only that account: whoever gets
// hold of it cannot put the session in another's hands.
func TestPageKeepsTheRequestedAccount(t *testing.T) {
	f := newFixture(t, Config{})
	l := f.link(t, "s1", Signin)
	if a := get(t, l.URL); !strings.Contains(a.body, `value="ann@example.com" autocomplete="username" required readonly`) {
		t.Errorf("the requested email is not read-only:\n%s", a.body)
	}
	v := form(t, l.URL)
	v.Set("email", "mallory@example.com")
	v.Set("password", goodPassword)
	a := post(t, l.URL, v, nil)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, "for ann@example.com only") {
		t.Errorf("another email: %d %s", a.status, a.body)
	}
	if len(f.got) != 0 {
		t.Error("Complete ran for another account")
	}
	v.Set("email", "ANN@example.com")
	if a := post(t, l.URL, v, nil); a.status != http.StatusOK {
		t.Errorf("the requested email, other case: %d %s", a.status, a.body)
	}
}
