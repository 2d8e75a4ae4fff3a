package tools_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// faultTimeout is the Open WebUI request timeout of the fault matrix.
const faultTimeout = 300 * time.Millisecond

// faultSetup is an Open WebUI that can be made to misbehave: the address
// the client uses, client options, and a switch for the fault.
type faultSetup struct {
	url   string
	opts  []owui.Option
	set   func(on bool)
	after func(t *testing.T) // extra checks once the fault is cleared
	// timeout is the request timeout; 0 means faultTimeout.
	timeout time.Duration
}

// emulatorFault is the emulator with an injected fault.
func emulatorFault(f owuitest.Fault) func(t *testing.T) faultSetup {
	return func(t *testing.T) faultSetup {
		emu := owuitest.NewServer(withAdmin())
		t.Cleanup(emu.Close)
		return faultSetup{url: emu.URL, set: func(on bool) {
			if on {
				emu.SetFault(f)
			} else {
				emu.SetFault(nil)
			}
		}}
	}
}

// switchTransport sends requests through bad while the fault is on.
type switchTransport struct {
	on        atomic.Bool
	good, bad http.RoundTripper
}

func (s *switchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.on.Load() {
		return s.bad.RoundTrip(r)
	}
	return s.good.RoundTrip(r)
}

func transportFault(url string, good, bad http.RoundTripper) faultSetup {
	sw := &switchTransport{good: good, bad: bad}
	return faultSetup{url: url, opts: []owui.Option{owui.WithTransport(sw)}, set: sw.on.Store}
}

