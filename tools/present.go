package tools

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/owui-mcp/owui-mcp/owui"
)

// What a result may show is decided here, in one place: session tokens never
// leave the server, a new account's token is withheld, API keys are masked
// unless revealing is on, and stored passwords and client secrets are always
// masked.

const (
	// Mask replaces a stored secret in results. Sent back unchanged in an
	// update, it means "keep the stored value".
	Mask        = "********"
	tokenKept   = "(kept by owui-mcp for this session; not shown)"
	tokenHidden = "(withheld; sign in as this account to use it)"
	maskNote    = " Shown masked (sk-…1a2b)."
)

// present turns an owui answer into the object a tool returns.
func present(v any, reveal bool) any {
	switch r := v.(type) {
	case bool:
		return okResult{OK: r}
	case *owui.StatusResponse:
		return okResult{OK: r.Status}
	case *owui.SessionUserResponse:
		return newSessionResult(r)
	case *owui.SessionUserInfoResponse:
		return newSessionInfoResult(r)
	case *owui.SigninResponse:
		c := *r
		c.Token = tokenHidden
		return &c
	case *owui.APIKey:
		if reveal || r.APIKey == nil {
			return r
		}
		m := MaskAPIKey(*r.APIKey)
		return &owui.APIKey{APIKey: &m}
	case *owui.LdapServerConfig:
		c := *r
		c.Unknown = maskSecrets(&c, c.Unknown)
		return &c
	case *owui.OAuthConfig:
		c := *r
		c.Unknown = maskSecrets(&c, c.Unknown)
		return &c
	case *owui.AdminConfig:
		c := *r
		c.Unknown = maskSecrets(&c, c.Unknown)
		return &c
	case *updateResult:
		for k, v := range r.Stored {
			if s, ok := v.(string); ok && LooksSecret(k) {
				r.Stored[k] = maskIfSet(s)
			}
		}
		return r
	}
	return maskByName(v)
}

// maskByName masks, at any depth, every value under a key that looks
// secret, in a result present has no case of its own for. Masking fails
// closed: a result type added later has its secret-looking fields masked
// until a case says otherwise, rather than shown because nobody thought of
// it.
func maskByName(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v // the handler's own encoding fails the same way, with an error
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return v
	}
	if masked, changed := maskValue(false, x); changed {
		return masked
	}
	return v
}

// LooksSecret reports whether a settings field's name says it holds a
// secret. Known fields (app_dn_password, OAUTH_CLIENT_SECRET) and those a
// newer Open WebUI may add (GOOGLE_CLIENT_SECRET, OPENAI_API_KEYS,
// clientSecret, a "key" in a list of connections) are caught alike.
// "token" and "api_key" count only as the name's last words, and a name
// that ends in a word about a secret (its path, hint, expiry, method) is
// not one: OAUTH_TOKEN_ENDPOINT_AUTH_METHOD, API_KEYS_ALLOWED_ENDPOINTS and
// CLIENT_SECRET_EXPIRES_AT stay visible, as do switches (ENABLE_...).
func LooksSecret(name string) bool {
	w := nameWords(name)
	if len(w) == 0 || w[0] == "enable" {
		return false
	}
	last := w[len(w)-1]
	switch last {
	case "hint", "pattern", "path", "file", "length", "count", "at", "method", "url", "uri",
		"endpoint", "endpoints", "claim", "scope", "header", "name", "type", "enabled", "required":
		return false
	case "token", "tokens", "apikey", "apikeys":
		return true
	case "key", "keys":
		if len(w) == 1 || w[len(w)-2] == "api" {
			return true
		}
	}
	for _, x := range w {
		switch x {
		case "secret", "secrets", "password", "passwords", "passwd", "private":
			return true
		}
	}
	return false
}

// nameWords splits a field name into lower-case words, at _, - and . and
// where camelCase changes case.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range name {
		switch {
		case r == '_' || r == '-' || r == '.':
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return words
}

// secretFieldIndex lists, per struct type, the string fields whose JSON
// name looks secret; found once per type, not per call.
var secretFieldIndex sync.Map // reflect.Type -> []int

func secretFields(t reflect.Type) []int {
	if v, ok := secretFieldIndex.Load(t); ok {
		return v.([]int)
	}
	var idx []int
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.String && name != "" && LooksSecret(name) {
			idx = append(idx, i)
		}
	}
	secretFieldIndex.Store(t, idx)
	return idx
}

// maskSecrets masks, in the struct copy c points to, every string field
// that looks secret, and returns a copy of unknown (keys a newer server
// sent) with those that look secret masked too.
func maskSecrets(c any, unknown map[string]json.RawMessage) map[string]json.RawMessage {
	v := reflect.ValueOf(c).Elem()
	for _, i := range secretFields(v.Type()) {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			m := maskIfSet(f.Elem().String())
			f.Set(reflect.ValueOf(&m))
			continue
		}
		f.SetString(maskIfSet(f.String()))
	}
	if len(unknown) == 0 {
		return unknown
	}
	out := make(map[string]json.RawMessage, len(unknown))
	for k, raw := range unknown {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			out[k] = raw
			continue
		}
		masked, changed := maskValue(LooksSecret(k), v)
		if changed {
			raw, _ = json.Marshal(masked)
		}
		out[k] = raw
	}
	return out
}

// maskValue masks v if secret (any value but null, a boolean, a number or
// an empty string), and otherwise every value under a secret-looking key inside it,
// at any depth. changed says whether anything was masked.
func maskValue(secret bool, v any) (any, bool) {
	if secret {
		switch x := v.(type) {
		case nil, bool, float64:
			return v, false
		case string:
			return maskIfSet(x), x != ""
		}
		return Mask, true
	}
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if m, c := maskValue(LooksSecret(k), e); c {
				x[k], changed = m, true
			}
		}
	case []any:
		for i, e := range x {
			if m, c := maskValue(false, e); c {
				x[i], changed = m, true
			}
		}
	}
	return v, changed
}

// MaskAPIKey keeps only a recognisable tail of an API key.
func MaskAPIKey(k string) string {
	if len(k) <= 7 {
		return Mask
	}
	return "sk-…" + k[len(k)-4:]
}

// maskIfSet masks a secret but shows that an empty one is empty.
func maskIfSet(s string) string {
	if s == "" {
		return ""
	}
	return Mask
}

// dropMaskedSecrets removes secrets that are only the mask echoed back.
func dropMaskedSecrets(patch map[string]json.RawMessage) {
	for k, v := range patch {
		var s string
		if LooksSecret(k) && json.Unmarshal(v, &s) == nil && s == Mask {
			delete(patch, k)
		}
	}
}
