package owui

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Session is one caller's standing with Open WebUI: the credential (an API
// key or a JWT) sent with every call, and its expiry when known. signin,
// signin_ldap, signup and token_exchange replace the credential with the
// token they return; sign_out clears it; add_user leaves it alone. A Session
// is safe for concurrent use.
type Session struct {
	c *Client

	mu        sync.RWMutex
	cred      string
	expiresAt *time.Time
	obtained  bool // cred is a token this session's own sign-in returned
}

// NewSession starts a session with credential, which may be empty, an API
// key ("sk-...") or a JWT.
func (c *Client) NewSession(credential string) *Session {
	return &Session{c: c, cred: credential}
}

// Client returns the client the session calls through.
func (s *Session) Client() *Client { return s.c }

// CredentialKind names what the session holds.
type CredentialKind string

const (
	CredentialNone   CredentialKind = "none"
	CredentialAPIKey CredentialKind = "api_key"
	CredentialJWT    CredentialKind = "jwt"
)

// State reports what the session holds without revealing it.
func (s *Session) State() (CredentialKind, *time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case s.cred == "":
		return CredentialNone, nil
	case strings.HasPrefix(s.cred, "sk-"):
		return CredentialAPIKey, s.expiresAt
	}
	return CredentialJWT, s.expiresAt
}

// Credential returns the credential itself; callers must not show or log it.
func (s *Session) Credential() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cred
}

// SetCredential replaces the credential with one given from outside (not
// obtained by this session); expiresAt is epoch seconds or nil.
func (s *Session) SetCredential(cred string, expiresAt *int64) { s.set(cred, expiresAt, false) }

func (s *Session) set(cred string, expiresAt *int64, obtained bool) {
	var exp *time.Time
	if expiresAt != nil {
		t := time.Unix(*expiresAt, 0).UTC()
		exp = &t
	}
	s.mu.Lock()
	s.cred, s.expiresAt, s.obtained = cred, exp, obtained
	s.mu.Unlock()
}

// Obtained reports whether the credential is a token that this session's
// own signin, signin_ldap, signup or token_exchange returned, as opposed to
// one it was given (NewSession, SetCredential). Only an obtained token is
// the session's to revoke: a given one may be in use elsewhere, such as a
// user's browser.
func (s *Session) Obtained() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.obtained && s.cred != ""
}

// Clear forgets the credential.
func (s *Session) Clear() { s.set("", nil, false) }

// call sends one request with the session's credential and decodes the
// answer into a new T.
func call[T any](ctx context.Context, s *Session, op Operation, path string, body any) (*T, error) {
	out := new(T)
	if err := s.c.do(ctx, request{op: op, path: path, cred: s.Credential(), body: body}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// keep makes a returned session token the session's credential.
func (s *Session) keep(r *SessionUserResponse, err error) (*SessionUserResponse, error) {
	if err != nil {
		return nil, err
	}
	s.set(r.Token, r.ExpiresAt, true)
	return r, nil
}
