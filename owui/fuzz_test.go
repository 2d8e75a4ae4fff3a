package owui

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Fuzz targets for what an operator or an Open WebUI can hand the client:
// the base URL, and any answer at all. Seeds live in
// testdata/fuzz/<FuzzName>/ and run as ordinary tests; CI also runs each
// target briefly with -fuzz.

// FuzzParseBaseURL: no address makes ParseBaseURL or New panic, they agree,
// and an accepted address is a plain http(s) URL ending in /api that parses
// to itself again and can carry a request.
func FuzzParseBaseURL(f *testing.F) {
	f.Add("http://127.0.0.1:8080/api")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseBaseURL(raw)
		c, cerr := New(raw)
		if (err == nil) != (cerr == nil) {
			t.Fatalf("ParseBaseURL says %v but New says %v", err, cerr)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without text")
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Errorf("scheme %q accepted", u.Scheme)
		}
		if u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
			t.Errorf("%q gave %#v", raw, u)
		}
		if !strings.HasSuffix(u.Path, "/api") {
			t.Errorf("path %q does not end in /api", u.Path)
		}
		again, err := ParseBaseURL(u.String())
		if err != nil || again.String() != u.String() {
			t.Errorf("%q -> %q -> %v %v: not stable", raw, u, again, err)
		}
		if c.BaseURL() != u.String()+"/v1/auths" {
			t.Errorf("BaseURL %q for %q", c.BaseURL(), u)
		}
		for _, op := range operations {
			if _, err := http.NewRequest(op.Method, c.BaseURL()+withProvider(op, "oidc"), nil); err != nil {
				t.Errorf("accepted %q, but %s cannot be requested: %v", raw, op.Name, err)
			}
		}
	})
}

// answerTypes are the shapes the client decodes answers into, one of each.
var answerTypes = []func() any{
	func() any { return new(SessionUserInfoResponse) },
	func() any { return new(SessionUserResponse) },
	func() any { return new(UserProfileImageResponse) },
	func() any { return new(SigninResponse) },
	func() any { return new(StatusResponse) },
	func() any { return new(SignoutResponse) },
	func() any { return new(AdminDetails) },
	func() any { return new(AdminConfig) },
	func() any { return new(LdapServerConfig) },
	func() any { return new(LdapConfigResponse) },
	func() any { return new(OAuthConfig) },
	func() any { return new(APIKey) },
	func() any { return new(bool) },
}

// maxErrorText bounds what an error says, whatever the server sent: the
// server's own words are cut, so an agent is never handed megabytes.
const maxErrorText = 2000

// FuzzDecodeAnswer feeds every answer shape any status, content type, body
// and redirect target. Nothing panics; success means a 2xx JSON answer that
// re-encodes; a failure is an *Error of a known kind whose text names the
// operation, stays bounded and says what to check.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"id":"u1"}`), "")
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte, location string) {
		if status < 100 || status > 999 {
			status = 100 + int(uint(status)%900)
		}
		const url = "http://openwebui.example:8080/api/v1/auths/"
		for _, newOut := range answerTypes {
			out := newOut()
			e := &Error{Op: "get_session_user", Method: "GET", URL: url, StatusCode: status,
				ContentType: contentType, Location: location}
			err := decodeAnswer(e, body, out)
			if err == nil {
				if status < 200 || status >= 300 || !isJSONType(contentType) || !json.Valid(body) {
					t.Fatalf("%T: accepted status %d, %q, %q", out, status, contentType, body)
				}
				if _, err := json.Marshal(out); err != nil {
					t.Fatalf("%T decoded from %q does not re-encode: %v", out, body, err)
				}
				continue
			}
			if err != error(e) {
				t.Fatalf("%T: error %v is not the *Error passed in", out, err)
			}
			if e.Kind < KindStatus || e.Kind > KindBadResponse {
				t.Fatalf("%T: kind %d", out, e.Kind)
			}
			if status >= 300 && status < 400 && e.Kind != KindRedirect {
				t.Errorf("%T: status %d gave kind %d", out, status, e.Kind)
			}
			text := e.Error()
			if !strings.HasPrefix(text, "get_session_user: ") {
				t.Errorf("%T: %q does not name the operation", out, text)
			}
			if len(text) > maxErrorText {
				t.Errorf("%T: error text of %d bytes for a %d-byte body (status %d, %q)", out, len(text), len(body), status, contentType)
			}
			if e.Kind != KindStatus && !strings.Contains(text, "--server") {
				t.Errorf("%T: %q does not say what to check", out, text)
			}
		}
	})
}
