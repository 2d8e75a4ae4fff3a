package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// scanHead and callKey must read what encoding/json reads.

func checkHead(t *testing.T, line []byte) (scanned bool) {
	t.Helper()
	h, ok := scanHead(line)
	if !ok {
		return false
	}
	var want head
	if err := json.Unmarshal(line, &want); err != nil {
		t.Fatalf("%q: scanned, but json.Unmarshal says %v", line, err)
	}
	if !bytes.Equal(h.ID, want.ID) || h.Method != want.Method || !bytes.Equal(h.Result, want.Result) ||
		!bytes.Equal(h.Error, want.Error) || !bytes.Equal(h.Params, want.Params) {
		t.Fatalf("%q: scanned %+v, json.Unmarshal %+v", line, h, want)
	}
	return true
}

func TestScanHead(t *testing.T) {
	scanned := []string{
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":"<\u2028>"}]}}}` + "\n",
		` { "ID" : "a" , "Method" : "ping" , "jsonrpc" : "2.0" } `, `{}`, `{"id":null,"method":null}`,
		`{"method":"a","method":null}`, `{"method":"a","METHOD":"b"}`, `{"id":1,"result":{},"error":null}`,
		`{"id":1,"error":{"code":-1,"message":"m"}}`, `{"params":[],"other":{"id":9}}`, "{\"id\":\"\xff\"}",
	}
	for _, s := range scanned {
		if !checkHead(t, []byte(s)) {
			t.Errorf("%q was not scanned", s)
		}
	}
	// Left to json.Unmarshal (which reads or refuses them).
	for _, s := range []string{`not json`, ``, "\n", `[1]`, `null`, `"s"`, `{"id":1} x`, `{"id":1,}`, `{"method":5}`,
		`{"method":"a\u0062"}`, `{"m\u0065thod":"a"}`, "{\"méthod\":\"a\"}", "{\"method\":\"\xe9\"}", `{"id":01}`} {
		if checkHead(t, []byte(s)) {
			t.Errorf("%q was scanned", s)
		}
	}
}

func FuzzScanHead(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x"}}`))
	f.Add([]byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`))
	f.Add([]byte(`{"id":"x","result":{"action":"accept"}}`))
	f.Add([]byte(` {"Id" : 1e3 , "METHOD":"a" } `))
	f.Fuzz(func(t *testing.T, line []byte) { checkHead(t, line) })
}

func TestCallKey(t *testing.T) {
	for _, id := range []string{`7`, `-7`, `0`, `-0`, `999999`, `1000000`, `-123456`, `1.5`, `1e3`, `"7"`, `"a b"`,
		`"\u0041"`, `"é"`, "\"\x7f\"", `null`, `true`, `{"a":1}`, `[1]`, `12345678901234567890`} {
		var v any
		if err := json.Unmarshal([]byte(id), &v); err != nil {
			t.Fatal(err)
		}
		if got, want := callKey(json.RawMessage(id)), fmt.Sprint(v); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
}

func FuzzCallKey(f *testing.F) {
	for _, s := range []string{`7`, `-0`, `"x"`, `1e6`, `"\n"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, id []byte) {
		var v any
		if json.Unmarshal(id, &v) != nil {
			return
		}
		if got, want := callKey(id), fmt.Sprint(v); got != want {
			t.Fatalf("%q: %q, want %q", id, got, want)
		}
	})
}
