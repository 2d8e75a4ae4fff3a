package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schema"
	"github.com/owui-mcp/owui-mcp/schema/validate"
	"github.com/owui-mcp/owui-mcp/tools"
)

// fuzzForms are the argument shapes the tools validate, with the struct the
// arguments are then decoded into. Partial ones take only fields to change.
var fuzzForms = []struct {
	name    string
	newForm func() any
	partial bool
}{
	{"signin", func() any { return new(owui.SigninForm) }, false},
	{"signin_ldap", func() any { return new(owui.LdapForm) }, false},
	{"signup", func() any { return new(owui.SignupForm) }, false},
	{"add_user", func() any { return new(owui.AddUserForm) }, false},
	{"update_profile", func() any { return new(owui.UpdateProfileForm) }, true},
	{"update_timezone", func() any { return new(owui.UpdateTimezoneForm) }, false},
	{"update_password", func() any { return new(owui.UpdatePasswordForm) }, false},
	{"token_exchange", func() any { return new(tokenExchangeArgs) }, false},
	{"update_ldap_config", func() any { return new(ldapSwitchArgs) }, false},
	{"update_admin_config", func() any { return new(owui.AdminConfig) }, true},
	{"update_ldap_server", func() any { return new(owui.LdapServerConfig) }, true},
	{"update_oauth_config", func() any { return new(owui.OAuthConfig) }, true},
	{"no_arguments", func() any { return new(struct{}) }, false},
	{"test_args", func() any { return new(args) }, false},
	{"delete_oauth_session", func() any { return new(providerArgs) }, false},
}

// tokenExchangeArgs, providerArgs and ldapSwitchArgs are the argument
// shapes of token_exchange, delete_oauth_session and update_ldap_config,
// which differ from the forms sent (the provider goes in the path; the LDAP
// switch is a required plain boolean). The tools' own
// structs are unexported: TestFuzzFormsAreTheTools keeps these equal to
// them.
type tokenExchangeArgs struct {
	Provider string `json:"provider" jsonschema:"required,pattern=^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$"`
	owui.TokenExchangeForm
}

type providerArgs struct {
	Provider string `json:"provider" jsonschema:"required,pattern=^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$"`
}

type ldapSwitchArgs struct {
	EnableLDAP bool `json:"enable_ldap" jsonschema:"required"`
}

// TestFuzzFormsAreTheTools: every fuzzed form named after a tool derives
// the input schema that tool shows (descriptions aside), so the fuzzer
// checks the shapes the tools really take.
func TestFuzzFormsAreTheTools(t *testing.T) {
	named := 0
	for _, ff := range fuzzForms {
		tl, ok := tools.Lookup(ff.name)
		if !ok {
			continue
		}
		named++
		var opts []schema.Option
		if ff.partial {
			opts = append(opts, schema.Partial())
		}
		got := withoutDescriptions(schema.Map(schema.Shown(schema.Input(ff.newForm(), opts...))))
		want := withoutDescriptions(schema.Map(tl.MCP.RawInputSchema))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the fuzzed form derives\n%v\nbut the tool takes\n%v", ff.name, got, want)
		}
	}
	if named != len(tools.Catalogue())-len(noArgumentTools()) {
		t.Errorf("%d fuzzed forms are tools; every tool with arguments should be one", named)
	}
}

// noArgumentTools lists the tools whose input schema has no properties.
func noArgumentTools() []string {
	var none []string
	for _, tl := range tools.Catalogue() {
		if p, _ := schema.Map(tl.MCP.RawInputSchema)["properties"].(map[string]any); len(p) == 0 {
			none = append(none, tl.Name)
		}
	}
	return none
}

func withoutDescriptions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "description" {
				out[k] = withoutDescriptions(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutDescriptions(e)
		}
		return out
	}
	return v
}

// maxProblemsText bounds everything Validate says about one call, however
// large or strange the arguments: an agent must get a readable answer.
const maxProblemsText = 16 << 10

// FuzzValidate: no argument bytes make the validator panic or answer
// without bound; problems are valid UTF-8 and stable; and what it accepts is
// a JSON object with the required keys, no unknown ones, that decodes into
// the struct that is then sent.
func FuzzValidate(f *testing.F) {
	f.Add(0, []byte(`{"email":"a@b.co","password":"p"}`))
	validators := make([]*validate.Validator, len(fuzzForms))
	for i, ff := range fuzzForms {
		var opts []schema.Option
		if ff.partial {
			opts = append(opts, schema.Partial())
		}
		v, err := validate.New(schema.Input(ff.newForm(), opts...))
		if err != nil {
			f.Fatalf("%s: %v", ff.name, err)
		}
		validators[i] = v
	}
	f.Fuzz(func(t *testing.T, form int, raw []byte) {
		i := int(uint(form) % uint(len(fuzzForms)))
		ff, v := fuzzForms[i], validators[i]
		problems := v.Validate(raw)
		if again := v.Validate(raw); !slices.Equal(problems, again) {
			t.Fatalf("%s: unstable answer %q then %q", ff.name, problems, again)
		}
		total := 0
		for _, p := range problems {
			total += len(p)
			if p == "" || !utf8.ValidString(p) {
				t.Errorf("%s: problem %q is empty or not UTF-8", ff.name, p)
			}
		}
		if total > maxProblemsText {
			t.Fatalf("%s: %d problems, %d bytes, for %d bytes of arguments", ff.name, len(problems), total, len(raw))
		}
		if problems != nil {
			return
		}
		// Accepted: check it really is what the tool will decode and send.
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 || string(trimmed) == "null" {
			return
		}
		if !utf8.Valid(trimmed) {
			t.Fatalf("%s: accepted invalid UTF-8 %q", ff.name, raw)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			t.Fatalf("%s: accepted %q, which is not a JSON object: %v", ff.name, raw, err)
		}
		known := jsonKeys(reflect.TypeOf(ff.newForm()).Elem())
		for k := range obj {
			if !known[k] {
				t.Fatalf("%s: accepted unknown argument %q", ff.name, k)
			}
		}
		if !ff.partial {
			m := schema.Map(schema.Input(ff.newForm()))
			req, _ := m["required"].([]any)
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					t.Fatalf("%s: accepted %q without required %q", ff.name, raw, r)
				}
			}
		}
		// A repeated key counts by its last value here, while decoding into a
		// struct sees every one; the tools then refuse the call (see tools'
		// fuzz tests: nothing is sent).
		if err := json.Unmarshal(trimmed, ff.newForm()); err != nil && !intLiteral(err) && !repeatsKey(trimmed) {
			t.Fatalf("%s: accepted %q, but it does not decode: %v", ff.name, raw, err)
		}
	})
}

// repeatsKey reports whether a JSON object names a top-level key twice.
func repeatsKey(obj []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		k, _ := tok.(string)
		if seen[k] {
			return true
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

// intLiteral reports the one known gap between JSON Schema and Go: 2.0 or
// 1e2 is an "integer" to JSON Schema but not to an int field (the LDAP port).
// The tools refuse it before sending anything (see tools' fuzz tests).
func intLiteral(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te) && strings.HasPrefix(te.Value, "number") && te.Type.Kind() == reflect.Int
}

// jsonKeys lists the JSON names of a struct's fields, embedded ones
// included.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			for k := range jsonKeys(f.Type) {
				keys[k] = true
			}
		case name == "-":
		case name != "":
			keys[name] = true
		default:
			keys[f.Name] = true
		}
	}
	return keys
}
