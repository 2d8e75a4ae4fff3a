package main

import (
	"net/http"
	"strings"
	"testing"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3), through real MCP clients. Each names what it broke before its
// fix.

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
