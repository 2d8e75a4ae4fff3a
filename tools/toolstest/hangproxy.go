package toolstest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// HangProxy stands in front of an Open WebUI. While Hanging is set it takes
// requests, never answers, and notes when each one's context ends (the
// caller gave up); otherwise it passes requests through. It shows that a
// cancelled or abandoned call really stops its upstream request.
type HangProxy struct {
	*httptest.Server
	Hanging  atomic.Bool
	arrived  chan struct{}
	released chan time.Time
}

// NewHangProxy starts a proxy to upstream, closed when the test ends.
func NewHangProxy(t testing.TB, upstream string) *HangProxy {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &HangProxy{arrived: make(chan struct{}, 16), released: make(chan time.Time, 16)}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.Hanging.Load() {
			rp.ServeHTTP(w, r)
			return
		}
		p.arrived <- struct{}{}
		<-r.Context().Done()
		p.released <- time.Now()
	}))
	t.Cleanup(p.Close)
	return p
}

// WaitArrived waits for a request to reach the hanging proxy.
func (p *HangProxy) WaitArrived(t testing.TB) {
	t.Helper()
	select {
	case <-p.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the call never reached Open WebUI")
	}
}

// WaitReleased fails unless the hung request ends within limit of since.
func (p *HangProxy) WaitReleased(t testing.TB, since time.Time, limit time.Duration) {
	t.Helper()
	select {
	case at := <-p.released:
		if d := at.Sub(since); d > limit {
			t.Errorf("the upstream request ended %v later, want within %v", d, limit)
		}
	case <-time.After(limit + 5*time.Second):
		t.Fatal("the upstream request was never released")
	}
}
