package golden

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	a := "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n"
	b := "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\n"
	got := Diff(a, b)
	want := "@@ line 1 @@\n  one\n  two\n- three\n+ THREE\n  four\n  five\n@@ line 7 @@\n  seven\n  eight\n+ nine\n"
	if got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
	long := strings.Repeat("x", 1000)
	got = Diff(long+"a"+long+"\n", long+"b"+long+"\n")
	if !strings.Contains(got, "- …x") || !strings.Contains(got, "xa") || !strings.Contains(got, "xb") || len(got) > 500 {
		t.Errorf("long lines:\n%s", got)
	}
	if Diff(a, a) != "" {
		t.Error("a diff of equal texts")
	}
}

func TestUpdateNamesAKind(t *testing.T) {
	t.Setenv("UPDATE_GOLDEN", "tools, readme")
	if !Update(t, Tools) || !Update(t, Readme) || Update(t, Schemas) {
		t.Error("UPDATE_GOLDEN=tools,readme")
	}
	t.Setenv("UPDATE_GOLDEN", "")
	if Update(t, Tools) {
		t.Error("unset")
	}
}
