package owuitest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ---- versions -------------------------------------------------------------

type semver [3]int

func parseVersion(s string) semver {
	var v semver
	for i, part := range strings.SplitN(s, ".", 3) {
		n := 0
		for k := 0; k < len(part) && isDigit(part[k]); k++ {
			n = n*10 + int(part[k]-'0')
			if n > 1<<20 {
				break
			}
		}
		v[i] = n
	}
	return v
}

func (v semver) atLeast(o semver) bool {
	for i := 0; i < 3; i++ {
		if v[i] != o[i] {
			return v[i] > o[i]
		}
	}
	return true
}

func ver(a, b, c int) semver { return semver{a, b, c} }

// ---- ids, keys, passwords ----------------------------------------------------

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newAPIKey is create_api_key(): "sk-" + uuid4().hex.
func newAPIKey() string { return "sk-" + strings.ReplaceAll(uuid4(), "-", "") }

// pwHash is a salted SHA-256 password hash (bcrypt semantics: only the
// first 72 bytes count).
type pwHash struct {
	salt [16]byte
	sum  [32]byte
}

func truncate72(pw string) string {
	if len(pw) > maxBcryptPasswordLen {
		return pw[:maxBcryptPasswordLen]
	}
	return pw
}

func hashPassword(pw string) *pwHash {
	h := &pwHash{}
	_, _ = rand.Read(h.salt[:])
	h.sum = h.digest(pw)
	return h
}

func (h *pwHash) digest(pw string) [32]byte {
	d := sha256.New()
	d.Write(h.salt[:])
	d.Write([]byte(truncate72(pw)))
	var out [32]byte
	copy(out[:], d.Sum(nil))
	return out
}

func (h *pwHash) verify(pw string) bool {
	if h == nil {
		return false
	}
	got := h.digest(pw)
	return subtle.ConstantTimeCompare(got[:], h.sum[:]) == 1
}

// ---- durations ------------------------------------------------------------------

var (
	durationPartRE = regexp.MustCompile(`(-?\d+(\.\d+)?)(ms|s|m|h|d|w)`)
	adminJWTRE     = regexp.MustCompile(`^(-1|0|(-?\d+(\.\d+)?)(ms|s|m|h|d|w))\n?$`)
)

var errBadDuration = errors.New("owuitest: invalid JWT_EXPIRES_IN duration")

// parseDuration is utils.misc.parse_duration; it returns the delta in
// seconds or nil for "no expiry" (including a zero total).
func parseDuration(s string) (*float64, error) {
	if s == "-1" || s == "0" {
		return nil, nil
	}
	m := durationPartRE.FindAllStringSubmatch(s, -1)
	if len(m) == 0 {
		return nil, errBadDuration
	}
	total := 0.0
	for _, part := range m {
		n, _ := strconv.ParseFloat(part[1], 64)
		switch part[3] {
		case "ms":
			total += n / 1000
		case "s":
			total += n
		case "m":
			total += n * 60
		case "h":
			total += n * 3600
		case "d":
			total += n * 86400
		case "w":
			total += n * 604800
		}
	}
	if math.Abs(total) > 999999999*86400 || math.IsNaN(total) {
		return nil, errBadDuration
	}
	if total == 0 {
		return nil, nil
	}
	return &total, nil
}

// ---- JWT (HS256, PyJWT semantics) ---------------------------------------------------

const jwtHeaderSeg = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" // {"alg":"HS256","typ":"JWT"}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64urlDecode(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil
}

func unixFloat(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// expiryOf returns exp (floor of now+delta) and whether it is inside the
// range Python's datetime can represent.
func expiryOf(now time.Time, delta float64) (int64, bool) {
	e := math.Floor(unixFloat(now) + delta)
	if e < -62135596800 || e > 253402300799 {
		return 0, false
	}
	return int64(e), true
}

// mintJWT is create_token({"id": id}, expires_delta).
func (s *Server) mintJWT(id string, now time.Time, delta *float64) (string, error) {
	payload := obj{{"id", id}}
	if delta != nil {
		exp, ok := expiryOf(now, *delta)
		if !ok {
			return "", errBadDuration
		}
		payload = append(payload, kv{"exp", exp})
	}
	payload = append(payload, kv{"jti", uuid4()}, kv{"iat", now.Unix()})
	body, err := encodePyJSON(payload)
	if err != nil {
		return "", err
	}
	signing := jwtHeaderSeg + "." + b64url(body)
	mac := hmac.New(sha256.New, []byte(s.cfg.secret))
	mac.Write([]byte(signing))
	return signing + "." + b64url(mac.Sum(nil)), nil
}

// claimInt is Python's int(value) on a claim.
func claimInt(v any) (int64, bool) {
	var text string
	switch x := v.(type) {
	case pyInt:
		text = string(x)
	case pyFloat:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9e18 {
			return 0, false
		}
		return int64(math.Trunc(f)), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		p, ok := pythonInt(x)
		if !ok {
			return 0, false
		}
		text = string(p)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// Out of int64 range: treat as far future / far past.
		if strings.HasPrefix(text, "-") {
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	return n, true
}

// decodeJWT is decode_token(): jwt.decode(token, secret, ["HS256"]); any
// failure gives nil.
func (s *Server) decodeJWT(tok string, now time.Time) obj {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	hb, ok1 := b64urlDecode(parts[0])
	pb, ok2 := b64urlDecode(parts[1])
	sig, ok3 := b64urlDecode(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	hv, jerr, err := decodePyJSON(hb)
	if jerr != nil || err != nil {
		return nil
	}
	header, ok := hv.(obj)
	if !ok {
		return nil
	}
	if alg, _ := header.get("alg"); alg != "HS256" {
		return nil
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil
	}
	pv, jerr, err := decodePyJSON(pb)
	if jerr != nil || err != nil {
		return nil
	}
	claims, ok := pv.(obj)
	if !ok {
		return nil
	}
	nowSec := now.Unix()
	if v, ok := claims.get("exp"); ok {
		exp, ok := claimInt(v)
		if !ok || exp <= nowSec {
			return nil
		}
	}
	if v, ok := claims.get("iat"); ok {
		iat, ok := claimInt(v)
		if !ok || iat > nowSec {
			return nil
		}
	}
	if v, ok := claims.get("nbf"); ok {
		nbf, ok := claimInt(v)
		if !ok || nbf > nowSec {
			return nil
		}
	}
	if v, ok := claims.get("aud"); ok && truthy(v) {
		return nil // no audience is expected
	}
	if v, ok := claims.get("sub"); ok {
		if _, isStr := v.(string); !isStr {
			return nil
		}
	}
	if v, ok := claims.get("jti"); ok {
		if _, isStr := v.(string); !isStr {
			return nil
		}
	}
	return claims
}

// truthy is Python's bool(value) for decoded JSON values.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case pyInt:
		return x != "0"
	case pyFloat:
		return x != 0
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	case obj:
		return len(x) > 0
	}
	return true
}
