package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// TestResultTypesWithoutACaseAreMasked: present masks by name any result
// type it has no case for, so a new one is not shown unmasked by default.
func TestResultTypesWithoutACaseAreMasked(t *testing.T) {
	type newResult struct {
		Name         string         `json:"name"`
		ClientSecret string         `json:"client_secret"`
		Nested       map[string]any `json:"nested"`
		Connections  []any          `json:"connections"`
	}
	in := &newResult{Name: "n", ClientSecret: "s3cret-1",
		Nested:      map[string]any{"bindPassword": "s3cret-2", "port": 389},
		Connections: []any{map[string]any{"url": "http://x", "key": "s3cret-3"}}}
	b, err := json.Marshal(present(in, false))
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	if strings.Contains(out, "s3cret") || !strings.Contains(out, `"name":"n"`) || !strings.Contains(out, `"port":389`) || !strings.Contains(out, `"url":"http://x"`) {
		t.Errorf("present: %s", out)
	}
	// A result with nothing secret in it is passed on as it is.
	plain := &owui.AdminDetails{}
	if got := present(plain, false); got != any(plain) {
		t.Errorf("a plain result was replaced: %#v", got)
	}
}
