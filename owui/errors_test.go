package owui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

func TestErrorTexts(t *testing.T) {
	cases := []struct {
		name      string
		e         owui.Error
		want, not []string
	}{
		{"hint after a full stop", owui.Error{Kind: owui.KindStatus, Op: "add_user", StatusCode: 401, Detail: accessProhibited},
			[]string{"assistance. The signed-in account lacks the role"}, []string{".."}},
		{"hint after a bare detail", owui.Error{Kind: owui.KindStatus, Op: "get_session_user", StatusCode: 401, Detail: "Not authenticated"},
			[]string{"answered 401: Not authenticated. The session has no valid credential, or it expired or was revoked."},
			[]string{"OWUI_API_KEY", "signin"}},
		{"hint without a detail", owui.Error{Kind: owui.KindStatus, Op: "get_session_user", StatusCode: 500},
			[]string{"answered 500. Open WebUI failed on its side"}, nil},
		{"sign-in limit", owui.Error{Kind: owui.KindStatus, Op: "signin", StatusCode: 429, Detail: "API rate limit exceeded"},
			[]string{"exceeded. Sign-in is limited to 15 attempts per email in 3 minutes"}, nil},
		{"token exchange limit", owui.Error{Kind: owui.KindStatus, Op: "token_exchange", StatusCode: 429, Detail: "API rate limit exceeded"},
			[]string{"limits token exchanges per client address"}, []string{"Sign-in", "per email"}},
		{"a proxy's limit", owui.Error{Kind: owui.KindStatus, Op: "get_admin_config", StatusCode: 429, Detail: "Too Many Requests"},
			[]string{"Something in front of Open WebUI is limiting requests"}, []string{"Sign-in"}},
		{"question mark", owui.Error{Kind: owui.KindStatus, Op: "get_session_user", StatusCode: 401, Detail: "Who are you?"},
			[]string{"Who are you? The session"}, []string{"?."}},
	}
	for _, tc := range cases {
		got := tc.e.Error()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q has %q", tc.name, got, n)
			}
		}
	}
}

// TestErrorClassesAndHints: which refusals call for a credential and which
// for a role, and the hint each HTTP status gets.
func TestErrorClassesAndHints(t *testing.T) {
	cases := []struct {
		e                owui.Error
		needs, forbidden bool
		hint             string
	}{
		{owui.Error{Kind: owui.KindStatus, StatusCode: 401, Detail: "Not authenticated"}, true, false, "has no valid credential"},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 401, Detail: accessProhibited}, false, true, "lacks the role"},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 403, Detail: accessProhibited}, false, true, ""},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 403, Detail: "Use of API key is not enabled in the environment."}, false, false, "API keys are switched off"},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 403, Detail: "API key creation is not allowed in the environment."}, false, false, "An admin must set ENABLE_API_KEYS"},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 422, Detail: "email: Field required"}, false, false, "Correct the listed fields"},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 499}, false, false, ""},
		{owui.Error{Kind: owui.KindStatus, StatusCode: 500}, false, false, "failed on its side"},
		{owui.Error{Kind: owui.KindTimeout, StatusCode: 401}, false, false, ""},
		{owui.Error{Kind: owui.KindRedirect, StatusCode: 403, Detail: accessProhibited}, false, false, ""},
	}
	for _, tc := range cases {
		tc.e.Op = "get_session_user"
		if got := tc.e.NeedsCredential(); got != tc.needs {
			t.Errorf("%d %q kind %d: NeedsCredential %v", tc.e.StatusCode, tc.e.Detail, tc.e.Kind, got)
		}
		if got := tc.e.AccessProhibited(); got != tc.forbidden {
			t.Errorf("%d %q kind %d: AccessProhibited %v", tc.e.StatusCode, tc.e.Detail, tc.e.Kind, got)
		}
		text := tc.e.Error()
		plain := fmt.Sprintf("get_session_user: Open WebUI answered %d", tc.e.StatusCode)
		if tc.e.Detail != "" {
			plain += ": " + tc.e.Detail
		}
		if tc.e.Kind == owui.KindStatus && tc.hint == "" && text != plain {
			t.Errorf("%d %q: %q, want no hint", tc.e.StatusCode, tc.e.Detail, text)
		}
		if tc.hint != "" && !strings.Contains(text, tc.hint) {
			t.Errorf("%d %q: %q lacks %q", tc.e.StatusCode, tc.e.Detail, text, tc.hint)
		}
	}
}
