package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// TestSecretsThatAreNotStrings: a secret-looking field is masked whatever
// its value (a list or an object of secrets, as a newer Open WebUI's
// OPENAI_API_KEYS-style settings may be), plural names count, and a secret
// nested in a list of connections is masked too.
func TestSecretsThatAreNotStrings(t *testing.T) {
	var admin owui.AdminConfig
	raw := `{"DEFAULT_USER_ROLE":"pending",
		"OAUTH_CLIENT_SECRETS":["s3cret-list"],
		"WEBHOOK_SECRET":{"value":"s3cret-object"},
		"OPENAI_API_KEYS":"s3cret-plural",
		"TOOL_SERVER_CONNECTIONS":[{"url":"http://x","key":"s3cret-nested"}]}`
	if err := json.Unmarshal([]byte(raw), &admin); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(present(&admin, false))
	for _, s := range []string{"s3cret-list", "s3cret-object", "s3cret-plural", "s3cret-nested"} {
		if strings.Contains(string(b), s) {
			t.Errorf("%s shown in the result", s)
		}
	}
}
