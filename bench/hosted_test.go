package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// hostedClients is how many concurrent clients BenchmarkHosted runs:
// OWUI_BENCH_CLIENTS, else 1,000 (100 with -short).
func hostedClients(tb testing.TB) int {
	if v := os.Getenv("OWUI_BENCH_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			tb.Fatalf("OWUI_BENCH_CLIENTS=%q: want a positive number", v)
		}
		return n
	}
	if testing.Short() {
		return 100
	}
	return 1000
}

// callsPerClient is how many get_session_user calls each hosted client
// makes per phase, after signing in.
const callsPerClient = 20

// pacedLoad is the share of the measured burst throughput that the paced
// phase offers.
const pacedLoad = 0.5

func hostedUser(i int) owuitest.User {
	return owuitest.User{
		Name: fmt.Sprintf("Hosted %04d", i), Email: fmt.Sprintf("hosted%04d@bench.example", i),
		Password: fmt.Sprintf("pw-%04d", i), Role: "user",
	}
}

// BenchmarkHosted runs the built binary as a hosted streamable HTTP server
// with N clients (hostedClients), each signed in as its own account, each
// on its own keep-alive connection. One iteration is one whole round on a
// fresh server:
//
//  1. Memory. idle-KiB/session is the RSS growth per MCP session opened
//     (initialize only) and left idle (target: under 40 KB).
//  2. Burst. All N clients start together; each signs in and makes 20
//     get_session_user calls back to back. burst-calls/s is the throughput
//     (sign-ins included); burst-p50-ms and burst-p99-ms are the latency of
//     the get_session_user calls; srv-cpu-us is owui-mcp's CPU time per call
//     and upstream-conns the connections to Open WebUI it opened and closed
//     again (TIME-WAIT). direct-* is the same burst made with the
//     owui client straight to Open WebUI, no MCP: the ceiling of this
//     machine.
//  3. Paced. Each client makes 20 more calls at random times, so that all
//     together offer half the burst throughput: many agents that each call
//     now and then. p50-ms and p99-ms are their latency (target p99: under
//     50 ms). loaded-KiB/session is the RSS growth per session afterwards,
//     signed in and with its connection open.
//
// errors and crosstalk (an answer naming another client's account) count
// every phase and must be 0, or the benchmark fails. The clients and the
// emulated Open WebUI run in this process, on the same cores as the server.
func BenchmarkHosted(b *testing.B) {
	n := hostedClients(b)
	if need := uint64(4*n + 200); fileLimit() < need {
		b.Skipf("open-file limit %d is below the %d that %d clients need; raise ulimit -n", fileLimit(), need, n)
	}
	users := make([]owuitest.User, n)
	for i := range users {
		users[i] = hostedUser(i)
	}
	emu := owuitest.NewServer(owuitest.WithUsers(users...), owuitest.WithMaxRecordedRequests(0))
	defer emu.Close()

	for b.Loop() {
		r := hostedRound(b, emu, users)
		b.ReportMetric(r.idlePerSession, "idle-KiB/session")
		b.ReportMetric(r.loadedPerSession, "loaded-KiB/session")
		b.ReportMetric(r.burst.throughput, "burst-calls/s")
		b.ReportMetric(ms(r.burst.calls.q(0.5)), "burst-p50-ms")
		b.ReportMetric(ms(r.burst.calls.q(0.99)), "burst-p99-ms")
		b.ReportMetric(r.direct.throughput, "direct-calls/s")
		b.ReportMetric(ms(r.direct.calls.q(0.5)), "direct-p50-ms")
		b.ReportMetric(ms(r.direct.calls.q(0.99)), "direct-p99-ms")
		b.ReportMetric(r.paced.throughput, "paced-calls/s")
		b.ReportMetric(ms(r.paced.calls.q(0.5)), "p50-ms")
		b.ReportMetric(ms(r.paced.calls.q(0.99)), "p99-ms")
		b.ReportMetric(float64(r.errors), "errors")
		b.ReportMetric(float64(r.crosstalk), "crosstalk")
		b.ReportMetric(float64(r.baseRSS)/1024, "base-RSS-MiB")
		b.ReportMetric(float64(r.loadedRSS)/1024, "loaded-RSS-MiB")
		b.ReportMetric(float64(r.upstreamConns), "upstream-conns")
		b.ReportMetric(r.serverCPU, "srv-cpu-us")
		if r.errors > 0 || r.crosstalk > 0 {
			b.Errorf("%d errors and %d answers with another client's identity (first error: %v)", r.errors, r.crosstalk, r.firstErr)
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(n), "clients")
}

// phase is the outcome of one load phase.
type phase struct {
	throughput float64 // calls per second, sign-ins included
	calls      samples // get_session_user latencies, sorted
}

type roundResult struct {
	idlePerSession, loadedPerSession float64 // KiB
	baseRSS, loadedRSS               int64   // KiB
	burst, direct, paced             phase
	upstreamConns                    int
	serverCPU                        float64 // µs per call in the burst
	errors, crosstalk                int64
	firstErr                         error
}

// tally counts failures across the goroutines of a phase.
type tally struct {
	errs, cross atomic.Int64
	once        sync.Once
	first       error
}

func (t *tally) fail(err error) {
	t.errs.Add(1)
	t.once.Do(func() { t.first = err })
}

// check records an answer: an error, or an identity that is not want.
func (t *tally) check(who int, got, want string, err error) {
	switch {
	case err != nil:
		t.fail(fmt.Errorf("client %d: %w", who, err))
	case got != want:
		t.cross.Add(1)
	}
}

// runPhase runs one load phase: every client at once, each signing in
// first if signin is set, then making callsPerClient calls; wait, if not
// nil, says how long client i waits before its k-th call (k = 0 is the
// sign-in). Latencies are measured from the moment a call is sent.
func runPhase(users []owuitest.User, callers []caller, signin bool, t *tally, wait func(i, k int) time.Duration) phase {
	var (
		mu    sync.Mutex
		calls = make(samples, 0, len(callers)*callsPerClient)
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i, c := range callers {
		wg.Go(func() {
			u := users[i]
			mine := make(samples, 0, callsPerClient)
			<-start
			t0 := time.Now()
			for k := range callsPerClient + 1 {
				if wait != nil {
					time.Sleep(time.Until(t0.Add(wait(i, k))))
				}
				if k == 0 {
					if signin {
						email, err := c.signin(bg, owui.SigninForm{Email: u.Email, Password: u.Password})
						t.check(i, email, u.Email, err)
					}
					continue
				}
				s := time.Now()
				email, err := c.whoami(bg)
				mine = append(mine, time.Since(s))
				t.check(i, email, u.Email, err)
			}
			mu.Lock()
			calls = append(calls, mine...)
			mu.Unlock()
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	made := len(callers) * callsPerClient
	if signin {
		made += len(callers)
	}
	return phase{throughput: float64(made) / elapsed.Seconds(), calls: calls.sorted()}
}

func hostedRound(b *testing.B, emu *owuitest.Server, users []owuitest.User) roundResult {
	n := len(users)
	srv := startHosted(b, emu.URL)
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	// One pool for all clients, big enough that each keeps a connection of
	// its own, as separate agents would.
	tr := &http.Transport{MaxIdleConnsPerHost: n + 16, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	connect := func() *client.Client {
		t, err := transport.NewStreamableHTTP(srv.url+"/mcp", transport.WithHTTPBasicClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		return startClient(b, t)
	}

	// Warm up one client through the whole path, so that the baseline
	// holds what is allocated once.
	warm := connect()
	if _, err := (viaMCP{c: warm}).whoami(bg); err == nil {
		b.Fatal("a client that never signed in has an identity")
	}
	_ = warm.Close()
	settle()
	base := mustMemory(b, pid)

	// 1. Open every session, one after another, and leave them idle.
	clients := make([]*client.Client, n)
	callers := make([]caller, n)
	for i := range clients {
		clients[i] = connect()
		callers[i] = viaMCP{c: clients[i]}
	}
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	settle()
	idle := mustMemory(b, pid)

	var t tally
	// 2. Burst, through owui-mcp, then straight to Open WebUI.
	before, cpu := timeWait(emu), cpuTime(pid)
	burst := runPhase(users, callers, true, &t, nil)
	upstream, cpu := timeWait(emu)-before, cpuTime(pid)-cpu
	oc, err := owui.New(emu.APIURL())
	if err != nil {
		b.Fatal(err)
	}
	directs := make([]caller, n)
	for i := range directs {
		directs[i] = direct{oc.NewSession("")}
	}
	direct := runPhase(users, directs, true, &t, nil)

	// 3. Paced: random call times that offer pacedLoad of the burst rate.
	window := time.Duration(float64(n*callsPerClient) / (pacedLoad * burst.throughput) * float64(time.Second))
	times := make([][]time.Duration, n)
	for i := range times {
		for range callsPerClient {
			times[i] = append(times[i], rand.N(window))
		}
		slices.Sort(times[i])
	}
	paced := runPhase(users, callers, false, &t, func(i, k int) time.Duration {
		if k == 0 {
			return 0
		}
		return times[i][k-1]
	})
	loaded := mustMemory(b, pid)

	return roundResult{
		idlePerSession:   float64(idle.rss-base.rss) / float64(n),
		loadedPerSession: float64(loaded.rss-base.rss) / float64(n),
		baseRSS:          base.rss,
		loadedRSS:        loaded.rss,
		burst:            burst,
		direct:           direct,
		paced:            paced,
		upstreamConns:    upstream,
		serverCPU:        us(cpu) / float64(n*(callsPerClient+1)),
		errors:           t.errs.Load(),
		crosstalk:        t.cross.Load(),
		firstErr:         t.first,
	}
}

// timeWait counts loopback TCP connections to the emulator in TIME-WAIT:
// connections owui-mcp opened to Open WebUI and closed again.
func timeWait(emu *owuitest.Server) int {
	_, port, _ := strings.Cut(strings.TrimPrefix(emu.URL, "http://127.0.0.1"), ":")
	p, _ := strconv.Atoi(port)
	want := fmt.Sprintf(":%04X", p)
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return -1
	}
	defer f.Close()
	count := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// sl local_address rem_address st ...; state 06 is TIME_WAIT
		if len(fields) > 3 && fields[3] == "06" && (strings.HasSuffix(fields[1], want) || strings.HasSuffix(fields[2], want)) {
			count++
		}
	}
	return count
}

// settle gives the server a moment to finish background work (closing
// connections, GC) before its memory is read.
func settle() { time.Sleep(500 * time.Millisecond) }

func mustMemory(b *testing.B, pid int) memory {
	m, err := readMemory(pid)
	if err != nil {
		b.Fatal(err)
	}
	return m
}
