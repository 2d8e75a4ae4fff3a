// Package validate checks MCP tool arguments against the input schemas the
// schema package derives, and says what is wrong in words an agent can act
// on. It is separate from schema so that the binary, which embeds the
// derived schemas, does not carry the derivation.
package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Validator checks tool arguments against an input schema made by
// schema.Input.
// It understands exactly the subset Input emits (flat objects of typed,
// possibly nullable properties with enum, pattern and format), and reports
// every problem in words an agent can act on, rather than the first one.
type Validator struct {
	props    map[string]prop
	names    []string // sorted, for messages
	required []string
}

type prop struct {
	types   []string
	enum    []string
	pattern *regexp.Regexp
	format  string
	minLen  int
}

// New prepares a validator for raw, an input schema.
func New(raw json.RawMessage) (*Validator, error) {
	var s struct {
		Properties map[string]struct {
			Type    json.RawMessage `json:"type"`
			Enum    []string        `json:"enum"`
			Pattern string          `json:"pattern"`
			Format  string          `json:"format"`
			MinLen  int             `json:"minLength"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	v := &Validator{props: map[string]prop{}, required: s.Required}
	for name, p := range s.Properties {
		var pr prop
		if len(p.Type) > 0 && p.Type[0] == '[' {
			if err := json.Unmarshal(p.Type, &pr.types); err != nil {
				return nil, err
			}
		} else if len(p.Type) > 0 {
			var t string
			if err := json.Unmarshal(p.Type, &t); err != nil {
				return nil, err
			}
			pr.types = []string{t}
		}
		pr.enum, pr.format, pr.minLen = p.Enum, p.Format, p.MinLen
		if p.Pattern != "" {
			re, err := regexp.Compile(p.Pattern)
			if err != nil {
				return nil, fmt.Errorf("property %s: %w", name, err)
			}
			pr.pattern = re
		}
		v.props[name] = pr
		v.names = append(v.names, name)
	}
	slices.Sort(v.names)
	return v, nil
}

// Validate returns every problem with args (a JSON value); nil means valid.
// Empty or null arguments count as an empty object.
func (v *Validator) Validate(args json.RawMessage) []string {
	args = bytes.TrimSpace(args)
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage("{}")
	}
	if !utf8.Valid(args) {
		return []string{"the arguments are not valid UTF-8"}
	}
	if args[0] != '{' {
		return []string{"the arguments must be a JSON object, not " + jsonKind(args)}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(args, &obj); err != nil {
		return []string{"the arguments are not valid JSON: " + err.Error()}
	}
	var problems []string
	for _, name := range v.required {
		if _, ok := obj[name]; !ok {
			problems = append(problems, fmt.Sprintf("missing required argument %q", name))
		}
	}
	var unknown []string
	for name, val := range obj {
		p, ok := v.props[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if msg := p.check(val); msg != "" {
			problems = append(problems, fmt.Sprintf("argument %q %s", name, msg))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		allowed := "this tool takes no arguments"
		if len(v.names) > 0 {
			allowed = "allowed: " + strings.Join(v.names, ", ")
		}
		for i, name := range unknown {
			msg := fmt.Sprintf("unknown argument %q", truncateName(name))
			if i == 0 { // the list once, not once per unknown name
				msg += " (" + allowed + ")"
			}
			problems = append(problems, msg)
		}
	}
	// Map iteration order is random; messages must not be.
	slices.Sort(problems)
	// However many arguments are wrong, the answer stays readable.
	if len(problems) > maxProblems {
		more := len(problems) - maxProblems
		problems = append(problems[:maxProblems:maxProblems], fmt.Sprintf("and %d more problems", more))
	}
	return problems
}

// maxProblems bounds how many problems Validate lists.
const maxProblems = 20

func (p prop) check(val json.RawMessage) string {
	kind := jsonKind(val)
	if !p.accepts(kind, val) {
		return fmt.Sprintf("must be %s, not %s", orList(p.types), kind)
	}
	if kind != "a string" {
		return ""
	}
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return "is not a valid JSON string"
	}
	if utf8.RuneCountInString(s) < p.minLen {
		return "must not be empty"
	}
	if len(p.enum) > 0 && !slices.Contains(p.enum, s) {
		return "must be one of " + strings.Join(p.enum, ", ")
	}
	if p.pattern != nil && !p.pattern.MatchString(s) {
		return "must match " + p.pattern.String()
	}
	switch p.format {
	case "date":
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return "must be a date as YYYY-MM-DD"
		}
	case "email":
		if !looksLikeEmail(s) {
			return "must be an email address"
		}
	}
	return ""
}

func (p prop) accepts(kind string, val json.RawMessage) bool {
	if len(p.types) == 0 {
		return true
	}
	for _, t := range p.types {
		switch {
		case t == "string" && kind == "a string",
			t == "boolean" && kind == "a boolean",
			t == "null" && kind == "null",
			t == "object" && kind == "an object",
			t == "array" && kind == "an array",
			t == "number" && kind == "a number":
			return true
		case t == "integer" && kind == "a number":
			f, err := strconv.ParseFloat(string(val), 64)
			if err == nil && f == math.Trunc(f) && !math.IsInf(f, 0) {
				return true
			}
		}
	}
	return false
}

// openWebUIEmail is Open WebUI's own check (utils/misc.py
// validate_email_format), which it runs on the lowercased address: anything
// ending in "@localhost", or text that starts with "x@y.z". Stricter rules
// would refuse addresses the server accepts and stores.
var openWebUIEmail = regexp.MustCompile(`^[^@]+@[^@]+\.[^@]+`)

func looksLikeEmail(s string) bool {
	s = strings.ToLower(s)
	return strings.HasSuffix(s, "@localhost") || openWebUIEmail.MatchString(s)
}

func jsonKind(v json.RawMessage) string {
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a number"
}

func orList(types []string) string {
	words := make([]string, len(types))
	for i, t := range types {
		switch t {
		case "null":
			words[i] = "null"
		case "integer":
			words[i] = "an integer"
		case "object", "array":
			words[i] = "an " + t
		default:
			words[i] = "a " + t
		}
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func truncateName(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
