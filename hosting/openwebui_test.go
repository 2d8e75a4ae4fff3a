package hosting_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// Open WebUI v0.11.0's MCP client (utils/mcp/client.py on the Python mcp
// SDK 1.27.2) opens one MCP session per assistant response: initialize,
// notifications/initialized, a GET stream, tools/list, the response's tool
// calls, then DELETE. Its requests carry User-Agent python-httpx/0.28.1, no
// Origin, the Host of the URL the admin typed, and with Auth = Session the
// chatting user's own Open WebUI JWT as Authorization: Bearer, plus the
// connection's custom headers.

const owuiUserAgent = "python-httpx/0.28.1"

// owuiResponse plays one assistant response of Open WebUI's client and
// returns the answers to the calls it makes.
func owuiResponse(t *testing.T, url, host string, headers map[string]string, calls func(s *session)) {
	t.Helper()
	h := map[string]string{"User-Agent": owuiUserAgent, "Host": host}
	for k, v := range headers {
		h[k] = v
	}
	s := open(t, url, h)
	if s.version != "2025-11-25" {
		t.Errorf("negotiated %q, want Open WebUI's 2025-11-25", s.version)
	}
	stop := s.listen()
	defer stop()
	resp, body := send(t, http.MethodPost, url, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, s.headers)
	if m := decodeAnswer(t, resp, body); m.Result == nil || len(m.Result.Tools) == 0 {
		t.Fatalf("tools/list: %s", body)
	}
	calls(s)
	s.close()
}

func TestOpenWebUISessionAuth(t *testing.T) {
	users := []owuitest.User{
		{Name: "Ana", Email: "ana@example.com", Password: "pa", Role: "admin"},
		{Name: "Ben", Email: "ben@example.com", Password: "pb", Role: "user"},
	}
	const token = "endpoint-token-for-owui"
	for _, withToken := range []bool{false, true} {
		name := "no endpoint token"
		if withToken {
			name = "endpoint token in X-OWUI-MCP-Token"
		}
		t.Run(name, func(t *testing.T) {
			tg := serve(t, func(s *setup) {
				s.emuOpts = []owuitest.Option{owuitest.WithUsers(users...)}
				s.cfg.AllowedHosts = []string{"host.docker.internal"}
				s.cfg.RequireCredential = true
				if withToken {
					s.cfg.AuthToken = token
				}
			})
			// Open WebUI in Docker reaches the host by this name.
			host := "host.docker.internal:" + strings.Split(tg.base, ":")[2]
			// The users chat at the same time.
			t.Run("users", func(t *testing.T) {
				for _, u := range users {
					t.Run(u.Name, func(t *testing.T) {
						t.Parallel()
						jwt, err := tg.emu.IssueToken(u.Email, time.Hour)
						if err != nil {
							t.Fatal(err)
						}
						headers := map[string]string{"Authorization": "Bearer " + jwt}
						if withToken {
							headers["X-OWUI-MCP-Token"] = token
						}
						// Three responses of one chat, each its own MCP session,
						// each acting as the chatting user.
						for i := range 3 {
							owuiResponse(t, tg.base+"/mcp", host, headers, func(s *session) {
								m := s.call(2, "get_session_user", nil)
								if m.Result == nil || m.Result.IsError || m.Result.StructuredContent["email"] != u.Email {
									t.Errorf("%s, response %d: acted as %s", u.Email, i, m.text())
								}
								if strings.Contains(jsonOf(m), jwt) {
									t.Errorf("%s: the user's JWT was echoed", u.Email)
								}
								if i != 1 {
									return
								}
								// sign_out in a response forgets the forwarded
								// JWT for this MCP session only.
								m = s.call(3, "sign_out", nil)
								if m.Result == nil || m.Result.IsError || m.Result.StructuredContent["scope"] != "mcp_session" || !strings.Contains(m.text(), "Authorization header") {
									t.Errorf("%s: sign_out: %s", u.Email, jsonOf(m))
								}
								m = s.call(4, "get_session_user", nil)
								if m.Result == nil || !m.Result.IsError || !strings.Contains(m.text(), "X-OWUI-API-Key") || !strings.Contains(m.text(), "Session") {
									t.Errorf("%s: after sign_out: %s", u.Email, jsonOf(m))
								}
							})
						}
					})
				}
			})
			// Open WebUI was never asked to sign anyone out, and the users'
			// JWTs still work there.
			for _, r := range tg.emu.Requests() {
				if strings.Contains(r.Path, "signout") {
					t.Errorf("a forwarded JWT was signed out at Open WebUI: %s %s", r.Method, r.Path)
				}
				for _, v := range r.Header.Values("Authorization") {
					if strings.Contains(v, token) {
						t.Error("the endpoint token reached Open WebUI")
					}
				}
			}
			for _, u := range users {
				jwt, _ := tg.emu.IssueToken(u.Email, time.Hour)
				if resp, _ := send(t, http.MethodGet, tg.emu.URL+"/api/v1/auths/", "", map[string]string{"Authorization": "Bearer " + jwt}); resp.StatusCode != 200 {
					t.Errorf("%s's JWT: %d at Open WebUI", u.Email, resp.StatusCode)
				}
			}
			if n := tg.h.Sessions(); n != 0 {
				t.Errorf("%d MCP sessions left open after every DELETE", n)
			}
		})
	}
}

