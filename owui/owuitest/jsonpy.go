package owuitest

// A JSON decoder and encoder with Python's semantics: the decoder mirrors
// CPython's json module (error messages and character offsets, as FastAPI
// puts them in a json_invalid 422), the encoder mirrors Starlette's
// JSONResponse (json.dumps with ensure_ascii=False, compact separators,
// allow_nan=False). Values are represented as:
//
//	nil, bool, string, pyInt (decimal text), pyFloat, []any, obj (ordered)

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// pyInt is a Python int, kept as normalized decimal text (any size).
type pyInt string

// pyFloat is a Python float.
type pyFloat float64

type kv struct {
	k string
	v any
}

// obj is a JSON object that keeps key order (a Python dict).
type obj []kv

func (o obj) get(k string) (any, bool) {
	for i := range o {
		if o[i].k == k {
			return o[i].v, true
		}
	}
	return nil, false
}

// jsonDecodeError is Python's json.JSONDecodeError: msg and a position in
// code points.
type jsonDecodeError struct {
	msg string
	pos int
}

// errBodyParse stands for a non-JSONDecodeError exception while decoding
// (bad encoding, too deep, int too long); FastAPI answers it with 400.
//
//lint:ignore ST1005 the text is FastAPI's own, which clients see as the detail.
var errBodyParse = errors.New("There was an error parsing the body")

const (
	maxJSONDepth  = 900
	maxIntDigits  = 4300
	utf8BOMPrefix = "\xef\xbb\xbf"
)

// decodePyJSON decodes a request body as Starlette's request.json() does
// (json.loads on bytes).
func decodePyJSON(b []byte) (any, *jsonDecodeError, error) {
	s, ok := pyDecodeBytes(b)
	if !ok {
		return nil, nil, errBodyParse
	}
	return parsePyJSON(s)
}

// pyDecodeBytes follows json.detect_encoding and then decodes; ok is false
// where Python would raise UnicodeDecodeError.
func pyDecodeBytes(b []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		return decodeUTF32(b[4:], true)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		return decodeUTF32(b[4:], false)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return decodeUTF16(b[2:], true)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte(utf8BOMPrefix)):
		b = b[3:]
	case len(b) >= 4 && b[0] == 0:
		if b[1] != 0 {
			return decodeUTF16(b, true)
		}
		return decodeUTF32(b, true)
	case len(b) >= 4 && b[1] == 0:
		if b[2] != 0 || b[3] != 0 {
			return decodeUTF16(b, false)
		}
		return decodeUTF32(b, false)
	case len(b) == 2 && b[0] == 0:
		return decodeUTF16(b, true)
	case len(b) == 2 && b[1] == 0:
		return decodeUTF16(b, false)
	}
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

func decodeUTF16(b []byte, be bool) (string, bool) {
	if len(b)%2 != 0 {
		return "", false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if be {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u)), true
}

func decodeUTF32(b []byte, be bool) (string, bool) {
	if len(b)%4 != 0 {
		return "", false
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var r uint32
		if be {
			r = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			r = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		if r > utf8.MaxRune {
			return "", false
		}
		sb.WriteRune(rune(r))
	}
	return sb.String(), true
}

type jparser struct {
	s     string
	depth int
	fatal bool
}

type jerr struct {
	msg string
	pos int // byte offset
}

// parsePyJSON parses s like json.loads(str).
func parsePyJSON(s string) (any, *jsonDecodeError, error) {
	p := &jparser{s: s}
	i := p.ws(0)
	v, end, e := p.value(i)
	if e == nil {
		end = p.ws(end)
		if end != len(s) {
			e = &jerr{"Extra data", end}
		}
	}
	if p.fatal {
		return nil, nil, errBodyParse
	}
	if e != nil {
		return nil, &jsonDecodeError{msg: e.msg, pos: utf8.RuneCountInString(s[:e.pos])}, nil
	}
	return v, nil, nil
}

func isJSONWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jparser) ws(i int) int {
	for i < len(p.s) && isJSONWS(p.s[i]) {
		i++
	}
	return i
}

