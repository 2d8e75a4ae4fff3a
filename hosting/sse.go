package hosting

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/owui-mcp/owui-mcp/internal/rpcmsg"
)

// The legacy SSE transport answers every posted message 202 at once and
// sends the real answer on the client's GET stream later. A client that
// posts without reading its stream would make the server hold every answer
// (mcp-go parks each one in a goroutine): so the requests waiting for their
// answers are counted per session and bounded, and a stream that does not
// drain ends its session.

// sseStreams tracks the open SSE sessions.
type sseStreams struct {
	mu   sync.Mutex
	m    map[string]*sseStream // by session id
	open int                   // streams being served, counted against max
	max  int
}

// sseStream is one SSE session: its stream and the requests posted to it
// whose answers have not been written to the stream yet.
type sseStream struct {
	id     string
	cancel context.CancelFunc // ends the stream, and so the session

	mu      sync.Mutex
	pending map[string]int // JSON-RPC id -> requests waiting
	n       int
}

// streamKey carries a stream being opened to the session-id generator.
type streamKey struct{}

func newSSEStreams(max int) *sseStreams {
	return &sseStreams{m: map[string]*sseStream{}, max: max}
}

func (s *sseStreams) reserve() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open >= s.max {
		return false
	}
	s.open++
	return true
}

func (s *sseStreams) release(st *sseStream) {
	s.mu.Lock()
	s.open--
	if st.id != "" {
		delete(s.m, st.id)
	}
	s.mu.Unlock()
}

// newID is mcp-go's session-id generator: it names the stream being opened.
func (s *sseStreams) newID(ctx context.Context, _ *http.Request) (string, error) {
	st, _ := ctx.Value(streamKey{}).(*sseStream)
	if st == nil {
		return "", errors.New("SSE stream opened outside the guard")
	}
	id := uuid.NewString()
	s.mu.Lock()
	st.id = id
	s.m[id] = st
	s.mu.Unlock()
	return id, nil
}

func (s *sseStreams) get(id string) *sseStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

func (s *sseStreams) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// expect records a request that will be answered on the stream, unless too
// many are waiting already.
func (st *sseStream) expect(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.n >= MaxPendingPerStream {
		return false
	}
	st.pending[id]++
	st.n++
	return true
}

// delivered takes note of the answers in an event written to the stream.
func (st *sseStream) delivered(event []byte) {
	for _, line := range bytes.Split(event, []byte("\n")) {
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		id, answer, ok := rpcmsg.Classify(data, true)
		if !ok || !answer || id == "null" {
			continue
		}
		st.mu.Lock()
		if st.pending[id] > 0 {
			st.n--
			if st.pending[id]--; st.pending[id] == 0 {
				delete(st.pending, id)
			}
		}
		st.mu.Unlock()
	}
}

// serveSSEStream opens an SSE session (GET /sse), within the session limit.
func (h *Handler) serveSSEStream(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		h.sse.SSEHandler().ServeHTTP(w, r) // mcp-go's own 405
		return
	}
	if !h.streams.reserve() {
		h.refuse(w, r, http.StatusServiceUnavailable, h.full())
		return
	}
	st := &sseStream{pending: map[string]int{}}
	ctx, cancel := context.WithCancel(context.WithValue(r.Context(), streamKey{}, st))
	st.cancel = cancel
	sw := &streamWriter{ResponseWriter: w, rc: http.NewResponseController(w), st: st, timeout: h.writeTimeout,
		allowOrigin: w.Header().Get("Access-Control-Allow-Origin")}
	defer func() {
		cancel()
		h.streams.release(st)
		// The connection may serve another request: no deadline of this
		// stream's may outlive it.
		_ = sw.rc.SetWriteDeadline(time.Time{})
	}()
	h.sse.SSEHandler().ServeHTTP(sw, r.WithContext(ctx))
}

// serveSSEMessage bounds the requests waiting for their answers on a
// session's stream (POST /message).
func (h *Handler) serveSSEMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if st := h.streams.get(r.URL.Query().Get("sessionId")); st != nil {
			if id, answer, ok := rpcmsg.Classify(bodyOf(r), false); ok && !answer && id != "null" && !st.expect(id) {
				h.refuse(w, r, http.StatusTooManyRequests, "too many requests: "+strconv.Itoa(MaxPendingPerStream)+" requests of this SSE session are still waiting for their answers on its stream; read the stream (GET /sse) before sending more")
				return
			}
		}
	}
	h.sse.MessageHandler().ServeHTTP(w, r)
}

// streamWriter is an SSE stream's response writer. Each event must be
// written within the stream write timeout, or the session ends; answers written
// are struck off the pending requests; and mcp-go's wildcard CORS header is
// replaced by the guard's decision (an allowed origin, or none).
type streamWriter struct {
	http.ResponseWriter
	rc          *http.ResponseController
	st          *sseStream
	timeout     time.Duration
	allowOrigin string
	started     bool
}

func (w *streamWriter) start() {
	if w.started {
		return
	}
	w.started = true
	if w.allowOrigin != "" {
		w.Header().Set("Access-Control-Allow-Origin", w.allowOrigin)
	} else {
		w.Header().Del("Access-Control-Allow-Origin")
	}
}

func (w *streamWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.start()
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	n, err := w.ResponseWriter.Write(p)
	if err != nil {
		w.st.cancel()
		return n, err
	}
	w.st.delivered(p)
	return n, nil
}

func (w *streamWriter) Flush() {
	if err := w.rc.Flush(); err != nil {
		w.st.cancel()
	}
}

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
