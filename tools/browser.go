package tools

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/signinpage"
)

// A password given as a tool argument passes through the model: the chat
// history, the provider's logs, every transcript. Without one, the
// sign-in tools and update_password have the user type it on a one-time
// page instead (package signinpage). A client that can show a URL
// elicitation gets the page that way and the call waits for it; any other
// gets the link in the result.

// browserStep is the result of a call that left the rest to a browser page.
type browserStep struct {
	URL          string `json:"url" jsonschema:"required" jsonschema_description:"One-time page for the user to open in their browser."`
	ExpiresAt    int64  `json:"expires_at" jsonschema:"required" jsonschema_description:"When the link stops working, epoch seconds."`
	ExpiresAtISO string `json:"expires_at_iso" jsonschema:"required" jsonschema_description:"The same moment in UTC, ISO 8601."`
	Next         string `json:"next" jsonschema:"required" jsonschema_description:"What to tell the user and do next."`
}

// notificationGrace is how long a streamable HTTP call waits after sending
// notifications/elicitation/complete before it answers (see viaBrowser).
const notificationGrace = 20 * time.Millisecond

// pendingResult is what such a call answers; its tool's output schema has
// the browser field beside the fields of a completed call.
type pendingResult struct {
	Browser *browserStep `json:"browser"`
}

// signinResult is the output shape of the sign-in tools that can use the
// page: the account once signed in, or the page to finish on.
type signinResult struct {
	sessionResult
	Browser *browserStep `json:"browser,omitempty" jsonschema_description:"Only when no password was given and the client cannot show the page itself: the link for the user."`
}

// passwordResult is update_password's output shape.
type passwordResult struct {
	OK      bool         `json:"ok,omitempty"`
	Browser *browserStep `json:"browser,omitempty" jsonschema_description:"Only when no passwords were given and the client cannot show the page itself: the link for the user."`
}

// waitKey carries a call's context from before the per-call timeout: a
// browser page may take the user minutes, while each request to Open WebUI
// keeps the timeout.
type waitKey struct{}

// longWaitKey carries a transport's hook for a call that is about to wait
// for a page: hosted, the answer's write deadline must move past it.
type longWaitKey struct{}

// WithLongWait lets a transport learn that a call will wait until about
// until before it answers.
func WithLongWait(ctx context.Context, f func(until time.Time)) context.Context {
	return context.WithValue(ctx, longWaitKey{}, f)
}

// page is one use of the browser page: what it asks for and what to do
// with what the user types.
type page struct {
	kind     signinpage.Kind
	login    string // prefilled email or user name
	action   string // for messages: "sign in", "change your password"
	next     string // what the model does after the user is done
	complete func(ctx context.Context, f signinpage.Fields) (done string, err error)
	result   func() any // the tool's answer once complete
}

