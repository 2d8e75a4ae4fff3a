package tools_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

// TestOneClientCannotStarveAnother: a client with 200 slow calls in flight
// (more than the connections owui-mcp opens to Open WebUI) does not make
// another client's call wait; its own calls beyond the per-session limit
// say that they waited for a local slot, not that Open WebUI failed.
func TestOneClientCannotStarveAnother(t *testing.T) {
	e := newEnv(t, tools.Config{CallTimeout: 2 * time.Second}, withAdmin())
	e.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/admin/config", owuitest.FaultDelay(time.Minute)))
	greedy, other := e.connect(t, true), e.connect(t, true)

	var wg sync.WaitGroup
	var mu sync.Mutex
	texts := map[string]int{}
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := greedy.C.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_admin_config"}})
			if err != nil {
				t.Error(err)
				return
			}
			text := mcp.GetTextFromContent(res.Content[0])
			kind := "other: " + text
			switch {
			case strings.Contains(text, "calls in flight") && strings.Contains(text, "not sent to Open WebUI"):
				kind = "waited for a slot"
			case strings.Contains(text, "did not answer within"):
				kind = "Open WebUI did not answer"
			}
			mu.Lock()
			texts[kind]++
			mu.Unlock()
		}()
	}
	time.Sleep(300 * time.Millisecond) // the greedy calls are all waiting now
	start := time.Now()
	_, text, _ := other.Call("signin", signinArgs(adminEmail, adminPass))
	if took := time.Since(start); took > time.Second || !strings.Contains(text, adminEmail) {
		t.Errorf("the other client's call took %s: %s", took, text)
	}
	wg.Wait()
	t.Logf("the greedy client's calls: %v", texts)
	// Every call either went to Open WebUI (and timed out there) or never
	// left owui-mcp and says so (how many of each depends on timing: a
	// slot freed when one call times out goes to a call still waiting).
	sent := 0
	for _, r := range e.emu.Requests() {
		if r.Path == "/api/v1/auths/admin/config" {
			sent++
		}
	}
	if texts["waited for a slot"]+texts["Open WebUI did not answer"] != 200 || texts["Open WebUI did not answer"] < sent || texts["waited for a slot"] == 0 {
		t.Errorf("the greedy client's calls ended as %v; %d reached Open WebUI", texts, sent)
	}
}
