package owui

import (
	"strconv"
)

// A sign-in or get_session_user answer is read on every such call. Read by
// encoding/json it was scanned three times (validated, then decoded, the
// permission tree skipped over and handed to Permissions, which reads it
// again): about 28 us of CPU a call in the running server. decodeFast reads
// an answer shaped as Open WebUI shapes it in one pass, the tree put in
// order on the way; anything it does not take (escapes in strings, numbers
// where strings go, keys differing only in case, ...) is read by
// encoding/json instead, so what an answer decodes to never depends on
// which reader read it.

func (r *SessionUserResponse) decodeFast(b []byte) bool {
	var info SessionUserInfoResponse
	if !decodeSessionUser(b, &info, false) {
		return false
	}
	*r = info.SessionUserResponse
	return true
}

func (r *SessionUserInfoResponse) decodeFast(b []byte) bool {
	return decodeSessionUser(b, r, true)
}

// sessionUserKeys are the keys SessionUserInfoResponse reads; withInfo
// marks those only it has, not SessionUserResponse.
var sessionUserKeys = map[string]bool{
	"token": false, "token_type": false, "expires_at": false, "id": false, "email": false, "name": false,
	"role": false, "profile_image_url": false, "permissions": false,
	"bio": true, "gender": true, "date_of_birth": true, "status_emoji": true, "status_message": true, "status_expires_at": true,
}

// decodeSessionUser fills r as json.Unmarshal would, or reports false and
// leaves r alone. info says whether r is read whole or only as its
// embedded SessionUserResponse (whose decoding ignores the other keys).
func decodeSessionUser(b []byte, r *SessionUserInfoResponse, info bool) bool {
	c := canon{in: b, entries: make([]entry, 0, 64)}
	var out SessionUserInfoResponse
	c.space()
	if c.peek() != '{' {
		return false
	}
	c.i++
	c.space()
	if c.peek() == '}' {
		c.i++
		return c.end(r, &out)
	}
	for {
		c.space()
		quoted, ok := c.str()
		if !ok {
			return false
		}
		key := quoted[1 : len(quoted)-1]
		c.space()
		if c.peek() != ':' {
			return false
		}
		c.i++
		c.space()
		only, known := sessionUserKeys[string(key)]
		switch {
		case known && (!only || info):
			if !c.sessionUserField(&out, string(key)) {
				return false
			}
		case foldsToKey(key, info):
			return false // encoding/json matches keys whatever their case
		default:
			if _, ok := c.value(nil, 0); !ok {
				return false
			}
		}
		c.space()
		switch c.peek() {
		case ',':
			c.i++
			continue
		case '}':
			c.i++
			return c.end(r, &out)
		}
		return false
	}
}

func (c *canon) end(r, out *SessionUserInfoResponse) bool {
	c.space()
	if c.i != len(c.in) {
		return false
	}
	*r = *out
	return true
}

// foldsToKey reports whether key names a field read (info: of the whole
// answer) in another case, or might (non-ASCII).
func foldsToKey(key []byte, info bool) bool {
	for _, b := range key {
		if b >= 0x80 {
			return true
		}
	}
	for name, only := range sessionUserKeys {
		if (!only || info) && len(name) == len(key) && asciiEqualFold(key, name) {
			return true
		}
	}
	return false
}

func asciiEqualFold(key []byte, name string) bool {
	for i, b := range key {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		n := name[i]
		if 'A' <= n && n <= 'Z' {
			n += 'a' - 'A'
		}
		if b != n {
			return false
		}
	}
	return true
}

// sessionUserField reads the value of one known key into out.
func (c *canon) sessionUserField(out *SessionUserInfoResponse, key string) bool {
	null := c.null()
	switch key {
	case "token":
		return null || c.plainString(&out.Token)
	case "token_type":
		return null || c.plainString(&out.TokenType)
	case "id":
		return null || c.plainString(&out.ID)
	case "email":
		return null || c.plainString(&out.Email)
	case "name":
		return null || c.plainString(&out.Name)
	case "role":
		return null || c.plainString(&out.Role)
	case "profile_image_url":
		return null || c.plainString(&out.ProfileImageURL)
	case "expires_at":
		return c.optInt(&out.ExpiresAt, null)
	case "status_expires_at":
		return c.optInt(&out.StatusExpiresAt, null)
	case "bio":
		return c.optString(&out.Bio, null)
	case "gender":
		return c.optString(&out.Gender, null)
	case "status_emoji":
		return c.optString(&out.StatusEmoji, null)
	case "status_message":
		return c.optString(&out.StatusMessage, null)
	case "date_of_birth":
		if null {
			out.DateOfBirth = nil
			return true
		}
		start := c.i
		var s string
		if !c.plainString(&s) {
			return false
		}
		var d Date
		if d.UnmarshalJSON(c.in[start:c.i]) != nil {
			return false // encoding/json reports it
		}
		out.DateOfBirth = &d
		return true
	case "permissions":
		if null {
			out.Permissions = nil
			return true
		}
		if c.peek() != '{' {
			return false
		}
		tree, ok := c.value(make([]byte, 0, 2*(len(c.in)-c.i)+16), 0)
		if !ok {
			return false
		}
		out.Permissions = tree
		return true
	}
	return false
}

// null consumes a JSON null, if that is what comes next.
func (c *canon) null() bool {
	if _, ok := c.lit(nil, "null"); ok {
		return true
	}
	return false
}

// plainString reads a string canon takes (no escapes, nothing to escape
// on the way out) into s.
func (c *canon) plainString(s *string) bool {
	q, ok := c.str()
	if ok {
		*s = string(q[1 : len(q)-1])
	}
	return ok
}

func (c *canon) optString(p **string, null bool) bool {
	if null {
		*p = nil
		return true
	}
	var s string
	if !c.plainString(&s) {
		return false
	}
	*p = &s
	return true
}

// optInt reads an integer into an *int64 as encoding/json does, for
// integers it writes back unchanged.
func (c *canon) optInt(p **int64, null bool) bool {
	if null {
		*p = nil
		return true
	}
	start := c.i
	if _, ok := c.integer(nil); !ok {
		return false
	}
	n, err := strconv.ParseInt(string(c.in[start:c.i]), 10, 64)
	if err != nil {
		return false
	}
	*p = &n
	return true
}
