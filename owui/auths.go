package owui

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// One method per operation of the auths router. Each sends the session's
// credential and returns the server's answer, or an *Error.

// GetSessionUser returns the signed-in account (GET /auths/). An API-key
// caller gets the key itself back as Token.
func (s *Session) GetSessionUser(ctx context.Context) (*SessionUserInfoResponse, error) {
	return call[SessionUserInfoResponse](ctx, s, OpGetSessionUser, OpGetSessionUser.Path, nil)
}

// UpdateProfile writes all five profile fields; nil optional fields are
// stored as null.
func (s *Session) UpdateProfile(ctx context.Context, f UpdateProfileForm) (*UserProfileImageResponse, error) {
	return call[UserProfileImageResponse](ctx, s, OpUpdateProfile, OpUpdateProfile.Path, f)
}

// UpdateTimezone stores the account's time zone (Open WebUI 0.7.0+).
func (s *Session) UpdateTimezone(ctx context.Context, f UpdateTimezoneForm) (*StatusResponse, error) {
	return call[StatusResponse](ctx, s, OpUpdateTimezone, OpUpdateTimezone.Path, f)
}

// UpdatePassword changes the account's password. Existing tokens stay valid.
func (s *Session) UpdatePassword(ctx context.Context, f UpdatePasswordForm) (bool, error) {
	return deref(call[bool](ctx, s, OpUpdatePassword, OpUpdatePassword.Path, f))
}

// Signin signs in with email and password and keeps the returned token.
func (s *Session) Signin(ctx context.Context, f SigninForm) (*SessionUserResponse, error) {
	return s.keep(call[SessionUserResponse](ctx, s, OpSignin, OpSignin.Path, f))
}

// SigninLDAP signs in against the server's LDAP directory and keeps the token.
func (s *Session) SigninLDAP(ctx context.Context, f LdapForm) (*SessionUserResponse, error) {
	return s.keep(call[SessionUserResponse](ctx, s, OpSigninLDAP, OpSigninLDAP.Path, f))
}

// Signup creates an account and keeps its token. The first account ever
// created becomes admin and switches sign-up off.
func (s *Session) Signup(ctx context.Context, f SignupForm) (*SessionUserResponse, error) {
	return s.keep(call[SessionUserResponse](ctx, s, OpSignup, OpSignup.Path, f))
}

// AddUser creates an account as an admin. The session keeps its own
// credential; the answer carries a token for the new account.
func (s *Session) AddUser(ctx context.Context, f AddUserForm) (*SigninResponse, error) {
	return call[SigninResponse](ctx, s, OpAddUser, OpAddUser.Path, f)
}

// GetAdminDetails returns the admin contact shown to pending users.
func (s *Session) GetAdminDetails(ctx context.Context) (*AdminDetails, error) {
	return call[AdminDetails](ctx, s, OpGetAdminDetails, OpGetAdminDetails.Path, nil)
}

// SignOut signs out and forgets the credential. Servers before 0.9.3 serve
// sign-out as GET; a 405 to the POST falls back to it.
func (s *Session) SignOut(ctx context.Context) (*SignoutResponse, error) {
	r, err := call[SignoutResponse](ctx, s, OpSignOut, OpSignOut.Path, nil)
	var e *Error
	if errors.As(err, &e) && e.StatusCode == 405 {
		r, err = call[SignoutResponse](ctx, s, signOutLegacy, signOutLegacy.Path, nil)
	}
	if err != nil {
		return nil, err
	}
	s.Clear()
	return r, nil
}

// GetAdminConfig returns the server-wide settings (admin only).
func (s *Session) GetAdminConfig(ctx context.Context) (*AdminConfig, error) {
	return call[AdminConfig](ctx, s, OpGetAdminConfig, OpGetAdminConfig.Path, nil)
}

// UpdateAdminConfig writes the whole settings object and returns what the
// server stored: it silently keeps its old value for an invalid
// DEFAULT_USER_ROLE, JWT_EXPIRES_IN or CHANNEL_MODEL_RESPONSE_MODE.
func (s *Session) UpdateAdminConfig(ctx context.Context, c AdminConfig) (*AdminConfig, error) {
	return call[AdminConfig](ctx, s, OpUpdateAdminConfig, OpUpdateAdminConfig.Path, c)
}

