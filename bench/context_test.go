package bench

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

// wireTool is one tools/list entry with every member kept as sent.
type wireTool struct {
	Name         json.RawMessage `json:"name"`
	Description  json.RawMessage `json:"description"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema"`
}

// listResult fetches the tools/list result from a freshly started stdio
// server, exactly as it is on the wire (the JSON-RPC "result" member).
func listResult(tb testing.TB, bin string, args ...string) json.RawMessage {
	tb.Helper()
	p, err := startRaw(bin, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.stop()
	line, err := p.handshake()
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(line, &m); err != nil {
		tb.Fatal(err)
	}
	return m.Result
}

func splitTools(tb testing.TB, result json.RawMessage) (raw []json.RawMessage, parsed []wireTool) {
	var r struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(result, &r); err != nil {
		tb.Fatal(err)
	}
	for _, t := range r.Tools {
		var w wireTool
		if err := json.Unmarshal(t, &w); err != nil {
			tb.Fatal(err)
		}
		raw, parsed = append(raw, t), append(parsed, w)
	}
	return raw, parsed
}

// modelView is what a model is shown of a tool: its name, description and
// input schema (hosts drop title, annotations and the output schema, or
// rename the members, e.g. to OpenAI's function "parameters").
func modelView(w wireTool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"name":`)
	b.Write(w.Name)
	b.WriteString(`,"description":`)
	b.Write(w.Description)
	b.WriteString(`,"inputSchema":`)
	b.Write(w.InputSchema)
	b.WriteByte('}')
	return b.Bytes()
}

// BenchmarkToolsList is the context cost of the catalogue. The sizes come
// from the built binary's stdio answer; ns/op is the cost of answering
// tools/list in-process.
//
//	all:       list-B, the whole tools/list result (target: under 24,000
//	           bytes with output schemas), also in KiB; model-B, what a
//	           model sees (name, description, inputSchema of every tool);
//	           output-B, the output schemas; floor-list-B for comparison.
//	tool=NAME: the same per tool: tool-B (its tools/list entry), model-B,
//	           input-B, output-B, desc-B.
func BenchmarkToolsList(b *testing.B) {
	binaries(b)
	emu := owuitest.NewServer(owuitest.WithMaxRecordedRequests(0))
	defer emu.Close()
	result := listResult(b, owuiBinary, "--server", emu.URL)
	floorResult := listResult(b, floorBin)
	raw, parsed := splitTools(b, result)
	if len(raw) != len(tools.Catalogue()) {
		b.Fatalf("tools/list has %d tools, the catalogue %d", len(raw), len(tools.Catalogue()))
	}

	oc, err := owui.New(emu.APIURL())
	if err != nil {
		b.Fatal(err)
	}
	s := newServerSide(oc)
	msg := []byte(toolsListMsg)
	inProc, _ := json.Marshal(s.srv.MCP.HandleMessage(s.ctx, msg))
	if !bytes.Contains(inProc, result) {
		b.Fatalf("in-process tools/list differs from the binary's:\n%s\n%s", inProc, result)
	}

	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(s.srv.MCP.HandleMessage(s.ctx, msg)); err != nil {
				b.Fatal(err)
			}
		}
		var model, output int
		for _, w := range parsed {
			model += len(modelView(w))
			output += len(w.OutputSchema)
		}
		b.ReportMetric(float64(len(result)), "list-B")
		b.ReportMetric(float64(len(result))/1024, "list-KiB")
		b.ReportMetric(float64(model), "model-B")
		b.ReportMetric(float64(model)/1024, "model-KiB")
		b.ReportMetric(float64(output), "output-B")
		b.ReportMetric(float64(len(floorResult)), "floor-list-B")
	})
	for i, w := range parsed {
		var name string
		_ = json.Unmarshal(w.Name, &name)
		b.Run("tool="+name, func(b *testing.B) {
			for b.Loop() {
				_ = modelView(w)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(len(raw[i])), "tool-B")
			b.ReportMetric(float64(len(modelView(w))), "model-B")
			b.ReportMetric(float64(len(w.InputSchema)), "input-B")
			b.ReportMetric(float64(len(w.OutputSchema)), "output-B")
			b.ReportMetric(float64(len(w.Description)), "desc-B")
		})
	}
}
