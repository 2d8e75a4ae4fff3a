// Command emulator serves the in-memory Open WebUI (owuitest) on a loopback
// port in a process of its own, so that the call benchmarks reach it the way
// owui-mcp reaches a real Open WebUI: across processes. It prints its base
// URL on stdout and serves until stdin closes.
//
// Its accounts are user00@bench.example, user01@... with passwords pw-00,
// pw-01, ... Its clock moves one second ahead each time it is read, so that
// sign-ins rotating over the accounts never reach Open WebUI's limit of 15
// per email in 3 minutes; tokens never expire.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

func main() {
	n := flag.Int("users", 16, "how many accounts to seed")
	flag.Parse()
	users := make([]owuitest.User, *n)
	for i := range users {
		users[i] = owuitest.User{
			Name: fmt.Sprintf("User %02d", i), Email: fmt.Sprintf("user%02d@bench.example", i),
			Password: fmt.Sprintf("pw-%02d", i), Role: "user",
		}
	}
	start := time.Now()
	var ticks atomic.Int64
	emu := owuitest.NewServer(owuitest.WithUsers(users...),
		owuitest.WithMaxRecordedRequests(0), owuitest.WithJWTExpiry("-1"),
		owuitest.WithClock(func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) }))
	fmt.Println(emu.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
	emu.Close()
}
