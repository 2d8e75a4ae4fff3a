package owui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeFast must decode exactly as json.Unmarshal does whatever it takes.

func checkFastDecode(t testing.TB, b []byte) (fast bool) {
	t.Helper()
	var info, want SessionUserInfoResponse
	if info.decodeFast(b) {
		fast = true
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%s: taken, but json.Unmarshal says %v", b, err)
		}
		if !reflect.DeepEqual(info, want) {
			t.Fatalf("%s:\ndecoded %+v\nwant    %+v", b, info, want)
		}
	}
	var short, wantShort SessionUserResponse
	if short.decodeFast(b) {
		if err := json.Unmarshal(b, &wantShort); err != nil {
			t.Fatalf("%s: taken, but json.Unmarshal says %v", b, err)
		}
		if !reflect.DeepEqual(short, wantShort) {
			t.Fatalf("%s:\ndecoded %+v\nwant    %+v", b, short, wantShort)
		}
	}
	return fast
}

const sampleUser = `{"token":"jwt","token_type":"Bearer","expires_at":1767225600,"id":"u1","email":"a@example.com",
	"name":"Ana","role":"admin","profile_image_url":"/user.png","permissions":{"workspace":{"models":false},"chat":{"x":true,"a":[1,null]}},
	"bio":null,"gender":"f","date_of_birth":"2000-01-02","status_emoji":"🙂","status_message":null,"status_expires_at":null,"extra":{"k":[true]}}`

func TestDecodeFast(t *testing.T) {
	if !checkFastDecode(t, []byte(sampleUser)) {
		t.Error("the sample took the slow path")
	}
	tree := emulatorPermissions(t)
	if !checkFastDecode(t, []byte(`{"token":"t","id":"u","permissions":`+string(tree)+`}`)) {
		t.Error("the emulator's tree took the slow path")
	}
	slow := []string{
		strings.Replace(sampleUser, `"Ana"`, `"A\u006ea"`, 1), strings.Replace(sampleUser, `"Ana"`, `"A&B"`, 1),
		strings.Replace(sampleUser, `"token"`, `"Token"`, 1), strings.Replace(sampleUser, `1767225600`, `1.5`, 1),
		strings.Replace(sampleUser, `"2000-01-02"`, `"2000-13-02"`, 1), strings.Replace(sampleUser, `"f"`, `5`, 1),
		strings.Replace(sampleUser, `"extra"`, `"éxtra"`, 1), `[1]`, `{"id":1}`, sampleUser + `x`, `{"permissions":[1]}`,
	}
	for _, s := range slow {
		if checkFastDecode(t, []byte(s)) {
			t.Errorf("%s was taken", s)
		}
	}
	for _, s := range []string{`{}`, ` { } `, `{"id":"a","id":"b"}`, `{"bio":"x","bio":null}`, `{"token":"t","token":null}`,
		`{"permissions":{"b":1},"permissions":null}`, `{"status_expires_at":-12}`} {
		if !checkFastDecode(t, []byte(s)) {
			t.Errorf("%s took the slow path", s)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	f.Add([]byte(sampleUser))
	f.Add([]byte(`{"token":"t","permissions":{"b":{"y":1},"a":null},"Bio":"x","bio":"y"}`))
	f.Add([]byte(`{"expires_at":123456789012345,"date_of_birth":null}`))
	f.Fuzz(func(t *testing.T, b []byte) { checkFastDecode(t, b) })
}
