package main

import (
	"encoding/json"
	"fmt"
)

// head is what the transport reads of a message.
type head struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
	Params json.RawMessage `json:"params"`
}

// scanHead reads a message's head as json.Unmarshal into a head would, in
// one pass over a line that is a JSON object with plain ASCII keys and a
// plain method name; ok is false for anything else, which json.Unmarshal
// reads instead. Reading the head with encoding/json took 10 to 14 us of
// CPU per call in the running server (1.3 us in a loop, where everything
// it touches is in cache).
func scanHead(line []byte) (h head, ok bool) {
	c := checker{b: line, loose: true}
	c.ws()
	if c.next() != '{' {
		return h, false
	}
	c.i++
	c.ws()
	if c.next() == '}' {
		c.i++
		c.ws()
		return h, c.i == len(line)
	}
	for {
		c.ws()
		start := c.i
		if c.next() != '"' || !c.str() {
			return h, false
		}
		key := line[start+1 : c.i-1]
		c.ws()
		if c.next() != ':' {
			return h, false
		}
		c.i++
		c.ws()
		start = c.i
		if !c.value(1) || !h.set(key, line[start:c.i]) {
			return h, false
		}
		c.ws()
		switch c.next() {
		case ',':
			c.i++
		case '}':
			c.i++
			c.ws()
			return h, c.i == len(line)
		default:
			return h, false
		}
	}
}

// set stores a member as encoding/json would: keys matched without regard
// to case, the last of a repeated key winning, other keys ignored. It
// refuses what it would have to decode: keys with escapes or beyond ASCII,
// and a method that is not a plain string or null.
func (h *head) set(key, value []byte) bool {
	for _, b := range key {
		if b == '\\' || b >= 0x80 {
			return false
		}
	}
	switch {
	case asciiFold(key, "id"):
		h.ID = value
	case asciiFold(key, "method"):
		switch {
		case string(value) == "null":
			// Leaves the method as it was, as for a string field.
		case value[0] != '"':
			return false
		default:
			for _, b := range value[1 : len(value)-1] {
				if b == '\\' || b >= 0x80 {
					return false
				}
			}
			h.Method = string(value[1 : len(value)-1])
		}
	case asciiFold(key, "result"):
		h.Result = value
	case asciiFold(key, "error"):
		h.Error = value
	case asciiFold(key, "params"):
		h.Params = value
	}
	return true
}

// asciiFold compares an ASCII key with a lower-case name, ignoring case.
func asciiFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i, b := range key {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != name[i] {
			return false
		}
	}
	return true
}

// callKey matches a request with its cancellation as mcp-go does: by the
// id's value printed with %v, so 7 and "7" are one id. Short integers and
// plain strings print as they are written, without decoding.
func callKey(id json.RawMessage) string {
	if n := len(id); n > 0 && n <= 7 {
		digits := id
		if digits[0] == '-' {
			digits = digits[1:]
		}
		if len(digits) > 0 && len(digits) <= 6 && (digits[0] != '0' || len(digits) == 1) && allDigits(digits) {
			return string(id) // %v of a float64 below 1e6 holding an integer
		}
	}
	if n := len(id); n >= 2 && id[0] == '"' && id[n-1] == '"' && printableASCII(id[1:n-1]) {
		return string(id[1 : n-1])
	}
	var v any
	if json.Unmarshal(id, &v) != nil {
		return string(id)
	}
	return fmt.Sprint(v)
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}
