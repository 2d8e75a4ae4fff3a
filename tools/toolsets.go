package tools

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Toolset is a named group of tools that can be switched on together.
type Toolset struct {
	Name        string
	Description string
}

const (
	tsSession = "session"
	tsProfile = "profile"
	tsAPIKeys = "api_keys"
	tsAdmin   = "admin"
	tsLDAP    = "ldap"
	tsOAuth   = "oauth"
)

// Toolsets lists the groups in the order they are documented.
var Toolsets = []Toolset{
	{tsSession, "Sign in, sign up, sign out, who am I, OAuth token exchange and OAuth sessions."},
	{tsProfile, "The signed-in account's profile, time zone and password."},
	{tsAPIKeys, "The signed-in account's API key: create, show, delete."},
	{tsAdmin, "Admin: add users, admin contact, server-wide settings."},
	{tsLDAP, "Admin: LDAP server settings and the LDAP on/off switch."},
	{tsOAuth, "Admin: OAuth/OIDC sign-in settings."},
}

// Selection says which tools to serve. The zero value serves them all.
type Selection struct {
	Toolsets []string // empty: all toolsets
	Tools    []string // added on top of Toolsets
	Exclude  []string // removed; wins over Toolsets and Tools
	ReadOnly bool     // only read-only tools; wins over everything
	// SharedCredential leaves out the tools that change the calling
	// account's own password or API key unless Tools names them: with one
	// OWUI_API_KEY shared by every hosted client, any client could rotate
	// or delete the key all of them use.
	SharedCredential bool
}

// Select returns the catalogue entries s selects, in catalogue order, or an
// error naming any unknown toolset or tool together with the valid names.
func Select(s Selection) ([]*Tool, error) {
	all := Catalogue()
	var toolNames []string
	for _, t := range all {
		toolNames = append(toolNames, t.Name)
	}
	var setNames []string
	for _, ts := range Toolsets {
		setNames = append(setNames, ts.Name)
	}
	if err := known("toolset", s.Toolsets, setNames); err != nil {
		return nil, err
	}
	if err := known("tool", append(slices.Clone(s.Tools), s.Exclude...), toolNames); err != nil {
		return nil, err
	}
	var out []*Tool
	for _, t := range all {
		in := len(s.Toolsets) == 0 || slices.Contains(s.Toolsets, t.Toolset) || slices.Contains(s.Tools, t.Name)
		if len(s.Toolsets) == 0 && len(s.Tools) > 0 {
			// Naming single tools without toolsets means just those tools.
			in = slices.Contains(s.Tools, t.Name)
		}
		if !in || slices.Contains(s.Exclude, t.Name) || (s.ReadOnly && !t.ReadOnly()) {
			continue
		}
		if s.SharedCredential && t.ChangesCredential && !slices.Contains(s.Tools, t.Name) {
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		// Never fall back to "everything": an empty selection is a mistake.
		return nil, errors.New("the tool selection (--toolsets, --tools, --exclude-tools, --read-only) leaves no tool to serve")
	}
	return out, nil
}

// Withheld names the tools s leaves out only because of SharedCredential,
// for the start-up message that says so.
func Withheld(s Selection) []string {
	if !s.SharedCredential {
		return nil
	}
	kept, _ := Select(s)
	s.SharedCredential = false
	all, _ := Select(s)
	var out []string
	for _, t := range all {
		if !slices.Contains(kept, t) {
			out = append(out, t.Name)
		}
	}
	return out
}

func known(what string, names, valid []string) error {
	for _, n := range names {
		if !slices.Contains(valid, n) {
			return fmt.Errorf("unknown %s %q; valid %ss: %s", what, n, what, strings.Join(valid, ", "))
		}
	}
	return nil
}

// SplitList splits a comma-separated flag value, dropping blanks.
func SplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
