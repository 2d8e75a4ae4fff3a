package owui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui/owuitest"
)

// Permissions must hold exactly what encoding/json makes of the tree as a
// map[string]any, which is what answers carried when it was one.

// asMap is the reference: decode into a map, encode again.
func asMap(t testing.TB, b []byte) ([]byte, error) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// checkPermissions decodes b both ways and compares; fast says whether the
// one-pass form took it.
func checkPermissions(t testing.TB, b []byte) (fast bool) {
	t.Helper()
	want, wantErr := asMap(t, b)
	var p Permissions
	err := json.Unmarshal(b, &p)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, as a map %v", b, err, wantErr)
	}
	if err != nil {
		return false
	}
	got, err := json.Marshal(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%q: encoded as\n%s (%v)\nas a map\n%s", b, got, err, want)
	}
	_, fast = canonicalObject(b)
	return fast
}

// emulatorPermissions is the tree the emulated Open WebUI sends, in its
// (Python's) key order.
func emulatorPermissions(t testing.TB) []byte {
	t.Helper()
	emu := owuitest.NewServer(owuitest.WithUsers(owuitest.User{Name: "A", Email: "a@example.com", Password: "pw"}))
	defer emu.Close()
	resp, err := emu.Client().Post(emu.APIURL()+"/v1/auths/signin", "application/json", strings.NewReader(`{"email":"a@example.com","password":"pw"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Permissions json.RawMessage `json:"permissions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Permissions) < 100 {
		t.Fatalf("%v %s", err, body.Permissions)
	}
	return body.Permissions
}

func TestPermissionsAsMap(t *testing.T) {
	tree := emulatorPermissions(t)
	if !checkPermissions(t, tree) {
		t.Error("the emulator's tree took the slow path")
	}
	if bytes.Equal(tree, mustCanonical(t, tree)) {
		t.Error("the emulator's tree is already sorted; the test shows nothing about sorting")
	}
	fastCases := []string{
		`{}`, `{"b":true,"a":false}`, ` { "b" : { "y" : 1 , "x" : [ true , null , -2 , 0 ] } , "a" : "s" } `,
		`{"a b":1,"a":2,"a!":3,"a~":4}`, `{"é":1,"e":2,"z":{"ü":[{"k":{"j":1,"i":2}}]}}`,
		`{"n":123456789012345,"m":-999999999999999}`,
	}
	for _, s := range fastCases {
		if !checkPermissions(t, []byte(s)) {
			t.Errorf("%s took the slow path", s)
		}
	}
	slowCases := []string{
		`{"a":1,"a":2}`, `{"b":1,"a":{"c":1,"c":2}}`, `{"a":"\u00e9"}`, `{"a\"b":1}`, `{"a":"<"}`, `{"a":"&"}`,
		`{"a":1.0}`, `{"a":1e2}`, `{"a":-0}`, `{"a":1234567890123456}`, `{"a":12345678901234567890}`,
		"{\"a\":\"\u2028\"}", "{\"a\":\"\xff\"}", `{"a":"\/"}`, `{"a":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`,
	}
	for _, s := range slowCases {
		if checkPermissions(t, []byte(s)) {
			t.Errorf("%s took the fast path", s)
		}
	}
	for _, s := range []string{`[1]`, `"x"`, `1`, `true`} {
		checkPermissions(t, []byte(s)) // refused both ways
	}
	var p Permissions
	if err := json.Unmarshal([]byte(`null`), &p); err != nil || p != nil {
		t.Errorf("null: %q %v", p, err)
	}
	if b, _ := json.Marshal(p); string(b) != "null" {
		t.Errorf("nil encodes as %s", b)
	}
	if m, err := p.Map(); m != nil || err != nil {
		t.Errorf("nil as a map: %v %v", m, err)
	}
}

func mustCanonical(t testing.TB, b []byte) []byte {
	t.Helper()
	out, ok := canonicalObject(b)
	if !ok {
		t.Fatalf("not canonical: %s", b)
	}
	return out
}

// TestPermissionsShapeErrors: an answer whose permissions are not an
// object is refused with the words it was refused with as a map.
func TestPermissionsShapeErrors(t *testing.T) {
	// The answer types as they were, the map embedded as it was.
	type SessionUserResponse struct {
		Token       string         `json:"token"`
		ID          string         `json:"id"`
		Permissions map[string]any `json:"permissions"`
	}
	type before struct {
		SessionUserResponse
		Bio *string `json:"bio"`
	}
	for _, v := range []string{`[1,2]`, `"all"`, `7`, `true`} {
		body := []byte(`{"token":"t","id":"u","permissions":` + v + `}`)
		var old before
		oldErr := json.Unmarshal(body, &old)
		var r SessionUserInfoResponse
		err := json.Unmarshal(body, &r)
		if err == nil || oldErr == nil || shapeError(err) != shapeError(oldErr) {
			t.Errorf("%s: %v (%q), as a map %v (%q)", v, err, shapeError(err), oldErr, shapeError(oldErr))
		}
	}
}

// FuzzPermissions: any JSON decodes as it did into a map, or is refused as
// it was.
func FuzzPermissions(f *testing.F) {
	f.Add([]byte(`{"workspace":{"models":false},"chat":{"file_upload":true,"x":[1,{"b":2,"a":3}]}}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`{"a b":1,"a":2}`))
	f.Add([]byte(`{"\u00e9":"<\u2028>","e":1.5e300}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // encoding/json refuses it before any decoder sees it
		}
		checkPermissions(t, b)
	})
}
