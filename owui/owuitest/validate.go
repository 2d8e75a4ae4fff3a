package owuitest

// Pydantic v2 (lax mode) style request-body validation, producing the error
// entries FastAPI returns in a 422 {"detail": [...]} body.

import (
	"fmt"
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type fkind int

const (
	kStr     fkind = iota // str
	kOptStr               // str | None
	kBool                 // bool
	kOptBool              // bool | None
	kOptDate              // datetime.date | None
	kOptInt               // int | None
	kIntStr               // int | str | None
	kBoolStr              // bool | str | None
)

type field struct {
	name       string
	kind       fkind
	required   bool
	def        any
	check      func(string) string // after-validator for str values; returns an error text
	checkSince semver              // first version running check
	since      semver              // first version with the field (zero: always)
	until      semver              // first version without it (zero: still present)
}

func (f field) in(v semver) bool {
	if !v.atLeast(f.since) {
		return false
	}
	return f.until == (semver{}) || !v.atLeast(f.until)
}

type model []field

// form holds validated values by field name.
type form map[string]any

func (f form) str(k string) string {
	s, _ := f[k].(string)
	return s
}

func (f form) strp(k string) *string {
	if s, ok := f[k].(string); ok {
		return &s
	}
	return nil
}

// bodyKind says what FastAPI hands to pydantic.
type bodyKind int

const (
	bodyNone bodyKind = iota // no body / empty body: None
	bodyRaw                  // not a JSON content type: the raw bytes
	bodyJSON                 // decoded JSON
)

type bodyIn struct {
	kind bodyKind
	raw  string
	val  any
}

func loc(parts ...any) []any { return parts }

func extendLoc(l []any, more ...any) []any {
	out := make([]any, 0, len(l)+len(more))
	out = append(out, l...)
	return append(out, more...)
}

func verr(typ string, l []any, msg string, input any, ctx obj) obj {
	e := obj{{"type", typ}, {"loc", l}, {"msg", msg}, {"input", input}}
	if ctx != nil {
		e = append(e, kv{"ctx", ctx})
	}
	return e
}

// validate checks the body against the model (fields outside the emulated
// version are ignored) and returns the values or the 422 error entries.
func (m model) validate(in bodyIn, v semver) (form, []any) {
	switch in.kind {
	case bodyNone:
		return nil, []any{verr("missing", loc("body"), "Field required", nil, nil)}
	case bodyRaw:
		return nil, []any{verr("model_attributes_type", loc("body"), "Input should be a valid dictionary or object to extract fields from", in.raw, nil)}
	}
	if in.val == nil {
		return nil, []any{verr("missing", loc("body"), "Field required", nil, nil)}
	}
	o, ok := in.val.(obj)
	if !ok {
		return nil, []any{verr("model_attributes_type", loc("body"), "Input should be a valid dictionary or object to extract fields from", in.val, nil)}
	}
	out := form{}
	var errs []any
	for _, f := range m {
		if !f.in(v) {
			continue
		}
		val, present := o.get(f.name)
		if !present {
			if f.required {
				errs = append(errs, verr("missing", loc("body", f.name), "Field required", o, nil))
			} else {
				out[f.name] = f.def
			}
			continue
		}
		res, es := f.validate(val, loc("body", f.name), v)
		if len(es) > 0 {
			errs = append(errs, es...)
			continue
		}
		out[f.name] = res
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func (f field) validate(v any, l []any, ver semver) (any, []any) {
	switch f.kind {
	case kStr, kOptStr:
		if v == nil && f.kind == kOptStr {
			return nil, nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, []any{stringTypeErr(l, v)}
		}
		if f.check != nil && ver.atLeast(f.checkSince) {
			if msg := f.check(s); msg != "" {
				return nil, []any{verr("value_error", l, "Value error, "+msg, s, obj{{"error", obj{}}})}
			}
		}
		return s, nil
	case kBool, kOptBool:
		if v == nil && f.kind == kOptBool {
			return nil, nil
		}
		b, e := laxBool(v, l)
		if e != nil {
			return nil, []any{e}
		}
		return b, nil
	case kOptDate:
		if v == nil {
			return nil, nil
		}
		d, e := laxDate(v, l)
		if e != nil {
			return nil, []any{e}
		}
		return d, nil
	case kOptInt:
		if v == nil {
			return nil, nil
		}
		i, e := laxInt(v, l)
		if e != nil {
			return nil, []any{e}
		}
		return i, nil
	case kIntStr:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			return x, nil
		}
		i, e := laxInt(v, extendLoc(l, "int"))
		if e == nil {
			return i, nil
		}
		return nil, []any{e, stringTypeErr(extendLoc(l, "str"), v)}
	case kBoolStr:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case bool:
			return x, nil
		case string:
			return x, nil
		}
		b, e := laxBool(v, extendLoc(l, "bool"))
		if e == nil {
			return b, nil
		}
		return nil, []any{e, stringTypeErr(extendLoc(l, "str"), v)}
	}
	return nil, []any{stringTypeErr(l, v)}
}

func stringTypeErr(l []any, v any) obj {
	return verr("string_type", l, "Input should be a valid string", v, nil)
}

// laxBool is pydantic's lax bool validation of a Python value.
func laxBool(v any, l []any) (bool, obj) {
	parsing := verr("bool_parsing", l, "Input should be a valid boolean, unable to interpret input", v, nil)
	switch x := v.(type) {
	case bool:
		return x, nil
	case pyInt:
		switch x {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, parsing
	case pyFloat:
		switch float64(x) {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
		return false, parsing
	case string:
		switch {
		case x == "0" || strings.EqualFold(x, "f") || strings.EqualFold(x, "n") || strings.EqualFold(x, "no") ||
			strings.EqualFold(x, "off") || strings.EqualFold(x, "false"):
			return false, nil
		case x == "1" || strings.EqualFold(x, "t") || strings.EqualFold(x, "y") || strings.EqualFold(x, "on") ||
			strings.EqualFold(x, "yes") || strings.EqualFold(x, "true"):
			return true, nil
		}
		return false, parsing
	}
	return false, verr("bool_type", l, "Input should be a valid boolean", v, nil)
}

// laxInt is pydantic's lax int validation of a Python value.
func laxInt(v any, l []any) (pyInt, obj) {
	switch x := v.(type) {
	case pyInt:
		return x, nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	case pyFloat:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", verr("finite_number", l, "Input should be a finite number", v, nil)
		}
		if f != math.Trunc(f) {
			return "", verr("int_from_float", l, "Input should be a valid integer, got a number with a fractional part", v, nil)
		}
		return pyInt(strconv.FormatFloat(f, 'f', 0, 64)), nil
	case string:
		if i, ok := strAsInt(x); ok {
			return i, nil
		}
		return "", verr("int_parsing", l, "Input should be a valid integer, unable to parse string as an integer", v, nil)
	}
	return "", verr("int_type", l, "Input should be a valid integer", v, nil)
}

// strAsInt is pydantic-core's str-to-int: trimmed, then what Python's int()
// takes (a sign, digits with single underscores between them), optionally
// followed by a "." and one or more zeros.
func strAsInt(s string) (pyInt, bool) {
	s = strings.TrimSpace(s)
	if whole, frac, found := strings.Cut(s, "."); found {
		if frac == "" || strings.Trim(frac, "0") != "" {
			return "", false
		}
		s = whole
	}
	return signedDigits(s)
}

func normInt(neg bool, digits string) pyInt {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0"
	}
	if neg {
		return pyInt("-" + digits)
	}
	return pyInt(digits)
}

// pythonInt is Python's int(str): whitespace, sign, digits with single
// underscores between them.
func pythonInt(s string) (pyInt, bool) {
	return signedDigits(strings.TrimFunc(s, pyIsSpace))
}

// signedDigits reads an optional sign and digits with single underscores
// between them.
func signedDigits(s string) (pyInt, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return "", false
	}
	digits := strings.ReplaceAll(s, "_", "")
	if len(digits) > maxIntDigits {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return "", false
		}
	}
	return normInt(neg, digits), true
}

