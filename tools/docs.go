package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Markdown renders the catalogue of ts as Markdown: one table per toolset
// with each tool's name, title, annotations and arguments. README's tool
// table is this output, and a test keeps them equal.
func Markdown(ts []*Tool) string {
	var b strings.Builder
	for _, set := range Toolsets {
		var rows []*Tool
		for _, t := range ts {
			if t.Toolset == set.Name {
				rows = append(rows, t)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "### `%s`: %s\n\n", set.Name, set.Description)
		b.WriteString("| tool | title | hints | arguments (* required) |\n|---|---|---|---|\n")
		for _, t := range rows {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", t.Name, t.MCP.Title, hintWords(t), argWords(t))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func hintWords(t *Tool) string {
	a := t.MCP.Annotations
	var w []string
	if *a.ReadOnlyHint {
		w = append(w, "read-only")
	} else if *a.DestructiveHint {
		w = append(w, "destructive")
	} else {
		w = append(w, "additive")
	}
	if *a.IdempotentHint {
		w = append(w, "idempotent")
	}
	if *a.OpenWorldHint {
		w = append(w, "open-world")
	}
	return strings.Join(w, ", ")
}

func argWords(t *Tool) string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	_ = json.Unmarshal(t.MCP.RawInputSchema, &s)
	if len(s.Properties) == 0 {
		return "none"
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		if slices.Contains(s.Required, n) {
			names[i] = "`" + n + "`*"
		} else {
			names[i] = "`" + n + "`"
		}
	}
	if len(names) > 8 {
		return fmt.Sprintf("any of %d settings (only those to change)", len(names))
	}
	return strings.Join(names, ", ")
}
