package signinpage

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// What a mutation run of this package found untested.

func TestSafeURLShowsWhatIsNotSecret(t *testing.T) {
	cases := map[string]string{
		"https://mcp.example.com/x":         "https://mcp.example.com/x",
		"https://u:pw@mcp.example.com/x":    "https://…@mcp.example.com/x",
		"https://mcp.example.com/x?t=s#f":   "https://mcp.example.com/x…",
		"https://u:p?w@mcp.example.com":     "https://…",
		"https://mcp.example.com/?a=b@c":    "https://…",
		"mcp.example.com/path#frag":         "mcp.example.com/path…",
		"u:pw@mcp.example.com":              "…@mcp.example.com",
		"https://@mcp.example.com":          "https://…@mcp.example.com",
		"https://mcp.example.com#":          "https://mcp.example.com…",
		"https://mcp.example.com?":          "https://mcp.example.com…",
		"https://u@mcp.example.com?q=1":     "https://…@mcp.example.com…",
		"https://mcp.example.com/a@b/c?x=y": "https://…@b/c…",
		"https://?secret":                   "https://…",
		"https://?s@cret":                   "https://…",
	}
	for in, want := range cases {
		if got := safeURL(in); got != want {
			t.Errorf("safeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginAtTheBound(t *testing.T) {
	f := newFixture(t, Config{})
	ok := func(context.Context, Fields) (string, error) { return "", nil }
	if _, err := f.st.Create(Request{Session: "s", Login: strings.Repeat("a", MaxLoginBytes), Complete: ok}); err != nil {
		t.Errorf("a login of exactly %d bytes: %v", MaxLoginBytes, err)
	}
	if _, err := f.st.Create(Request{Session: "s", Login: strings.Repeat("a", MaxLoginBytes+1), Complete: ok}); !errors.Is(err, ErrLogin) {
		t.Errorf("one byte more: %v", err)
	}
}

// Used links stay readable (their page says so) until the store needs the
// room.
func TestUsedLinksKeptUntilRoomIsNeeded(t *testing.T) {
	f := newFixture(t, Config{MaxLinks: 3})
	l := f.link(t, "A", Signin)
	v := form(t, l.URL)
	v.Set("password", goodPassword)
	if a := post(t, l.URL, v, nil); a.status != http.StatusOK {
		t.Fatalf("submit: %d", a.status)
	}
	f.link(t, "B", Signin) // room to spare: nothing is dropped
	if a := get(t, l.URL); a.status != http.StatusGone || !strings.Contains(a.body, "already used") {
		t.Errorf("used link with room to spare: %d %s", a.status, a.body)
	}
}

// The fields a page shows: the requested account read-only, focus on what
// is left to type, and after a failed try the login kept and the password
// not.
func TestPageFields(t *testing.T) {
	f := newFixture(t, Config{})
	input := func(body, name string) string {
		i := strings.Index(body, `name="`+name+`"`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], ">")]
	}
	mk := func(kind Kind, login string) *Link {
		l, err := f.st.Create(Request{Session: "s", Kind: kind, Login: login,
			Complete: func(context.Context, Fields) (string, error) { return "", errors.New("Wrong.") }})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, tc := range []struct {
		kind                 Kind
		login, name          string
		readonly, loginFocus bool
	}{
		{SigninLDAP, "ldapuser", "user", true, false},
		{SigninLDAP, "", "user", false, true},
		{Signin, "ann@example.com", "email", true, false},
		{Signin, "", "email", false, true},
	} {
		l := mk(tc.kind, tc.login)
		body := get(t, l.URL).body
		login, pw := input(body, tc.name), input(body, "password")
		if strings.Contains(login, "readonly") != tc.readonly || strings.Contains(login, "autofocus") != tc.loginFocus ||
			strings.Contains(pw, "autofocus") == tc.loginFocus {
			t.Errorf("kind %d, login %q: %s / %s", tc.kind, tc.login, login, pw)
		}
		v := form(t, l.URL)
		v.Set(tc.name, "typed@example.com")
		if tc.login != "" {
			v.Set(tc.name, tc.login)
		}
		v.Set("password", "secret-typed")
		after := post(t, l.URL, v, nil).body
		login, pw = input(after, tc.name), input(after, "password")
		if !strings.Contains(login, `value="`+v.Get(tc.name)+`"`) || strings.Contains(login, "autofocus") ||
			!strings.Contains(pw, "autofocus") || strings.Contains(after, "secret-typed") {
			t.Errorf("after a failed try, kind %d: %s / %s", tc.kind, login, pw)
		}
	}
}
