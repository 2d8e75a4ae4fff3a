package tools

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

// The shapes tools answer with, where they differ from Open WebUI's own:
// every success that is only a yes is {"ok": true}, times come also as ISO
// 8601, and a sign-in answers compactly.

// okResult is a success with nothing else to say, so that structuredContent
// is an object.
type okResult struct {
	OK bool `json:"ok" jsonschema:"required"`
}

// account is who a session acts as, and until when.
type account struct {
	ID              string `json:"id" jsonschema:"required"`
	Email           string `json:"email" jsonschema:"required"`
	Name            string `json:"name" jsonschema:"required"`
	Role            string `json:"role" jsonschema:"required"`
	ProfileImageURL string `json:"profile_image_url"`
	// Token says that owui-mcp keeps the session token; it is never shown.
	Token string `json:"token" jsonschema:"required"`
	// ExpiresAt is epoch seconds, ExpiresAtISO the same moment in UTC;
	// both null when the credential never expires (an API key).
	ExpiresAt    *int64  `json:"expires_at" jsonschema:"required,nullable"`
	ExpiresAtISO *string `json:"expires_at_iso" jsonschema:"required,nullable"`
}

func newAccount(r *owui.SessionUserResponse) account {
	a := account{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, ProfileImageURL: r.ProfileImageURL,
		Token: tokenKept, ExpiresAt: r.ExpiresAt}
	if r.ExpiresAt != nil {
		iso := time.Unix(*r.ExpiresAt, 0).UTC().Format(time.RFC3339)
		a.ExpiresAtISO = &iso
	}
	return a
}

// sessionResult answers the sign-in tools: the account, and what it may do
// in short. The permission tree is most of a sign-in answer (1.4 KiB of 2);
// get_session_user shows it whole.
type sessionResult struct {
	account
	// PermissionsGranted lists, per group, the permissions that are on.
	PermissionsGranted map[string][]string `json:"permissions_granted" jsonschema:"required"`
}

func newSessionResult(r *owui.SessionUserResponse) *sessionResult {
	return &sessionResult{account: newAccount(r), PermissionsGranted: granted(r.Permissions)}
}

// granted lists the permissions that are on, group by group (nested ones
// as dotted names); groups with none on are left out.
func granted(tree owui.Permissions) map[string][]string {
	out := map[string][]string{}
	perms, _ := tree.Map() // it was read from JSON, so it decodes
	for _, group := range slices.Sorted(maps.Keys(perms)) {
		var on []string
		var collect func(prefix string, v any)
		collect = func(prefix string, v any) {
			switch x := v.(type) {
			case bool:
				if x {
					on = append(on, prefix)
				}
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(x)) {
					collect(strings.TrimPrefix(prefix+"."+k, "."), x[k])
				}
			}
		}
		collect("", perms[group])
		if len(on) > 0 {
			out[group] = on
		}
	}
	return out
}

// sessionInfoResult answers get_session_user: the whole account, the
// permission tree included.
type sessionInfoResult struct {
	account
	Permissions     owui.Permissions `json:"permissions" jsonschema:"required,nullable"`
	Bio             *string          `json:"bio" jsonschema:"nullable"`
	Gender          *string          `json:"gender" jsonschema:"nullable"`
	DateOfBirth     *owui.Date       `json:"date_of_birth" jsonschema:"nullable"`
	StatusEmoji     *string          `json:"status_emoji" jsonschema:"nullable"`
	StatusMessage   *string          `json:"status_message" jsonschema:"nullable"`
	StatusExpiresAt *int64           `json:"status_expires_at" jsonschema:"nullable"`
}

// appendJSON writes the result as json.Marshal does, without the pass
// json.Marshal makes over the permission tree (1.4 KiB of the 1.6) to
// compact what its MarshalJSON returns: owui.Permissions holds the tree
// compact and escaped already, so it is copied between the fields before
// and after it, each encoded by json.Marshal.
func (r *sessionInfoResult) appendJSON(dst []byte) ([]byte, error) {
	if len(r.Permissions) == 0 {
		b, err := json.Marshal(r)
		return append(dst, b...), err
	}
	before, err := json.Marshal(&r.account)
	if err != nil {
		return dst, err
	}
	after, err := json.Marshal(sessionInfoTail{Bio: r.Bio, Gender: r.Gender, DateOfBirth: r.DateOfBirth,
		StatusEmoji: r.StatusEmoji, StatusMessage: r.StatusMessage, StatusExpiresAt: r.StatusExpiresAt})
	if err != nil {
		return dst, err
	}
	dst = append(dst, before[:len(before)-1]...)
	dst = append(dst, `,"permissions":`...)
	dst = append(dst, r.Permissions...)
	dst = append(dst, ',')
	return append(dst, after[1:]...), nil
}

// sessionInfoTail is sessionInfoResult's fields after the permissions.
type sessionInfoTail struct {
	Bio             *string    `json:"bio"`
	Gender          *string    `json:"gender"`
	DateOfBirth     *owui.Date `json:"date_of_birth"`
	StatusEmoji     *string    `json:"status_emoji"`
	StatusMessage   *string    `json:"status_message"`
	StatusExpiresAt *int64     `json:"status_expires_at"`
}

func newSessionInfoResult(r *owui.SessionUserInfoResponse) *sessionInfoResult {
	return &sessionInfoResult{account: newAccount(&r.SessionUserResponse), Permissions: r.Permissions,
		Bio: r.Bio, Gender: r.Gender, DateOfBirth: r.DateOfBirth,
		StatusEmoji: r.StatusEmoji, StatusMessage: r.StatusMessage, StatusExpiresAt: r.StatusExpiresAt}
}

// profileResult answers update_profile with the profile as stored: the
// server's answer leaves out bio, gender and birth date, but it stored them
// as sent.
type profileResult struct {
	owui.UserProfileImageResponse
	Bio         *string    `json:"bio" jsonschema:"nullable"`
	Gender      *string    `json:"gender" jsonschema:"nullable"`
	DateOfBirth *owui.Date `json:"date_of_birth" jsonschema:"nullable"`
}

// signOutResult says how far a sign-out went: a token this MCP session
// obtained is signed out at Open WebUI; a credential it was given (a header,
// OWUI_API_KEY) is only forgotten, since it may be in use elsewhere: under
// Open WebUI's Session auth it is the chatting user's own browser session.
type signOutResult struct {
	OK          bool   `json:"ok" jsonschema:"required"`
	Scope       string `json:"scope" jsonschema:"required,enum=open_webui,enum=mcp_session"`
	Note        string `json:"note" jsonschema:"required"`
	RedirectURL string `json:"redirect_url,omitempty"`
}
