package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// signinUsers is how many accounts the call benchmarks' emulator has; the
// sign-in benchmarks rotate through them (see bench/emulator for why that
// stays under Open WebUI's sign-in rate limit).
const signinUsers = 16

// callFixture is one emulated Open WebUI, in a process of its own as a real
// one would be, and every way of calling it, shared by the call benchmarks
// and set up on first use.
type callFixture struct {
	emuURL string // http://127.0.0.1:PORT
	next   atomic.Int64

	mu      sync.Mutex
	callers map[string]caller
}

var (
	callsOnce sync.Once
	calls     *callFixture
)

func getCallFixture(b *testing.B) *callFixture {
	binaries(b)
	callsOnce.Do(func() {
		p, err := startRaw(emuBin, "-users", strconv.Itoa(signinUsers))
		if err != nil {
			b.Fatal(err)
		}
		atExit(func() { _ = p.stop() })
		line, err := p.stdout.ReadString('\n')
		if err != nil {
			b.Fatalf("emulator: %v; %s", err, p.stderr)
		}
		calls = &callFixture{emuURL: strings.TrimSpace(line), callers: map[string]caller{}}
	})
	if calls == nil {
		b.Fatal("no emulator")
	}
	return calls
}

func (f *callFixture) apiURL() string { return f.emuURL + "/api" }

// signinForm is the next account to sign in as.
func (f *callFixture) signinForm() (owui.SigninForm, string) {
	i := int(f.next.Add(1)) % signinUsers
	email := fmt.Sprintf("user%02d@bench.example", i)
	return owui.SigninForm{Email: email, Password: fmt.Sprintf("pw-%02d", i)}, email
}

// caller performs the two measured operations one way.
type caller interface {
	// whoami is get_session_user; it returns the email it saw.
	whoami(ctx context.Context) (string, error)
	signin(ctx context.Context, f owui.SigninForm) (string, error)
}

// direct calls the owui client: the HTTP call owui-mcp wraps.
type direct struct{ s *owui.Session }

