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

// TestRedactURLExactly pins what RedactURL shows: the scheme and host stay
// readable, userinfo becomes "…@", a query or fragment "?…".
func TestRedactURLExactly(t *testing.T) {
	cases := map[string]string{
		"http://user:pw@host:8080/api":        "http://…@host:8080/api",
		"http://host/api?token=x":             "http://host/api?…",
		"http://host/api#frag":                "http://host/api?…",
		"http://host/api":                     "http://host/api",
		"user:pw@host:8080":                   "…@host:8080",
		"http:/user:pw@host/":                 "http:/…@host/",
		"http://u:p@host/?q=1":                "http://…@host/?…",
		"http://host/api?token=sk-abc@SECRET": "http://…",
		"://x@host":                           "…@host",
		"1http://u@h":                         "…@h",
		"h1+.-://u@h":                         "h1+.-://…@h",
		"@host":                               "…@host",
		"http:":                               "http:",
		"?a@b":                                "…",
		"?token=s3cret":                       "?…",
		"":                                    "",
	}
	for raw, want := range cases {
		if got := owui.RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