// TestOpenWebUIWithoutCredential: a connection set to Auth = None (or
// Bearer with the endpoint token) brings no user credential; with
// --require-credential it is refused at connect with what to set.
func TestOpenWebUIWithoutCredential(t *testing.T) {
	const token = "endpoint-token-for-owui"
	tg := serve(t, func(s *setup) {
		s.cfg.AuthToken = token
		s.cfg.RequireCredential = true
	})
	for _, headers := range []map[string]string{
		{"Authorization": "Bearer " + token},
		{"X-OWUI-MCP-Token": token},
	} {
		headers["User-Agent"] = owuiUserAgent
		headers["Content-Type"] = "application/json"
		resp, body := send(t, http.MethodPost, tg.base+"/mcp", initBody, headers)
		if resp.StatusCode != 401 || !strings.Contains(string(body), "set Auth to Session") || !strings.Contains(string(body), "X-OWUI-API-Key") || !strings.Contains(string(body), "X-OWUI-MCP-Token") {
			t.Errorf("%v: %d %s", headers, resp.StatusCode, body)
		}
	}
	// The wrong endpoint token is refused whatever else comes with it.
	resp, _ := send(t, http.MethodPost, tg.base+"/mcp", initBody, map[string]string{
		"Content-Type": "application/json", "X-OWUI-MCP-Token": "wrong", "Authorization": "Bearer " + token})
	if resp.StatusCode != 401 {
		t.Errorf("wrong X-OWUI-MCP-Token: %d", resp.StatusCode)
	}
}

// TestEndpointTokenNeverForwarded: a client that sends the endpoint token
// both in X-OWUI-MCP-Token and as the bearer does not have it taken for its
// Open WebUI credential.
func TestEndpointTokenNeverForwarded(t *testing.T) {
	const token = "endpoint-token-twice"
	tg := serve(t, func(s *setup) { s.cfg.AuthToken = token })
	s := open(t, tg.base+"/mcp", map[string]string{"X-OWUI-MCP-Token": token, "Authorization": "Bearer " + token})
	if m := s.call(2, "get_session_user", nil); m.Result == nil || !m.Result.IsError {
		t.Errorf("get_session_user: %s", jsonOf(m))
	}
	for _, r := range tg.emu.Requests() {
		if strings.Contains(r.Header.Get("Authorization"), token) {
			t.Error("the endpoint token reached Open WebUI")
		}
	}
}