// ---- dates (pydantic-core over speedate) -------------------------------

type civilDate struct{ y, m, d int }

func (d civilDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

const (
	sdTooShort       = "input is too short"
	sdExtra          = "unexpected extra characters at the end of the input"
	sdDateTimeSep    = "invalid datetime separator, expected `T`, `t`, `_` or space"
	sdDateSep        = "invalid date separator, expected `-`"
	sdNotExact       = "Timestamp is not an exact date"
	sdYear           = "invalid character in year"
	sdMonth          = "invalid character in month"
	sdDay            = "invalid character in day"
	sdTimeSep        = "invalid time separator, expected `:`"
	sdHour           = "invalid character in hour"
	sdMinute         = "invalid character in minute"
	sdSecond         = "invalid character in second"
	sdFraction       = "invalid character in second fraction"
	sdTzHour         = "invalid timezone hour"
	sdTzMinute       = "invalid timezone minute"
	sdTzMinuteRange  = "timezone minute value is outside expected range of 0-59"
	sdTzRange        = "timezone offset must be less than 24 hours"
	sdMonthRange     = "month value is outside expected range of 1-12"
	sdDayRange       = "day value is outside expected range"
	sdHourRange      = "hour value is outside expected range of 0-23"
	sdMinuteRange    = "minute value is outside expected range of 0-59"
	sdSecondRange    = "second value is outside expected range of 0-59"
	sdDateTooSmall   = "dates before 0000 are not supported as unix timestamps"
	sdDateTooLarge   = "dates after 9999 are not supported as unix timestamps"
	sdYearZero       = "year 0 is out of range"
	unix0000         = -62167219200
	unix9999         = 253402300799
	msWatershed      = 20000000000
	secondsPerDay    = 86400
	msgDateFromDT    = "Input should be a valid date or datetime, "
	msgDateInexact   = "Datetimes provided to dates should have zero time - e.g. be exact dates"
	msgDateType      = "Input should be a valid date"
	typeDateFromDT   = "date_from_datetime_parsing"
	typeDateInexact  = "date_from_datetime_inexact"
	typeDateTypeName = "date_type"
)

func digits2(s string, i int) (int, bool) {
	if i+2 > len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) {
		return 0, false
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0'), true
}

// datePartial is speedate's Date::parse_bytes_partial.
func datePartial(s string) (civilDate, string) {
	if len(s) < 10 {
		return civilDate{}, sdTooShort
	}
	y := 0
	for i := 0; i < 4; i++ {
		if !isDigit(s[i]) {
			return civilDate{}, sdYear
		}
		y = y*10 + int(s[i]-'0')
	}
	if s[4] != '-' {
		return civilDate{}, sdDateSep
	}
	m, ok := digits2(s, 5)
	if !ok {
		return civilDate{}, sdMonth
	}
	if s[7] != '-' {
		return civilDate{}, sdDateSep
	}
	d, ok := digits2(s, 8)
	if !ok {
		return civilDate{}, sdDay
	}
	if m < 1 || m > 12 {
		return civilDate{}, sdMonthRange
	}
	if d < 1 || d > daysIn(y, m) {
		return civilDate{}, sdDayRange
	}
	return civilDate{y, m, d}, ""
}

// timeZero reports whether the time part at s[off:] is midnight; the error
// text follows speedate's Time::parse_bytes_offset.
func parseTimeAt(s string, off int) (zero bool, errText string) {
	if len(s)-off < 5 {
		return false, sdTooShort
	}
	h, ok := digits2(s, off)
	if !ok {
		return false, sdHour
	}
	if s[off+2] != ':' {
		return false, sdTimeSep
	}
	mi, ok := digits2(s, off+3)
	if !ok {
		return false, sdMinute
	}
	length := 5
	sec, frac := 0, 0
	if off+5 < len(s) && s[off+5] == ':' {
		sec, ok = digits2(s, off+6)
		if !ok {
			return false, sdSecond
		}
		length = 8
		if off+8 < len(s) && (s[off+8] == '.' || s[off+8] == ',') {
			length = 9
			k := 0
			for off+length+k < len(s) && isDigit(s[off+length+k]) {
				if s[off+length+k] != '0' {
					frac = 1
				}
				k++
			}
			if k == 0 {
				return false, sdFraction
			}
			length += k
		}
	}
	if h > 23 {
		return false, sdHourRange
	}
	if mi > 59 {
		return false, sdMinuteRange
	}
	if sec > 59 {
		return false, sdSecondRange
	}
	pos := off + length
	if pos < len(s) {
		switch s[pos] {
		case 'Z', 'z':
			pos++
		case '+', '-':
			th, ok := digits2(s, pos+1)
			if !ok {
				return false, sdTzHour
			}
			total := th * 3600
			pos += 3
			if pos < len(s) && s[pos] == ':' {
				pos++
			}
			if pos < len(s) && isDigit(s[pos]) {
				tm, ok := digits2(s, pos)
				if !ok {
					return false, sdTzMinute
				}
				if tm > 59 {
					return false, sdTzMinuteRange
				}
				total += tm * 60
				pos += 2
			}
			if total >= 24*3600 {
				return false, sdTzRange
			}
		}
	}
	if len(s) > pos {
		return false, sdExtra
	}
	return h == 0 && mi == 0 && sec == 0 && frac == 0, ""
}

// civilFromDays converts days since 1970-01-01 to a date.
func civilFromDays(z int64) civilDate {
	t := time.Unix(z*secondsPerDay, 0).UTC()
	return civilDate{t.Year(), int(t.Month()), t.Day()}
}

// dateFromTimestamp handles a unix timestamp (seconds, or milliseconds past
// the watershed); exact reports a midnight timestamp.
func dateFromTimestamp(ts float64) (civilDate, bool, string) {
	if math.Abs(ts) > msWatershed {
		ts /= 1000
	}
	if ts < unix0000 {
		return civilDate{}, false, sdDateTooSmall
	}
	if ts > unix9999 {
		return civilDate{}, false, sdDateTooLarge
	}
	days := math.Floor(ts / secondsPerDay)
	rem := ts - days*secondsPerDay
	return civilFromDays(int64(days)), rem == 0, ""
}

var numericStringRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// laxDate validates a value for a datetime.date field.
func laxDate(v any, l []any) (civilDate, obj) {
	fromDT := func(text string) obj {
		return verr(typeDateFromDT, l, msgDateFromDT+text, v, obj{{"error", text}})
	}
	inexact := verr(typeDateInexact, l, msgDateInexact, v, nil)
	finish := func(d civilDate, exact bool, errText string) (civilDate, obj) {
		switch {
		case errText != "":
			return civilDate{}, fromDT(errText)
		case !exact:
			return civilDate{}, inexact
		case d.y == 0:
			return civilDate{}, fromDT(sdYearZero)
		}
		return d, nil
	}
	switch x := v.(type) {
	case string:
		if d, e := datePartial(x); e == "" && len(x) == 10 {
			return finish(d, true, "")
		}
		if numericStringRE.MatchString(x) {
			f, err := strconv.ParseFloat(x, 64)
			if err == nil {
				return finish(dateFromTimestamp(f))
			}
		}
		d, e := datePartial(x)
		if e != "" {
			return finish(d, false, e)
		}
		if len(x) == 10 {
			return finish(d, false, sdDateTimeSep)
		}
		switch x[10] {
		case 'T', 't', ' ', '_':
		default:
			return finish(d, false, sdDateTimeSep)
		}
		zero, e := parseTimeAt(x, 11)
		return finish(d, zero, e)
	case pyInt:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return finish(civilDate{}, false, sdDateTooLarge)
		}
		return finish(dateFromTimestamp(f))
	case pyFloat:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return civilDate{}, verr(typeDateTypeName, l, msgDateType, v, nil)
		}
		return finish(dateFromTimestamp(f))
	}
	return civilDate{}, verr(typeDateTypeName, l, msgDateType, v, nil)
}

