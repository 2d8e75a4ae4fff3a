package bench

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// The flood benchmarks play a hostile client against the hosted server and
// report what the server holds afterwards (its resident set) and how it
// answered. They measure the bounds the hosted transports promise: a
// credential's size and count per session, and the answers an unread SSE
// stream may have waiting. OWUI_BENCH_BINARY runs them against another build
// (an older release, to compare).

// floodBinary is the owui-mcp binary under test.
func floodBinary(tb testing.TB) string {
	if bin := os.Getenv("OWUI_BENCH_BINARY"); bin != "" {
		return bin
	}
	binaries(tb)
	return owuiBinary
}

// floodN scales a flood down for -short runs (CI runs every benchmark once).
func floodN(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

var floodListenRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:[0-9]+)/`)

// startFloodTarget runs the binary hosted on transport against a fresh
// emulator; it stops when the benchmark ends.
func startFloodTarget(b *testing.B, transport string, env ...string) (base string, pid int) {
	b.Helper()
	emu := owuitest.NewServer(owuitest.WithMaxRecordedRequests(0))
	b.Cleanup(emu.Close)
	cmd := exec.Command(floodBinary(b), "--transport", transport, "--addr", "127.0.0.1:0", "--server", emu.APIURL())
	cmd.Env = append(childEnv(), env...)
	logs := newLogSink(floodListenRE)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	select {
	case base = <-logs.found:
	case <-time.After(10 * time.Second):
		b.Fatalf("owui-mcp not listening after 10s:\n%s", logs)
	}
	return base, cmd.Process.Pid
}

func rssMiB(b *testing.B, pid int) float64 {
	b.Helper()
	m, err := readMemory(pid)
	if err != nil {
		b.Fatal(err)
	}
	return float64(m.rss) / 1024
}

const floodInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"flood","version":"1"}}}`

func floodCall(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_session_user","arguments":{}}}`, id)
}

// statusCounts tallies HTTP answers by status ("0" for no answer).
type statusCounts struct {
	mu sync.Mutex
	m  map[int]int
}

func (s *statusCounts) add(code int) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[int]int{}
	}
	s.m[code]++
	s.mu.Unlock()
}

func (s *statusCounts) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.m)
}

// BenchmarkFloodCredentials opens one streamable HTTP session and makes 300
// calls in it, each with a different X-OWUI-API-Key: of 1 MiB (past any
// header bound), and of 8,000 bytes (under the credential bound, so each is
// taken).
func BenchmarkFloodCredentials(b *testing.B) {
	for _, size := range []int{1 << 20, 8000} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) { floodCredentials(b, size) })
	}
}

func floodCredentials(b *testing.B, size int) {
	for range b.N {
		base, pid := startFloodTarget(b, "http")
		start := rssMiB(b, pid)
		hc := &http.Client{Timeout: 30 * time.Second}
		sid := floodInitialize(b, hc, base)
		var counts statusCounts
		var wg sync.WaitGroup
		work := make(chan int)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := make([]byte, size)
				for i := range work {
					_, _ = rand.Read(key[:64])
					cred := "sk-" + hex.EncodeToString(key)[:size-3]
					req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(floodCall(i+2)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept", "application/json, text/event-stream")
					req.Header.Set("Mcp-Session-Id", sid)
					req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
					req.Header.Set("X-OWUI-API-Key", cred)
					resp, err := hc.Do(req)
					if err != nil {
						counts.add(0)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					counts.add(resp.StatusCode)
				}
			}()
		}
		for i := range floodN(300) {
			work <- i
		}
		close(work)
		wg.Wait()
		time.Sleep(500 * time.Millisecond)
		end := rssMiB(b, pid)
		b.ReportMetric(start, "rss-start-MiB")
		b.ReportMetric(end, "rss-after-MiB")
		b.Logf("%d calls with distinct %d-byte credentials: answers %s; RSS %.1f -> %.1f MiB", floodN(300), size, &counts, start, end)
	}
}

func floodInitialize(b *testing.B, hc *http.Client, base string) string {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(floodInit))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != 200 || sid == "" {
		b.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	return sid
}

// BenchmarkFloodSSE opens an SSE stream, reads only its endpoint event and
// then never reads again, while posting 20,000 calls to the session.
func BenchmarkFloodSSE(b *testing.B) {
	for range b.N {
		base, pid := startFloodTarget(b, "sse")
		start := rssMiB(b, pid)
		msgURL := toolstest.UnreadSSE(b, base)
		hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		postSSE := func(body string) int {
			req, _ := http.NewRequest(http.MethodPost, msgURL, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return 0
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		var counts statusCounts
		counts.add(postSSE(floodInit))
		counts.add(postSSE(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
		var wg sync.WaitGroup
		work := make(chan int)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					counts.add(postSSE(floodCall(i + 2)))
				}
			}()
		}
		for i := range floodN(20000) {
			work <- i
		}
		close(work)
		wg.Wait()
		time.Sleep(time.Second)
		end := rssMiB(b, pid)
		b.ReportMetric(start, "rss-start-MiB")
		b.ReportMetric(end, "rss-after-MiB")
		b.Logf("%d posts to an unread SSE stream: answers %s; RSS %.1f -> %.1f MiB", floodN(20000), &counts, start, end)
	}
}
