package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/signinpage"
)

// Config is what NewServer needs.
type Config struct {
	Client  *owui.Client
	APIKey  string // starting credential of every session (OWUI_API_KEY); may be empty
	Version string
	// Tools to serve; nil serves the whole catalogue.
	Tools []*Tool
	// RevealSecrets returns API keys in full instead of masked.
	RevealSecrets bool
	// IdleTTL forgets a client's Open WebUI session after this much idle
	// time; 0 keeps it for the life of the MCP session.
	IdleTTL time.Duration
	// CallTimeout bounds a whole tool call, which may take two requests
	// (read, then write); 0 leaves it to the client's per-request timeout.
	CallTimeout time.Duration
	// Hosted says clients connect over HTTP (SSE or streamable HTTP), where
	// each brings its own credential in a header; it changes the advice a
	// refused call gets.
	Hosted bool
	// MaxCallsPerSession bounds one MCP session's calls in flight;
	// 0 means DefaultMaxCallsPerSession.
	MaxCallsPerSession int
	// Pages serves the one-time browser pages on which users type the
	// passwords that sign-in and update_password calls leave out; nil
	// means those arguments are required.
	Pages  *signinpage.Store
	Logger *slog.Logger
}

// Server is the MCP server with its per-client Open WebUI sessions.
type Server struct {
	MCP *server.MCPServer

	sessions    *sessions
	slots       *callSlots
	reveal      bool
	callTimeout time.Duration
	waysIn      string          // how to get a credential, for 401 errors
	served      map[string]bool // tool names
	log         *slog.Logger
	debug       bool
	pages       *signinpage.Store
	server      string // the Open WebUI server, as messages name it

	// Calls in flight, for Drain. One mutex guards the count and the
	// closing flag, so no call can start after Drain has seen zero.
	mu       sync.Mutex
	inflight int
	closing  bool
	idle     chan struct{} // closed when inflight drops to 0 while closing
}

// SigninTools names the tools of ts that sign a session in.
func SigninTools(ts []*Tool) []string {
	var signins []string
	for _, t := range ts {
		switch t.Op {
		case owui.OpSignin, owui.OpSigninLDAP, owui.OpSignup, owui.OpTokenExchange:
			signins = append(signins, t.Name)
		}
	}
	return signins
}

// instructions tells the client how sessions work, naming only the sign-in
// tools actually served.
func instructions(ts []*Tool) string {
	start := "Calls act with the Open WebUI credential this server or client was configured with."
	if signins := SigninTools(ts); len(signins) > 0 {
		start = "Sign in first (" + strings.Join(signins, ", ") + ") unless a credential is configured: the session token is kept by this MCP session and sent with every later call of it, so no tool takes a token argument. A sign-in lasts as long as the MCP session."
	}
	return "owui-mcp manages accounts on one Open WebUI server. " + start + " Tool errors say what went wrong and what to do."
}

// waysIn tells a caller without a valid credential how to get one, naming
// only what this server offers: the sign-in tools it serves, and the
// configuration that fits its transport.
func waysIn(ts []*Tool, hosted bool) string {
	var ways []string
	if hosted {
		ways = append(ways, "send your own Open WebUI API key or JWT in the X-OWUI-API-Key header (from Open WebUI itself: set the connection's Auth to Session)")
	} else {
		ways = append(ways, "start owui-mcp with OWUI_API_KEY set to an Open WebUI API key")
	}
	if signins := SigninTools(ts); len(signins) > 0 {
		ways = append(ways, "sign in with "+strings.Join(signins, ", ")+" (a sign-in lasts for this MCP session)")
	}
	return "To get one: " + strings.Join(ways, ", or ") + "."
}

// NewServer builds the MCP server: tools, hooks and middleware, once.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Tools == nil {
		cfg.Tools = Catalogue()
	}
	if cfg.MaxCallsPerSession <= 0 {
		cfg.MaxCallsPerSession = DefaultMaxCallsPerSession
	}
	s := &Server{
		sessions:    newSessions(cfg.Client, cfg.APIKey, cfg.IdleTTL),
		slots:       newCallSlots(cfg.MaxCallsPerSession),
		reveal:      cfg.RevealSecrets,
		callTimeout: cfg.CallTimeout,
		waysIn:      waysIn(cfg.Tools, cfg.Hosted),
		served:      map[string]bool{},
		log:         cfg.Logger,
		debug:       cfg.Logger.Enabled(context.Background(), slog.LevelDebug),
		pages:       cfg.Pages,
	}
	if cfg.Client != nil {
		s.server = cfg.Client.ServerURL()
	}
	hooks := &server.Hooks{}
	hooks.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) {
		s.sessions.drop(cs.SessionID())
		if s.pages != nil {
			s.pages.DropSession(cs.SessionID())
		}
	})
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithInstructions(instructions(cfg.Tools)),
		server.WithHooks(hooks),
		server.WithToolHandlerMiddleware(s.guard),
	}
	s.MCP = server.NewMCPServer("owui-mcp", cfg.Version, opts...)
	st := make([]server.ServerTool, 0, len(cfg.Tools))
	for _, t := range cfg.Tools {
		s.served[t.Name] = true
	}
	for _, t := range cfg.Tools {
		st = append(st, server.ServerTool{Tool: t.MCP, Handler: s.handler(t)})
	}
	s.MCP.AddTools(st...)
	return s
}

// Pages is the store of browser sign-in pages, nil if there is none.
func (s *Server) Pages() *signinpage.Store { return s.pages }

