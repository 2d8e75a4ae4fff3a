package owui

import (
	"testing"
	"time"
)

// TestTruncate: text is cut at a rune boundary at or before n bytes, and
// marked; text of n bytes or fewer is left alone.
func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdef", 5, "abcde…"},
		{"abcdef", 0, "…"},
		{"ééé", 3, "é…"},         // byte 3 is inside the second é
		{"ééé", 4, "éé…"},        // byte 4 starts the third
		{"\x80\x80\x80", 1, "…"}, // no rune start before n: nothing kept
	}
	for _, tc := range cases {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestWithTimeout: a positive timeout replaces the default; zero or less
// keeps it, rather than turning the bound off.
func TestWithTimeout(t *testing.T) {
	for d, want := range map[time.Duration]time.Duration{
		5 * time.Second: 5 * time.Second, time.Nanosecond: time.Nanosecond,
		0: DefaultTimeout, -time.Second: DefaultTimeout,
	} {
		c, err := New("http://127.0.0.1:1", WithTimeout(d))
		if err != nil {
			t.Fatal(err)
		}
		if c.timeout != want || c.rc.GetClient().Timeout != want {
			t.Errorf("WithTimeout(%v): %v (HTTP client %v), want %v", d, c.timeout, c.rc.GetClient().Timeout, want)
		}
	}
}
