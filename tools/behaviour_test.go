package tools_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
	"github.com/owui-mcp/owui-mcp/tools/toolstest"
)

// Tests of behaviour the tools package's own tests left to other packages:
// a mutation run of this package alone let changes to them through.

// TestDrainWaitsForCallsInFlight: Drain returns once the call in flight is
// done (not before), and then refuses new calls.
func TestDrainWaitsForCallsInFlight(t *testing.T) {
	const delay = 300 * time.Millisecond
	e := newEnv(t, tools.Config{}, withAdmin())
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	e.emu.ResetRequests()
	e.emu.SetFault(owuitest.FaultOnPath("/api/v1/auths/", owuitest.FaultDelay(delay)))
	answer := make(chan string, 1)
	go func() {
		_, text, _ := c.Call("get_session_user", nil)
		answer <- text
	}()
	var arrived time.Time
	for deadline := time.Now().Add(5 * time.Second); arrived.IsZero(); time.Sleep(2 * time.Millisecond) {
		if len(e.emu.Requests()) > 0 {
			arrived = time.Now()
		} else if time.Now().After(deadline) {
			t.Fatal("the call never reached Open WebUI")
		}
	}
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	if err := e.srv.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if waited := time.Since(arrived); waited < delay-20*time.Millisecond {
		t.Errorf("Drain returned %v after the call reached Open WebUI, which answers after %v", waited, delay)
	}
	if text := <-answer; !strings.Contains(text, adminEmail) {
		t.Errorf("the call in flight: %s", text)
	}
	c.Fail("get_admin_details", nil, "shutting down")
	start := time.Now()
	if err := e.srv.Drain(ctx); err != nil || time.Since(start) > 100*time.Millisecond {
		t.Errorf("Drain with nothing in flight: %v after %v", err, time.Since(start))
	}
}

// TestSignOutRevokesOnlyWhatItObtained: a credential owui-mcp was given
// (OWUI_API_KEY) is only forgotten; a token a sign-in obtained is signed
// out at Open WebUI.
func TestSignOutRevokesOnlyWhatItObtained(t *testing.T) {
	const key = "sk-0123456789abcdef0123456789abcdef"
	e := newEnv(t, tools.Config{APIKey: key}, owuitest.WithAPIKeys(true), owuitest.WithUsers(
		owuitest.User{Name: "Admin", Email: adminEmail, Password: adminPass, Role: "admin", APIKey: key}))
	c := e.connect(t, true)
	c.OK("get_session_user", nil)
	e.emu.ResetRequests()
	r := c.OK("sign_out", nil)
	if r["scope"] != "mcp_session" || !strings.Contains(r["note"].(string), "OWUI_API_KEY") {
		t.Errorf("sign_out of OWUI_API_KEY: %v", r)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("sign_out of a given key sent %d requests", n)
	}
	c.Fail("get_session_user", nil, "Not authenticated")
	c.OK("signin", signinArgs(adminEmail, adminPass))
	e.emu.ResetRequests()
	if r := c.OK("sign_out", nil); r["scope"] != "open_webui" {
		t.Errorf("sign_out of a sign-in: %v", r)
	}
	if reqs := e.emu.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/v1/auths/signout" {
		t.Errorf("sign_out of a sign-in sent %+v", reqs)
	}
}

// TestNoAPIKeyAdvice: get_api_key for an account without a key says how
// to make one, naming generate_api_key only when it is served.
func TestNoAPIKeyAdvice(t *testing.T) {
	for _, served := range []bool{true, false} {
		sel := tools.Selection{}
		if !served {
			sel.Exclude = []string{"generate_api_key"}
		}
		ts, err := tools.Select(sel)
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, tools.Config{Tools: ts}, withAdmin(), owuitest.WithAPIKeys(true))
		c := e.connect(t, true)
		c.OK("signin", signinArgs(adminEmail, adminPass))
		text := c.Fail("get_api_key", nil, "no API key yet")
		if strings.Contains(text, "generate_api_key") != served || strings.Contains(text, "Settings > Account") == served {
			t.Errorf("generate_api_key served %v: %s", served, text)
		}
	}
	// Another failure gets no such advice.
	e := newEnv(t, tools.Config{}, withAdmin(), owuitest.WithAPIKeys(true))
	if text := e.connect(t, true).Fail("get_api_key", nil, "401"); strings.Contains(text, "no API key yet") {
		t.Errorf("a 401: %s", text)
	}
}

// TestClearedLimitIsNotReportedNotApplied: a limit cleared with null or 0,
// which Open WebUI stores as "", was applied.
func TestClearedLimitIsNotReportedNotApplied(t *testing.T) {
	e := newEnv(t, tools.Config{}, withAdmin())
	c := e.connect(t, true)
	c.OK("signin", signinArgs(adminEmail, adminPass))
	c.OK("update_admin_config", map[string]any{"FOLDER_MAX_FILE_COUNT": 5, "AUTOMATION_MAX_COUNT": 3})
	// Once to clear them, and again: then what is stored ("") is what was
	// stored before, which alone would read as a value not taken.
	for range 2 {
		r := c.OK("update_admin_config", map[string]any{"FOLDER_MAX_FILE_COUNT": nil, "AUTOMATION_MAX_COUNT": 0})
		if r["not_applied"] != nil {
			t.Errorf("cleared limits: %v", r)
		}
	}
}

// TestMarkdownListsEachToolOnce: the catalogue as Markdown (README's
// table) lists every tool once, under its own toolset.
func TestMarkdownListsEachToolOnce(t *testing.T) {
	md := tools.Markdown(tools.Catalogue())
	section := ""
	seen := map[string]string{}
	for _, line := range strings.Split(md, "\n") {
		if name, ok := strings.CutPrefix(line, "### `"); ok {
			section, _, _ = strings.Cut(name, "`")
			continue
		}
		if name, ok := strings.CutPrefix(line, "| `"); ok {
			name, _, _ = strings.Cut(name, "`")
			if _, dup := seen[name]; dup {
				t.Errorf("%s listed twice", name)
			}
			seen[name] = section
		}
	}
	for _, tl := range tools.Catalogue() {
		if seen[tl.Name] != tl.Toolset {
			t.Errorf("%s listed under %q, want %q", tl.Name, seen[tl.Name], tl.Toolset)
		}
	}
}

// TestToolCallLogLine: at debug level each call logs its tool, its
// session (hashed) and whether it failed.
func TestToolCallLogLine(t *testing.T) {
	var logs toolstest.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, tools.Config{Logger: log}, withAdmin())
	c := e.connect(t, true)
	c.Fail("get_session_user", nil, "Not authenticated")
	c.OK("signin", signinArgs(adminEmail, adminPass))
	lines := regexp.MustCompile(`msg="tool call" tool=(\w+) session=([0-9a-f]{8}) is_error=(\w+)`).FindAllStringSubmatch(logs.String(), -1)
	if len(lines) != 2 || lines[0][1] != "get_session_user" || lines[0][3] != "true" || lines[1][3] != "false" || lines[0][2] != lines[1][2] {
		t.Errorf("tool call lines %q in:\n%s", lines, logs.String())
	}
}
