package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

func TestLooksSecret(t *testing.T) {
	secret := []string{"app_dn_password", "OAUTH_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET", "app_dn_password_2",
		"LDAP_BIND_PASSWD", "PRIVATE_KEY", "OAUTH_PRIVATE_KEY_PEM", "BOT_TOKEN", "token", "OPENAI_API_KEY", "apikey", "client-secret",
		"clientSecret", "accessToken", "bindPassword", "openaiApiKey", "OPENAI_API_KEYS", "key"}
	plain := []string{"OAUTH_TOKEN_ENDPOINT_AUTH_METHOD", "ENABLE_OAUTH_TOKEN_EXCHANGE", "API_KEYS_ALLOWED_ENDPOINTS",
		"ENABLE_API_KEYS", "OAUTH_CLIENT_ID", "host", "JWT_EXPIRES_IN", "OAUTH_REFRESH_TOKEN_INCLUDE_SCOPE", "secretary",
		"PASSWORD_VALIDATION_HINT", "CLIENT_SECRET_EXPIRES_AT", "OAUTH_PRIVATE_KEY_PATH", "monkey", "KEY_COUNT"}
	for _, n := range secret {
		if !LooksSecret(n) {
			t.Errorf("%s: not taken for a secret", n)
		}
	}
	for _, n := range plain {
		if LooksSecret(n) {
			t.Errorf("%s: taken for a secret", n)
		}
	}
}

// TestUnknownSecretsAreMasked: a field a newer Open WebUI adds is masked
// when its name looks secret, as the known ones are, and the mask sent back
// in an update keeps the stored value.
func TestUnknownSecretsAreMasked(t *testing.T) {
	var oauth owui.OAuthConfig
	if err := json.Unmarshal([]byte(`{"OAUTH_CLIENT_SECRET":"s3cret-1","GOOGLE_CLIENT_SECRET":"s3cret-2","GOOGLE_CLIENT_ID":"id-1","MICROSOFT_CLIENT_SECRET":"","OAUTH_TOKEN_ENDPOINT_AUTH_METHOD":"client_secret_post","NEW_PRIVATE_KEY":"s3cret-3"}`), &oauth); err != nil {
		t.Fatal(err)
	}
	var ldap owui.LdapServerConfig
	if err := json.Unmarshal([]byte(`{"label":"l","host":"h","app_dn":"cn=x","app_dn_password":"s3cret-4","search_base":"dc=x","second_bind_password":"s3cret-5"}`), &ldap); err != nil {
		t.Fatal(err)
	}
	var admin owui.AdminConfig
	if err := json.Unmarshal([]byte(`{"DEFAULT_USER_ROLE":"pending","WEBHOOK_SECRET":"s3cret-6","API_KEYS_ALLOWED_ENDPOINTS":"/api/v1/models"}`), &admin); err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{&oauth, &ldap, &admin} {
		b, _ := json.Marshal(present(v, false))
		if strings.Contains(string(b), "s3cret") {
			t.Errorf("a secret in %s", b)
		}
		for _, keep := range []string{"id-1", "client_secret_post", "/api/v1/models", `"MICROSOFT_CLIENT_SECRET":""`} {
			if strings.Contains(mustMarshal(v), keep) && !strings.Contains(string(b), keep) {
				t.Errorf("%s was masked in %s", keep, b)
			}
		}
	}
	if oauth.OAuthClientSecret == nil || *oauth.OAuthClientSecret != "s3cret-1" || string(ldap.Unknown["second_bind_password"]) != `"s3cret-5"` {
		t.Error("presenting changed the answer it was given")
	}
	r := &updateResult{Stored: map[string]any{"GOOGLE_CLIENT_SECRET": "s3cret-7", "GOOGLE_CLIENT_ID": "id-2"}}
	if b, _ := json.Marshal(present(r, false)); strings.Contains(string(b), "s3cret") || !strings.Contains(string(b), "id-2") {
		t.Errorf("update result %s", b)
	}
	patch := map[string]json.RawMessage{"GOOGLE_CLIENT_SECRET": json.RawMessage(`"` + Mask + `"`), "app_dn_password": json.RawMessage(`"` + Mask + `"`), "label": json.RawMessage(`"` + Mask + `"`)}
	dropMaskedSecrets(patch)
	if len(patch) != 1 || patch["label"] == nil {
		t.Errorf("after dropping echoed masks: %v", patch)
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
