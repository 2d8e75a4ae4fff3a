package tools_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/owui-mcp/owui-mcp/tools"
)

// Input schemas are what a model's provider turns into a function
// declaration, and strict providers refuse what they do not know: Gemini
// takes one type per property (or one type and null), no unions or
// references, and no string format but date-time; Ajv's strict mode refuses
// unknown keywords and type unions. Every input schema must pass both, and
// keep refusing unknown arguments.

// geminiKeywords are the schema keywords a Gemini function declaration
// takes (additionalProperties aside, which its JSON Schema form accepts).
var geminiKeywords = []string{"type", "description", "properties", "required", "additionalProperties",
	"enum", "format", "pattern", "items", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "title"}

var schemaTypes = []string{"object", "string", "integer", "number", "boolean", "array"}

func checkStrict(path string, s map[string]any, root bool) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, path+": "+fmt.Sprintf(format, a...)) }
	for k := range s {
		if !slices.Contains(geminiKeywords, k) {
			bad("keyword %q", k)
		}
	}
	var typ string
	switch t := s["type"].(type) {
	case string:
		typ = t
	case []any:
		if len(t) != 2 || t[1] != "null" {
			bad("type %v: one type, or one type and null", t)
		}
		typ, _ = t[0].(string)
	default:
		bad("no type")
	}
	if !slices.Contains(schemaTypes, typ) {
		bad("type %q", typ)
	}
	if f, ok := s["format"]; ok && f != "date-time" {
		bad("format %v (Gemini takes only date-time)", f)
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if _, isString := e.(string); !isString || typ != "string" {
				bad("enum value %v: Gemini takes string enums only", e)
			}
		}
	}
	if typ == "object" {
		if s["additionalProperties"] != false {
			bad("additionalProperties is not false")
		}
		props, _ := s["properties"].(map[string]any)
		if props == nil && root {
			bad("no properties")
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := props[fmt.Sprint(r)]; !ok {
				bad("required %v is not a property", r)
			}
		}
		for name, p := range props {
			pm, _ := p.(map[string]any)
			if d, _ := pm["description"].(string); d == "" && root {
				bad("property %s has no description", name)
			}
			problems = append(problems, checkStrict(path+"."+name, pm, false)...)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		problems = append(problems, checkStrict(path+"[]", items, false)...)
	}
	return problems
}

func TestInputSchemasAreStrict(t *testing.T) {
	for _, tl := range tools.Catalogue() {
		raw := tl.MCP.RawInputSchema
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s: %v", tl.Name, err)
		}
		for _, p := range checkStrict(tl.Name, s, true) {
			t.Error(p)
		}
		// And it is a schema a 2020-12 validator compiles.
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(tl.Name+".json", doc); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Compile(tl.Name + ".json"); err != nil {
			t.Errorf("%s: %v", tl.Name, err)
		}
	}
}

// TestStrictCheckCatchesUnions makes sure the check above can fail.
func TestStrictCheckCatchesUnions(t *testing.T) {
	s := map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
		"a": map[string]any{"type": []any{"integer", "string", "null"}, "description": "x"},
		"b": map[string]any{"type": "string", "format": "email", "description": "x"},
		"c": map[string]any{"oneOf": []any{}, "description": "x"},
	}}
	got := strings.Join(checkStrict("t", s, true), "\n")
	for _, want := range []string{"t.a: type", "t.b: format", `t.c: keyword "oneOf"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missed %q in:\n%s", want, got)
		}
	}
}