// dialing returns a plain transport that opens every connection with dial.
func dialing(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dial
	return tr
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// nxdomainResolver resolves through a local DNS server that answers every
// query "no such host", so the DNS failure is real, and fast, on any
// machine, with or without a network.
func nxdomainResolver(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			resp := append([]byte(nil), buf[:n]...)
			resp[2] |= 0x80      // a response, to the question asked
			resp[3] = 0x80 | 0x3 // recursion available; RCODE 3, NXDOMAIN
			_, _ = pc.WriteTo(resp, addr)
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// connectLegacy opens an in-process MCP client on srv, pinned to protocol
// 2025-11-25.
func connectLegacy(t *testing.T, srv *tools.Server) *toolstest.Client {
	t.Helper()
	c, err := client.NewInProcessClientWithOptions(srv.MCP, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(context.Background(), mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "faults", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	return &toolstest.Client{T: t, C: c}
}

// TestUpstreamFaults is the fault matrix: one row per way an Open WebUI (or
// the way to it) can fail. For each, a signed-in client's call gets, within
// the timeout plus one second, a tool error that says what happened and
// what to check; the server keeps serving; and once the fault clears, the
// same session is still signed in.
func TestUpstreamFaults(t *testing.T) {
	const checkServer = "--server (OWUI_SERVER)"
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { otherHits.Add(1) }))
	t.Cleanup(other.Close)

	rows := []struct {
		name  string
		setup func(t *testing.T) faultSetup
		want  []string
	}{
		{"connection refused", func(t *testing.T) faultSetup {
			emu := owuitest.NewServer(withAdmin())
			t.Cleanup(emu.Close)
			dead := closedAddr(t)
			var d net.Dialer
			return transportFault(emu.URL, dialing(d.DialContext), dialing(func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, dead)
			}))
		}, []string{"could not reach Open WebUI at http://", "connection refused", "Check that Open WebUI is running", checkServer}},

		{"DNS failure", func(t *testing.T) faultSetup {
			emu := owuitest.NewServer(withAdmin())
			t.Cleanup(emu.Close)
			_, port, _ := net.SplitHostPort(strings.TrimPrefix(emu.URL, "http://"))
			real := &net.Dialer{Resolver: nxdomainResolver(t)}
			var d net.Dialer
			return transportFault("http://owui-fault.invalid:"+port,
				dialing(func(ctx context.Context, network, _ string) (net.Conn, error) {
					return d.DialContext(ctx, network, "127.0.0.1:"+port)
				}),
				dialing(real.DialContext))
		}, []string{`the host name "owui-fault.invalid" was not found (DNS)`, checkServer}},

		{"accepts and never answers", emulatorFault(owuitest.FaultHang()),
			[]string{"did not answer within 300ms", "Check that it is up and reachable", "--timeout"}},

		{"answers slower than the timeout", emulatorFault(owuitest.FaultDelay(3 * time.Second)),
			[]string{"did not answer within 300ms", "--timeout"}},

		{"500 with a text/plain body", emulatorFault(owuitest.FaultStatus(500, "text/plain", "Internal Server Error")),
			[]string{"Open WebUI answered 500: Internal Server Error", "failed on its side", "check its logs"}},

		{"502 with an HTML page", emulatorFault(owuitest.FaultStatus(502, "text/html",
			"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")),
			[]string{`Open WebUI answered 502: an HTML page titled "502 Bad Gateway"`, "failed on its side"}},

		{"truncated JSON", emulatorFault(owuitest.FaultTruncatedJSON()),
			[]string{"answered 200 but not with the expected JSON", "malformed or cut off", checkServer}},

		{"JSON of the wrong shape", emulatorFault(owuitest.FaultWrongShape()),
			[]string{"answered 200 but not with the expected JSON", "got a JSON array", checkServer}},

		{"body over the size limit", func(t *testing.T) faultSetup {
			fs := emulatorFault(owuitest.FaultHugeBody(5 << 20))(t)
			// Reading 4 MiB under -race on a busy machine can take most of
			// 300 ms; this row is about the size, not the clock.
			fs.timeout = 3 * time.Second
			return fs
		}, []string{"larger than 4 MiB and was refused", checkServer}},

		{"redirect to another host", func(t *testing.T) faultSetup {
			fs := emulatorFault(owuitest.FaultRedirect(other.URL + "/steal"))(t)
			fs.after = func(t *testing.T) {
				if n := otherHits.Load(); n != 0 {
					t.Errorf("the redirect was followed: the other host got %d requests", n)
				}
			}
			return fs
		}, []string{"answered 307", `a redirect to "` + other.URL + `/steal"`, "not followed", checkServer}},

		{"untrusted TLS certificate", func(t *testing.T) faultSetup {
			emu := owuitest.NewTLSServer(withAdmin())
			t.Cleanup(emu.Close)
			fs := transportFault(emu.URL, emu.Client().Transport, http.DefaultTransport.(*http.Transport).Clone())
			fs.timeout = 3 * time.Second // a TLS handshake under -race is slow
			return fs
		}, []string{"TLS certificate is not trusted by this system", "trust store"}},
	}

	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			fs := row.setup(t)
			timeout := fs.timeout
			if timeout == 0 {
				timeout = faultTimeout
			}
			fs.set(false)
			c, err := owui.New(fs.url, append([]owui.Option{owui.WithTimeout(timeout)}, fs.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			srv := tools.NewServer(tools.Config{Client: c, Version: "test"})
			mc := connectLegacy(t, srv)
			mc.OK("signin", signinArgs(adminEmail, adminPass))

			fs.set(true)
			start := time.Now()
			text := mc.Fail("get_session_user", nil, row.want...)
			d := time.Since(start)
			t.Logf("%v: %s", d.Round(time.Millisecond), text)
			if d > timeout+time.Second {
				t.Errorf("the tool error took %v", d)
			}
			if strings.Contains(text, "eyJ") {
				t.Errorf("the error shows a token: %q", text)
			}
			// The server keeps serving other clients meanwhile.
			if res, err := connectLegacy(t, srv).C.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil || len(res.Tools) != 23 {
				t.Errorf("tools/list during the fault: %v", err)
			}

			fs.set(false)
			if me := mc.OK("get_session_user", nil); me["email"] != adminEmail {
				t.Errorf("after the fault the session is %v", me["email"])
			}
			if fs.after != nil {
				fs.after(t)
			}
		})
	}
}
