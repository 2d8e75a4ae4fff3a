package owui

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// Permissions is an account's permission tree (groups of permissions, on or
// off, some nested) as JSON. It grows between server versions, so it is
// not a struct; and it is not a map either, because get_session_user only
// passes it on: decoding about 70 keys into maps to encode them again cost
// some 25 µs and 124 allocations a call. It holds exactly what encoding/json
// makes of the tree decoded into a map[string]any (keys sorted at every
// level), so answers are the same bytes as when it was a map; nil is null.
type Permissions []byte

// MarshalJSON writes the tree as it was read.
func (p Permissions) MarshalJSON() ([]byte, error) {
	if len(p) == 0 {
		return []byte("null"), nil
	}
	return p, nil
}

// UnmarshalJSON keeps the tree in encoding/json's form for a map: in one
// pass that sorts the keys when the tree is made of what it holds in
// practice (plain keys, booleans, short integers), and by decoding and
// encoding it otherwise. Anything but an object or null is refused as a map
// would refuse it.
func (p *Permissions) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = nil
		return nil
	}
	if out, ok := canonicalObject(b); ok {
		*p = out
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out, err := json.Marshal(m)
	if err != nil {
		return err
	}
	*p = out
	return nil
}

// Map decodes the tree; nil for null.
func (p Permissions) Map() (map[string]any, error) {
	if len(p) == 0 {
		return nil, nil
	}
	var m map[string]any
	err := json.Unmarshal(p, &m)
	return m, err
}

// JSONSchemaAlias keeps the schema of the map it replaces (invopop/jsonschema
// reads it), so tools' output schemas do not change.
func (Permissions) JSONSchemaAlias() any { return map[string]any{} }

// canonicalObject is encoding/json's form of the object b, for objects
// whose keys and strings need no escaping and whose numbers are integers
// that a float64 holds exactly; ok is false for anything else (a duplicate
// key included), which the caller decodes the slow way.
func canonicalObject(b []byte) (out []byte, ok bool) {
	c := canon{in: b, entries: make([]entry, 0, 64)}
	c.space()
	if c.peek() != '{' {
		return nil, false
	}
	// Sorting an object needs its members twice over (as read, then in
	// order) before they move down: twice the input is room for every level.
	out, ok = c.value(make([]byte, 0, 2*len(b)+16), 0)
	c.space()
	return out, ok && c.i == len(b)
}

// maxCanonDepth bounds the nesting the fast path takes (a permission tree
// has two or three levels).
const maxCanonDepth = 16

type canon struct {
	in      []byte
	i       int
	entries []entry // a stack: each object's members above its parent's
}

func (c *canon) peek() byte {
	if c.i < len(c.in) {
		return c.in[c.i]
	}
	return 0
}

func (c *canon) space() {
	for c.i < len(c.in) {
		switch c.in[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value appends the canonical form of the value at c.i to dst.
func (c *canon) value(dst []byte, depth int) ([]byte, bool) {
	c.space()
	switch ch := c.peek(); {
	case ch == '{':
		return c.object(dst, depth+1)
	case ch == '[':
		return c.array(dst, depth+1)
	case ch == '"':
		s, ok := c.str()
		return append(dst, s...), ok
	case ch == 't':
		return c.lit(dst, "true")
	case ch == 'f':
		return c.lit(dst, "false")
	case ch == 'n':
		return c.lit(dst, "null")
	case ch == '-' || '0' <= ch && ch <= '9':
		return c.integer(dst)
	}
	return dst, false
}

// entry is one member of an object being sorted: its key (quoted, as read)
// and its value's canonical form, both as offsets into the output.
type entry struct {
	key        []byte
	start, end int
}

func (c *canon) object(dst []byte, depth int) ([]byte, bool) {
	if depth > maxCanonDepth {
		return dst, false
	}
	c.i++ // {
	// The values go to the end of dst as they come, then the members are
	// appended in key order after them and moved down over them.
	base, first := len(dst), len(c.entries)
	defer func() { c.entries = c.entries[:first] }()
	c.space()
	if c.peek() == '}' {
		c.i++
		return append(dst, "{}"...), true
	}
	for {
		c.space()
		key, ok := c.str()
		if !ok {
			return dst, false
		}
		c.space()
		if c.peek() != ':' {
			return dst, false
		}
		c.i++
		start := len(dst)
		if dst, ok = c.value(dst, depth); !ok {
			return dst, false
		}
		c.entries = append(c.entries, entry{key, start, len(dst)})
		c.space()
		switch c.peek() {
		case ',':
			c.i++
			continue
		case '}':
			c.i++
		default:
			return dst, false
		}
		break
	}
	// By the keys themselves, not their quoted form: a quote sorts after a
	// space.
	entries := c.entries[first:]
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key[1:len(a.key)-1], b.key[1:len(b.key)-1]) })
	for i := 1; i < len(entries); i++ {
		if bytes.Equal(entries[i-1].key, entries[i].key) {
			return dst, false // a map keeps the last; leave it to encoding/json
		}
	}
	values := len(dst)
	dst = append(dst, '{')
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.key...)
		dst = append(dst, ':')
		dst = append(dst, dst[e.start:e.end]...)
	}
	dst = append(dst, '}')
	n := copy(dst[base:], dst[values:])
	return dst[:base+n], true
}

func (c *canon) array(dst []byte, depth int) ([]byte, bool) {
	if depth > maxCanonDepth {
		return dst, false
	}
	c.i++ // [
	dst = append(dst, '[')
	c.space()
	if c.peek() == ']' {
		c.i++
		return append(dst, ']'), true
	}
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = c.value(dst, depth); !ok {
			return dst, false
		}
		c.space()
		switch c.peek() {
		case ',':
			c.i++
		case ']':
			c.i++
			return append(dst, ']'), true
		default:
			return dst, false
		}
	}
}

// str reads a string that encoding/json would write back unchanged: valid
// UTF-8 with no escapes, no control characters, none of <, > and & and no
// U+2028 or U+2029. It returns it with its quotes.
func (c *canon) str() ([]byte, bool) {
	if c.peek() != '"' {
		return nil, false
	}
	start := c.i
	c.i++
	for c.i < len(c.in) {
		ch := c.in[c.i]
		switch {
		case ch == '"':
			c.i++
			return c.in[start:c.i], true
		case ch == '\\', ch < 0x20, ch == '<', ch == '>', ch == '&':
			return nil, false
		case ch < utf8.RuneSelf:
			c.i++
		default:
			r, size := utf8.DecodeRune(c.in[c.i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return nil, false
			}
			c.i += size
		}
	}
	return nil, false
}

func (c *canon) lit(dst []byte, word string) ([]byte, bool) {
	if !bytes.HasPrefix(c.in[c.i:], []byte(word)) {
		return dst, false
	}
	c.i += len(word)
	return append(dst, word...), true
}

// integer reads a number that a float64 holds exactly and encoding/json
// writes back unchanged: an integer of at most 15 digits, without a
// leading zero, and not -0.
func (c *canon) integer(dst []byte) ([]byte, bool) {
	start := c.i
	if c.peek() == '-' {
		c.i++
	}
	digits := c.i
	for c.i < len(c.in) && '0' <= c.in[c.i] && c.in[c.i] <= '9' {
		c.i++
	}
	n := c.i - digits
	switch {
	case n == 0 || n > 15:
		return dst, false
	case c.in[digits] == '0' && (n > 1 || digits > start):
		return dst, false // a leading zero, or -0
	}
	switch c.peek() {
	case '.', 'e', 'E':
		return dst, false
	}
	return append(dst, c.in[start:c.i]...), true
}
