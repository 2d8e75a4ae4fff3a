package tools

import (
	"encoding/json"

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

// okResult wraps a bare boolean answer so that structuredContent is an object.
type okResult struct {
	OK bool `json:"ok" jsonschema:"required"`
}

// present turns an owui answer into the object a tool returns.
func present(v any, reveal bool) any {
	switch r := v.(type) {
	case bool:
		return okResult{OK: r}
	case *owui.SessionUserResponse:
		c := *r
		c.Token = tokenKept
		return &c
	case *owui.SessionUserInfoResponse:
		c := *r
		c.Token = tokenKept
		return &c
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
		c.AppDNPassword = maskIfSet(c.AppDNPassword)
		return &c
	case *updateResult:
		for _, k := range secretFields {
			if s, ok := r.Stored[k].(string); ok {
				r.Stored[k] = maskIfSet(s)
			}
		}
		return r
	case *owui.OAuthConfig:
		c := *r
		if c.OAuthClientSecret != nil {
			m := maskIfSet(*c.OAuthClientSecret)
			c.OAuthClientSecret = &m
		}
		return &c
	}
	return v
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

// secretFields are the update arguments that carry a stored secret.
var secretFields = []string{"app_dn_password", "OAUTH_CLIENT_SECRET"}

// dropMaskedSecrets removes secrets that are only the mask echoed back.
func dropMaskedSecrets(patch map[string]json.RawMessage) {
	for _, k := range secretFields {
		var s string
		if v, ok := patch[k]; ok && json.Unmarshal(v, &s) == nil && s == Mask {
			delete(patch, k)
		}
	}
}
