package signinpage

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3). Each names what it broke before its fix.

// slowLink is a link whose Complete waits for release and then succeeds
// or fails; entered is closed once Complete runs.
type slowLink struct {
	*Link
	entered chan struct{}
	release chan error
	ran     chan struct{}
}

func newSlowLink(t *testing.T, st *Store, session string) *slowLink {
	t.Helper()
	s := &slowLink{entered: make(chan struct{}), release: make(chan error), ran: make(chan struct{})}
	l, err := st.Create(Request{Session: session, Kind: Password,
		Complete: func(context.Context, Fields) (string, error) {
			close(s.entered)
			err := <-s.release
			close(s.ran)
			if err != nil {
				return "", err
			}
			return "Your Open WebUI password was changed.", nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	s.Link = l
	return s
}

// submitAsync posts the filled form and returns the answer when it comes.
func submitAsync(t *testing.T, link string) <-chan answer {
	t.Helper()
	v := form(t, link)
	v.Set("password", "current-pw")
	v.Set("new_password", "new-pw")
	out := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- answer{body: err.Error()}
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		out <- answer{status: resp.StatusCode, body: b.String()}
	}()
	return out
}

// Before: a link withdrawn, replaced, ended or expired while its form was
// being completed at Open WebUI turned "stopped" although Complete went
// on to sign in or change the password: the page said "withdrawn" (410),
// Wait said so too, and the tool answered "nothing was kept", while the
// password had in fact been changed. What happened at Open WebUI must be
// what the page and the waiting call report.
func TestAttackStopWhileSubmittingReportsWhatHappened(t *testing.T) {
	stops := map[string]func(st *Store, l *Link){
		"cancel":   func(_ *Store, l *Link) { l.Cancel() },
		"session":  func(st *Store, _ *Link) { st.DropSession("A") },
		"withdraw": func(st *Store, _ *Link) { st.Withdraw() },
	}
	for name, stop := range stops {
		t.Run(name+"/succeeds", func(t *testing.T) {
			f := newFixture(t, Config{})
			l := newSlowLink(t, f.st, "A")
			page := submitAsync(t, l.URL)
			<-l.entered
			stop(f.st, l.Link)
			l.release <- nil
			a := <-page
			if a.status != http.StatusOK || !strings.Contains(a.body, "password was changed") {
				t.Errorf("page after a stop during a successful submission: %d %s", a.status, a.body)
			}
			if err := l.Wait(context.Background()); err != nil {
				t.Errorf("Wait: %v, want nil: the password was changed", err)
			}
		})
		t.Run(name+"/fails", func(t *testing.T) {
			f := newFixture(t, Config{})
			l := newSlowLink(t, f.st, "A")
			page := submitAsync(t, l.URL)
			<-l.entered
			stop(f.st, l.Link)
			l.release <- errors.New("The password provided is incorrect.")
			a := <-page
			if a.status != http.StatusGone || !strings.Contains(a.body, "incorrect") {
				t.Errorf("page after a stop during a failed submission: %d %s", a.status, a.body)
			}
			if err := l.Wait(context.Background()); err == nil {
				t.Error("Wait: nil for a link stopped during a failed submission")
			}
			if a := get(t, l.URL); a.status != http.StatusGone {
				t.Errorf("the link works after it was stopped: %d", a.status)
			}
		})
	}
}

// Before: Wait returned ErrExpired at the expiry even with a submission in
// flight that then succeeded (the tool said "expired, nothing was kept").
func TestAttackExpiryDuringSubmissionWaitsForIt(t *testing.T) {
	f := newFixture(t, Config{TTL: 400 * time.Millisecond})
	l := newSlowLink(t, f.st, "A")
	page := submitAsync(t, l.URL)
	<-l.entered
	waited := make(chan error, 1)
	go func() { waited <- l.Wait(context.Background()) }()
	time.Sleep(600 * time.Millisecond) // past the expiry
	select {
	case err := <-waited:
		t.Fatalf("Wait answered %v while the submission was still in flight", err)
	default:
	}
	l.release <- nil
	if err := <-waited; err != nil {
		t.Errorf("Wait: %v, want nil: the submission succeeded", err)
	}
	if a := <-page; a.status != http.StatusOK {
		t.Errorf("page: %d %s", a.status, a.body)
	}
}

// Before: used and stopped links counted against MaxLinks until one TTL
// after their expiry, so a client could open sessions, make their links
// and end them (1,024 sessions x 4 links took 7 s), and every other
// session got ErrFull for 20 minutes.
func TestAttackEndedSessionsDoNotFillTheStore(t *testing.T) {
	f := newFixture(t, Config{MaxPerSession: 2, MaxLinks: 4})
	for _, s := range []string{"A", "B"} {
		f.link(t, s, Signin)
		f.link(t, s, Signin)
		f.st.DropSession(s)
	}
	if _, err := f.st.Create(Request{Session: "victim", Complete: func(context.Context, Fields) (string, error) { return "", nil }}); err != nil {
		t.Fatalf("a new session's link after others' sessions ended: %v", err)
	}
	// Pending links still count.
	f = newFixture(t, Config{MaxPerSession: 2, MaxLinks: 2})
	f.link(t, "A", Signin)
	f.link(t, "B", Signin)
	if _, err := f.st.Create(Request{Session: "C", Complete: func(context.Context, Fields) (string, error) { return "", nil }}); !errors.Is(err, ErrFull) {
		t.Errorf("past MaxLinks of pending links: %v", err)
	}
}

// Before: the prefilled login had no bound; links keep it for two TTLs,
// so 4,096 links of 1 MB "emails" held over 4 GiB (measured: 16 MiB of
// RSS per session of 4 links, kept after the sessions ended).
func TestAttackLongLoginRefused(t *testing.T) {
	f := newFixture(t, Config{})
	_, err := f.st.Create(Request{Session: "A", Login: strings.Repeat("a", MaxLoginBytes+1),
		Complete: func(context.Context, Fields) (string, error) { return "", nil }})
	if !errors.Is(err, ErrLogin) {
		t.Errorf("a login of %d bytes: %v", MaxLoginBytes+1, err)
	}
	if f.st.Len() != 0 {
		t.Errorf("%d links kept", f.st.Len())
	}
}

// Before: safeURL cut at the first '?' or '#' before looking for '@', so a
// password holding one of them was printed up to it:
// "https://admin:s3cr…".
func TestAttackPublicURLErrorsHideUserinfo(t *testing.T) {
	for _, bad := range []string{
		"https://admin:s3cr?tpass@mcp.example.com",
		"https://admin:s3cr#tpass@mcp.example.com/x",
		"https://admin:s3cr/tpass@mcp.example.com",
		"https://mcp.example.com/?t=s3cr@tpass",
		"admin:s3cr?tpass@mcp.example.com",
	} {
		_, _, err := CheckPublicURL(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "tpass") || strings.Contains(err.Error(), "admin") {
			t.Errorf("%q: the error shows part of the credential: %v", bad, err)
		}
	}
}

// Before: an answer that took Complete most of the server's write timeout
// was never written (the stdio listener's is 30 s and --timeout may be
// longer): the browser got a closed connection although the sign-in
// happened. Here the write timeout is short and Complete slower.
func TestAttackSlowSubmissionStillAnswered(t *testing.T) {
	st, err := New(Config{Server: "http://owui.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	srv := httptest.NewUnstartedServer(st.Handler())
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	if err := st.SetBase(srv.URL); err != nil {
		t.Fatal(err)
	}
	l, err := st.Create(Request{Session: "A", Login: "ann@example.com",
		Complete: func(context.Context, Fields) (string, error) {
			time.Sleep(500 * time.Millisecond)
			return "Signed in as Ann (user). You can close this tab.", nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	v := form(t, l.URL)
	v.Set("password", goodPassword)
	req, _ := http.NewRequest(http.MethodPost, l.URL, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the answer to a slow submission was not written: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("slow submission: %d", resp.StatusCode)
	}
}
