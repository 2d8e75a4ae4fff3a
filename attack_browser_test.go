package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3), through real MCP clients. Each names what it broke before its
// fix.

// completeThenDecline fills the page and then tells the server the user
// declined.
type completeThenDecline struct {
	t     testing.TB
	pages chan pageOutcome
}

func (c *completeThenDecline) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	status, body := fillPage(req.Params.URL, map[string]string{"password": pagePassword})
	c.pages <- pageOutcome{status, body}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
}

// Before: a user who completed the page (opening the URL from the
// client's dialog) and then declined got "nothing was done and nothing
// was kept" from the tool, while the session was signed in as them.
func TestAttackDeclineAfterCompletingThePage(t *testing.T) {
	pe := pageTarget(t)
	e := &completeThenDecline{t: t, pages: make(chan pageOutcome, 1)}
	pc := stdioPageClient(t, pe.URL, e)
	sc, text, isErr := pc.Call("signin", map[string]any{"email": pe.User})
	if out := <-e.pages; out.status != http.StatusOK {
		t.Fatalf("page: %d %s", out.status, out.body)
	}
	me := pc.OK("get_session_user", nil)
	if me["email"] != pe.User {
		t.Fatalf("after the page: %v", me)
	}
	if isErr || sc["email"] != pe.User {
		t.Errorf("signin answered %v %s although the session is signed in as %s", isErr, text, pe.User)
	}
}

// Before: the hosted Host check logged refused requests with their path,
// and a page's path is its link: a proxy that does not pass the public
// Host put every link id in the debug log.
func TestAttackHostedRefusalLogsNoLinkID(t *testing.T) {
	pe := pageTarget(t)
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": pe.URL}, "--log-level", "debug")
	pc := httpPageClient(t, base, logs, nil)
	sc := pc.OK("signin", map[string]any{"email": pe.User})
	link, _ := sc["browser"].(map[string]any)["url"].(string)
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Host = "rebound.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host: %d", resp.StatusCode)
	}
	id := link[strings.LastIndex(link, "/")+1:]
	if strings.Contains(logs.String(), id) {
		t.Errorf("the link's id is in the logs:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "request refused") {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}
}

// Before: the prefilled email had no bound, and every link (with the
// whole call, padding included) was kept for two TTLs: 40 links of 1 MB
// of whitespace padding took the server from 15 to 131 MiB of RSS, a
// megabyte-long email 4 MiB a link, kept after the sessions ended.
func TestAttackLongEmailIsRefused(t *testing.T) {
	pe := pageTarget(t)
	c := stdioClient(t, "OWUI_SERVER="+pe.URL)
	c.Fail("signin", map[string]any{"email": strings.Repeat("a", 2000) + "@example.com"}, "longer than")
}
