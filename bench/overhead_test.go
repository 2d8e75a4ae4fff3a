package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkOverhead is what a stdio tool call adds to the HTTP call it
// wraps, measured the way issue 13 defines it: owui-mcp --demo as a stdio
// subprocess, and in every iteration, in alternating order, a direct
// GET /api/v1/auths/ with a JWT over keep-alive to the demo's own Open
// WebUI, and tools/call get_session_user over stdio. Neither side uses an
// MCP or Open WebUI client library, so what differs is owui-mcp's own
// work. It reports the medians (direct-us, mcp-us), their ratio and
// mcp-us minus direct-us (added-us); the goal is a ratio of at most 1.6.
//
// OWUI_BENCH_OVERHEAD_BINARIES="before=/path/a,after=/path/b" measures
// other builds, one sub-benchmark each; with -count N they take turns.
func BenchmarkOverhead(b *testing.B) {
	for _, bin := range overheadBinaries(b) {
		b.Run(bin.name, func(b *testing.B) { overheadPairs(b, startDemo(b, bin.path)) })
	}
}

// BenchmarkOverheadRemote is BenchmarkOverhead with Open WebUI in a
// process of its own (bench/emulator), as in real use: owui-mcp started
// with --server, and the direct call made to that process.
func BenchmarkOverheadRemote(b *testing.B) {
	f := getCallFixture(b)
	for _, bin := range overheadBinaries(b) {
		b.Run(bin.name, func(b *testing.B) {
			overheadPairs(b, startStdioTarget(b, bin.path, []string{"--server", f.emuURL}, f.apiURL(),
				"user15@bench.example", "pw-15", "signin"))
		})
	}
}

// overheadPairs makes the direct call and the tool call alternately and
// reports their medians.
func overheadPairs(b *testing.B, p *demoProc) {
	var d [2]samples
	// Warm up both paths: connections, the first allocations.
	for range 50 {
		p.direct(b)
		p.toolCall(b)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		for j := range 2 {
			k := j ^ i&1 // direct first on even iterations
			t := time.Now()
			if k == 0 {
				p.direct(b)
			} else {
				p.toolCall(b)
			}
			d[k] = append(d[k], time.Since(t))
		}
		i++
	}
	direct, tool := d[0].sorted().q(0.5), d[1].sorted().q(0.5)
	b.ReportMetric(us(direct), "direct-us")
	b.ReportMetric(us(tool), "mcp-us")
	b.ReportMetric(us(tool-direct), "added-us")
	b.ReportMetric(float64(tool)/float64(direct), "ratio")
}

type namedBinary struct{ name, path string }

func overheadBinaries(b *testing.B) []namedBinary {
	v := os.Getenv("OWUI_BENCH_OVERHEAD_BINARIES")
	if v == "" {
		binaries(b)
		return []namedBinary{{"stdio", owuiBinary}}
	}
	var out []namedBinary
	for _, kv := range strings.Split(v, ",") {
		name, path, ok := strings.Cut(kv, "=")
		if !ok {
			b.Fatalf("OWUI_BENCH_OVERHEAD_BINARIES: %q is not name=path", kv)
		}
		out = append(out, namedBinary{name, path})
	}
	return out
}

// demoProc is owui-mcp driven over stdio by hand, with a plain HTTP
// client for its Open WebUI.
type demoProc struct {
	*rawProc
	api   string // http://127.0.0.1:PORT/api
	email string
	jwt   string
	hc    *http.Client
	id    int
	line  []byte
}

var demoURLRE = regexp.MustCompile(`demo Open WebUI at (http://127\.0\.0\.1:[0-9]+/api)`)

// startDemo runs bin --demo and signs up its first account, the admin.
func startDemo(b *testing.B, bin string) *demoProc {
	return startStdioTarget(b, bin, []string{"--demo"}, "", "admin@bench.example", "pw-admin-1", "signup")
}

// startStdioTarget runs bin over stdio with args against the Open WebUI at
// api ("" for the demo's, read from its log) and signs in (or up) as email
// through MCP and directly.
func startStdioTarget(b *testing.B, bin string, args []string, api, email, password, how string) *demoProc {
	b.Helper()
	cmd := exec.Command(bin, append(args, "--log-level", "warn")...)
	cmd.Env = childEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	logs := newLogSink(demoURLRE)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &demoProc{rawProc: &rawProc{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10), stderr: logs},
		api: api, email: email, hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, id: 100}
	b.Cleanup(func() {
		if err := p.stop(); err != nil {
			b.Errorf("owui-mcp: %v\n%s", err, logs)
		}
	})
	if p.api == "" {
		select {
		case p.api = <-logs.found:
		case <-time.After(10 * time.Second):
			b.Fatalf("no demo URL after 10s:\n%s", logs)
		}
	}
	if err := p.send(initializeMsg); err != nil {
		b.Fatal(err)
	}
	if _, err := p.await(1); err != nil {
		b.Fatal(err)
	}
	args2 := `{"email":"` + email + `","password":"` + password + `"}`
	if how == "signup" {
		args2 = `{"name":"Admin","email":"` + email + `","password":"` + password + `"}`
	}
	call := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"` + how + `","arguments":` + args2 + `}}`
	if err := p.send(initializedMsg, call); err != nil {
		b.Fatal(err)
	}
	if line, err := p.await(2); err != nil || bytes.Contains(line, []byte(`"isError":true`)) {
		b.Fatalf("%s: %s %v", how, line, err)
	}
	// The direct caller's own JWT, for the same account.
	p.jwt = directSignin(b, p.hc, p.api, email, password)
	return p
}

// direct is GET /api/v1/auths/ with the JWT, the body read whole.
func (p *demoProc) direct(b *testing.B) {
	req, _ := http.NewRequest(http.MethodGet, p.api+"/v1/auths/", nil)
	req.Header.Set("Authorization", "Bearer "+p.jwt)
	resp, err := p.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(p.email)) {
		b.Fatalf("GET /auths/: %d %v %s", resp.StatusCode, err, body)
	}
}

// toolCall is tools/call get_session_user, its answer read as a line and
// matched by id.
func (p *demoProc) toolCall(b *testing.B) {
	p.id++
	p.line = append(p.line[:0], `{"jsonrpc":"2.0","id":`...)
	p.line = strconv.AppendInt(p.line, int64(p.id), 10)
	p.line = append(p.line, `,"method":"tools/call","params":{"name":"get_session_user","arguments":{}}}`+"\n"...)
	if _, err := p.stdin.Write(p.line); err != nil {
		b.Fatal(err)
	}
	prefix := p.line[:bytes.IndexByte(p.line, ',')+1]
	for {
		line, err := p.stdout.ReadSlice('\n')
		if err != nil {
			b.Fatalf("reading the answer: %v\n%s", err, p.stderr)
		}
		if !bytes.HasPrefix(line, prefix) {
			continue // a notification
		}
		if !bytes.Contains(line, []byte(p.email)) || bytes.Contains(line, []byte(`"isError":true`)) {
			b.Fatalf("get_session_user: %s", line)
		}
		return
	}
}

// directSignin signs in at Open WebUI itself, with no MCP in between, and
// returns the JWT.
func directSignin(b *testing.B, hc *http.Client, api, email, password string) string {
	b.Helper()
	resp, err := hc.Post(api+"/v1/auths/signin", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.Token == "" {
		b.Fatalf("signin: %v", err)
	}
	return tok.Token
}
