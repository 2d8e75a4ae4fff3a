package owuitest

import (
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestRequestBodies(t *testing.T) {
	s := start(t, seeded())
	const signin = "/api/v1/auths/signin"
	missingBody := `{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`
	cases := []struct {
		name string
		body string
		opts []reqOpt
		want string
		code int
	}{
		{"empty", "", nil, missingBody, 422},
		{"null", "null", nil, missingBody, 422},
		{"array", `[1]`, nil, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1]}]}`, 422},
		{"string", `"x"`, nil, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"x"}]}`, 422},
		{"no content type", `{"email":"a","password":"b"}`, []reqOpt{noCT()}, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"{\"email\":\"a\",\"password\":\"b\"}"}]}`, 422},
		{"text/plain", `{"email":"a","password":"b"}`, []reqOpt{header("Content-Type", "text/plain")}, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"{\"email\":\"a\",\"password\":\"b\"}"}]}`, 422},
		{"vnd+json", `{"email":"a","password":"b"}`, []reqOpt{header("Content-Type", "application/vnd.api+json; charset=utf-8")}, `{"detail":"` + msgInvalidCred + `"}`, 400},
		{"missing both", `{}`, nil, `{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","password"],"msg":"Field required","input":{}}]}`, 422},
		{"wrong types", `{"email":1.5e300,"password":true}`, nil, `{"detail":[{"type":"string_type","loc":["body","email"],"msg":"Input should be a valid string","input":1.5e+300},{"type":"string_type","loc":["body","password"],"msg":"Input should be a valid string","input":true}]}`, 422},
		{"truncated", `{"email":"a",`, nil, `{"detail":[{"type":"json_invalid","loc":["body",13],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`, 422},
		{"single quotes", `{'email':1}`, nil, `{"detail":[{"type":"json_invalid","loc":["body",1],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`, 422},
		{"unicode offset", `{"email":"é€😀" x}`, nil, `{"detail":[{"type":"json_invalid","loc":["body",15],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting ',' delimiter"}}]}`, 422},
		{"bad utf8", "{\"email\":\"\xff\"}", nil, `{"detail":"There was an error parsing the body"}`, 400},
		{"bom", "\xef\xbb\xbf{\"email\":\"x\",\"password\":\"y\"}", nil, `{"detail":"` + msgInvalidCred + `"}`, 400},
		{"duplicate keys", `{"email":"x","password":"y","email":"` + userEmail + `","password":"` + userPass + `"}`, nil, "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, "POST", signin, c.body, c.opts...)
			if r.status != c.code {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if c.want != "" {
				r.sameJSON(t, c.want)
			}
		})
	}
	small := start(t, withMaxBody(64))
	call(t, small, "POST", signin, strings.Repeat("x", 65)).expect(t, 413, "Request Entity Too Large")
	call(t, small, "POST", signin, `{"email":"a","password":"b"}`).expect(t, 400, msgInvalidCred)
	call(t, s, "POST", signin, "{\"email\":"+strings.Repeat("9", 5000)+"}").expect(t, 400, "There was an error parsing the body")
	call(t, s, "POST", signin, strings.Repeat("[", 2000)).expect(t, 400, "There was an error parsing the body")
	// NaN is valid Python JSON but cannot be echoed: the error response fails to render.
	r := call(t, s, "POST", signin, `{"email":NaN,"password":"x"}`)
	if r.status != 500 || string(r.body) != "Internal Server Error" {
		t.Fatal(r.status, string(r.body))
	}
}

