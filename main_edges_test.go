package main

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// Edges a mutation run of this package found untested.

func TestVersionString(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = ""
	// A test binary has no module version: "dev", not "" or "(devel)".
	if got := versionString(); got != "dev" {
		t.Errorf("without a version: %q", got)
	}
	version = "1.2.3"
	if got := versionString(); got != "1.2.3" {
		t.Errorf("with -X main.version=1.2.3: %q", got)
	}
}

func TestCommandLineEdges(t *testing.T) {
	long := strings.Repeat("x", 64)
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"tools", "--max-sessions", "1"}, 0, "get_admin_config"},
		// A word of 64 characters is named; a longer one may be a credential.
		{[]string{long}, 2, `unknown command "` + long + `"`},
		{[]string{long + "x"}, 2, "looks like a credential"},
	}
	for _, tc := range cases {
		var out syncBuffer
		if code := run(bg, tc.args, strings.NewReader(""), &out, &out, envOf(nil)); code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("%.20v: exit %d, %q; want %d and %q", tc.args, code, out.String(), tc.code, tc.out)
		}
	}
}

// TestHostedAdvice: a hosted server's refusals say how a hosted client
// brings a credential, and start-up names no withheld tools when nothing
// is withheld.
func TestHostedAdvice(t *testing.T) {
	emu := owuitest.NewServer()
	defer emu.Close()
	base, logs := hosted(t, "http", map[string]string{"OWUI_SERVER": emu.URL})
	hostedClient(t, "http", base, nil).Fail("get_session_user", nil, "X-OWUI-API-Key header")
	if strings.Contains(logs.String(), "are not served") {
		t.Errorf("withheld tools named with nothing withheld:\n%s", logs)
	}
}

// TestStdinThatFails: a stdin that fails (not one that ends) stops the
// server with an error and exit status 1, not as if the client had left.
func TestStdinThatFails(t *testing.T) {
	var out, errb syncBuffer
	code := run(bg, nil, iotest.ErrReader(errors.New("input/output error")), &out, &errb, envOf(nil))
	if code != 1 || !strings.Contains(errb.String(), "input/output error") {
		t.Errorf("exit %d:\n%s", code, errb.String())
	}
}
