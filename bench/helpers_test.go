package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// protocol is the MCP revision every client here negotiates: the newest
// one with sessions, which is what owui-mcp's HTTP transport offers and what
// today's desktop clients and Open WebUI speak.
const protocol = mcp.ProtocolVersion20251125

var bg = context.Background()

// Built binaries, made once per test process by binaries().
var (
	buildOnce  sync.Once
	buildErr   error
	buildDir   string
	owuiBinary string // owui-mcp, built from the module root
	floorBin   string // bench/floor
	emuBin     string // bench/emulator
)

// cleanups run at the end of TestMain: subprocesses and emulators shared
// between benchmarks.
var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func atExit(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

func TestMain(m *testing.M) {
	raiseFileLimit()
	code := m.Run()
	cleanupMu.Lock()
	for _, f := range slices.Backward(cleanups) {
		f()
	}
	cleanupMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// raiseFileLimit lifts the soft open-file limit to the hard one, for this
// process and the servers it starts: the hosted load opens a few thousand
// sockets. Setting it explicitly makes child processes inherit it.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	lim.Cur = lim.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

func fileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Cur
}

// binaries builds owui-mcp and the floor once, as static binaries
// (CGO_ENABLED=0, as release builds are): with cgo, both would also map the
// C library, about 1.2 MiB more RSS each, depending on the build machine.
func binaries(tb testing.TB) {
	tb.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "owui-mcp-bench")
		if buildErr != nil {
			return
		}
		owuiBinary = filepath.Join(buildDir, "owui-mcp")
		floorBin = filepath.Join(buildDir, "floor")
		emuBin = filepath.Join(buildDir, "emulator")
		for bin, pkg := range map[string]string{
			owuiBinary: "github.com/owui-mcp/owui-mcp",
			floorBin:   "github.com/owui-mcp/owui-mcp/bench/floor",
			emuBin:     "github.com/owui-mcp/owui-mcp/bench/emulator",
		} {
			cmd := exec.Command("go", "build", "-o", bin, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			out, err := cmd.CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
}

func fileSize(tb testing.TB, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// childEnv is this process's environment without owui-mcp's own
// variables, so a developer's settings cannot change what is measured.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OWUI_") {
			env = append(env, kv)
		}
	}
	return env
}

// logSink keeps the tail of a subprocess's stderr for error messages, and
// reports the first match of a pattern (the listening address).
type logSink struct {
	mu    sync.Mutex
	buf   []byte
	re    *regexp.Regexp
	found chan string
}

func newLogSink(re *regexp.Regexp) *logSink {
	return &logSink{re: re, found: make(chan string, 1)}
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if l.re != nil {
		if m := l.re.FindSubmatch(l.buf); m != nil {
			l.found <- string(m[1])
			l.re = nil
		}
	}
	if len(l.buf) > 64<<10 {
		l.buf = append(l.buf[:0], l.buf[len(l.buf)-32<<10:]...)
	}
	return len(p), nil
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// rawProc is a stdio MCP server driven by hand: JSON-RPC lines on its
// stdin, answers read from its stdout. No MCP client library is in the way,
// so start-up times are the server's own.
type rawProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *logSink
}

func startRaw(bin string, args ...string) (*rawProc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &rawProc{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10), stderr: newLogSink(nil)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *rawProc) send(lines ...string) error {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err := p.stdin.Write(b.Bytes())
	return err
}