// GetLDAPServer returns the LDAP server settings, bind password included.
func (s *Session) GetLDAPServer(ctx context.Context) (*LdapServerConfig, error) {
	return call[LdapServerConfig](ctx, s, OpGetLDAPServer, OpGetLDAPServer.Path, nil)
}

// UpdateLDAPServer writes the LDAP server settings.
func (s *Session) UpdateLDAPServer(ctx context.Context, c LdapServerConfig) (*LdapServerConfig, error) {
	return call[LdapServerConfig](ctx, s, OpUpdateLDAPServer, OpUpdateLDAPServer.Path, c)
}

// GetLDAPConfig tells whether LDAP sign-in is enabled.
func (s *Session) GetLDAPConfig(ctx context.Context) (*LdapConfigResponse, error) {
	return call[LdapConfigResponse](ctx, s, OpGetLDAPConfig, OpGetLDAPConfig.Path, nil)
}

// UpdateLDAPConfig enables or disables LDAP sign-in.
func (s *Session) UpdateLDAPConfig(ctx context.Context, f LdapConfigForm) (*LdapConfigResponse, error) {
	return call[LdapConfigResponse](ctx, s, OpUpdateLDAPConfig, OpUpdateLDAPConfig.Path, f)
}

// GenerateAPIKey creates an API key for the account, replacing any old one.
func (s *Session) GenerateAPIKey(ctx context.Context) (*APIKey, error) {
	return call[APIKey](ctx, s, OpGenerateAPIKey, OpGenerateAPIKey.Path, nil)
}

// DeleteAPIKey deletes the account's API key; it succeeds with no key too.
func (s *Session) DeleteAPIKey(ctx context.Context) (bool, error) {
	return deref(call[bool](ctx, s, OpDeleteAPIKey, OpDeleteAPIKey.Path, nil))
}

// GetAPIKey returns the account's API key (404 when it has none).
func (s *Session) GetAPIKey(ctx context.Context) (*APIKey, error) {
	return call[APIKey](ctx, s, OpGetAPIKey, OpGetAPIKey.Path, nil)
}

// TokenExchange trades an OAuth provider's access token for an Open WebUI
// session and keeps the returned token.
func (s *Session) TokenExchange(ctx context.Context, provider string, f TokenExchangeForm) (*SessionUserResponse, error) {
	return s.keep(call[SessionUserResponse](ctx, s, OpTokenExchange, withProvider(OpTokenExchange, provider), f))
}

// GetOAuthConfig returns the OAuth/OIDC settings (Open WebUI 0.10.0+).
func (s *Session) GetOAuthConfig(ctx context.Context) (*OAuthConfig, error) {
	return call[OAuthConfig](ctx, s, OpGetOAuthConfig, OpGetOAuthConfig.Path, nil)
}

// UpdateOAuthConfig writes the non-null fields of c and returns the result.
// OAUTH_GROUP_DEFAULT_SHARE given as the text "true" or "false" is sent as
// a boolean: the server keeps a string as it is, and any non-empty string,
// "false" too, would then count as true.
func (s *Session) UpdateOAuthConfig(ctx context.Context, c OAuthConfig) (*OAuthConfig, error) {
	if v, ok := c.OAuthGroupDefaultShare.(string); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			c.OAuthGroupDefaultShare = true
		case "false":
			c.OAuthGroupDefaultShare = false
		}
	}
	return call[OAuthConfig](ctx, s, OpUpdateOAuthConfig, OpUpdateOAuthConfig.Path, c)
}

// DeleteOAuthSession ends the account's stored OAuth session with provider
// (Open WebUI 0.9.2+).
func (s *Session) DeleteOAuthSession(ctx context.Context, provider string) (bool, error) {
	return deref(call[bool](ctx, s, OpDeleteOAuthSession, withProvider(OpDeleteOAuthSession, provider), nil))
}

func withProvider(op Operation, provider string) string {
	return strings.Replace(op.Path, "{provider}", url.PathEscape(provider), 1)
}

func deref[T any](v *T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return *v, nil
}
