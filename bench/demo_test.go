package bench

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// BenchmarkDemoRequests makes 200,000 requests (20,000 with -short), one
// after another over keep-alive, to the emulated Open WebUI: as --demo
// serves it (nothing recorded), and with a request log that fills halfway
// through. A per-request cost that grows with the log shows as last/first
// above 1: first-us and last-us are the median requests of the first and
// the last tenth.
func BenchmarkDemoRequests(b *testing.B) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	for _, v := range []struct {
		name string
		opts []owuitest.Option
	}{
		{"demo", owuitest.DemoOptions()},
		{"log-full-halfway", []owuitest.Option{owuitest.WithMaxRecordedRequests(n / 2)}},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				first, last := demoRequests(b, n, v.opts)
				b.ReportMetric(us(first), "first-us")
				b.ReportMetric(us(last), "last-us")
				b.ReportMetric(float64(last)/float64(first), "last/first")
			}
		})
	}
}

func demoRequests(b *testing.B, n int, opts []owuitest.Option) (first, last time.Duration) {
	emu := owuitest.NewServer(append(opts, owuitest.WithUsers(owuitest.User{Name: "A", Email: "a@bench.example", Password: "pw-a"}))...)
	defer emu.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	jwt := directSignin(b, hc, emu.APIURL(), "a@bench.example", "pw-a")
	d := make(samples, n)
	for i := range n {
		t := time.Now()
		req, _ := http.NewRequest(http.MethodGet, emu.APIURL()+"/v1/auths/", nil)
		req.Header.Set("Authorization", "Bearer "+jwt)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("request %d: %d", i, resp.StatusCode)
		}
		d[i] = time.Since(t)
	}
	tenth := n / 10
	return d[:tenth].sorted().q(0.5), d[n-tenth:].sorted().q(0.5)
}
