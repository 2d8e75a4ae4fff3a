package owui_test

import (
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
