package owuitest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	s := start(t, seeded())
	get := func() (*http.Response, error) {
		return s.Client().Get(s.URL + "/api/version")
	}

	t.Run("status", func(t *testing.T) {
		s.SetFault(FaultStatus(502, "text/html", "<html>Bad Gateway</html>"))
		defer s.SetFault(nil)
		r := call(t, s, "GET", "/api/version", "")
		if r.status != 502 || r.header.Get("Content-Type") != "text/html" || string(r.body) != "<html>Bad Gateway</html>" {
			t.Fatal(r.status, r.header, string(r.body))
		}
		s.SetFault(FaultStatus(42, "", "x"))
		if r := call(t, s, "GET", "/api/version", ""); r.status != 500 || r.header.Get("Content-Type") != "" {
			t.Fatal(r.status, r.header)
		}
	})
	t.Run("truncated and wrong shape", func(t *testing.T) {
		defer s.SetFault(nil)
		s.SetFault(FaultTruncatedJSON())
		r := call(t, s, "POST", "/api/v1/auths/signin", `{}`)
		var v any
		if r.status != 200 || r.header.Get("Content-Type") != "application/json" || json.Unmarshal(r.body, &v) == nil {
			t.Fatal(r.status, string(r.body))
		}
		s.SetFault(FaultWrongShape())
		r = call(t, s, "GET", "/api/v1/auths/", "")
		if err := json.Unmarshal(r.body, &v); err != nil || r.status != 200 {
			t.Fatal(err)
		}
		if _, isObj := v.(map[string]any); isObj {
			t.Fatal("an object")
		}
	})
	t.Run("huge body", func(t *testing.T) {
		defer s.SetFault(nil)
		for _, n := range []int64{0, 5, 12, 100, 3 << 20} {
			s.SetFault(FaultHugeBody(n))
			res, err := get()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil || got != n || res.ContentLength != -1 {
				t.Fatalf("n=%d: read %d, %v, cl %d", n, got, err, res.ContentLength)
			}
		}
		s.SetFault(FaultHugeBody(200))
		r := call(t, s, "GET", "/x", "")
		var v map[string]string
		if err := json.Unmarshal(r.body, &v); err != nil || len(r.body) != 200 {
			t.Fatalf("%v %d", err, len(r.body))
		}
		// A client that gives up early does not keep the server busy.
		s.SetFault(FaultHugeBody(1 << 40))
		res, err := get()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1<<16)
		_, _ = io.ReadFull(res.Body, buf)
		res.Body.Close()
	})
	t.Run("redirect", func(t *testing.T) {
		defer s.SetFault(nil)
		s.SetFault(FaultRedirect("http://other.invalid/api/v1/auths/signin"))
		c := *s.Client()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		r := callWith(t, &c, s.URL, "POST", "/api/v1/auths/signin", `{}`)
		if r.status != 307 || r.header.Get("Location") != "http://other.invalid/api/v1/auths/signin" {
			t.Fatal(r.status, r.header)
		}
	})
	t.Run("on path and times", func(t *testing.T) {
		defer s.SetFault(nil)
		s.SetFault(FaultOnPath("/api/v1/auths/signin", FaultTimes(2, FaultStatus(503, "text/plain", "busy"))))
		if r := call(t, s, "GET", "/api/version", ""); r.status != 200 {
			t.Fatal(r.status)
		}
		for i, want := range []int{503, 503, 400} {
			r := call(t, s, "POST", "/api/v1/auths/signin", `{"email":"a","password":"b"}`)
			if r.status != want {
				t.Fatalf("attempt %d: %d", i, r.status)
			}
		}
		s.SetFault(FaultOnPath("/x", nil))
		call(t, s, "GET", "/health", "").expect(t, 200, "")
		s.SetFault(FaultTimes(1, nil))
		call(t, s, "GET", "/health", "").expect(t, 200, "")
	})
	t.Run("delay", func(t *testing.T) {
		defer s.SetFault(nil)
		s.SetFault(FaultDelay(50 * time.Millisecond))
		t0 := time.Now()
		call(t, s, "GET", "/health", "").expect(t, 200, "")
		if time.Since(t0) < 50*time.Millisecond {
			t.Fatal("no delay")
		}
		s.SetFault(FaultDelay(10 * time.Second))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/health", nil)
		if _, err := s.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		s.SetFault(FaultDelay(0))
		call(t, s, "GET", "/health", "").expect(t, 200, "")
	})
	t.Run("hang", func(t *testing.T) {
		defer s.SetFault(nil)
		s.SetFault(FaultHang())
		c := *s.Client()
		c.Timeout = 100 * time.Millisecond
		t0 := time.Now()
		if _, err := c.Get(s.URL + "/health"); err == nil {
			t.Fatal("answered")
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Fatal(d)
		}
	})
}