// viaBrowser lets the user finish a call on the page.
func (c *call) viaBrowser(ctx context.Context, p page) (any, error) {
	s := c.srv
	if s.pages == nil || !s.pages.HasBase() {
		return nil, argError{[]string{"no password was given, and this server has no address for a browser page (a hosted server needs OWUI_MCP_PUBLIC_URL). Ask the operator to set it; giving the password here puts it in the chat"}}
	}
	cs := server.ClientSessionFromContext(ctx)
	if cs == nil || cs.SessionID() == "" {
		return nil, errNoSession
	}
	complete := p.complete
	if s.callTimeout > 0 {
		complete = func(ctx context.Context, f signinpage.Fields) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, s.callTimeout)
			defer cancel()
			return p.complete(ctx, f)
		}
	}
	link, err := s.pages.Create(signinpage.Request{Session: cs.SessionID(), Kind: p.kind, Login: p.login, Complete: complete})
	if errors.Is(err, signinpage.ErrLogin) {
		return nil, argError{[]string{fmt.Sprintf("the email or user name is longer than %d bytes; no account has one that long", signinpage.MaxLoginBytes)}}
	}
	if err != nil {
		return nil, fmt.Errorf("could not open a browser page: %w", err)
	}
	if !urlElicitation(ctx, cs) {
		return s.pendingResult(link, p), nil
	}
	wait := c.wait
	id := elicitationID()
	msg := "Open this page to " + p.action + " on Open WebUI at " + s.server + ". You type the password there, so it never enters this chat. The link works once, for " + human(s.pages.TTL()) + "."
	// The client's answer is waited for no longer than the link works,
	// nor once the page is done (the user may open the URL before
	// answering): a client that never answers must not hold the call,
	// its slot and a graceful shutdown for good.
	ectx, stopAsking := context.WithDeadline(wait, link.Expires)
	go func() {
		select {
		case <-link.Done():
			stopAsking()
		case <-ectx.Done():
		}
	}()
	res, err := s.MCP.RequestURLElicitation(ectx, cs, id, link.URL, msg)
	stopAsking()
	if err != nil {
		if wait.Err() != nil {
			link.Cancel()
			return nil, wait.Err()
		}
		if linkOver(link) {
			// Expired, or done on the page, before the client answered.
			return c.pageOutcome(ctx, wait, link, p, cs, id)
		}
		// The client took the capability but could not show the page:
		// the link still works when given to the user.
		s.log.Debug("URL elicitation failed; answering with the link", "session", sessionTag(ctx), "err_type", fmt.Sprintf("%T", err))
		return s.pendingResult(link, p), nil
	}
	switch res.Action {
	case mcp.ElicitationResponseActionAccept:
	case mcp.ElicitationResponseActionDecline:
		link.Cancel()
		if link.Wait(wait) == nil {
			// The user completed the page before declining: that stands.
			return p.result(), nil
		}
		return nil, errors.New("the user declined to open the page, so nothing was done and nothing was kept. Call again if they change their mind")
	default:
		link.Cancel()
		if link.Wait(wait) == nil {
			return p.result(), nil
		}
		return nil, errors.New("the user dismissed the page without choosing, so nothing was done and nothing was kept. Call again to offer it once more")
	}
	return c.pageOutcome(ctx, wait, link, p, cs, id)
}

// linkOver reports whether a link was completed or stopped, or is past
// its expiry.
func linkOver(link *signinpage.Link) bool {
	select {
	case <-link.Done():
		return true
	default:
		return !time.Now().Before(link.Expires)
	}
}

// pageOutcome waits for a page the client showed and answers the call.
func (c *call) pageOutcome(ctx, wait context.Context, link *signinpage.Link, p page, cs server.ClientSession, id string) (any, error) {
	s := c.srv
	if f, ok := ctx.Value(longWaitKey{}).(func(time.Time)); ok {
		f(link.Expires)
	}
	if err := link.Wait(wait); err != nil {
		if wait.Err() != nil {
			return nil, wait.Err()
		}
		return nil, pageStopped(err, p)
	}
	if err := s.MCP.SendElicitationComplete(wait, cs, id); err != nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "elicitation complete notification not sent", slog.String("session", sessionTag(ctx)))
	} else if _, streamable := cs.(server.SessionWithStreamableHTTPConfig); streamable {
		// mcp-go's streamable HTTP transport can drop a notification sent
		// just before the answer (mark3labs/mcp-go#969): its forwarder may
		// hold it while the answer path finishes. A moment lets the
		// forwarder write it first; the user has just spent far longer on
		// the page.
		time.Sleep(notificationGrace)
	}
	return p.result(), nil
}

func (s *Server) pendingResult(link *signinpage.Link, p page) *pendingResult {
	return &pendingResult{Browser: &browserStep{
		URL:          link.URL,
		ExpiresAt:    link.Expires.Unix(),
		ExpiresAtISO: link.Expires.UTC().Format(time.RFC3339),
		Next:         "Give the user this link to open in their browser, to " + p.action + " there; do not ask for the password in the chat. It works once, for " + human(s.pages.TTL()) + ". " + p.next,
	}}
}