func TestPythonJSONErrors(t *testing.T) {
	cases := []struct {
		in  string
		msg string
		pos int
	}{
		{``, "Expecting value", 0},
		{`   `, "Expecting value", 3},
		{`{`, "Expecting property name enclosed in double quotes", 1},
		{`{"a"}`, "Expecting ':' delimiter", 4},
		{`{"a":}`, "Expecting value", 5},
		{`{"a":1 "b":2}`, "Expecting ',' delimiter", 7},
		{`{"a":1,}`, "Expecting property name enclosed in double quotes", 7},
		{`[1,]`, "Expecting value", 3},
		{`[1 2]`, "Expecting ',' delimiter", 3},
		{`[`, "Expecting value", 1},
		{`{"a":1}x`, "Extra data", 7},
		{`01`, "Extra data", 1},
		{`-`, "Expecting value", 0},
		{`-x`, "Expecting value", 0},
		{`1.`, "Extra data", 1},
		{`1e`, "Extra data", 1},
		{`tru`, "Expecting value", 0},
		{`"abc`, "Unterminated string starting at", 0},
		{`"ab\`, "Unterminated string starting at", 0},
		{"\"a\nb\"", "Invalid control character at", 2},
		{`"\x"`, `Invalid \escape`, 1},
		{`"\u12"`, `Invalid \uXXXX escape`, 2},
		{`"\u12zz"`, `Invalid \uXXXX escape`, 2},
		{`"\ud800\uzzzz"`, `Invalid \uXXXX escape`, 8},
		{`["é", x]`, "Expecting value", 6},
	}
	for _, c := range cases {
		_, jerr, err := parsePyJSON(c.in)
		if err != nil || jerr == nil || jerr.msg != c.msg || jerr.pos != c.pos {
			t.Errorf("%q: got %+v %v, want %q at %d", c.in, jerr, err, c.msg, c.pos)
		}
	}
	good := []struct {
		in   string
		want any
	}{
		{`{"a":[1,-0,2.50,1E2,true,false,null,"\u00e9\ud83d\ude00\n\/"]}`, obj{{"a", []any{pyInt("1"), pyInt("0"), pyFloat(2.5), pyFloat(100), true, false, nil, "é😀\n/"}}}},
		{` [ ] `, []any{}},
		{`{}`, obj{}},
		{`-Infinity`, pyFloat(math.Inf(-1))},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"a":10,"j":11}`, obj{{"a", pyInt("10")}, {"b", pyInt("2")}, {"c", pyInt("3")}, {"d", pyInt("4")}, {"e", pyInt("5")}, {"f", pyInt("6")}, {"g", pyInt("7")}, {"h", pyInt("8")}, {"i", pyInt("9")}, {"j", pyInt("11")}}},
	}
	for _, c := range good {
		v, jerr, err := parsePyJSON(c.in)
		if jerr != nil || err != nil || !reflect.DeepEqual(v, c.want) {
			t.Errorf("%q: %#v %v %v", c.in, v, jerr, err)
		}
	}
	if v, _, _ := parsePyJSON(`NaN`); !math.IsNaN(float64(v.(pyFloat))) {
		t.Error("NaN")
	}
	// Non-UTF-8 encodings per json.detect_encoding.
	for _, b := range [][]byte{
		{0xff, 0xfe, '{', 0, '}', 0},
		{0xfe, 0xff, 0, '{', 0, '}'},
		{'{', 0, '}', 0},
		{0, '{', 0, '}'},
		{0xff, 0xfe, 0, 0, '1', 0, 0, 0},
		{0, 0, 0xfe, 0xff, 0, 0, 0, '1'},
		{'1', 0, 0, 0},
		{0, 0, 0, '1'},
		{'1', 0},
		{0, '1'},
	} {
		if _, jerr, err := decodePyJSON(b); jerr != nil || err != nil {
			t.Errorf("% x: %v %v", b, jerr, err)
		}
	}
	for _, b := range [][]byte{{0xff, 0xfe, '{'}, {0xff, 0xfe, 0, 0, 1}, {0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0}} {
		if _, _, err := decodePyJSON(b); err == nil {
			t.Errorf("% x decoded", b)
		}
	}
}

