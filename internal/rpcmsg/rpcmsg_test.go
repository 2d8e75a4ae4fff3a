package rpcmsg

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	big := `"` + strings.Repeat("x", 1<<16) + `"`
	cases := []struct {
		line    string
		trusted bool
		id      string
		answer  bool
		ok      bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, false, "float64:1", false, true},
		{`{"jsonrpc":"2.0","method":"tools/call","params":{"x":1},"id":"a"}`, false, "string:a", false, true},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, false, "null", false, false},
		{`{"jsonrpc":"2.0","id":null,"method":"x"}`, false, "null", false, false},
		{`{"jsonrpc":"2.0","id":4}`, false, "float64:4", false, true},
		{`not json`, false, "null", false, true},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, false, "null", false, true},
		{`{"jsonrpc":"2.0","id":5,"method":"x","params":{`, false, "null", false, true},
		{`   `, false, "", false, false},
		{`{"jsonrpc":"2.0","id":1,"result":` + big + `}`, true, "float64:1", true, true},
		{`{"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"m"}}`, true, "string:a", true, true},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`, true, "null", true, true},
		{`{"jsonrpc":"2.0","method":"notifications/progress","params":{}}`, true, "null", false, false},
	}
	for _, tc := range cases {
		id, answer, ok := Classify([]byte(tc.line), tc.trusted)
		if id != tc.id || answer != tc.answer || ok != tc.ok {
			t.Errorf("%.60s: got %q %v %v, want %q %v %v", tc.line, id, answer, ok, tc.id, tc.answer, tc.ok)
		}
	}
}

func BenchmarkClassifyAnswer(b *testing.B) {
	line := []byte(`{"jsonrpc":"2.0","id":12,"result":{"content":[{"type":"text","text":"` + strings.Repeat("x", 3500) + `"}]}}`)
	for b.Loop() {
		Classify(line, true)
	}
}
