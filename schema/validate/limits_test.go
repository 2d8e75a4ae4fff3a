package validate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/schema/validate"
)

// TestProblemsAreBounded: up to 20 problems are all listed; past that, the
// first 20 and how many more.
func TestProblemsAreBounded(t *testing.T) {
	v, err := validate.New([]byte(`{"type":"object","properties":{},"additionalProperties":false}`))
	if err != nil {
		t.Fatal(err)
	}
	unknown := func(n int) []byte {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`"k%02d":1`, i)
		}
		return []byte("{" + strings.Join(parts, ",") + "}")
	}
	if p := v.Validate(unknown(20)); len(p) != 20 || strings.Contains(strings.Join(p, "|"), "more problems") {
		t.Errorf("20 problems: %q", p)
	}
	p := v.Validate(unknown(25))
	if len(p) != 21 || p[20] != "and 5 more problems" {
		t.Errorf("25 problems: %d, last %q", len(p), p[len(p)-1])
	}
}

// TestLongNamesAreCut: an unknown argument's name is shown whole up to 64
// bytes, and beyond that cut at a character boundary and marked.
func TestLongNamesAreCut(t *testing.T) {
	v, err := validate.New([]byte(`{"type":"object","properties":{"x":{}},"additionalProperties":false}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		strings.Repeat("a", 64):       strings.Repeat("a", 64) + `"`,
		strings.Repeat("a", 65):       strings.Repeat("a", 64) + `…"`,
		"a" + strings.Repeat("é", 40): "a" + strings.Repeat("é", 31) + `…"`, // byte 64 is inside an é
	}
	for name, want := range cases {
		p := v.Validate([]byte(`{"` + name + `":1}`))
		if len(p) != 1 || !strings.Contains(p[0], `unknown argument "`+want) {
			t.Errorf("%d-byte name: %q", len(name), p)
		}
	}
	// A property declared without a type takes any value.
	if p := v.Validate([]byte(`{"x":[1,{"y":null}]}`)); p != nil {
		t.Errorf("untyped property: %q", p)
	}
}