func TestPythonJSONEncoding(t *testing.T) {
	v := obj{{"s", "a\"b\\c\n\r\t\b\f\x01é<>&\u2028"}, {"n", nil}, {"i", 3}, {"i64", int64(-4)}, {"big", pyInt("123456789012345678901234567890")},
		{"f", []any{pyFloat(1), pyFloat(math.Copysign(0, -1)), pyFloat(1e16), pyFloat(1.5e-5), pyFloat(0.0001), pyFloat(123.456), pyFloat(1e22)}},
		{"d", civilDate{7, 1, 2}}, {"dp", (*civilDate)(nil)}, {"sp", strp("x")}, {"np", (*string)(nil)}, {"ip", (*int64)(nil)},
		{"l", []string{"a", "b"}}, {"e", obj{}}}
	b, err := encodePyJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"a\"b\\c\n\r\t\b\f\u0001é<>&` + "\u2028" + `","n":null,"i":3,"i64":-4,"big":123456789012345678901234567890,` +
		`"f":[1.0,-0.0,1e+16,1.5e-05,0.0001,123.456,1e+22],"d":"0007-01-02","dp":null,"sp":"x","np":null,"ip":null,"l":["a","b"],"e":{}}`
	if string(b) != want {
		t.Fatalf("\n got %s\nwant %s", b, want)
	}
	d := civilDate{2020, 5, 6}
	n := int64(7)
	if b, err := encodePyJSON([]any{&d, &n}); err != nil || string(b) != `["2020-05-06",7]` {
		t.Fatalf("%s %v", b, err)
	}
	for _, bad := range []any{pyFloat(math.Inf(1)), []any{pyFloat(math.NaN())}, obj{{"x", struct{}{}}}, 1.5} {
		if _, err := encodePyJSON(bad); err == nil {
			t.Errorf("%#v encoded", bad)
		}
	}
}

func TestLaxValidation(t *testing.T) {
	l := loc("body", "f")
	for _, c := range []struct {
		in   any
		want bool
		ok   bool
	}{
		{true, true, true}, {pyInt("0"), false, true}, {pyInt("1"), true, true}, {pyInt("2"), false, false},
		{pyFloat(1), true, true}, {pyFloat(0), false, true}, {pyFloat(0.5), false, false},
		{"YES", true, true}, {"off", false, true}, {"F", false, true}, {"t", true, true}, {" true", false, false},
		{nil, false, false}, {[]any{}, false, false},
	} {
		got, e := laxBool(c.in, l)
		if (e == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("laxBool(%#v) = %v %v", c.in, got, e)
		}
	}
	for _, c := range []struct {
		in   any
		want pyInt
		typ  string
	}{
		{pyInt("5"), "5", ""}, {true, "1", ""}, {false, "0", ""}, {pyFloat(3), "3", ""}, {pyFloat(3.5), "", "int_from_float"},
		{pyFloat(math.Inf(1)), "", "finite_number"}, {" -007 ", "-7", ""}, {"+4.000", "4", ""}, {"0", "0", ""}, {"4.5", "", "int_parsing"},
		{"", "", "int_parsing"}, {"x1", "", "int_parsing"}, {[]any{}, "", "int_type"}, {nil, "", "int_type"},
		// pydantic-core 2.46 takes Python's underscores, and a fraction
		// only of zeros.
		{"1_000", "1000", ""}, {" +1_0 ", "10", ""}, {"1_000.00", "1000", ""}, {"1__0", "", "int_parsing"},
		{"_1", "", "int_parsing"}, {"1_", "", "int_parsing"}, {"1.", "", "int_parsing"}, {"1_0.0_0", "", "int_parsing"},
		{"-_1", "", "int_parsing"}, {"1 0", "", "int_parsing"},
	} {
		got, e := laxInt(c.in, l)
		typ := ""
		if e != nil {
			typ, _ = func() (string, bool) { v, ok := e.get("type"); s, _ := v.(string); return s, ok }()
		}
		if got != c.want || typ != c.typ {
			t.Errorf("laxInt(%#v) = %q %q", c.in, got, typ)
		}
	}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"12", true}, {" 1_000 ", true}, {"-5", true}, {"+0", true}, {"1__0", false}, {"_1", false}, {"1_", false}, {"", false}, {"1.0", false}, {"abc", false},
	} {
		if _, ok := pythonInt(c.in); ok != c.ok {
			t.Errorf("pythonInt(%q) = %v", c.in, ok)
		}
	}
	type dcase struct {
		in   any
		want string
		err  string
	}
	for _, c := range []dcase{
		{"2024-02-29", "2024-02-29", ""},
		{"2023-02-29", "", "day value is outside expected range"},
		{"2024-1-1", "", "input is too short"},
		{"2024/01/01", "", "invalid date separator, expected `-`"},
		{"2024-0x-01", "", "invalid character in month"},
		{"2024-01-0x", "", "invalid character in day"},
		{"2024-01-01x", "", "invalid datetime separator, expected `T`, `t`, `_` or space"},
		{"2024-01-01T", "", "input is too short"},
		{"2024-01-01Tx0:00", "", "invalid character in hour"},
		{"2024-01-01T00-00", "", "invalid time separator, expected `:`"},
		{"2024-01-01T00:x0", "", "invalid character in minute"},
		{"2024-01-01T00:00:x", "", "invalid character in second"},
		{"2024-01-01T00:00:00.", "", "invalid character in second fraction"},
		{"2024-01-01T24:00", "", "hour value is outside expected range of 0-23"},
		{"2024-01-01T00:60", "", "minute value is outside expected range of 0-59"},
		{"2024-01-01T00:00:61", "", "second value is outside expected range of 0-59"},
		{"2024-01-01T00:00+xx", "", "invalid timezone hour"},
		{"2024-01-01T00:00+01:7", "", "invalid timezone minute"},
		{"2024-01-01T00:00+01:70", "", "timezone minute value is outside expected range of 0-59"},
		{"2024-01-01T00:00+24:00", "", "timezone offset must be less than 24 hours"},
		{"2024-01-01T00:00Zjunk", "", "unexpected extra characters at the end of the input"},
		{"2024-01-01T00:00:00.000+0100", "2024-01-01", ""},
		{"2024-01-01_00:00:00,000z", "2024-01-01", ""},
		{"2024-01-01T00:00:00.001", "", "inexact"},
		{"0000-01-01", "", "year 0 is out of range"},
		{"-86400", "1969-12-31", ""},
		{"1e3", "", "input is too short"},
		{"999999999999999999", "", "dates after 9999 are not supported as unix timestamps"},
		{"-999999999999999999", "", "dates before 0000 are not supported as unix timestamps"},
		{pyInt("1700000000000"), "", "inexact"},
		{pyInt("1699920000000"), "2023-11-14", ""},
		{pyFloat(86400.5), "", "inexact"},
		{pyFloat(math.NaN()), "", "date_type"},
		{[]any{}, "", "date_type"},
	} {
		d, e := laxDate(c.in, l)
		got, gotErr := "", ""
		if e == nil {
			got = d.String()
		} else {
			typ, _ := e.get("type")
			switch typ {
			case typeDateFromDT:
				ctx, _ := e.get("ctx")
				v, _ := ctx.(obj).get("error")
				gotErr = v.(string)
			case typeDateInexact:
				gotErr = "inexact"
			default:
				gotErr = typ.(string)
			}
		}
		if got != c.want || gotErr != c.err {
			t.Errorf("laxDate(%#v) = %q %q, want %q %q", c.in, got, gotErr, c.want, c.err)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"a@b.c", true}, {"x@localhost", true}, {"a@b", false}, {"@b.c", false}, {"a@.c", false}, {"a@b.", false},
		{"a@b.c@d", true}, {"a@b@c.d", false}, {" a@b.c", true}, {"a@b..c", true}, {"", false},
	} {
		if validEmailFormat(c.in) != c.ok {
			t.Errorf("validEmailFormat(%q) != %v", c.in, c.ok)
		}
	}
	for _, c := range []struct{ in, err string }{
		{"", ""},
		{"/api/v1/users/x/profile/image\n", ""},
		{"/api/v1/users/x/y/profile/image", msgImageBad},
		{" \thttp://example.org/a", ""},
		{"http://user@:80/x", msgImageNoHost},
		{"http://[v1.fe]/", ""},
		{"http://[vz]/", "IPvFuture address is invalid"},
		{"http://[1.2.3.4]/", "An IPv4 address cannot be in brackets"},
		{"http://[nothost]/", "'nothost' does not appear to be an IPv4 or IPv6 address"},
		{"http://a[::1]/", "Invalid IPv6 URL"},
		{"http://[::1]x/", "Invalid IPv6 URL"},
		{"http://[fe80::1%25eth0]:1/", ""},
		{"data:image/svg+xml;base64,AAA", msgImageBad},
		{"DATA:image/webp;base64,", ""},
		{"ftp://example.org", msgImageBad},
		{"1http://x", msgImageBad},
		{"//example.org/x.png", msgImageBad},
	} {
		if got := checkProfileImageURL(c.in); got != c.err {
			t.Errorf("checkProfileImageURL(%q) = %q, want %q", c.in, got, c.err)
		}
	}
	if pyRepr(`it's`) != `"it's"` || pyRepr(`a'"b`) != `'a\'"b'` {
		t.Error("pyRepr")
	}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"Passw0rd!", true}, {"Passw0rd!\n", true}, {"Pass\nw0rd!", false}, {"password1!", false}, {"PASSWORD1!", false},
		{"Password!!", false}, {"Password11", false}, {"Pa0!", false}, {"Pässw0rd ", false}, {"Pässw0rd€", true}, {"Passw0rd\x1c", false},
	} {
		if defaultPasswordPolicy(c.in) != c.ok {
			t.Errorf("policy(%q) != %v", c.in, c.ok)
		}
	}
	if checkPassword("", false) != "" || checkPassword(strings.Repeat("a", 73), false) != msgPasswordTooLong {
		t.Error("checkPassword")
	}
	for _, c := range []struct {
		in    string
		delta float64
		none  bool
		bad   bool
	}{
		{"4w", 4 * 604800, false, false}, {"-1", 0, true, false}, {"0", 0, true, false}, {"1h30m", 5400, false, false},
		{"250ms", 0.25, false, false}, {"1.5d", 1.5 * 86400, false, false}, {"0s", 0, true, false}, {"-2h", -7200, false, false},
		{"later", 0, false, true}, {"", 0, false, true},
	} {
		d, err := parseDuration(c.in)
		switch {
		case c.bad:
			if err == nil {
				t.Errorf("parseDuration(%q) accepted", c.in)
			}
		case c.none:
			if d != nil || err != nil {
				t.Errorf("parseDuration(%q) = %v %v", c.in, d, err)
			}
		default:
			if d == nil || *d != c.delta || err != nil {
				t.Errorf("parseDuration(%q) = %v %v", c.in, d, err)
			}
		}
	}
	for _, c := range []struct {
		in string
		ok bool
	}{{"4w", true}, {"-1", true}, {"0", true}, {"1.5h", true}, {"-3d", true}, {"4w\n", true}, {"1h30m", false}, {"x", false}, {"4W", false}} {
		if adminJWTRE.MatchString(c.in) != c.ok {
			t.Errorf("admin JWT pattern %q != %v", c.in, c.ok)
		}
	}
	if parseVersion("1.2.3x") != ver(1, 2, 3) || parseVersion("0.10") != ver(0, 10, 0) || parseVersion("garbage") != ver(0, 0, 0) ||
		parseVersion("99999999999.1.1")[0] == 0 {
		t.Error("parseVersion")
	}
	for _, c := range []struct {
		in any
		ok bool
		n  int64
	}{{pyInt("5"), true, 5}, {pyFloat(5.9), true, 5}, {true, true, 1}, {false, true, 0}, {" 7 ", true, 7}, {"x", false, 0},
		{nil, false, 0}, {pyFloat(math.NaN()), false, 0}, {pyInt("99999999999999999999"), true, math.MaxInt64},
		{pyInt("-99999999999999999999"), true, math.MinInt64}} {
		n, ok := claimInt(c.in)
		if ok != c.ok || n != c.n {
			t.Errorf("claimInt(%#v) = %d %v", c.in, n, ok)
		}
	}
	for _, c := range []struct {
		in any
		ok bool
	}{{nil, false}, {"", false}, {"x", true}, {pyInt("0"), false}, {pyFloat(0), false}, {[]any{}, false}, {[]string{"a"}, true}, {obj{}, false}, {3, true}, {false, false}} {
		if truthy(c.in) != c.ok {
			t.Errorf("truthy(%#v)", c.in)
		}
	}
}

func TestCookieParsing(t *testing.T) {
	got := parseCookies(`a=1; token="x\"y" ; junk; =v; token2=; b=c=d`)
	want := map[string]string{"a": "1", "token": `x"y`, "": "v", "token2": "", "b": "c=d"}
	// "junk" has no '=': an empty name (later chunks win).
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%#v", got)
	}
	if len(parseCookies("")) != 0 {
		t.Fatal("empty")
	}
	if _, ok := splitAuth("a b c"); ok {
		t.Fatal("three parts")
	}
	if _, ok := bearer("Basic x"); ok {
		t.Fatal("basic")
	}
}

