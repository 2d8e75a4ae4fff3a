package tools

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/golden"
	"github.com/owui-mcp/owui-mcp/schema"
)

// derive computes a tool's schemas from its declaration.
func derive(d def) toolSchemas {
	in := d.in
	if in == nil {
		in = &struct{}{}
	}
	var opts []schema.Option
	if d.partial {
		opts = append(opts, schema.Partial())
	}
	full := schema.Input(in, opts...)
	s := toolSchemas{Input: schema.Shown(full), Output: schema.Output(d.out)}
	if !bytes.Equal(s.Input, full) {
		s.Check = full
	}
	return s
}

// TestSchemasAreDerived keeps schemas.json equal to what the schema package
// derives from the defs now. After changing a form, a response or a def,
// run go generate ./tools (UPDATE_GOLDEN=schemas writes it).
func TestSchemasAreDerived(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, d := range defs() {
		s := derive(d)
		line, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := json.Marshal(d.op.Name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(line)
		if i < len(defs())-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	golden.File(t, golden.Schemas, "schemas.json", b.Bytes())
}