// ---- Open WebUI validators ----------------------------------------------

// validEmailFormat is utils.misc.validate_email_format.
func validEmailFormat(email string) bool {
	if strings.HasSuffix(email, "@localhost") {
		return true
	}
	// re.match(r'[^@]+@[^@]+\.[^@]+', email)
	at := strings.IndexByte(email, '@')
	if at < 1 {
		return false
	}
	seg := email[at+1:]
	if k := strings.IndexByte(seg, '@'); k >= 0 {
		seg = seg[:k]
	}
	dot := strings.LastIndexByte(seg, '.')
	for dot > 0 {
		if dot < len(seg)-1 {
			return true
		}
		dot = strings.LastIndexByte(seg[:dot], '.')
	}
	return false
}

const (
	msgImageNoHost = "Invalid profile image URL: HTTP(S) URLs must include a host."
	msgImageBad    = "Invalid profile image URL: must be a known internal path, an HTTP(S) URL with a host, or a data:image URI (png/jpeg/gif/webp)."
)

var (
	userImageRE = regexp.MustCompile(`^/api/v1/users/[^/?#]+/profile/image\n?$`)
	dataImageRE = regexp.MustCompile(`(?i)^data:image/(gif|jpeg|png|webp);base64,`)
)

// checkProfileImageURL is utils.validate.validate_profile_image_url; it
// returns the ValueError text or "".
func checkProfileImageURL(u string) string {
	if u == "" {
		return ""
	}
	switch u {
	case "/user.png", "/favicon.png", "/static/favicon.png":
		return ""
	}
	if userImageRE.MatchString(u) {
		return ""
	}
	scheme, netloc, err := pyURLSplit(u)
	if err != "" {
		return err
	}
	if scheme == "http" || scheme == "https" {
		if pyHostname(netloc) == "" {
			return msgImageNoHost
		}
		return ""
	}
	if dataImageRE.MatchString(u) {
		return ""
	}
	return msgImageBad
}