func (p *jparser) value(i int) (any, int, *jerr) {
	s := p.s
	if i >= len(s) {
		return nil, i, &jerr{"Expecting value", i}
	}
	switch s[i] {
	case '"':
		return p.str(i + 1)
	case '{':
		return p.object(i + 1)
	case '[':
		return p.array(i + 1)
	case 'n':
		if strings.HasPrefix(s[i:], "null") {
			return nil, i + 4, nil
		}
	case 't':
		if strings.HasPrefix(s[i:], "true") {
			return true, i + 4, nil
		}
	case 'f':
		if strings.HasPrefix(s[i:], "false") {
			return false, i + 5, nil
		}
	case 'N':
		if strings.HasPrefix(s[i:], "NaN") {
			return pyFloat(math.NaN()), i + 3, nil
		}
	case 'I':
		if strings.HasPrefix(s[i:], "Infinity") {
			return pyFloat(math.Inf(1)), i + 8, nil
		}
	case '-':
		if strings.HasPrefix(s[i:], "-Infinity") {
			return pyFloat(math.Inf(-1)), i + 9, nil
		}
	}
	return p.number(i)
}

func (p *jparser) number(i int) (any, int, *jerr) {
	s := p.s
	n := len(s)
	start := i
	if s[i] == '-' {
		i++
		if i >= n {
			return nil, start, &jerr{"Expecting value", start}
		}
	}
	switch {
	case s[i] >= '1' && s[i] <= '9':
		i++
		for i < n && isDigit(s[i]) {
			i++
		}
	case s[i] == '0':
		i++
	default:
		return nil, start, &jerr{"Expecting value", start}
	}
	isFloat := false
	if i < n-1 && s[i] == '.' && isDigit(s[i+1]) {
		isFloat = true
		i += 2
		for i < n && isDigit(s[i]) {
			i++
		}
	}
	if i < n-1 && (s[i] == 'e' || s[i] == 'E') {
		eStart := i
		i++
		if i < n-1 && (s[i] == '-' || s[i] == '+') {
			i++
		}
		for i < n && isDigit(s[i]) {
			i++
		}
		if isDigit(s[i-1]) {
			isFloat = true
		} else {
			i = eStart
		}
	}
	text := s[start:i]
	if isFloat {
		f, _ := strconv.ParseFloat(text, 64) // overflow gives ±Inf, as Python
		return pyFloat(f), i, nil
	}
	digits := strings.TrimPrefix(text, "-")
	if len(digits) > maxIntDigits {
		p.fatal = true
		return nil, i, &jerr{"int too long", i}
	}
	if digits == "0" {
		return pyInt("0"), i, nil
	}
	return pyInt(text), i, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// hex4 decodes 4 hex digits at s[i:i+4].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		h := hexVal(s[i+k])
		if h < 0 {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// str scans a string whose opening quote is at end-1 (CPython's
// scanstring_unicode, strict mode).
func (p *jparser) str(end int) (any, int, *jerr) {
	s := p.s
	n := len(s)
	begin := end - 1
	var sb strings.Builder
	for {
		next := end
		var c byte
		for next < n {
			c = s[next]
			if c == '"' || c == '\\' {
				break
			}
			if c <= 0x1f {
				return nil, next, &jerr{"Invalid control character at", next}
			}
			next++
		}
		if next >= n {
			return nil, next, &jerr{"Unterminated string starting at", begin}
		}
		sb.WriteString(s[end:next])
		next++
		if c == '"' {
			return sb.String(), next, nil
		}
		if next == n {
			return nil, next, &jerr{"Unterminated string starting at", begin}
		}
		c = s[next]
		if c != 'u' {
			end = next + 1
			var out byte
			switch c {
			case '"', '\\', '/':
				out = c
			case 'b':
				out = '\b'
			case 'f':
				out = '\f'
			case 'n':
				out = '\n'
			case 'r':
				out = '\r'
			case 't':
				out = '\t'
			default:
				return nil, end, &jerr{`Invalid \escape`, end - 2}
			}
			sb.WriteByte(out)
			continue
		}
		next++
		end = next + 4
		if end >= n {
			return nil, end, &jerr{`Invalid \uXXXX escape`, next - 1}
		}
		r, ok := hex4(s, next)
		if !ok {
			return nil, end, &jerr{`Invalid \uXXXX escape`, end - 5}
		}
		if utf16.IsSurrogate(r) && r < 0xdc00 && end+6 < n && s[end] == '\\' && s[end+1] == 'u' {
			r2, ok := hex4(s, end+2)
			if !ok {
				return nil, end + 6, &jerr{`Invalid \uXXXX escape`, end + 1}
			}
			if r2 >= 0xdc00 && r2 <= 0xdfff {
				r = utf16.DecodeRune(r, r2)
				end += 6
			}
		}
		// Lone surrogates become U+FFFD (Python would keep them).
		sb.WriteRune(r)
	}
}

func (p *jparser) object(i int) (any, int, *jerr) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxJSONDepth {
		p.fatal = true
		return nil, i, &jerr{"too deep", i}
	}
	s := p.s
	n := len(s)
	o := obj{}
	var index map[string]int
	i = p.ws(i)
	if i >= n || s[i] != '}' {
		for {
			if i >= n || s[i] != '"' {
				return nil, i, &jerr{"Expecting property name enclosed in double quotes", i}
			}
			kv0, next, e := p.str(i + 1)
			if e != nil {
				return nil, next, e
			}
			key := kv0.(string)
			i = p.ws(next)
			if i >= n || s[i] != ':' {
				return nil, i, &jerr{"Expecting ':' delimiter", i}
			}
			i = p.ws(i + 1)
			val, next, e := p.value(i)
			if e != nil {
				return nil, next, e
			}
			i = next
			// Python dicts keep the first position and the last value.
			if index == nil && len(o) >= 8 {
				index = make(map[string]int, 16)
				for k, e := range o {
					index[e.k] = k
				}
			}
			if index != nil {
				if k, ok := index[key]; ok {
					o[k].v = val
				} else {
					index[key] = len(o)
					o = append(o, kv{key, val})
				}
			} else {
				dup := false
				for k := range o {
					if o[k].k == key {
						o[k].v = val
						dup = true
						break
					}
				}
				if !dup {
					o = append(o, kv{key, val})
				}
			}
			i = p.ws(i)
			if i < n && s[i] == '}' {
				break
			}
			if i >= n || s[i] != ',' {
				return nil, i, &jerr{"Expecting ',' delimiter", i}
			}
			i = p.ws(i + 1)
		}
	}
	return o, i + 1, nil
}

func (p *jparser) array(i int) (any, int, *jerr) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxJSONDepth {
		p.fatal = true
		return nil, i, &jerr{"too deep", i}
	}
	s := p.s
	n := len(s)
	arr := []any{}
	i = p.ws(i)
	if i >= n || s[i] != ']' {
		for {
			val, next, e := p.value(i)
			if e != nil {
				return nil, next, e
			}
			arr = append(arr, val)
			i = p.ws(next)
			if i < n && s[i] == ']' {
				break
			}
			if i >= n || s[i] != ',' {
				return nil, i, &jerr{"Expecting ',' delimiter", i}
			}
			i = p.ws(i + 1)
		}
	}
	return arr, i + 1, nil
}

