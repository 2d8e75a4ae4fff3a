package owui_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// TestRequestThatCannotBeEncoded: a body that does not encode (here a kept
// unknown setting that is not JSON) is reported as what it is, owui-mcp's
// own failure with nothing sent, not as an answer from Open WebUI.
func TestRequestThatCannotBeEncoded(t *testing.T) {
	emu := owuitest.NewServer()
	defer emu.Close()
	c, err := owui.New(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := owui.AdminConfig{Unknown: map[string]json.RawMessage{"NEW_SETTING": json.RawMessage(`{`)}}
	_, err = c.NewSession("sk-x").UpdateAdminConfig(context.Background(), cfg)
	var oe *owui.Error
	if !errors.As(err, &oe) || oe.Kind != owui.KindRequest {
		t.Fatalf("error %v", err)
	}
	text := oe.Error()
	for _, want := range []string{"update_admin_config: the request could not be encoded", "nothing was sent to Open WebUI"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "answered") {
		t.Errorf("%q speaks of an answer", text)
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("%d requests reached Open WebUI", n)
	}
}