func FuzzPyJSON(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5e3,"\u00e9\ud83d\ude00"]}`, `[`, `"\ud800"`, `-`, `1e`, `{"a":1,}`, "\"\\u12", `NaN`, `{"x":{"y":[null,true,false]}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, jerr, err := decodePyJSON(b)
		if jerr == nil && err == nil {
			_, _ = encodePyJSON(v)
		}
		s := string(b)
		_, _ = laxDate(s, nil)
		_ = checkProfileImageURL(s)
		_ = validEmailFormat(s)
		_ = defaultPasswordPolicy(s)
		_, _ = pythonInt(s)
		_, _ = strAsInt(s)
		_, _ = parseDuration(s)
		_ = parseVersion(s)
		_ = parseCookies(s)
	})
}

func TestPanicBecomes500(t *testing.T) {
	s := start(t)
	routes := append([]*route{{method: "GET", path: "/boom", literal: true, h: func(*reqCtx) *resp { panic("boom") }}}, s.routes...)
	shadow := &Server{cfg: s.cfg, ver: s.ver, st: s.st, routes: routes}
	req, _ := http.NewRequest("GET", "/boom", nil)
	if r := shadow.dispatch(req, nil); r.status != 500 || string(r.body) != "Internal Server Error" {
		t.Fatal(r.status, string(r.body))
	}
	req, _ = http.NewRequest("GET", "/health", nil)
	if r := shadow.dispatch(req, nil); r.status != 200 {
		t.Fatal(r.status)
	}
}