func (d direct) whoami(ctx context.Context) (string, error) {
	u, err := d.s.GetSessionUser(ctx)
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

func (d direct) signin(ctx context.Context, f owui.SigninForm) (string, error) {
	u, err := d.s.Signin(ctx, f)
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// viaMCP calls owui-mcp's tools through an mcp-go client.
type viaMCP struct {
	c   *client.Client
	pid int // the server's process, when it is a subprocess
}

func (m viaMCP) call(ctx context.Context, name string, args any) (string, error) {
	res, err := m.c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		return "", err
	}
	if res.IsError {
		return "", fmt.Errorf("%s: %s", name, mcp.GetTextFromContent(res.Content[0]))
	}
	sc, _ := res.StructuredContent.(map[string]any)
	if sc == nil && len(res.Content) == 1 {
		// A text-only result: the text is the JSON.
		_ = json.Unmarshal([]byte(mcp.GetTextFromContent(res.Content[0])), &sc)
	}
	email, _ := sc["email"].(string)
	return email, nil
}

func (m viaMCP) whoami(ctx context.Context) (string, error) {
	return m.call(ctx, "get_session_user", nil)
}

func (m viaMCP) signin(ctx context.Context, f owui.SigninForm) (string, error) {
	return m.call(ctx, "signin", map[string]any{"email": f.Email, "password": f.Password})
}

// serverSide hands raw JSON-RPC requests to owui-mcp's MCP server and
// encodes its answers, as a transport does: the server's own cost, with no
// MCP client around it.
type serverSide struct {
	srv     *tools.Server
	ctx     context.Context
	session *fakeSession
}

// fakeSession is the one MCP session the serverSide caller talks in.
type fakeSession struct{ ch chan mcp.JSONRPCNotification }

func (*fakeSession) Initialize()                                           {}
func (*fakeSession) Initialized() bool                                     { return true }
func (s *fakeSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return s.ch }
func (*fakeSession) SessionID() string                                     { return "bench-server-side" }

func newServerSide(c *owui.Client) *serverSide {
	s := &serverSide{srv: tools.NewServer(tools.Config{Client: c, Version: "bench"}),
		session: &fakeSession{ch: make(chan mcp.JSONRPCNotification, 16)}}
	s.ctx = s.srv.MCP.WithContext(bg, s.session)
	return s
}

func (s *serverSide) call(name string, args string) (string, error) {
	msg := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args + `}}`
	out, err := json.Marshal(s.srv.MCP.HandleMessage(s.ctx, []byte(msg)))
	if err != nil {
		return "", err
	}
	// Pick the email out without decoding the answer: decoding is the
	// client's cost, and this mode measures the server's.
	_, email, found := bytes.Cut(out, []byte(`"email":"`))
	if !found { // only in the text block, where it is escaped
		_, email, _ = bytes.Cut(out, []byte(`\"email\":\"`))
	}
	email, _, _ = bytes.Cut(email, []byte(`\`))
	email, _, _ = bytes.Cut(email, []byte(`"`))
	if len(email) == 0 || bytes.Contains(out, []byte(`"isError":true`)) {
		return "", fmt.Errorf("%s: %s", name, out)
	}
	return string(email), nil
}

func (s *serverSide) whoami(context.Context) (string, error) { return s.call("get_session_user", "{}") }

func (s *serverSide) signin(_ context.Context, f owui.SigninForm) (string, error) {
	b, _ := json.Marshal(f)
	return s.call("signin", string(b))
}

// caller returns the caller for mode, set up and signed in on first use:
//
//	direct     the owui client, no MCP
//	server     owui-mcp's MCP server handling raw JSON-RPC (no client)
//	inprocess  tools.NewServer behind mcp-go's in-process client
//	stdio      the built binary as a stdio subprocess
//	http       the built binary serving streamable HTTP on loopback
func (f *callFixture) caller(b *testing.B, mode string) caller {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.callers[mode]; ok {
		return c
	}
	var c caller
	switch mode {
	case "direct":
		oc, err := owui.New(f.apiURL())
		if err != nil {
			b.Fatal(err)
		}
		c = direct{oc.NewSession("")}
	case "server":
		oc, err := owui.New(f.apiURL())
		if err != nil {
			b.Fatal(err)
		}
		c = newServerSide(oc)
	case "inprocess":
		oc, err := owui.New(f.apiURL())
		if err != nil {
			b.Fatal(err)
		}
		srv := tools.NewServer(tools.Config{Client: oc, Version: "bench"})
		tr := transport.NewInProcessTransport(srv.MCP)
		c = viaMCP{c: startClient(b, tr)}
	case "stdio":
		binaries(b)
		tr, pid := stdioTransport(owuiBinary, []string{"--server", f.emuURL, "--log-level", "warn"})
		mc := startClient(b, tr)
		atExit(func() { _ = mc.Close() })
		c = viaMCP{mc, pid()}
	case "http":
		h := startHosted(b, f.emuURL)
		atExit(h.stop)
		tr, err := transport.NewStreamableHTTP(h.url + "/mcp")
		if err != nil {
			b.Fatal(err)
		}
		mc := startClient(b, tr)
		atExit(func() { _ = mc.Close() })
		c = viaMCP{mc, h.cmd.Process.Pid}
	default:
		b.Fatalf("unknown mode %q", mode)
	}
	form, email := f.signinForm()
	if got, err := c.signin(bg, form); err != nil || got != email {
		b.Fatalf("%s: signin: %q, %v", mode, got, err)
	}
	f.callers[mode] = c
	return c
}

// op is one measured operation: it runs it once through c and checks the
// identity in the answer.
type op struct {
	name string
	run  func(f *callFixture, c caller) error
}

var ops = []op{
	{"get_session_user", func(f *callFixture, c caller) error {
		email, err := c.whoami(bg)
		if err == nil && email == "" {
			err = errors.New("no email in the answer")
		}
		return err
	}},
	{"signin", func(f *callFixture, c caller) error {
		form, want := f.signinForm()
		email, err := c.signin(bg, form)
		if err == nil && email != want {
			err = fmt.Errorf("signed in as %q, want %q", email, want)
		}
		return err
	}},
}

var modes = []string{"direct", "server", "inprocess", "stdio", "http"}

// BenchmarkCall runs each operation one way per sub-benchmark: ns/op, B/op
// and allocs/op, plus the median (p50-us) and 99th percentile (p99-us) of
// single calls; cpu-us is the CPU time per call of this process (the
// client, and for direct, server and inprocess everything but Open WebUI)
// and srv-cpu-us that of the owui-mcp process (stdio, http). CPU times
// include the Go scheduler's spinning between calls. For stdio and http,
// B/op and allocs/op count only this process; the server's share is in the
// in-process figures.
func BenchmarkCall(b *testing.B) {
	f := getCallFixture(b)
	for _, o := range ops {
		for _, mode := range modes {
			b.Run(o.name+"/"+mode, func(b *testing.B) {
				c := f.caller(b, mode)
				srv, _ := c.(viaMCP)
				b.ReportAllocs()
				var d samples
				self, server := cpuTime(os.Getpid()), cpuTime(srv.pid)
				for b.Loop() {
					t := time.Now()
					if err := o.run(f, c); err != nil {
						b.Fatal(err)
					}
					d = append(d, time.Since(t))
				}
				b.ReportMetric(us(cpuTime(os.Getpid())-self)/float64(len(d)), "cpu-us")
				if srv.pid != 0 {
					b.ReportMetric(us(cpuTime(srv.pid)-server)/float64(len(d)), "srv-cpu-us")
				}
				d = d.sorted()
				b.ReportMetric(us(d.q(0.5)), "p50-us")
				b.ReportMetric(us(d.q(0.99)), "p99-us")
			})
		}
	}
}

// BenchmarkOverheadModes is what a tool call adds to the owui client's
// call, in every mode, with mcp-go's client on the MCP side. Each
// iteration makes the same call directly and through MCP, in alternating
// order, against the same emulator. added-us is the median MCP call minus
// the median direct call; ns/op is the pair. BenchmarkOverhead is the
// stdio figure without client libraries on either side.
func BenchmarkOverheadModes(b *testing.B) {
	f := getCallFixture(b)
	for _, o := range ops {
		for _, mode := range modes[1:] {
			b.Run(o.name+"/"+mode, func(b *testing.B) {
				pair := [2]caller{f.caller(b, "direct"), f.caller(b, mode)}
				var d [2]samples
				i := 0
				for b.Loop() {
					for j := range 2 {
						k := j ^ i&1 // direct first on even iterations
						t := time.Now()
						if err := o.run(f, pair[k]); err != nil {
							b.Fatal(err)
						}
						d[k] = append(d[k], time.Since(t))
					}
					i++
				}
				direct, viaMCP := d[0].sorted().q(0.5), d[1].sorted().q(0.5)
				b.ReportMetric(us(direct), "direct-us")
				b.ReportMetric(us(viaMCP), "mcp-us")
				b.ReportMetric(us(viaMCP-direct), "added-us")
			})
		}
	}
}

// BenchmarkFloorCall is the framework's own cost: a trivial tools/call on
// the floor server, in-process and over stdio.
func BenchmarkFloorCall(b *testing.B) {
	for _, mode := range []string{"inprocess", "stdio"} {
		b.Run(mode, func(b *testing.B) {
			var tr transport.Interface
			pid := func() int { return 0 }
			if mode == "inprocess" {
				tr = transport.NewInProcessTransport(FloorServer())
			} else {
				binaries(b)
				tr, pid = stdioTransport(floorBin, nil)
			}
			c := startClient(b, tr)
			defer c.Close()
			srvPid := pid()
			req := mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "tool_00", Arguments: map[string]any{"x": "y"}}}
			b.ReportAllocs()
			var d samples
			self, server := cpuTime(os.Getpid()), cpuTime(srvPid)
			for b.Loop() {
				t := time.Now()
				res, err := c.CallTool(bg, req)
				if err != nil || res.IsError {
					b.Fatal(err, res)
				}
				d = append(d, time.Since(t))
			}
			b.ReportMetric(us(cpuTime(os.Getpid())-self)/float64(len(d)), "cpu-us")
			if srvPid != 0 {
				b.ReportMetric(us(cpuTime(srvPid)-server)/float64(len(d)), "srv-cpu-us")
			}
			d = d.sorted()
			b.ReportMetric(us(d.q(0.5)), "p50-us")
			b.ReportMetric(us(d.q(0.99)), "p99-us")
		})
	}
}
