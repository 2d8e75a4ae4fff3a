package owui

import "errors"

// Responses. Fields the server may send as null are pointers; the
// jsonschema "required" tags list the keys every supported server sends.

// UserProfileImageResponse is update_profile's answer.
type UserProfileImageResponse struct {
	ID              string `json:"id" jsonschema:"required"`
	Email           string `json:"email" jsonschema:"required"`
	Name            string `json:"name" jsonschema:"required"`
	Role            string `json:"role" jsonschema:"required"`
	ProfileImageURL string `json:"profile_image_url" jsonschema:"required"`
}

func (r *UserProfileImageResponse) check() error { return checkUserID(r.ID) }

// SigninResponse is add_user's answer: the new account and a JWT for it.
type SigninResponse struct {
	Token     string `json:"token" jsonschema:"required"`
	TokenType string `json:"token_type" jsonschema:"required"`
	UserProfileImageResponse
}

func (r *SigninResponse) check() error { return checkSession(r.Token, r.ID) }

// SessionUserResponse is the answer of signin, signin_ldap, signup and
// token_exchange.
type SessionUserResponse struct {
	Token     string `json:"token" jsonschema:"required"`
	TokenType string `json:"token_type" jsonschema:"required"`
	// ExpiresAt is in epoch seconds; null means the token never expires.
	ExpiresAt *int64 `json:"expires_at" jsonschema:"required,nullable"`
	UserProfileImageResponse
	Permissions Permissions `json:"permissions" jsonschema:"required,nullable"`
}

// check refuses an answer without a token: keeping it would silently sign
// the session out.
func (r *SessionUserResponse) check() error { return checkSession(r.Token, r.ID) }

// SessionUserInfoResponse is get_session_user's answer.
type SessionUserInfoResponse struct {
	SessionUserResponse
	Bio             *string `json:"bio" jsonschema:"nullable"`
	Gender          *string `json:"gender" jsonschema:"nullable"`
	DateOfBirth     *Date   `json:"date_of_birth" jsonschema:"nullable,format=date"`
	StatusEmoji     *string `json:"status_emoji" jsonschema:"nullable"`
	StatusMessage   *string `json:"status_message" jsonschema:"nullable"`
	StatusExpiresAt *int64  `json:"status_expires_at" jsonschema:"nullable"`
}

// AdminDetails is get_admin_details' answer.
type AdminDetails struct {
	Name  *string `json:"name" jsonschema:"required,nullable"`
	Email *string `json:"email" jsonschema:"required,nullable"`
}

// StatusResponse is update_timezone's answer.
type StatusResponse struct {
	Status bool `json:"status" jsonschema:"required"`
}

// SignoutResponse is sign_out's answer; RedirectURL is set when the server
// wants the browser sent to an identity provider's logout page.
type SignoutResponse struct {
	Status      bool   `json:"status" jsonschema:"required"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

// LdapConfigResponse is the answer of get_ldap_config and update_ldap_config.
type LdapConfigResponse struct {
	EnableLDAP *bool `json:"ENABLE_LDAP" jsonschema:"required,nullable"`
}

// APIKey is the answer of generate_api_key and get_api_key.
type APIKey struct {
	APIKey *string `json:"api_key" jsonschema:"required,nullable"`
}

func checkSession(token, id string) error {
	if token == "" {
		return errors.New("no token in the answer")
	}
	return checkUserID(id)
}

func checkUserID(id string) error {
	if id == "" {
		return errors.New("no user id in the answer")
	}
	return nil
}
