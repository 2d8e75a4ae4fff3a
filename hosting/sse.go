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
	mu           sync.Mutex
	m            map[string]*sseStream // by session id
	open         int                   // streams being served, counted against max
	max          int
	pending      int   // answers waiting, all sessions
	pendingBytes int64 // bytes of the requests they answer
}

// sseStream is one SSE session: its stream, and how many messages posted to
// it will be answered on it and have not been yet.
type sseStream struct {
	id     string
	cancel context.CancelFunc // ends the stream, and so the session
	rc     *http.ResponseController
	// Guarded by sseStreams.mu: the answers waiting, the bytes of the
	// requests they answer (held by mcp-go until each is done), and
	// whether the stream has ended.
	n        int
	bytes    int64
	released bool
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

// expect counts an answer to come on st's stream for a request of size
// bytes, unless st, or all sessions together, have too many waiting
// already; it says which. A session's first few waiting answers to small
// requests are not held against the bound for all sessions, so busy
// sessions cannot lock out one that has nothing waiting. Nothing is
// counted for a stream that has ended (mcp-go refuses the message).
func (s *sseStreams) expect(st *sseStream, size int64) (perSession, total bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.released {
		return true, true
	}
	if st.n >= MaxPendingPerStream || st.bytes+size > MaxPendingBytesPerStream {
		return false, true
	}
	free := st.n < freePendingPerStream && size <= freePendingBytes
	if !free && (s.pending >= MaxPendingTotal || s.pendingBytes+size > MaxPendingBytesTotal) {
		return true, false
	}
	st.n++
	st.bytes += size
	s.pending++
	s.pendingBytes += size
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
			// Which request an answer is for is not known here: each
			// gives back an even share of the bytes, and the last all.
			share := st.bytes / int64(st.n)
			if st.n == 1 {
				share = st.bytes
			}
			st.n--
			st.bytes -= share
			s.pending--
			s.pendingBytes -= share
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
	s.pendingBytes -= st.bytes
	st.n, st.bytes, st.released = 0, 0, true
	if st.id != "" {
		delete(s.m, st.id)
	}
	s.mu.Unlock()
}

// settleTime bounds how long a shutdown waits for answers to reach SSE
// streams once every call is done: those of streams that are read go out
// within milliseconds, and one that is not read must not hold the shutdown.
const settleTime = 500 * time.Millisecond

// settle waits until no answer is waiting to be written on any stream, for
// at most d or until ctx ends.
func (s *sseStreams) settle(ctx context.Context, d time.Duration) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		n := s.pending
		s.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
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
	// The same fields and types mcp-go's HandleMessage decodes: a message
	// it cannot decode (a "method" that is not a string) is answered with
	// a parse error.
	var m struct {
		JSONRPC string        `json:"jsonrpc"`
		Method  mcp.MCPMethod `json:"method"`
		ID      any           `json:"id,omitempty"`
		Result  any           `json:"result,omitempty"`
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
	sw := &streamWriter{ResponseWriter: w, rc: st.rc, timeout: h.writeTimeout, failed: cancel,
		written: func(p []byte) { h.streams.delivered(st, p) }, allowOrigin: w.Header().Get("Access-Control-Allow-Origin")}
	defer func() {
		cancel()
		h.streams.release(st)
		// What net/http still writes (the end of the stream) gets a
		// deadline too; the next request on the connection sets its own.
		_ = sw.rc.SetWriteDeadline(time.Now().Add(h.writeTimeout))
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
				switch session, total := h.streams.expect(st, int64(len(bodyOf(r)))); {
				case !session:
					h.refuse(w, r, http.StatusTooManyRequests, "too many requests: "+strconv.Itoa(MaxPendingPerStream)+" messages (or "+strconv.Itoa(MaxPendingBytesPerStream>>20)+" MiB of them) of this SSE session are still waiting for their answers on its stream; read the stream (GET /sse) before sending more")
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

// streamWriter is a stream's response writer (an SSE session's, or a
// streamable listening stream's). Each event must be written within the
// stream write timeout, or failed ends the stream and its session;
// written, if set, is told of every event; and mcp-go's wildcard CORS
// header is replaced by the guard's decision (an allowed origin, or none).
type streamWriter struct {
	http.ResponseWriter
	rc          *http.ResponseController
	timeout     time.Duration
	failed      func()
	written     func([]byte)
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
		w.failed()
		return n, err
	}
	if w.written != nil {
		w.written(p)
	}
	return n, nil
}

func (w *streamWriter) Flush() {
	if err := w.rc.Flush(); err != nil {
		w.failed()
	}
}

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
