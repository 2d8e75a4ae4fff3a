// Command floor is the baseline owui-mcp is measured against: a bare mcp-go
// stdio server with 23 trivial tools (bench.FloorServer) and nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/bench"
)

func main() {
	err := server.ServeStdio(bench.FloorServer(), server.WithErrorLogger(log.New(os.Stderr, "floor: ", 0)))
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