// pageStopped explains why a page the user accepted did not complete.
func pageStopped(err error, p page) error {
	switch {
	case errors.Is(err, signinpage.ErrExpired):
		return errors.New("the page expired before the user completed it; nothing was kept. Call again for a new one")
	case errors.Is(err, signinpage.ErrTooMany):
		return errors.New("the page stopped after too many failed tries; nothing was kept. Call again for a new one once the user has the right password")
	case errors.Is(err, signinpage.ErrReplaced):
		return errors.New("a newer page of this session replaced this one; that newer call answers for it")
	case errors.Is(err, signinpage.ErrEnded):
		return errors.New("the page was withdrawn: the server or this MCP session is ending")
	}
	return fmt.Errorf("the page did not complete (%w)", err)
}

// urlElicitation reports whether the client can be shown the page itself:
// it declared URL-mode elicitation, and the protocol in use still has
// server-initiated requests (2026-07-28 does not).
func urlElicitation(ctx context.Context, cs server.ClientSession) bool {
	if mcp.IsModernProtocol(server.RequestProtocolVersion(ctx)) {
		return false
	}
	if _, ok := cs.(server.SessionWithElicitation); !ok {
		return false
	}
	ci, ok := cs.(server.SessionWithClientInfo)
	if !ok {
		return false
	}
	e := ci.GetClientCapabilities().Elicitation
	return e != nil && e.URL != nil
}

func elicitationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// human says a duration the way a person would: "10 minutes".
func human(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	case d >= time.Second:
		return plural(int(d.Round(time.Second)/time.Second), "second")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// pageError is what the page shows when Open WebUI refuses: its own
// message where it gave one (a wrong password, the rate limit).
func pageError(err error) error {
	var oe *owui.Error
	if errors.As(err, &oe) {
		if oe.Kind == owui.KindStatus && oe.Detail != "" {
			return errors.New(oe.Detail)
		}
		return errors.New("Open WebUI did not answer as expected (" + oe.Error() + "). Try again in a moment.")
	}
	return errors.New("that did not work: " + err.Error())
}

// The three uses of the page.

// The page funcs keep only the Open WebUI session from the call, not the
// call itself (its raw arguments): a link outlives the call by two TTLs.

func signinPage(c *call, login string) page {
	sess := c.s
	var acct *owui.SessionUserResponse
	return page{
		kind: signinpage.Signin, login: login, action: "sign in",
		next: "When the user says they are done, call get_session_user to confirm; later calls of this MCP session then act as that account.",
		complete: func(ctx context.Context, f signinpage.Fields) (string, error) {
			r, err := sess.Signin(ctx, owui.SigninForm{Email: f.Login, Password: f.Password})
			if err != nil {
				return "", pageError(err)
			}
			acct = r
			return "Signed in as " + r.Name + " (" + r.Role + "). You can close this tab.", nil
		},
		result: func() any { return acct },
	}
}

func signinLDAPPage(c *call, login string) page {
	sess := c.s
	var acct *owui.SessionUserResponse
	return page{
		kind: signinpage.SigninLDAP, login: login, action: "sign in with LDAP",
		next: "When the user says they are done, call get_session_user to confirm; later calls of this MCP session then act as that account.",
		complete: func(ctx context.Context, f signinpage.Fields) (string, error) {
			r, err := sess.SigninLDAP(ctx, owui.LdapForm{User: f.Login, Password: f.Password})
			if err != nil {
				return "", pageError(err)
			}
			acct = r
			return "Signed in as " + r.Name + " (" + r.Role + "). You can close this tab.", nil
		},
		result: func() any { return acct },
	}
}

func passwordPage(c *call) page {
	sess := c.s
	return page{
		kind: signinpage.Password, action: "change your password",
		next: "The password is changed when the user completes the page; nothing more needs calling.",
		complete: func(ctx context.Context, f signinpage.Fields) (string, error) {
			if _, err := sess.UpdatePassword(ctx, owui.UpdatePasswordForm{Password: f.Password, NewPassword: f.NewPassword}); err != nil {
				return "", pageError(err)
			}
			return "Your Open WebUI password was changed; sessions already signed in stay valid. You can close this tab.", nil
		},
		result: func() any { return true },
	}
}
