package tools

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// TestUpdatesDecodeBeforeSending: arguments that pass the schema but do not
// decode (the validator and the decoder disagreeing: a checked date the
// decoder still refuses) are refused before anything is sent, so "nothing
// was sent to Open WebUI" stays true. The run functions are called
// directly: through the server, the validator stops these first.
func TestUpdatesDecodeBeforeSending(t *testing.T) {
	emu := owuitest.NewServer(owuitest.WithUsers(owuitest.User{Name: "A", Email: "a@example.com", Password: "pa", Role: "admin"}))
	defer emu.Close()
	c, err := owui.New(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := emu.IssueToken("a@example.com", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		d    def
		args string
	}{
		{updateProfile(), `{"date_of_birth":"1990-02-30"}`},
		{updateProfile(), `{"name":5}`},
		{updateAdminConfig(), `{"ENABLE_SIGNUP":"yes"}`},
		{updateLDAPServer(), `{"port":636.0}`},
		{updateOAuthConfig(), `{"ENABLE_OAUTH":"yes"}`},
	}
	for _, tc := range cases {
		emu.ResetRequests()
		_, err := tc.d.run(context.Background(), &call{s: c.NewSession(tok), args: json.RawMessage(tc.args)})
		var ae argError
		if !errors.As(err, &ae) {
			t.Errorf("%s %s: %v, want an argument error", tc.d.op.Name, tc.args, err)
		}
		if reqs := emu.Requests(); len(reqs) != 0 {
			t.Errorf("%s %s: %s %s reached Open WebUI", tc.d.op.Name, tc.args, reqs[0].Method, reqs[0].Path)
		}
	}
}