func TestCloseWithHungRequests(t *testing.T) {
	s := NewServer(seeded())
	s.SetFault(FaultHang())
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Client().Get(s.URL + "/health")
			if err == nil {
				res.Body.Close()
			}
		}()
	}
	// A POST with a body hangs as well.
	wg.Add(1)
	go func() {
		defer wg.Done()
		s2 := s
		req, _ := http.NewRequest("POST", s2.URL+"/api/v1/auths/signin", strings.NewReader("{}"))
		if res, err := s2.Client().Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	for len(s.Requests()) < 6 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	t0 := time.Now()
	s.Close()
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	s.Close() // idempotent
	wg.Wait()

	s3 := NewServer()
	s3.SetFault(FaultHugeBody(1 << 40))
	go func() {
		if res, err := s3.Client().Get(s3.URL + "/"); err == nil {
			buf := make([]byte, 10)
			_, _ = res.Body.Read(buf)
			time.Sleep(50 * time.Millisecond)
			res.Body.Close()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	s3.SetFault(FaultDelay(time.Hour))
	go func() { _, _ = http.Get(s3.URL + "/health") }()
	time.Sleep(20 * time.Millisecond)
	t0 = time.Now()
	s3.Close()
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
}

func TestTLSServer(t *testing.T) {
	s := NewTLSServer(seeded())
	defer s.Close()
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") || s.APIURL() != s.URL+"/api" {
		t.Fatal(s.URL, s.APIURL())
	}
	signin(t, s, userEmail, userPass)
	_, err := http.Get(s.URL + "/health")
	var cerr *tls.CertificateVerificationError
	if !errors.As(err, &cerr) {
		t.Fatalf("untrusted certificate not reported: %v", err)
	}
}

func TestRequestsLog(t *testing.T) {
	s := start(t, seeded())
	call(t, s, "POST", "/api/v1/auths/signin?x=1", `{"email":"a","password":"b"}`, header("X-Test", "1"))
	s.SetFault(FaultStatus(500, "text/plain", "x"))
	call(t, s, "GET", "/api/version", "")
	s.SetFault(nil)
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Method != "POST" || reqs[0].Path != "/api/v1/auths/signin" || reqs[0].RawQuery != "x=1" ||
		reqs[0].Header.Get("X-Test") != "1" || string(reqs[0].Body) != `{"email":"a","password":"b"}` || reqs[1].Path != "/api/version" {
		t.Fatalf("%+v", reqs)
	}
	reqs[0].Body[0] = 'X'
	reqs[0].Header.Set("X-Test", "2")
	if r := s.Requests()[0]; r.Body[0] != '{' || r.Header.Get("X-Test") != "1" {
		t.Fatal("Requests shares memory")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Fatal("not reset")
	}

	bounded := start(t, WithMaxRecordedRequests(2))
	for i := 0; i < 5; i++ {
		call(t, bounded, "GET", fmt.Sprintf("/p%d", i), "")
	}
	if r := bounded.Requests(); len(r) != 2 || r[0].Path != "/p3" || r[1].Path != "/p4" {
		t.Fatalf("%+v", r)
	}
	ring := start(t, WithMaxRecordedRequests(3))
	for i := range 10 {
		call(t, ring, "GET", fmt.Sprintf("/p%d", i), "")
		var got, want []string
		for _, r := range ring.Requests() {
			got = append(got, r.Path)
		}
		for j := max(0, i-2); j <= i; j++ {
			want = append(want, fmt.Sprintf("/p%d", j))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("after /p%d: %v, want %v", i, got, want)
		}
	}
	ring.ResetRequests()
	call(t, ring, "GET", "/after-reset", "")
	if r := ring.Requests(); len(r) != 1 || r[0].Path != "/after-reset" {
		t.Fatalf("after a reset: %+v", r)
	}
	none := start(t, WithMaxRecordedRequests(0))
	call(t, none, "GET", "/", "")
	if len(none.Requests()) != 0 {
		t.Fatal("recorded")
	}
	all := start(t, WithMaxRecordedRequests(-1), nil)
	call(t, all, "GET", "/", "")
	if len(all.Requests()) != 1 {
		t.Fatal("not recorded")
	}
}

func TestHelpersAndSeeding(t *testing.T) {
	s := start(t,
		WithUsers(User{ID: "fixed-id", Name: "A", Email: "A@Example.com", Password: "p"},
			User{Name: "Dup", Email: "a@example.com"},
			User{ID: "fixed-id", Email: "other@example.com"},
			User{Email: "k1@example.com", APIKey: "sk-44444444444444444444444444444444"},
			User{Email: "k2@example.com", APIKey: "sk-44444444444444444444444444444444"}),
		WithClock(nil), WithOAuth("oidc"), WithVersion(" v0.11.0 "))
	users := s.Users()
	if len(users) != 3 || users[0].ID != "fixed-id" || users[0].Role != "user" || users[0].Email != "a@example.com" ||
		users[0].ProfileImageURL != "/user.png" || users[0].Name != "A" || users[0].Password != "" {
		t.Fatalf("%+v", users)
	}
	if users[1].APIKey == "" || users[2].APIKey != "" {
		t.Fatal("duplicate API key seeded twice")
	}
	if _, ok := s.UserByEmail("nobody@example.com"); ok {
		t.Fatal("found nobody")
	}
	tok, err := s.IssueToken("a@example.com", 0)
	if err != nil {
		t.Fatal(err)
	}
	call(t, s, "GET", "/api/v1/auths/", "", withBearer(tok)).expect(t, 200, "")
	// /api/config reflects the auth features.
	cfg := call(t, s, "GET", "/api/config", "").obj(t)
	feats := cfg["features"].(map[string]any)
	if cfg["version"] != "0.11.0" || feats["enable_signup"] != true || feats["enable_ldap"] != false || feats["enable_api_keys"] != nil {
		t.Fatal(cfg)
	}
	if cfg["oauth"].(map[string]any)["providers"].(map[string]any)["oidc"] != "oidc" || cfg["onboarding"] != nil {
		t.Fatal(cfg)
	}
	feats = call(t, s, "GET", "/api/config", "", withBearer(tok)).obj(t)["features"].(map[string]any)
	if feats["enable_api_keys"] != false {
		t.Fatal(feats)
	}
	if call(t, start(t), "GET", "/api/config", "").obj(t)["onboarding"] != true {
		t.Fatal("onboarding")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := start(t, seeded(), WithAPIKeys(true))
	admin := adminTokenFor(t, s)
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			email := fmt.Sprintf("c%d@example.com", i)
			for _, step := range []struct{ method, path, body, tok string }{
				{"POST", "/api/v1/auths/signup", `{"name":"c","email":"` + email + `","password":"pw"}`, ""},
				{"POST", "/api/v1/auths/add", `{"name":"c","email":"x` + email + `","password":"pw","role":"user"}`, admin},
				{"POST", "/api/v1/auths/signin", `{"email":"x` + email + `","password":"pw"}`, ""},
				{"GET", "/api/v1/auths/admin/config", "", admin},
				{"POST", "/api/v1/auths/api_key", "", admin},
				{"GET", "/api/v1/auths/", "", admin},
			} {
				req, _ := http.NewRequest(step.method, s.URL+step.path, strings.NewReader(step.body))
				if step.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if step.tok != "" {
					req.Header.Set("Authorization", "Bearer "+step.tok)
				}
				res, err := s.Client().Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					errs <- fmt.Sprintf("%s %s: %d", step.method, step.path, res.StatusCode)
				}
			}
			s.SetRole(email, "user")
			_, _ = s.UserByEmail(email)
			_ = s.Requests()
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(s.Users()); n != 3+32 {
		t.Fatalf("%d users", n)
	}
}

func BenchmarkSignin(b *testing.B) {
	s := NewServer(seeded())
	defer s.Close()
	body := `{"email":"` + userEmail + `","password":"` + userPass + `"}`
	c := s.Client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Post(s.URL+"/api/v1/auths/signin", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

func BenchmarkSessionUserHandler(b *testing.B) {
	s := NewServer(seeded())
	defer s.Close()
	tok, _ := s.IssueToken(userEmail, 0)
	req, _ := http.NewRequest("GET", "/api/v1/auths/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := s.dispatch(req, nil); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}
