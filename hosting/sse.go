package hosting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/mark3labs/mcp-go/mcp"
)

// The legacy SSE transport answers every posted message 202 at once and
// sends the real answer on the client's GET stream later. A client that
// posts without reading its stream would make the server hold every answer
// (mcp-go parks each one in a goroutine): so the requests waiting for their
// answers are counted per session and bounded, and a stream that does not
// drain ends its session.

// sseStreams tracks the open SSE sessions, and the answers waiting to be
// written on all of them together.
type sseStreams struct {
	mu      sync.Mutex
	m       map[string]*sseStream // by session id
	open    int                   // streams being served, counted against max
	max     int
	pending int // answers waiting, all sessions
}

// sseStream is one SSE session: its stream, and how many messages posted to
// it will be answered on it and have not been yet.
type sseStream struct {
	id     string
	cancel context.CancelFunc // ends the stream, and so the session
	rc     *http.ResponseController
	n      int // guarded by sseStreams.mu
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

// expect counts an answer to come on st's stream, unless st, or all
// sessions together, have too many waiting already; it says which.
func (s *sseStreams) expect(st *sseStream) (perSession, total bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.n >= MaxPendingPerStream {
		return false, true
	}
	if s.pending >= MaxPendingTotal {
		return true, false
	}
	st.n++
	s.pending++
	return true, true
}

// delivered strikes off the answers in an event written to st's stream:
// every message that is not itself a request or notification (no
// "method") answers one the client posted.
func (s *sseStreams) delivered(st *sseStream, event []byte) {
	for _, line := range bytes.Split(event, []byte("\n")) {
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		var m struct {
			Method *json.RawMessage `json:"method"`
		}
		if json.Unmarshal(data, &m) != nil || m.Method != nil {
			continue
		}
		s.mu.Lock()
		if st.n > 0 {
			st.n--
			s.pending--
		}
		s.mu.Unlock()
	}
}

// release gives back what st held: its place among the open sessions and
// the answers it still had waiting.
func (s *sseStreams) release(st *sseStream) {
	s.mu.Lock()
	s.open--
	s.pending -= st.n
	st.n = 0
	if st.id != "" {
		delete(s.m, st.id)
	}
	s.mu.Unlock()
}

// closeAll ends every stream at once, a blocked write included, for a
// shutdown that must not wait for clients that do not read.
func (s *sseStreams) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		if st.rc != nil {
			_ = st.rc.SetWriteDeadline(time.Now())
		}
		st.cancel()
	}
}

// answered reports whether mcp-go will answer on the stream the message a
// client posted: it reads the body as mcp-go does (the first JSON value,
// keys in any case, the last of a repeated key) and answers everything but
// a notification and a client's own answer ("result" set). Predicting
// that from the message, rather than matching ids, leaves no form of a
// request that is answered but not counted.
func answered(body []byte) (bool, int) {
	var raw json.RawMessage
	if json.NewDecoder(bytes.NewReader(body)).Decode(&raw) != nil {
		return false, 0 // mcp-go refuses it in the POST's own answer
	}
	var m struct {
		JSONRPC string `json:"jsonrpc"`
		ID      any    `json:"id,omitempty"`
		Result  any    `json:"result,omitempty"`
	}
	if json.Unmarshal(raw, &m) != nil || m.JSONRPC != "2.0" {
		return true, 0
	}
	if m.ID == nil {
		var n mcp.JSONRPCNotification
		return json.Unmarshal(raw, &n) != nil, 0
	}
	idLen := 0
	if b, err := json.Marshal(m.ID); err == nil {
		idLen = len(b)
	}
	return m.Result == nil, idLen
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
	st := &sseStream{rc: http.NewResponseController(w)}
	ctx, cancel := context.WithCancel(context.WithValue(r.Context(), streamKey{}, st))
	st.cancel = cancel
	sw := &streamWriter{ResponseWriter: w, rc: st.rc, streams: h.streams, st: st, timeout: h.writeTimeout,
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

// serveSSEMessage bounds the answers waiting to be written on a session's
// stream (POST /message), for that session and for all together.
func (h *Handler) serveSSEMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if st := h.streams.get(r.URL.Query().Get("sessionId")); st != nil {
			answer, idLen := answered(bodyOf(r))
			if idLen > MaxIDBytes {
				h.refuse(w, r, http.StatusBadRequest, "bad request: a JSON-RPC id longer than "+strconv.Itoa(MaxIDBytes)+" bytes; use a number or a short string")
				return
			}
			if answer {
				switch session, total := h.streams.expect(st); {
				case !session:
					h.refuse(w, r, http.StatusTooManyRequests, "too many requests: "+strconv.Itoa(MaxPendingPerStream)+" messages of this SSE session are still waiting for their answers on its stream; read the stream (GET /sse) before sending more")
					return
				case !total:
					h.refuse(w, r, http.StatusTooManyRequests, "too many requests: the server has "+strconv.Itoa(MaxPendingTotal)+" answers waiting on SSE streams; try again shortly")
					return
				}
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
	streams     *sseStreams
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
	w.streams.delivered(w.st, p)
	return n, nil
}

func (w *streamWriter) Flush() {
	if err := w.rc.Flush(); err != nil {
		w.st.cancel()
	}
}

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
