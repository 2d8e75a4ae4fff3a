package bench

import (
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// stdioServer is one stdio server under test: its binary and arguments.
type stdioServer struct {
	name string
	bin  string
	args []string
}

func stdioServers(tb testing.TB) (floor, owui stdioServer, emu *owuitest.Server) {
	binaries(tb)
	emu = owuitest.NewServer(owuitest.WithMaxRecordedRequests(0))
	return stdioServer{"floor", floorBin, nil},
		stdioServer{"owui-mcp", owuiBinary, []string{"--server", emu.URL}},
		emu
}

// startOnce spawns s, does the initialize + tools/list handshake and
// returns how long that took and how long until the process had exited
// after its stdin closed.
func startOnce(tb testing.TB, s stdioServer) (ready, exited time.Duration) {
	start := time.Now()
	p, err := startRaw(s.bin, s.args...)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.handshake(); err != nil {
		_ = p.stop()
		tb.Fatalf("%s: %v", s.name, err)
	}
	ready = time.Since(start)
	if err := p.stop(); err != nil {
		tb.Fatalf("%s: %v; stderr: %s", s.name, err, p.stderr)
	}
	return ready, time.Since(start)
}

// BenchmarkColdStart is what an agent pays each time it starts the server:
// spawn, initialize, tools/list answered (ready), and the exit once stdin
// closes. Each iteration starts the floor and owui-mcp once, in alternating
// order, so both see the same machine; the metrics are medians and the 90th
// percentile over all iterations, and ratio is owui-mcp's median ready time
// over the floor's (target: at most 1.3).
func BenchmarkColdStart(b *testing.B) {
	floor, owui, emu := stdioServers(b)
	defer emu.Close()
	// One unmeasured start each, so that both binaries are in the page cache.
	startOnce(b, floor)
	startOnce(b, owui)
	var fReady, fExit, oReady, oExit samples
	i := 0
	for b.Loop() {
		order := []stdioServer{floor, owui}
		if i%2 == 1 {
			order[0], order[1] = owui, floor
		}
		i++
		for _, s := range order {
			r, e := startOnce(b, s)
			if s.name == "floor" {
				fReady, fExit = append(fReady, r), append(fExit, e)
			} else {
				oReady, oExit = append(oReady, r), append(oExit, e)
			}
		}
	}
	fReady, fExit, oReady, oExit = fReady.sorted(), fExit.sorted(), oReady.sorted(), oExit.sorted()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(fReady.q(0.5)), "floor-ready-ms")
	b.ReportMetric(ms(fReady.q(0.9)), "floor-ready-p90-ms")
	b.ReportMetric(ms(oReady.q(0.5)), "owui-ready-ms")
	b.ReportMetric(ms(oReady.q(0.9)), "owui-ready-p90-ms")
	b.ReportMetric(ms(fExit.q(0.5)), "floor-exit-ms")
	b.ReportMetric(ms(oExit.q(0.5)), "owui-exit-ms")
	b.ReportMetric(float64(oReady.q(0.5))/float64(fReady.q(0.5)), "ratio")
	b.ReportMetric(float64(fileSize(b, floorBin))/(1<<20), "floor-bin-MiB")
	b.ReportMetric(float64(fileSize(b, owuiBinary))/(1<<20), "owui-bin-MiB")
}

// BenchmarkIdleRSS is the resident memory of a stdio server that has
// answered initialize and tools/list and then sat idle for a second (target
// for owui-mcp: under 12 MiB), with the floor alongside. anon is the Go heap,
// stacks and runtime; file is the binary's pages that were touched.
func BenchmarkIdleRSS(b *testing.B) {
	floor, owui, emu := stdioServers(b)
	defer emu.Close()
	var mem [2][]memory
	for b.Loop() {
		for k, s := range []stdioServer{floor, owui} {
			p, err := startRaw(s.bin, s.args...)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.handshake(); err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Second)
			m, err := readMemory(p.cmd.Process.Pid)
			if err != nil {
				b.Fatal(err)
			}
			mem[k] = append(mem[k], m)
			if err := p.stop(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(0, "ns/op")
	for k, name := range []string{"floor", "owui"} {
		rss, anon, file := medianMemory(mem[k])
		b.ReportMetric(rss/1024, name+"-rss-MiB")
		b.ReportMetric(anon/1024, name+"-anon-MiB")
		b.ReportMetric(file/1024, name+"-file-MiB")
	}
}

func medianMemory(ms []memory) (rss, anon, file float64) {
	med := func(f func(memory) int64) float64 {
		s := make(samples, len(ms))
		for i, m := range ms {
			s[i] = time.Duration(f(m))
		}
		return float64(s.sorted().q(0.5))
	}
	return med(func(m memory) int64 { return m.rss }),
		med(func(m memory) int64 { return m.anon }),
		med(func(m memory) int64 { return m.file })
}