// pyURLSplit returns the scheme and netloc as urllib.parse.urlsplit does,
// or the text of the ValueError it raises.
func pyURLSplit(u string) (scheme, netloc, errText string) {
	u = strings.TrimLeftFunc(u, func(r rune) bool { return r <= ' ' })
	u = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(u)
	if i := strings.IndexByte(u, ':'); i > 0 && isASCIILetter(u[0]) {
		ok := true
		for k := 0; k < i; k++ {
			c := u[k]
			if !(isASCIILetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			scheme, u = strings.ToLower(u[:i]), u[i+1:]
		}
	}
	if strings.HasPrefix(u, "//") {
		rest := u[2:]
		end := len(rest)
		if k := strings.IndexAny(rest, "/?#"); k >= 0 {
			end = k
		}
		netloc = rest[:end]
		open, shut := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
		if open != shut {
			return scheme, netloc, "Invalid IPv6 URL"
		}
		if open {
			if e := checkBracketedNetloc(netloc); e != "" {
				return scheme, netloc, e
			}
		}
	}
	return scheme, netloc, ""
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

var ipvFutureRE = regexp.MustCompile(`^v[a-fA-F0-9]+\..+$`)

func checkBracketedNetloc(netloc string) string {
	hp := netloc[strings.LastIndexByte(netloc, '@')+1:]
	before, bracketed, found := strings.Cut(hp, "[")
	var host string
	if found {
		if before != "" {
			return "Invalid IPv6 URL"
		}
		h, port, _ := strings.Cut(bracketed, "]")
		if port != "" && !strings.HasPrefix(port, ":") {
			return "Invalid IPv6 URL"
		}
		host = h
	} else {
		host, _, _ = strings.Cut(hp, ":")
	}
	if strings.HasPrefix(host, "v") {
		if !ipvFutureRE.MatchString(host) {
			return "IPvFuture address is invalid"
		}
		return ""
	}
	addr := host
	if k := strings.IndexByte(addr, '%'); k >= 0 {
		addr = addr[:k]
	}
	ip := net.ParseIP(addr)
	if ip == nil {
		return fmt.Sprintf("%s does not appear to be an IPv4 or IPv6 address", pyRepr(host))
	}
	if ip.To4() != nil && !strings.Contains(addr, ":") {
		return "An IPv4 address cannot be in brackets"
	}
	return ""
}

// pyRepr quotes a string like Python's repr (enough for error texts).
func pyRepr(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// pyHostname is SplitResult.hostname ("" for None).
func pyHostname(netloc string) string {
	hostinfo := netloc[strings.LastIndexByte(netloc, '@')+1:]
	var host string
	if _, bracketed, found := strings.Cut(hostinfo, "["); found {
		host, _, _ = strings.Cut(bracketed, "]")
	} else {
		host, _, _ = strings.Cut(hostinfo, ":")
	}
	return strings.ToLower(host)
}

const (
	msgPasswordTooLong   = "Uh-oh! The password you entered is too long. Please make sure your password is less than 72 bytes long."
	msgPasswordPolicy    = "The password does not meet the required validation criteria."
	maxBcryptPasswordLen = 72
)

// checkPassword is utils.auth.validate_password; it returns the error text
// or "".
func checkPassword(pw string, policy bool) string {
	if len(pw) > maxBcryptPasswordLen {
		return msgPasswordTooLong
	}
	if policy && !defaultPasswordPolicy(pw) {
		return msgPasswordPolicy
	}
	return ""
}

// defaultPasswordPolicy emulates
// re.match(r'^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^\w\s]).{8,}$', pw).
func defaultPasswordPolicy(pw string) bool {
	line := strings.TrimSuffix(pw, "\n")
	if strings.Contains(line, "\n") || utf8.RuneCountInString(line) < 8 {
		return false
	}
	var lower, upper, digit, symbol bool
	for _, r := range line {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		}
		if unicode.IsDigit(r) {
			digit = true
		}
		if !pyIsWord(r) && !pyIsSpace(r) {
			symbol = true
		}
	}
	return lower && upper && digit && symbol
}

func pyIsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
