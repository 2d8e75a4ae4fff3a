package owui_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

func TestParseBaseURL(t *testing.T) {
	ok := map[string]string{
		"http://h:8080":            "http://h:8080/api",
		"http://h:8080/":           "http://h:8080/api",
		"http://h:8080/api":        "http://h:8080/api",
		"http://h:8080/api/":       "http://h:8080/api",
		" https://h/owui/ ":        "https://h/owui/api",
		"https://h/owui/api":       "https://h/owui/api",
		"http://[::1]:3000/api///": "http://[::1]:3000/api",
	}
	for in, want := range ok {
		u, err := owui.ParseBaseURL(in)
		if err != nil || u.String() != want {
			t.Errorf("%q: got %v %v, want %s", in, u, err, want)
		}
	}
	bad := map[string]string{
		"":                 "http://",
		"h:8080":           "http://",
		"ftp://h":          "http://",
		"http://":          "no host",
		"http://user:pw@h": "credentials",
		"http://h/api?x=1": "query",
		"http://h/api#f":   "fragment",
		"http://h:99999":   "port",
		"http://h:port":    "",
		"http://%zz":       "",
		"http://h/api?":    "query",
	}
	for in, want := range bad {
		if _, err := owui.ParseBaseURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want it to mention %q", in, err, want)
		}
	}
	// Whatever the shape, an error never echoes what could be a secret:
	// anything before the last "@" of the authority, a query, a fragment.
	for _, in := range []string{
		"ftp://user:s3cret@h", "http://user:s3cret@h:bad/%zz",
		"http:/user:s3cret@host/", "user:s3cret@host:8080", "s3cret@host",
		"http://host/?token=s3cret", "http://host/api#s3cret", "http://u:s3/cret@host",
		"http://u:s3#cret@host", "http://u:s3?cret@host/", "https:///user:s3cret@host",
	} {
		_, err := owui.ParseBaseURL(in)
		if err == nil || strings.Contains(err.Error(), "s3") || strings.Contains(err.Error(), "cret") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// fake serves one handler for every request.
func fake(t *testing.T, h http.HandlerFunc) *owui.Session {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := owui.New(srv.URL, owui.WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c.NewSession("jwt-1")
}

func TestAnswerShapes(t *testing.T) {
	cases := []struct {
		name   string
		h      http.HandlerFunc
		kind   owui.ErrorKind
		status int
		text   string
	}{
		{"html page on 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<!doctype html><title>Open WebUI</title>")
		}, owui.KindUnsupported, 200, "does not offer get_session_user; check that --server"},
		{"404 Not Found", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"detail":"Not Found"}`)
		}, owui.KindUnsupported, 404, "does not offer"},
		{"404 plain text", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, owui.KindUnsupported, 404, "does not offer"},
		{"500 text", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "Internal Server Error")
		}, owui.KindStatus, 500, "answered 500: Internal Server Error. Open WebUI failed on its side"},
		{"502 html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
		}, owui.KindStatus, 502, `an HTML page titled "502 Bad Gateway"`},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"u1","email":`)
		}, owui.KindBadResponse, 200, "malformed or cut off"},
		{"wrong shape", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `[1,2,3]`)
		}, owui.KindBadResponse, 200, "got a JSON array"},
		{"object without a user", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"unexpected":1}`)
		}, owui.KindBadResponse, 200, "no token in the answer"},
		{"session without a user", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"token":"t","token_type":"Bearer"}`)
		}, owui.KindBadResponse, 200, "no user id"},
		{"field of wrong type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":5}`)
		}, owui.KindBadResponse, 200, "id is a JSON number"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/login", http.StatusFound)
		}, owui.KindRedirect, 302, `redirect to "https://elsewhere.example/login"`},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"`+strings.Repeat("a", 5<<20)+`"}`)
		}, owui.KindTooLarge, 0, "larger than 4 MiB"},
		{"422 list", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(422)
			_, _ = io.WriteString(w, `{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required","input":{}},{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`)
		}, owui.KindStatus, 422, "email: Field required; request body: Field required"},
		{"error without detail", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(418)
			_, _ = io.WriteString(w, `{"message":"teapot"}`)
		}, owui.KindStatus, 418, `{"message":"teapot"}`},
		{"empty error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
		}, owui.KindStatus, 503, "an empty answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, tc.h)
			_, err := s.GetSessionUser(context.Background())
			e := wantErr(t, err, tc.status, tc.text)
			if e.Kind != tc.kind {
				t.Errorf("kind %v, want %v", e.Kind, tc.kind)
			}
			if e.Op != "get_session_user" || e.Method != "GET" || !strings.HasSuffix(e.URL, "/api/v1/auths/") {
				t.Errorf("error does not name the request: %+v", e)
			}
			if s.Credential() != "jwt-1" {
				t.Error("a failure changed the credential")
			}
		})
	}
}

