package owuitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	adminEmail = "admin@example.com"
	adminPass  = "admin-pass"
	userEmail  = "user@example.com"
	userPass   = "user-pass"
	pendEmail  = "pending@example.com"
	pendPass   = "pending-pass"
)

// seeded returns the standard three users: admin, user, pending.
func seeded() Option {
	return WithUsers(
		User{Name: "Admin", Email: adminEmail, Password: adminPass, Role: "admin"},
		User{Name: "User", Email: userEmail, Password: userPass, Role: "user"},
		User{Name: "Pending", Email: pendEmail, Password: pendPass, Role: "pending"},
	)
}

func start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

type result struct {
	status int
	header http.Header
	body   []byte
}

type reqOpt func(*http.Request)

func withBearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func cookie(name, val string) reqOpt {
	return func(r *http.Request) { r.Header.Add("Cookie", name+"="+val) }
}

func noCT() reqOpt { return func(r *http.Request) { r.Header.Del("Content-Type") } }

// call sends a request; a non-empty body is sent as application/json
// unless an option changes the header.
func call(t testing.TB, s *Server, method, path, body string, opts ...reqOpt) result {
	t.Helper()
	return callWith(t, s.Client(), s.URL, method, path, body, opts...)
}

func callWith(t testing.TB, c *http.Client, base, method, path, body string, opts ...reqOpt) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return result{status: res.StatusCode, header: res.Header, body: b}
}

func (r result) decode(t testing.TB) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("status %d: body %q is not JSON: %v", r.status, r.body, err)
	}
	return v
}

func (r result) obj(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.decode(t).(map[string]any)
	if !ok {
		t.Fatalf("body %s is not an object", r.body)
	}
	return m
}

func (r result) detail(t testing.TB) string {
	t.Helper()
	d, ok := r.obj(t)["detail"].(string)
	if !ok {
		t.Fatalf("body %s has no string detail", r.body)
	}
	return d
}

// expect checks status and, when msg is not empty, the detail text.
func (r result) expect(t testing.TB, status int, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); msg != "" && ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	if msg != "" {
		if got := r.detail(t); got != msg {
			t.Fatalf("detail = %q, want %q", got, msg)
		}
	}
}

// sameJSON compares the body with want as JSON values.
func (r result) sameJSON(t testing.TB, want string) {
	t.Helper()
	var w any
	d := json.NewDecoder(strings.NewReader(want))
	d.UseNumber()
	if err := d.Decode(&w); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if got := r.decode(t); !reflect.DeepEqual(got, w) {
		t.Fatalf("body\n got %s\nwant %s", r.body, want)
	}
}

func (r result) cookies() []*http.Cookie {
	resp := http.Response{Header: r.header}
	return resp.Cookies()
}

func (r result) tokenCookie() *http.Cookie {
	for _, c := range r.cookies() {
		if c.Name == "token" {
			return c
		}
	}
	return nil
}

// signin returns the JWT of a successful sign-in.
func signin(t testing.TB, s *Server, email, pw string) string {
	t.Helper()
	r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"`+email+`","password":"`+pw+`"}`)
	r.expect(t, 200, "")
	tok, _ := r.obj(t)["token"].(string)
	if tok == "" {
		t.Fatalf("no token in %s", r.body)
	}
	return tok
}

func mustToken(t testing.TB, s *Server, email string) string {
	t.Helper()
	tok, err := s.IssueToken(email, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func num(v any) int64 {
	n, _ := v.(json.Number).Int64()
	return n
}

func keysOf(t testing.TB, body []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	tok, err := d.Token()
	if err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", body)
	}
	var keys []string
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

const (
	msgNotAuth  = "Not authenticated"
	msgUnauth   = "401 Unauthorized"
	msgInvalTok = "Your session has expired or the token is invalid. Please sign in again."
	msgProhib   = "You do not have permission to access this resource. Please contact your administrator for assistance."
)