// errNotJSONable is returned by the encoder for values Python's json.dumps
// (allow_nan=False) rejects.
var errNotJSONable = errors.New("value is not JSON serializable")

// encodePyJSON renders v as Starlette's JSONResponse does.
func encodePyJSON(v any) ([]byte, error) {
	return appendPyJSON(make([]byte, 0, 256), v)
}

func appendPyJSON(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		b = append(b, "null"...)
	case bool:
		b = strconv.AppendBool(b, x)
	case string:
		b = appendPyString(b, x)
	case *string:
		if x == nil {
			b = append(b, "null"...)
		} else {
			b = appendPyString(b, *x)
		}
	case int:
		b = strconv.AppendInt(b, int64(x), 10)
	case int64:
		b = strconv.AppendInt(b, x, 10)
	case *int64:
		if x == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, *x, 10)
		}
	case pyInt:
		b = append(b, x...)
	case pyFloat:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, errNotJSONable
		}
		b = append(b, pyFloatRepr(f)...)
	case civilDate:
		b = appendPyString(b, x.String())
	case *civilDate:
		if x == nil {
			b = append(b, "null"...)
		} else {
			b = appendPyString(b, x.String())
		}
	case obj:
		b = append(b, '{')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPyString(b, e.k)
			b = append(b, ':')
			if b, err = appendPyJSON(b, e.v); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendPyJSON(b, e); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPyString(b, e)
		}
		b = append(b, ']')
	default:
		return b, errNotJSONable
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendPyString quotes s like json.dumps(ensure_ascii=False).
func appendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// pyFloatRepr formats f like Python's repr(float).
func pyFloatRepr(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	k := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[k+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