func TestRedirectIsNotFollowedWithCredentials(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer other.Close()
	s := fake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	_, err := s.Signin(context.Background(), owui.SigninForm{Email: "a@b.c", Password: "p"})
	wantErr(t, err, 307, "redirect")
	if hits.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

func TestTransportErrors(t *testing.T) {
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := owui.New("http://" + addr)
	_, err = c.NewSession("").GetAdminDetails(context.Background())
	e := wantErr(t, err, 0, "could not reach Open WebUI at http://"+addr+"/api/v1/auths/admin/details", "connection refused", "--server")
	if e.Kind != owui.KindNetwork {
		t.Errorf("kind %v", e.Kind)
	}

	c, _ = owui.New("http://no-such-host.invalid")
	_, err = c.NewSession("").GetAdminDetails(context.Background())
	wantErr(t, err, 0, "could not reach", "no-such-host.invalid")
}

func TestTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := owui.New(srv.URL, owui.WithTimeout(150*time.Millisecond))
	start := time.Now()
	_, err := c.NewSession("").GetSessionUser(context.Background())
	e := wantErr(t, err, 0, "did not answer within 150ms", "--timeout")
	if e.Kind != owui.KindTimeout || time.Since(start) > 2*time.Second {
		t.Errorf("kind %v after %v", e.Kind, time.Since(start))
	}

	c, _ = owui.New(srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err = c.NewSession("").GetSessionUser(ctx)
	e = wantErr(t, err, 0, "cancelled")
	if e.Kind != owui.KindCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("kind %v, %v", e.Kind, err)
	}
}

func TestUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	c, _ := owui.New(srv.URL)
	_, err := c.NewSession("").GetSessionUser(context.Background())
	wantErr(t, err, 0, "TLS certificate is not trusted", "trust store")
	// With the CA trusted, the same server answers.
	c, _ = owui.New(srv.URL, owui.WithTransport(srv.Client().Transport))
	_, err = c.NewSession("").GetSessionUser(context.Background())
	wantErr(t, err, 404, "does not offer")
}

func TestUnknownAdminKeysSurviveARoundTrip(t *testing.T) {
	var posted []byte
	s := fake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			posted, _ = io.ReadAll(r.Body)
			_, _ = w.Write(posted)
			return
		}
		_, _ = io.WriteString(w, `{"DEFAULT_USER_ROLE":"pending","ENABLE_SIGNUP":true,"NEW_FLAG_FROM_V12":{"x":[1,2]}}`)
	})
	cfg, err := s.GetAdminConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg.EnableSignup = false
	got, err := s.UpdateAdminConfig(context.Background(), *cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(posted), `"NEW_FLAG_FROM_V12":{"x":[1,2]}`) || !strings.Contains(string(posted), `"ENABLE_SIGNUP":false`) {
		t.Errorf("posted %s", posted)
	}
	if string(got.Unknown["NEW_FLAG_FROM_V12"]) != `{"x":[1,2]}` {
		t.Errorf("unknown keys after the round trip: %v", got.Unknown)
	}
}

func TestDateRejectsNonDates(t *testing.T) {
	var d owui.Date
	for _, in := range []string{`"2001-02-30"`, `"02/03/2001"`, `12`, `"2001-2-3"`} {
		if err := d.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
	if err := d.UnmarshalJSON([]byte(`"2001-02-28"`)); err != nil || d != "2001-02-28" {
		t.Errorf("valid date: %v %q", err, d)
	}
}

func TestOperationsAreComplete(t *testing.T) {
	ops := owui.Operations()
	if len(ops) != 23 {
		t.Fatalf("%d operations", len(ops))
	}
	seen := map[string]bool{}
	for _, op := range ops {
		if seen[op.Name] || op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			t.Errorf("bad operation %+v", op)
		}
		seen[op.Name] = true
	}
}

// TestAnswersAreReadWhole: an answer is read to its end whatever its
// framing (a length, chunks), a length over the limit is refused before
// anything is read, and connections are kept for the next request.
func TestAnswersAreReadWhole(t *testing.T) {
	user := `{"token":"jwt-1","token_type":"Bearer","id":"u1","email":"a@b.c","name":"A","role":"user","profile_image_url":"/p","permissions":{"b":{"y":true,"x":false},"a":{}}}`
	var conns atomic.Int32
	mode := atomic.Value{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch mode.Load() {
		case "length":
			w.Header().Set("Content-Length", strconv.Itoa(len(user)))
			_, _ = io.WriteString(w, user)
		case "chunked":
			for i := 0; i < len(user); i += 7 {
				_, _ = io.WriteString(w, user[i:min(i+7, len(user))])
				w.(http.Flusher).Flush()
			}
		case "huge":
			w.Header().Set("Content-Length", strconv.Itoa(5<<20))
			_, _ = io.WriteString(w, `{"id":"`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := owui.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s := c.NewSession("jwt-1")
	for range 3 {
		for _, m := range []string{"length", "chunked"} {
			mode.Store(m)
			u, err := s.GetSessionUser(context.Background())
			if err != nil || u.Email != "a@b.c" || string(u.Permissions) != `{"a":{},"b":{"x":false,"y":true}}` {
				t.Fatalf("%s: %+v %v", m, u, err)
			}
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 6 requests", n)
	}
	mode.Store("huge")
	_, err = s.GetSessionUser(context.Background())
	if e := wantErr(t, err, 0, "larger than 4 MiB"); e.Kind != owui.KindTooLarge {
		t.Errorf("kind %v", e.Kind)
	}
}