// await reads answers until the one with this id, and returns its line.
func (p *rawProc) await(id int) ([]byte, error) {
	want := strconv.Itoa(id)
	for {
		line, err := p.stdout.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("waiting for answer %d: %v; stderr: %s", id, err, p.stderr)
		}
		var m struct {
			ID    json.RawMessage `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(line, &m) == nil && string(m.ID) == want {
			if len(m.Error) > 0 {
				return nil, fmt.Errorf("answer %d is an error: %s", id, m.Error)
			}
			return line, nil
		}
	}
}

// stop closes stdin (the normal end of a stdio session) and waits for the
// process to exit.
func (p *rawProc) stop() error {
	p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
		return errors.New("no exit within 10s of stdin closing")
	}
}

const (
	initializeMsg  = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + protocol + `","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`
	initializedMsg = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	toolsListMsg   = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
)

// handshake does what every client does first: initialize, then tools/list.
// It returns the tools/list answer line.
func (p *rawProc) handshake() ([]byte, error) {
	if err := p.send(initializeMsg); err != nil {
		return nil, err
	}
	if _, err := p.await(1); err != nil {
		return nil, err
	}
	if err := p.send(initializedMsg, toolsListMsg); err != nil {
		return nil, err
	}
	return p.await(2)
}

// memory is a process's resident set, from /proc/<pid>/status, in KiB.
type memory struct{ rss, anon, file int64 }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.rss = n
		case "RssAnon":
			m.anon = n
		case "RssFile":
			m.file = n
		}
	}
	if m.rss == 0 {
		return m, fmt.Errorf("no VmRSS for pid %d", pid)
	}
	return m, nil
}

// cpuTime is the CPU time a process has used so far, summed over its
// threads from /proc/<pid>/task/*/schedstat (nanosecond resolution).
func cpuTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			total += time.Duration(n)
		}
	}
	return total
}

// samples collects per-operation durations for medians and tails.
type samples []time.Duration

func (s samples) sorted() samples {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// q is the nearest-rank quantile (0 < p <= 1) of sorted samples.
func (s samples) q(p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func initRequest() mcp.InitializeRequest {
	return mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: protocol,
		ClientInfo:      mcp.Implementation{Name: "bench", Version: "1"},
	}}
}

// startClient starts and initializes an mcp-go client on tr.
func startClient(tb testing.TB, tr transport.Interface) *client.Client {
	tb.Helper()
	c := client.NewClient(tr, client.WithProtocolVersion(protocol))
	if err := c.Start(bg); err != nil {
		tb.Fatal(err)
	}
	res, err := c.Initialize(bg, initRequest())
	if err != nil {
		tb.Fatal(err)
	}
	if res.ProtocolVersion != protocol {
		tb.Fatalf("negotiated %s, want %s", res.ProtocolVersion, protocol)
	}
	return c
}

// stdioTransport is mcp-go's stdio client transport for bin, started with
// childEnv (mcp-go's default would add this process's whole environment).
// pid reports the server's process id once the transport has started.
func stdioTransport(bin string, args []string) (tr *transport.Stdio, pid func() int) {
	var cmd *exec.Cmd
	tr = transport.NewStdioWithOptions(bin, nil, args, transport.WithCommandFunc(
		func(ctx context.Context, command string, _ []string, args []string) (*exec.Cmd, error) {
			cmd = exec.CommandContext(ctx, command, args...)
			cmd.Env = childEnv()
			return cmd, nil
		}))
	return tr, func() int { return cmd.Process.Pid }
}

// hostedProc is owui-mcp serving streamable HTTP (and SSE) as a subprocess.
type hostedProc struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	logs *logSink
}

var listenRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:[0-9]+)`)

// startHosted runs the built binary with --transport http on a free
// loopback port against the Open WebUI at server.
func startHosted(tb testing.TB, server string, extra ...string) *hostedProc {
	tb.Helper()
	binaries(tb)
	args := append([]string{"--transport", "http", "--addr", "127.0.0.1:0", "--server", server}, extra...)
	cmd := exec.Command(owuiBinary, args...)
	cmd.Env = childEnv()
	logs := newLogSink(listenRE)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	h := &hostedProc{cmd: cmd, logs: logs}
	select {
	case h.url = <-logs.found:
		return h
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tb.Fatalf("owui-mcp not listening after 10s:\n%s", logs)
	}
	return nil
}

// stop ends the server as a service manager would (SIGTERM).
func (h *hostedProc) stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
	}
}
