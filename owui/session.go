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

// SetCredential replaces the credential; expiresAt is epoch seconds or nil.
func (s *Session) SetCredential(cred string, expiresAt *int64) {
	var exp *time.Time
	if expiresAt != nil {
		t := time.Unix(*expiresAt, 0).UTC()
		exp = &t
	}
	s.mu.Lock()
	s.cred, s.expiresAt = cred, exp
	s.mu.Unlock()
}

// Clear forgets the credential.
func (s *Session) Clear() { s.SetCredential("", nil) }

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
	s.SetCredential(r.Token, r.ExpiresAt)
	return r, nil
}
