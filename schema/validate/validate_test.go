package validate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/schema"
	"github.com/owui-mcp/owui-mcp/schema/validate"
)

type args struct {
	Email string  `json:"email" jsonschema:"required,format=email" jsonschema_description:"Email."`
	Day   *string `json:"day" jsonschema:"nullable,format=date" jsonschema_description:"Day."`
	Role  string  `json:"role,omitempty" jsonschema:"enum=a,enum=b" jsonschema_description:"Role."`
	Count any     `json:"count" jsonschema:"oneof_type=integer;string;null" jsonschema_description:"Count."`
	Dur   string  `json:"dur" jsonschema:"pattern=^[0-9]+[smh]$" jsonschema_description:"Duration."`
	Name  string  `json:"name" jsonschema:"minLength=1" jsonschema_description:"Name."`
	Flag  bool    `json:"flag" jsonschema_description:"Flag."`
	Inner struct {
		X int `json:"x"`
	} `json:"inner" jsonschema_description:"Nested."`
}

func TestValidator(t *testing.T) {
	v, err := validate.New(schema.Input(&args{}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want []string // substrings, one per problem; nil means valid
	}{
		{`{"email":"a@b.co"}`, nil},
		{`{"email":"admin@localhost","day":null,"count":3,"role":"a","dur":"5m","name":"x","flag":true,"inner":{}}`, nil},
		{`{"email":"a@b.co","count":"","day":"2024-02-29"}`, nil},
		{``, []string{`missing required argument "email"`}},
		{`null`, []string{`missing required argument "email"`}},
		{`[]`, []string{"must be a JSON object, not an array"}},
		{`"x"`, []string{"must be a JSON object, not a string"}},
		{`{"email":5}`, []string{`argument "email" must be a string, not a number`}},
		{`{"email":"a@b.co","extra":1,"other":2}`, []string{`unknown argument "extra" (allowed: count, day, dur, email, flag, inner, name, role)`, `unknown argument "other"`}},
		{`{"email":"a@b.co","count":1.5}`, []string{"must be an integer, a string or null, not a number"}},
		{`{"email":"a@b.co","count":2.0}`, nil},
		{`{"email":"a@b.co","role":"c"}`, []string{`argument "role" must be one of a, b`}},
		{`{"email":"a@b.co","dur":"5 minutes"}`, []string{`argument "dur" must match`}},
		{`{"email":"a@b.co","day":"2024-02-30"}`, []string{`argument "day" must be a date as YYYY-MM-DD`}},
		{`{"email":"not an email"}`, []string{`argument "email" must be an email address`}},
		{`{"email":"a@b"}`, []string{"must be an email address"}},
		{`{"email":"first..last@example.com"}`, nil},
		// Open WebUI lowercases before it checks.
		{`{"email":"ADMIN@LOCALHOST"}`, nil},
		{`{"email":"Admin@Example.COM"}`, nil},
		{`{"email":"admin@LOCAL"}`, []string{"must be an email address"}},
		{`{"email":"a@b.co","name":""}`, []string{`argument "name" must not be empty`}},
		{`{"email":"a@b.co","flag":"true"}`, []string{`argument "flag" must be a boolean, not a string`}},
		{`{"email":"a@b.co","inner":[]}`, []string{"must be an object, not an array"}},
		{"{\"email\":\"\xff\"}", []string{"not valid UTF-8"}},
		{`{"email":`, []string{"not valid JSON"}},
		{`{}`, []string{`missing required argument "email"`}},
		{`{"flag":1}`, []string{`"flag" must be a boolean`, `missing required argument "email"`}},
	}
	for _, tc := range cases {
		got := v.Validate(json.RawMessage(tc.in))
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %q, want %d problems", tc.in, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: problem %q lacks %q", tc.in, got[i], w)
			}
		}
	}
	none, _ := validate.New(schema.Input(&struct{}{}))
	if p := none.Validate(json.RawMessage(`{"x":1}`)); len(p) != 1 || !strings.Contains(p[0], "takes no arguments") {
		t.Errorf("no-argument tool: %q", p)
	}
	if _, err := validate.New(json.RawMessage(`{"properties":{"a":{"pattern":"("}}}`)); err == nil {
		t.Error("a bad pattern was accepted")
	}
}
