// Package golden is how owui-mcp's tests keep and regenerate golden files:
// UPDATE_GOLDEN names the kind to regenerate, and a stale golden file fails
// with a diff.
//
// Regenerate them all, in the order they depend on each other, with
//
//	go generate ./tools
//
// which derives tools/schemas.json, then (in a fresh build, since the
// schemas are embedded) the tools/list golden files, then README's table.
package golden

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// The kinds of golden file, as UPDATE_GOLDEN names them (several may be
// given, comma-separated).
const (
	Schemas      = "schemas"      // tools/schemas.json
	Tools        = "tools"        // tools/testdata/tools/*.json
	Readme       = "readme"       // README.md's tool table
	Differential = "differential" // owui/owuitest/testdata/differential.json (live mode only)
)

var kinds = []string{Schemas, Tools, Readme, Differential}

const regenerate = "regenerate with: go generate ./tools"

// Update reports whether UPDATE_GOLDEN asks to regenerate kind. A value
// that names no kind (UPDATE_GOLDEN=1, as it once was) fails the test, so
// a suite run with it set never passes without checking anything.
func Update(t testing.TB, kind string) bool {
	t.Helper()
	v := os.Getenv("UPDATE_GOLDEN")
	if v == "" {
		return false
	}
	update := false
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(kinds, k) {
			t.Fatalf("UPDATE_GOLDEN=%q: name the golden files to regenerate (%s), or %s", v, strings.Join(kinds, ", "), regenerate)
		}
		update = update || k == kind
	}
	return update
}

// File checks got against the golden file at path, or with UPDATE_GOLDEN
// naming kind, writes it there.
func File(t testing.TB, kind, path string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(path)
	if Update(t, kind) {
		if err == nil && bytes.Equal(want, got) {
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("regenerated %s", path)
		return
	}
	if err != nil {
		t.Fatalf("%v; %s", err, regenerate)
	}
	Equal(t, path, want, got)
}

// Equal fails with a diff unless got is want; name says what is compared.
func Equal(t testing.TB, name string, want, got []byte) {
	t.Helper()
	if !bytes.Equal(want, got) {
		t.Errorf("%s is not what the code makes now (- golden, + now):\n%s\nIf the change is meant, %s", name, Diff(string(want), string(got)), regenerate)
	}
}

const (
	maxDiffLines = 80  // lines of diff shown
	maxLineShown = 160 // bytes of one line shown, around where it differs
	context      = 2   // unchanged lines shown around a change
)

// Diff shows, line by line, how b differs from a: removed lines with "-",
// added ones with "+", a little unchanged context with " ", and each
// change's line number in a. Long lines (schemas.json has one per tool) are
// cut to the stretch around their first difference.
func Diff(a, b string) string {
	x, y := lines(a), lines(b)
	if len(x)*len(y) > 4_000_000 {
		return "(too large to diff; the first difference is at byte " + fmt.Sprint(firstDiff(a, b)) + ")"
	}
	// lcs[i][j]: length of the longest common subsequence of x[i:], y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		line string
		at   int // line number in a
	}
	var ops []op
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, op{' ', x[i], i + 1})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', x[i], i + 1})
			i++
		default:
			ops = append(ops, op{'+', y[j], i + 1})
			j++
		}
	}
	// The column where the first removed and added lines of a change part
	// ways, so long lines are shown around it.
	col := 0
	for k := range ops {
		if ops[k].kind == '-' {
			for m := k + 1; m < len(ops) && ops[m].kind != ' '; m++ {
				if ops[m].kind == '+' {
					col = firstDiff(ops[k].line, ops[m].line)
					break
				}
			}
			break
		}
	}
	var out strings.Builder
	shown, last := 0, -1
	for k, o := range ops {
		near := false
		for m := max(0, k-context); m <= min(len(ops)-1, k+context); m++ {
			near = near || ops[m].kind != ' '
		}
		if !near {
			continue
		}
		if shown == maxDiffLines {
			out.WriteString("…\n")
			break
		}
		if last >= 0 && k != last+1 || last < 0 {
			fmt.Fprintf(&out, "@@ line %d @@\n", o.at)
		}
		line := strings.TrimSuffix(o.line, "\n")
		if len(line) > maxLineShown {
			start := max(0, min(col-maxLineShown/2, len(line)-maxLineShown))
			line = "…" + line[start:start+maxLineShown] + "…"
		}
		fmt.Fprintf(&out, "%c %s\n", o.kind, line)
		shown++
		last = k
	}
	return out.String()
}

// lines splits s into lines, each with its newline.
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
