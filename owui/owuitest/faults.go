package owuitest

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Fault is an injected misbehaviour (see Server.SetFault). Faults are built
// with the Fault* constructors.
type Fault interface {
	// apply handles the request (and returns true) or lets normal
	// processing continue (false).
	apply(s *Server, w http.ResponseWriter, r *http.Request) bool
}

type faultBox struct{ f Fault }

func (s *Server) currentFault() Fault {
	if b := s.fault.Load(); b != nil {
		return b.f
	}
	return nil
}

// waitFor blocks for d, or until the request is cancelled or the server
// closes; it reports whether the full delay elapsed.
func (s *Server) waitFor(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

type hangFault struct{}

func (hangFault) apply(s *Server, _ http.ResponseWriter, r *http.Request) bool {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
	return true
}

// FaultHang accepts the request and never answers, until the client gives
// up or the server is closed (Close does not wait for it).
func FaultHang() Fault { return hangFault{} }

type delayFault struct{ d time.Duration }

func (f delayFault) apply(s *Server, _ http.ResponseWriter, r *http.Request) bool {
	return !s.waitFor(r, f.d)
}

// FaultDelay answers normally after d (nothing is sent if the client gives
// up first).
func FaultDelay(d time.Duration) Fault { return delayFault{d: d} }

type statusFault struct {
	code        int
	contentType string
	body        string
}

func (f statusFault) apply(_ *Server, w http.ResponseWriter, _ *http.Request) bool {
	if f.contentType != "" {
		w.Header().Set("Content-Type", f.contentType)
	} else {
		w.Header()["Content-Type"] = nil // no sniffing
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.body)))
	code := f.code
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	w.WriteHeader(code)
	_, _ = w.Write([]byte(f.body))
	return true
}

// FaultStatus answers every request with the given status, Content-Type and
// body, e.g. FaultStatus(500, "text/plain", "Internal Server Error") or a
// proxy's 502 HTML page. An empty contentType sends no Content-Type header.
func FaultStatus(code int, contentType, body string) Fault {
	return statusFault{code: code, contentType: contentType, body: body}
}

// FaultTruncatedJSON answers 200 application/json with a JSON body cut off
// in the middle of a string.
func FaultTruncatedJSON() Fault {
	return statusFault{code: 200, contentType: "application/json",
		body: `{"id":"6f1c2b9e-8d4a-4f0e-9b1a-2c3d4e5f6a7b","email":"user@example.com","name":"Us`}
}

// FaultWrongShape answers 200 application/json with valid JSON of the wrong
// shape: an array where every auths route returns an object or a boolean.
// (For other shapes use FaultStatus(200, "application/json", body).)
func FaultWrongShape() Fault {
	return statusFault{code: 200, contentType: "application/json", body: `[{"unexpected":1}]`}
}

type hugeFault struct{ n int64 }

var hugeChunk = func() []byte {
	b := make([]byte, 32<<10)
	for i := range b {
		b[i] = 'a'
	}
	return b
}()

func (f hugeFault) apply(s *Server, w http.ResponseWriter, r *http.Request) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush() // commit the headers: chunked, no Content-Length
	}
	n := f.n
	// A JSON object whose single string value is padded to n bytes in
	// total (shorter n: just a prefix of it).
	head := []byte(`{"detail":"`)
	tail := []byte(`"}`)
	write := func(p []byte) bool {
		if n <= 0 {
			return false
		}
		if int64(len(p)) > n {
			p = p[:n]
		}
		n -= int64(len(p))
		if _, err := w.Write(p); err != nil {
			return false
		}
		return true
	}
	if !write(head) {
		return true
	}
	for n > int64(len(tail)) {
		select {
		case <-s.closing:
			return true
		case <-r.Context().Done():
			return true
		default:
		}
		chunk := hugeChunk
		if rest := n - int64(len(tail)); rest < int64(len(chunk)) {
			chunk = chunk[:rest]
		}
		if !write(chunk) {
			return true
		}
	}
	write(tail)
	return true
}

// FaultHugeBody answers 200 application/json with a body of n bytes,
// streamed in chunks without a Content-Length (it is never held in memory
// at once).
func FaultHugeBody(n int64) Fault { return hugeFault{n: n} }

type redirectFault struct{ location string }

func (f redirectFault) apply(_ *Server, w http.ResponseWriter, _ *http.Request) bool {
	w.Header().Set("Location", f.location)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusTemporaryRedirect)
	return true
}

// FaultRedirect answers 307 Temporary Redirect to location (typically
// another host), with an empty body.
func FaultRedirect(location string) Fault { return redirectFault{location: location} }

type onPathFault struct {
	path string
	f    Fault
}

func (f onPathFault) apply(s *Server, w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != f.path || f.f == nil {
		return false
	}
	return f.f.apply(s, w, r)
}

// FaultOnPath applies f only to requests whose URL path equals path, e.g.
// "/api/v1/auths/signin".
func FaultOnPath(path string, f Fault) Fault { return onPathFault{path: path, f: f} }

type timesFault struct {
	left *atomic.Int64
	f    Fault
}

func (f timesFault) apply(s *Server, w http.ResponseWriter, r *http.Request) bool {
	if f.f == nil || f.left.Add(-1) < 0 {
		return false
	}
	return f.f.apply(s, w, r)
}

// FaultTimes applies f to the first n requests it sees (after any
// FaultOnPath filtering around it) and lets later ones through, e.g. to test
// retries: FaultTimes(1, FaultStatus(502, "text/html", page)).
func FaultTimes(n int, f Fault) Fault {
	c := &atomic.Int64{}
	c.Store(int64(n))
	return timesFault{left: c, f: f}
}
