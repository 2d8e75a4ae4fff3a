// Package bench measures what owui-mcp costs on top of the Open WebUI call
// it wraps: cold start, per-call overhead, tools/list size, memory and
// hosted load. Everything is a testing.B benchmark, run by bench/run.sh;
// BENCHMARKS.md holds the figures.
//
// The yardstick is the floor: a bare mcp-go server with as many trivial
// tools as owui-mcp (FloorServer, served over stdio by bench/floor), built
// and measured in the same run.
package bench

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// FloorTools is how many tools the floor serves: as many as owui-mcp.
const FloorTools = 23

// FloorServer is a bare mcp-go server with FloorTools trivial tools, named
// tool_00 to tool_22, each taking one optional string and answering "ok".
func FloorServer() *server.MCPServer {
	s := server.NewMCPServer("floor", "1", server.WithToolCapabilities(false))
	for i := range FloorTools {
		s.AddTool(mcp.NewTool(fmt.Sprintf("tool_%02d", i),
			mcp.WithDescription("A trivial tool that answers ok."),
			mcp.WithString("x", mcp.Description("Ignored."))),
			func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return mcp.NewToolResultText("ok"), nil
			})
	}
	return s
}
