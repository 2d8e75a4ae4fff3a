package owui

import (
	"encoding/json"
	"fmt"
	"time"
)

// The request forms below are sent on the wire as they are and are also the
// source of the MCP tools' input schemas, so their jsonschema tags say what
// the server requires ("required") and what each field means to an agent.

// SigninForm is the body of signin.
type SigninForm struct {
	// No format: Open WebUI does not check it at sign-in, and accounts from
	// LDAP or OAuth may have addresses a stricter check would refuse.
	// Email and Password are optional to the tool, not to Open WebUI:
	// without a password the tool opens a one-time browser page instead,
	// so that the password never passes through the chat.
	Email    string `json:"email,omitempty" jsonschema_description:"Account email; with no password, prefilled on the sign-in page."`
	Password string `json:"password,omitempty" jsonschema_description:"Leave out (preferred): the user then types it on a one-time browser page, never in the chat. Give it only if the user typed it here themselves."`
}

// LdapForm is the body of signin_ldap.
type LdapForm struct {
	User     string `json:"user,omitempty" jsonschema_description:"LDAP username; with no password, prefilled on the sign-in page."`
	Password string `json:"password,omitempty" jsonschema_description:"Leave out (preferred): the user then types it on a one-time browser page, never in the chat. Give it only if the user typed it here themselves."`
}

// SignupForm is the body of signup.
type SignupForm struct {
	Name            string `json:"name" jsonschema:"required" jsonschema_description:"Display name."`
	Email           string `json:"email" jsonschema:"required,format=email" jsonschema_description:"Email; must be unused."`
	Password        string `json:"password" jsonschema:"required" jsonschema_description:"Password; max 72 bytes if the server hashes with bcrypt (the default)."`
	ProfileImageURL string `json:"profile_image_url,omitempty" jsonschema_description:"Avatar: /user.png, http(s) URL or data:image URI."`
}

// AddUserForm is the body of add_user.
type AddUserForm struct {
	SignupForm
	Role string `json:"role,omitempty" jsonschema:"enum=pending,enum=user,enum=admin" jsonschema_description:"Role; default pending."`
}

// UpdateProfileForm is the body of update_profile. The server writes all
// five fields, so an omitted optional field is stored as null.
type UpdateProfileForm struct {
	ProfileImageURL string  `json:"profile_image_url" jsonschema:"required" jsonschema_description:"Avatar: /user.png, http(s) URL or data:image URI."`
	Name            string  `json:"name" jsonschema:"required" jsonschema_description:"Display name."`
	Bio             *string `json:"bio" jsonschema:"nullable" jsonschema_description:"Biography."`
	Gender          *string `json:"gender" jsonschema:"nullable" jsonschema_description:"Gender, free text."`
	DateOfBirth     *Date   `json:"date_of_birth" jsonschema:"nullable,format=date" jsonschema_description:"Birth date, YYYY-MM-DD."`
}

// UpdateTimezoneForm is the body of update_timezone.
type UpdateTimezoneForm struct {
	Timezone string `json:"timezone" jsonschema:"required" jsonschema_description:"IANA time zone, e.g. Europe/Berlin."`
}

// UpdatePasswordForm is the body of update_password.
type UpdatePasswordForm struct {
	// Both optional to the tool: without them it opens a one-time browser
	// page that asks for them.
	Password    string `json:"password,omitempty" jsonschema_description:"Current password. Leave out both passwords (preferred): the user then types them on a one-time browser page, never in the chat."`
	NewPassword string `json:"new_password,omitempty" jsonschema_description:"New password; max 72 bytes if the server hashes with bcrypt (the default). Leave out with password."`
}

// TokenExchangeForm is the body of token_exchange.
type TokenExchangeForm struct {
	Token string `json:"token" jsonschema:"required" jsonschema_description:"Provider access token."`
}

// LdapConfigForm is the body of update_ldap_config.
type LdapConfigForm struct {
	EnableLDAP *bool `json:"enable_ldap" jsonschema:"nullable" jsonschema_description:"true: on; false or null: off."`
}

// Date is a calendar date as Open WebUI exchanges it: "YYYY-MM-DD".
type Date string

const dateLayout = "2006-01-02"

// UnmarshalJSON refuses anything but a real YYYY-MM-DD date, so that a bad
// date is caught before a request is sent.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD")
	}
	if _, err := time.Parse(dateLayout, s); err != nil {
		return fmt.Errorf("date %q is not a valid YYYY-MM-DD date", s)
	}
	*d = Date(s)
	return nil
}