// SessionCount is how many Open WebUI sessions are held.
func (s *Server) SessionCount() int { return s.sessions.len() }

// Drain refuses new tool calls and waits for those in flight, until ctx ends.
// Browser pages are withdrawn first: a call waiting for a person to fill
// one in would otherwise hold the shutdown for its whole grace period.
func (s *Server) Drain(ctx context.Context) error {
	if s.pages != nil {
		s.pages.Withdraw()
	}
	s.mu.Lock()
	s.closing = true
	if s.inflight == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enter counts a call in, unless the server is draining.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight++
	return true
}

func (s *Server) exit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// guard wraps every tool call: it counts calls in flight for Drain and turns
// a panic into a tool error, so one bad call never takes the server down or
// leaks the panic value to the client.
func (s *Server) guard(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		if !s.enter() {
			return mcp.NewToolResultError("owui-mcp is shutting down; retry on a new connection."), nil
		}
		defer s.exit()
		ctx = context.WithValue(ctx, waitKey{}, ctx)
		if s.callTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.callTimeout)
			defer cancel()
		}
		if cs := server.ClientSessionFromContext(ctx); cs != nil && cs.SessionID() != "" {
			release, err := s.slots.acquire(ctx, cs.SessionID())
			if err != nil {
				return s.toolError(req.Params.Name, err, nil), nil
			}
			defer release()
		}
		start := time.Now()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("tool panicked", "tool", req.Params.Name, "panic_type", fmt.Sprintf("%T", r))
				res, err = mcp.NewToolResultError("internal error in "+req.Params.Name+"; the server keeps serving, please report this"), nil
			}
			if s.debug {
				s.log.LogAttrs(ctx, slog.LevelDebug, "tool call", slog.String("tool", req.Params.Name),
					slog.String("session", sessionTag(ctx)), slog.Bool("is_error", res != nil && res.IsError),
					slog.Duration("duration", time.Since(start)))
			}
		}()
		return next(ctx, req)
	}
}

func sessionTag(ctx context.Context) string {
	if cs := server.ClientSessionFromContext(ctx); cs != nil && cs.SessionID() != "" {
		return SessionTag(cs.SessionID())
	}
	return "-"
}

// argError lists what is wrong with a call's arguments.
type argError struct{ problems []string }

func (e argError) Error() string { return strings.Join(e.problems, "; ") }

func (s *Server) handler(t *Tool) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := rawArguments(req)
		if err == nil {
			if p := t.validator.Validate(args); p != nil {
				err = argError{p}
			}
		}
		if err != nil {
			return s.toolError(t.Name, err, t.advice), nil
		}
		e, err := s.sessions.get(ctx)
		if err != nil {
			return s.toolError(t.Name, err, t.advice), nil
		}
		wait, _ := ctx.Value(waitKey{}).(context.Context)
		if wait == nil {
			wait = ctx
		}
		v, err := t.run(ctx, &call{s: e.s, from: e.from, args: args, srv: s, wait: wait})
		if err != nil {
			return s.toolError(t.Name, err, t.advice), nil
		}
		b, err := encodeResult(present(v, s.reveal))
		if err != nil {
			return s.toolError(t.Name, err, t.advice), nil
		}
		return &mcp.CallToolResult{
			Content:              []mcp.Content{mcp.NewTextContent(string(b))},
			RawStructuredContent: b,
		}, nil
	}
}

// encodeResult is json.Marshal, or a result's own equivalent where it
// saves a pass over a large answer.
func encodeResult(v any) ([]byte, error) {
	if a, ok := v.(interface{ appendJSON([]byte) ([]byte, error) }); ok {
		return a.appendJSON(nil)
	}
	return json.Marshal(v)
}

func rawArguments(req mcp.CallToolRequest) (json.RawMessage, error) {
	if len(req.Params.RawArguments) > 0 {
		return req.Params.RawArguments, nil
	}
	if req.Params.Arguments == nil {
		return nil, nil
	}
	b, err := json.Marshal(req.Params.Arguments)
	if err != nil {
		return nil, argError{[]string{"the arguments could not be read as JSON"}}
	}
	return b, nil
}

// approvalElsewhere says where what these tools cannot do is done: the
// auths API has no call to approve an account or change a role.
const approvalElsewhere = "Approving pending accounts and changing roles is done by an admin in Open WebUI's Admin Panel > Users; no tool here can do it."

// toolError turns a failure into an isError result whose text says what
// happened and what to do. It never carries a credential: owui errors hold
// none, and argument problems name fields, not values.
func (s *Server) toolError(tool string, err error, advice adviceFunc) *mcp.CallToolResult {
	var ae argError
	var oe *owui.Error
	switch {
	case errors.As(err, &ae):
		return mcp.NewToolResultError("invalid arguments for " + tool + ": " + ae.Error() + ". Nothing was sent to Open WebUI; fix the arguments and call again.")
	case errors.As(err, &oe):
		msg := oe.Error()
		switch {
		case oe.NeedsCredential():
			msg += " " + s.waysIn
		case oe.AccessProhibited() && advice == nil:
			msg += " " + approvalElsewhere
		}
		if advice != nil {
			if a := advice(oe, func(name string) bool { return s.served[name] }); a != "" {
				msg += " " + a
			}
		}
		return mcp.NewToolResultError(msg)
	}
	return mcp.NewToolResultError(tool + ": " + err.Error() + ".")
}
