package tools_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/tools"
)

// keepingProxy stands in front of an Open WebUI and makes it keep the
// stored value of the named settings whatever a write sends, as Open WebUI
// does with a value it silently refuses: it swaps each named key's value in
// a written body for the one a read returns now.
func keepingProxy(t *testing.T, upstream string, keep ...string) *httptest.Server {
	t.Helper()
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && len(body) > 0 {
			body = keepStored(t, upstream+r.URL.Path, r.Header.Get("Authorization"), body, keep)
		}
		req, _ := http.NewRequest(r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(p.Close)
	return p
}

func keepStored(t *testing.T, url, auth string, body []byte, keep []string) []byte {
	var sent map[string]json.RawMessage
	if json.Unmarshal(body, &sent) != nil {
		return body
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return body
	}
	defer resp.Body.Close()
	var stored map[string]json.RawMessage
	if json.NewDecoder(resp.Body).Decode(&stored) != nil {
		return body
	}
	for _, k := range keep {
		if _, ok := sent[k]; ok {
			sent[k] = stored[k]
		}
	}
	b, _ := json.Marshal(sent)
	return b
}

// TestSettingsNotApplied: a value the server keeps its old value for,
// although the write carried the new one, is reported in not_applied, with
// the value actually stored; the fields it took are not.
func TestSettingsNotApplied(t *testing.T) {
	emu := owuitest.NewServer(withAdmin())
	t.Cleanup(emu.Close)
	proxy := keepingProxy(t, emu.URL, "WEBUI_URL", "host")
	c, err := owui.New(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{emu: emu, srv: tools.NewServer(tools.Config{Client: c, Version: "test"})}
	mc := e.connect(t, true)
	mc.OK("signin", signinArgs(adminEmail, adminPass))
	admin, ldap := mc.OK("get_admin_config", nil), mc.OK("get_ldap_server", nil)
	cases := []struct {
		tool     string
		args     map[string]any
		kept     string
		keptWas  any
		took     string
		tookWant any
	}{
		{"update_admin_config", map[string]any{"WEBUI_URL": "https://new.example", "ENABLE_NOTES": false},
			"WEBUI_URL", admin["WEBUI_URL"], "ENABLE_NOTES", false},
		{"update_ldap_server", map[string]any{"host": "ldap2.example", "port": 1389, "label": "L", "search_base": "dc=x"},
			"host", ldap["host"], "port", float64(1389)},
	}
	for _, tc := range cases {
		r := mc.OK(tc.tool, tc.args)
		st, _ := r["stored"].(map[string]any)
		na, _ := r["not_applied"].([]any)
		if len(na) != 1 || na[0] != tc.kept {
			t.Errorf("%s: not_applied %v, want [%s]", tc.tool, r["not_applied"], tc.kept)
		}
		if st[tc.kept] != tc.keptWas || st[tc.took] != tc.tookWant || len(st) != len(tc.args) {
			t.Errorf("%s: stored %v", tc.tool, st)
		}
	}
}
