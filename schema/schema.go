// Package schema derives the JSON Schemas of MCP tools from the Go structs
// that owui sends and receives, so that a schema can never drift from the
// wire format.
//
// The schemas are shaped for MCP clients as they are: everything inlined (no
// $ref or $defs, which several clients cannot resolve), "properties" always
// present, nullable fields as a type list rather than a oneOf, and no
// $schema/$id noise, since every byte of tools/list is paid for in the
// model's context.
package schema

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/invopop/jsonschema"
)

var reflector = jsonschema.Reflector{
	ExpandedStruct:             true, // the root is the object itself, not a $ref to it
	DoNotReference:             true,
	Anonymous:                  true,
	RequiredFromJSONSchemaTags: true, // "required" is stated per field, as the server requires it
}

// Option adjusts a derived schema.
type Option func(map[string]any)

// Partial drops "required": for tools that take only the fields to change.
func Partial() Option {
	return func(m map[string]any) { delete(m, "required") }
}

// inputType is the jsonschema_extras key that names the one type a field
// takes as an argument when the server answers with several (a number, or
// "" for none). Strict providers (Gemini, Ajv's strict mode) refuse type
// unions in arguments; "null" may stay beside the one type.
const inputType = "input_type"

// Input returns the inputSchema for arguments shaped like v: unknown
// arguments are refused (additionalProperties false), and every property
// has one type, or one type and null.
func Input(v any, opts ...Option) json.RawMessage {
	m := derive(v)
	walk(m, func(s map[string]any) {
		t, ok := s[inputType].(string)
		if !ok {
			return
		}
		delete(s, inputType)
		if list, ok := s["type"].([]any); ok && slices.Contains(list, any("null")) && t != "null" {
			s["type"] = []any{t, "null"}
			return
		}
		s["type"] = t
	})
	for _, o := range opts {
		o(m)
	}
	return mustMarshal(m)
}

// modelFormats are the string formats every model provider takes in a
// function declaration: Gemini refuses any other (email, date, ...).
var modelFormats = []any{"date-time"}

// Shown returns an input schema as models are shown it: without the string
// formats some providers refuse. The full schema, formats included, is
// still the one arguments are checked against before anything is sent; the
// descriptions say the same in words.
func Shown(input json.RawMessage) json.RawMessage {
	m := Map(input)
	changed := false
	walk(m, func(s map[string]any) {
		if f, ok := s["format"]; ok && !slices.Contains(modelFormats, f) {
			delete(s, "format")
			changed = true
		}
	})
	if !changed {
		return input
	}
	return mustMarshal(m)
}

// Output returns the outputSchema for results shaped like v. It states
// property types only: descriptions live on the input side and in the tool
// text, every key is optional (older servers send fewer) and extra keys from
// newer servers are allowed. Every byte of it is paid for in model context.
func Output(v any) json.RawMessage {
	m := derive(v)
	walk(m, func(s map[string]any) {
		delete(s, "description")
		delete(s, "required")
		delete(s, inputType)
		if ap, ok := s["additionalProperties"].(bool); ok && !ap {
			delete(s, "additionalProperties")
		}
	})
	return mustMarshal(m)
}

// Map returns the derived schema as a map, e.g. to validate against it.
func Map(raw json.RawMessage) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(fmt.Sprintf("schema: %v", err))
	}
	return m
}

func derive(v any) map[string]any {
	b, err := json.Marshal(reflector.Reflect(v))
	if err != nil {
		panic(fmt.Sprintf("schema: reflect %T: %v", v, err))
	}
	m := Map(b)
	delete(m, "$schema")
	delete(m, "$id")
	walk(m, simplify)
	if _, ok := m["properties"]; !ok {
		m["properties"] = map[string]any{}
	}
	return m
}

// simplify rewrites invopop's oneOf forms: oneOf [X, {type: null}] (a
// nullable field) becomes X with type [X.type, "null"], and a oneOf of bare
// types becomes a type list.
func simplify(s map[string]any) {
	alts, ok := s["oneOf"].([]any)
	if !ok {
		return
	}
	var types []any
	var base map[string]any
	for _, a := range alts {
		am, _ := a.(map[string]any)
		t, hasType := am["type"].(string)
		switch {
		case hasType && len(am) == 1:
			types = append(types, t)
		case hasType && base == nil:
			base = am
			types = append(types, t)
		default:
			return // a real union; leave it alone
		}
	}
	delete(s, "oneOf")
	for k, v := range base {
		if _, taken := s[k]; !taken {
			s[k] = v
		}
	}
	s["type"] = types
}

// walk calls f on s and on every schema nested in it.
func walk(s map[string]any, f func(map[string]any)) {
	f(s)
	if props, ok := s["properties"].(map[string]any); ok {
		for _, p := range props {
			if pm, ok := p.(map[string]any); ok {
				walk(pm, f)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if pm, ok := s[k].(map[string]any); ok {
			walk(pm, f)
		}
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if list, ok := s[k].([]any); ok {
			for _, a := range list {
				if am, ok := a.(map[string]any); ok {
					walk(am, f)
				}
			}
		}
	}
}

func mustMarshal(m map[string]any) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("schema: %v", err))
	}
	return b
}
