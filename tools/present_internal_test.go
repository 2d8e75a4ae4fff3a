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

// TestSessionResultsEncodeAsBefore: with the permission tree kept as JSON,
// get_session_user and the sign-in tools answer with the bytes they gave
// when it was decoded into a map (keys sorted at every level).
func TestSessionResultsEncodeAsBefore(t *testing.T) {
	// Open WebUI's key order is its config's, not sorted.
	body := []byte(`{"token":"t","token_type":"Bearer","expires_at":1767225600,"id":"u1","email":"a@example.com",
		"name":"A <b>","role":"user","profile_image_url":"/user.png",
		"permissions":{"workspace":{"models":false,"knowledge":true},"sharing":{"public_models":false},
		"chat":{"controls":true,"file_upload":true,"nested":{"z":true,"a":false}},"features":{"api_keys":false,"notes":true}},
		"bio":null,"gender":"x","date_of_birth":"2000-01-02","status_emoji":null,"status_message":"hi & bye","status_expires_at":null}`)
	type before struct {
		account
		Permissions     map[string]any `json:"permissions"`
		Bio             *string        `json:"bio"`
		Gender          *string        `json:"gender"`
		DateOfBirth     *owui.Date     `json:"date_of_birth"`
		StatusEmoji     *string        `json:"status_emoji"`
		StatusMessage   *string        `json:"status_message"`
		StatusExpiresAt *int64         `json:"status_expires_at"`
	}
	var r owui.SessionUserInfoResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	var perms map[string]any
	var raw struct {
		Permissions json.RawMessage `json:"permissions"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || json.Unmarshal(raw.Permissions, &perms) != nil {
		t.Fatal(err)
	}
	want := mustMarshal(&before{account: newAccount(&r.SessionUserResponse), Permissions: perms, Bio: r.Bio, Gender: r.Gender,
		DateOfBirth: r.DateOfBirth, StatusEmoji: r.StatusEmoji, StatusMessage: r.StatusMessage, StatusExpiresAt: r.StatusExpiresAt})
	got, err := encodeResult(present(&r, false))
	if err != nil || string(got) != want {
		t.Errorf("get_session_user answers\n%s (%v)\nwas\n%s", got, err, want)
	}
	if plain := mustMarshal(present(&r, false)); plain != want {
		t.Errorf("json.Marshal gives\n%s\nwas\n%s", plain, want)
	}
	// Without a tree (null), and with every optional field null.
	var bare owui.SessionUserInfoResponse
	if err := json.Unmarshal([]byte(`{"token":"t","id":"u","permissions":null}`), &bare); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*owui.SessionUserInfoResponse{&bare, {SessionUserResponse: owui.SessionUserResponse{Permissions: owui.Permissions(`{}`)}}} {
		got, err := encodeResult(present(v, false))
		if want := mustMarshal(present(v, false)); err != nil || string(got) != want {
			t.Errorf("encoded\n%s (%v)\njson.Marshal\n%s", got, err, want)
		}
	}
	signin := mustMarshal(present(&r.SessionUserResponse, false))
	if !strings.Contains(signin, `"permissions_granted":{"chat":["controls","file_upload","nested.z"],"features":["notes"],"workspace":["knowledge"]}`) {
		t.Errorf("signin answers %s", signin)
	}
}
