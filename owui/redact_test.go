package owui_test

import (
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// TestRedactURLQueryWithAt: an "@" in a query or fragment is not taken
// for the end of userinfo, so nothing of the query is shown.
func TestRedactURLQueryWithAt(t *testing.T) {
	for _, raw := range []string{
		"http://openwebui.example.com/api?token=sk-abc@SECRETTAIL",
		"http://host/#frag@SECRETTAIL",
		"http://host/api?key=xyz&email=me@SECRETTAIL.example",
	} {
		if got := owui.RedactURL(raw); strings.Contains(got, "SECRETTAIL") {
			t.Errorf("RedactURL(%q) = %q", raw, got)
		}
		if _, err := owui.ParseBaseURL(raw); err == nil || strings.Contains(err.Error(), "SECRETTAIL") {
			t.Errorf("ParseBaseURL(%q): %v", raw, err)
		}
	}
}
