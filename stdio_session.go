package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// stdioSessionID is the id of the one session a stdio server has. It is
// mcp-go's own stdio id, so that per-session state (tools/sessions.go) and
// logs see what they saw with mcp-go's transport.
const stdioSessionID = "stdio"

// errClientGone fails a server-to-client request once the client can no
// longer answer it: its input has ended.
var errClientGone = errors.New("the MCP client closed its input, so it cannot answer")

// stdioSession is the client session of a stdio connection: what mcp-go's
// own stdio session offers (client info and capabilities, the negotiated
// version, a log level, notifications, and requests to the client:
// elicitation, sampling, roots), but one per connection rather than one per
// process, so two servers in one process never share a notification
// channel.
type stdioSession struct {
	conn          *stdioConn
	notifications chan mcp.JSONRPCNotification

	initialized  atomic.Bool
	logLevel     atomic.Value // mcp.LoggingLevel
	clientInfo   atomic.Value // mcp.Implementation
	capabilities atomic.Value // mcp.ClientCapabilities
	version      atomic.Value // string

	nextID  atomic.Int64
	mu      sync.Mutex
	pending map[int64]chan clientAnswer // requests to the client awaiting an answer
	gone    bool                        // the input ended: nothing more will be answered
}

// clientAnswer is the client's answer to a request the server sent.
type clientAnswer struct {
	result json.RawMessage
	err    *mcp.JSONRPCErrorDetails
}

var (
	_ server.ClientSession              = (*stdioSession)(nil)
	_ server.SessionWithLogging         = (*stdioSession)(nil)
	_ server.SessionWithClientInfo      = (*stdioSession)(nil)
	_ server.SessionWithProtocolVersion = (*stdioSession)(nil)
	_ server.SessionWithElicitation     = (*stdioSession)(nil)
	_ server.SessionWithSampling        = (*stdioSession)(nil)
	_ server.SessionWithRoots           = (*stdioSession)(nil)
)

func newStdioSession(conn *stdioConn) *stdioSession {
	// The same buffer as mcp-go's stdio session: a burst of notifications
	// larger than this is refused (mcp-go reports it through OnError).
	return &stdioSession{conn: conn, notifications: make(chan mcp.JSONRPCNotification, 100),
		pending: map[int64]chan clientAnswer{}}
}

func (s *stdioSession) SessionID() string { return stdioSessionID }

func (s *stdioSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return s.notifications
}

func (s *stdioSession) Initialize() {
	s.logLevel.Store(mcp.LoggingLevelError)
	s.initialized.Store(true)
}

func (s *stdioSession) Initialized() bool { return s.initialized.Load() }

func (s *stdioSession) SetLogLevel(level mcp.LoggingLevel) { s.logLevel.Store(level) }

func (s *stdioSession) GetLogLevel() mcp.LoggingLevel {
	if l, ok := s.logLevel.Load().(mcp.LoggingLevel); ok {
		return l
	}
	return mcp.LoggingLevelError
}

func (s *stdioSession) GetClientInfo() mcp.Implementation {
	v, _ := s.clientInfo.Load().(mcp.Implementation)
	return v
}

func (s *stdioSession) SetClientInfo(info mcp.Implementation) { s.clientInfo.Store(info) }

func (s *stdioSession) GetClientCapabilities() mcp.ClientCapabilities {
	v, _ := s.capabilities.Load().(mcp.ClientCapabilities)
	return v
}

func (s *stdioSession) SetClientCapabilities(c mcp.ClientCapabilities) { s.capabilities.Store(c) }

// ProtocolVersion is the version initialize negotiated; mcp-go's
// RequestProtocolVersion falls back to it for requests that do not carry
// their own.
func (s *stdioSession) ProtocolVersion() string {
	v, _ := s.version.Load().(string)
	return v
}

func (s *stdioSession) SetProtocolVersion(v string) { s.version.Store(v) }

func (s *stdioSession) RequestElicitation(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	raw, err := s.request(ctx, mcp.MethodElicitationCreate, req.Params)
	if err != nil {
		return nil, err
	}
	var res mcp.ElicitationResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("the client's elicitation answer could not be read: %w", err)
	}
	return &res, nil
}

func (s *stdioSession) RequestSampling(ctx context.Context, req mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	raw, err := s.request(ctx, mcp.MethodSamplingCreateMessage, req.CreateMessageParams)
	if err != nil {
		return nil, err
	}
	var res mcp.CreateMessageResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("the client's sampling answer could not be read: %w", err)
	}
	// The content arrives as a map; mcp-go's callers expect its typed form.
	content, err := mcp.ParseSamplingContent(res.Content)
	if err != nil {
		return nil, fmt.Errorf("the client's sampling answer could not be read: %w", err)
	}
	res.Content = content
	return &res, nil
}

func (s *stdioSession) ListRoots(ctx context.Context, _ mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
	raw, err := s.request(ctx, mcp.MethodListRoots, nil)
	if err != nil {
		return nil, err
	}
	var res mcp.ListRootsResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("the client's roots answer could not be read: %w", err)
	}
	return &res, nil
}

// request sends a JSON-RPC request to the client and waits for its answer,
// until ctx ends or the client's input does.
func (s *stdioSession) request(ctx context.Context, method mcp.MCPMethod, params any) (json.RawMessage, error) {
	id := s.nextID.Add(1)
	ch := make(chan clientAnswer, 1)
	s.mu.Lock()
	if s.gone {
		s.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", method, errClientGone)
	}
	s.pending[id] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}()
	msg := struct {
		JSONRPC string `json:"jsonrpc"`
		ID      int64  `json:"id"`
		Method  string `json:"method"`
		Params  any    `json:"params,omitempty"`
	}{mcp.JSONRPC_VERSION, id, string(method), params}
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("%s could not be encoded: %w", method, err)
	}
	if err := s.conn.write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("%s could not be sent: %w", method, err)
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case a, ok := <-ch:
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: %w", method, errClientGone)
		case a.err != nil:
			return nil, fmt.Errorf("%s failed: %s", method, a.err.Message)
		}
		return a.result, nil
	}
}

// deliver hands the client's answer to the request that waits for it, and
// reports whether one did. Like mcp-go, it takes ids sent back as numbers
// or as strings holding the number.
func (s *stdioSession) deliver(id, result, errDetails json.RawMessage) bool {
	n, ok := answerID(id)
	if !ok {
		return false
	}
	s.mu.Lock()
	ch := s.pending[n]
	delete(s.pending, n)
	s.mu.Unlock()
	if ch == nil {
		return false
	}
	a := clientAnswer{result: result}
	if len(errDetails) > 0 && string(errDetails) != "null" {
		a.err = &mcp.JSONRPCErrorDetails{}
		if json.Unmarshal(errDetails, a.err) != nil || a.err.Message == "" {
			a.err.Message = "the client answered with an error"
		}
	}
	ch <- a // buffered, and removed from pending: never blocks
	return true
}

func answerID(raw json.RawMessage) (int64, bool) {
	var num json.Number
	if json.Unmarshal(raw, &num) != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	return n, err == nil
}

// clientGone fails every request still waiting for the client, and any
// later one at once.
func (s *stdioSession) clientGone() {
	s.mu.Lock()
	s.gone = true
	for id, ch := range s.pending {
		close(ch)
		delete(s.pending, id)
	}
	s.mu.Unlock()
}
