package main

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// appendMessage appends msg as one line: exactly the bytes json.Marshal
// gives, followed by a newline.
//
// A tool's answer is most of what a stdio server writes, and json.Marshal
// takes the long way with it: mcp-go's CallToolResult.MarshalJSON builds a
// map, encodes it (sorting its keys), and the outer Marshal scans the
// result again to compact it, so the structured content is scanned three
// times and the text copied twice. When the structured content is already
// what Marshal would make of it (valid, compact, nothing to escape), the
// answer is written here in one pass with the same keys in the same order;
// anything else goes through json.Marshal.
func appendMessage(dst []byte, msg mcp.JSONRPCMessage) ([]byte, error) {
	if resp, ok := msg.(mcp.JSONRPCResponse); ok {
		if res, ok := resp.Result.(*mcp.CallToolResult); ok && res != nil {
			if out, ok := appendToolAnswer(dst, resp, res); ok {
				return out, nil
			}
		}
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return dst, err
	}
	return append(append(dst, b...), '\n'), nil
}

// appendToolAnswer is appendMessage's fast path; ok is false (and dst
// unchanged) for a result it leaves to json.Marshal.
func appendToolAnswer(dst []byte, resp mcp.JSONRPCResponse, res *mcp.CallToolResult) (out []byte, ok bool) {
	if resp.JSONRPC != mcp.JSONRPC_VERSION || len(res.InputRequests) > 0 || res.RequestState != "" ||
		(len(res.RawStructuredContent) == 0 && res.StructuredContent != nil) ||
		(len(res.RawStructuredContent) > 0 && !compactClean(res.RawStructuredContent)) {
		return dst, false
	}
	texts := make([]*mcp.TextContent, len(res.Content))
	for i, c := range res.Content {
		switch t := c.(type) {
		case mcp.TextContent:
			texts[i] = &t
		case *mcp.TextContent:
			texts[i] = t
		}
		if texts[i] == nil || texts[i].Annotations != nil || texts[i].Meta != nil {
			return dst, false
		}
	}
	out = append(dst, `{"jsonrpc":"2.0","id":`...)
	if out, ok = appendID(out, resp.ID); !ok {
		return dst, false
	}
	out = append(out, `,"result":{`...)
	// CallToolResult.MarshalJSON encodes a map: its keys in sorted order.
	if res.Meta != nil {
		meta, err := json.Marshal(res.Meta)
		if err != nil {
			return dst, false
		}
		out = append(out, `"_meta":`...)
		out = append(out, meta...)
		out = append(out, ',')
	}
	out = append(out, `"content":[`...)
	for i, t := range texts {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"type":`...)
		out = appendString(out, t.Type)
		out = append(out, `,"text":`...)
		out = appendString(out, t.Text)
		out = append(out, '}')
	}
	out = append(out, ']')
	if res.IsError {
		out = append(out, `,"isError":true`...)
	}
	if res.ResultType != "" {
		out = append(out, `,"resultType":`...)
		out = appendString(out, string(res.ResultType))
	}
	if len(res.RawStructuredContent) > 0 {
		out = append(out, `,"structuredContent":`...)
		out = append(out, res.RawStructuredContent...)
	}
	return append(out, "}}\n"...), true
}

// appendID appends a request id as json.Marshal does: the ids clients
// send, integers and strings, directly; others through it.
func appendID(dst []byte, id mcp.RequestId) ([]byte, bool) {
	switch v := id.Value().(type) {
	case float64: // what json.Unmarshal makes of any number
		if v == math.Trunc(v) && math.Abs(v) < 1e15 && (v != 0 || !math.Signbit(v)) {
			return strconv.AppendInt(dst, int64(v), 10), true
		}
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case string:
		return appendString(dst, v), true
	}
	b, err := json.Marshal(id)
	if err != nil {
		return dst, false
	}
	return append(dst, b...), true
}

// compactClean reports whether b is valid JSON that json.Marshal would
// copy unchanged as a json.RawMessage: no whitespace between tokens, none
// of the characters it escapes for HTML (<, >, &) and no U+2028 or U+2029.
// It is one pass with no allocation; false only means "let json.Marshal
// decide".
func compactClean(b []byte) bool {
	c := checker{b: b}
	return c.value(0) && c.i == len(b)
}

// maxCheckDepth is deeper than any message owui-mcp reads or writes;
// deeper documents take the slow path.
const maxCheckDepth = 64

// checker validates JSON in one pass. Strict, it also refuses what
// json.Marshal would rewrite (compactClean); loose, it takes any valid
// JSON, whitespace included (scanHead).
type checker struct {
	b     []byte
	i     int
	loose bool
}

func (c *checker) ws() {
	if !c.loose {
		return
	}
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *checker) value(depth int) bool {
	c.ws()
	if c.i >= len(c.b) {
		return false
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		return c.str()
	case ch == 't':
		return c.lit("true")
	case ch == 'f':
		return c.lit("false")
	case ch == 'n':
		return c.lit("null")
	case ch == '-' || '0' <= ch && ch <= '9':
		return c.num()
	}
	return false
}

func (c *checker) next() byte {
	if c.i < len(c.b) {
		return c.b[c.i]
	}
	return 0
}

func (c *checker) object(depth int) bool {
	if depth > maxCheckDepth {
		return false
	}
	c.i++ // {
	c.ws()
	if c.next() == '}' {
		c.i++
		return true
	}
	for {
		c.ws()
		if c.next() != '"' || !c.str() {
			return false
		}
		c.ws()
		if c.next() != ':' {
			return false
		}
		c.i++
		if !c.value(depth) {
			return false
		}
		c.ws()
		switch c.next() {
		case ',':
			c.i++
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

func (c *checker) array(depth int) bool {
	if depth > maxCheckDepth {
		return false
	}
	c.i++ // [
	c.ws()
	if c.next() == ']' {
		c.i++
		return true
	}
	for {
		if !c.value(depth) {
			return false
		}
		c.ws()
		switch c.next() {
		case ',':
			c.i++
		case ']':
			c.i++
			return true
		default:
			return false
		}
	}
}

func (c *checker) str() bool {
	c.i++ // "
	for c.i < len(c.b) {
		// Most bytes of a string need no thought: skip them in a tight loop.
		for c.i < len(c.b) && c.b[c.i] < utf8.RuneSelf && plain[c.b[c.i]] {
			c.i++
		}
		if c.i == len(c.b) {
			return false
		}
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			return true
		case ch == '\\':
			c.i++
			switch c.next() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				c.i++
			case 'u':
				if c.i+5 > len(c.b) {
					return false
				}
				for _, h := range c.b[c.i+1 : c.i+5] {
					if !isHex(h) {
						return false
					}
				}
				c.i += 5
			default:
				return false
			}
		case ch < 0x20:
			return false
		case !c.loose && (ch == '<' || ch == '>' || ch == '&'):
			return false
		case !c.loose && ch == 0xE2 && c.i+2 < len(c.b) && c.b[c.i+1] == 0x80 && c.b[c.i+2]&^1 == 0xA8:
			return false // U+2028, U+2029
		default:
			c.i++
		}
	}
	return false
}

func isHex(h byte) bool {
	return '0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F'
}

func (c *checker) lit(word string) bool {
	if len(c.b)-c.i < len(word) || string(c.b[c.i:c.i+len(word)]) != word {
		return false
	}
	c.i += len(word)
	return true
}

func (c *checker) digits() bool {
	start := c.i
	for c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9' {
		c.i++
	}
	return c.i > start
}

func (c *checker) num() bool {
	if c.next() == '-' {
		c.i++
	}
	switch ch := c.next(); {
	case ch == '0':
		c.i++
	case '1' <= ch && ch <= '9':
		c.digits()
	default:
		return false
	}
	if c.next() == '.' {
		c.i++
		if !c.digits() {
			return false
		}
	}
	if ch := c.next(); ch == 'e' || ch == 'E' {
		c.i++
		if ch := c.next(); ch == '+' || ch == '-' {
			c.i++
		}
		if !c.digits() {
			return false
		}
	}
	return true
}

// appendString appends s as a JSON string, escaped as json.Marshal escapes
// it (HTML characters, U+2028 and U+2029 included; invalid UTF-8 becomes
// U+FFFD), without going through reflection.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	done := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[done:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default: // other control characters, <, >, &
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[done:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[done:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	dst = append(dst, s[done:]...)
	return append(dst, '"')
}

// plain marks the ASCII bytes a JSON string carries as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()
