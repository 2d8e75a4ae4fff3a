package owui

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrorKind says what went wrong in terms a caller can act on.
type ErrorKind int

const (
	// KindStatus: Open WebUI answered with an HTTP error status.
	KindStatus ErrorKind = iota + 1
	// KindNetwork: the request never got an answer (refused, DNS, TLS, reset).
	KindNetwork
	// KindTimeout: no complete answer within the request timeout.
	KindTimeout
	// KindCanceled: the caller cancelled the request.
	KindCanceled
	// KindRedirect: the server redirected; redirects are never followed.
	KindRedirect
	// KindTooLarge: the answer exceeded the size bound.
	KindTooLarge
	// KindUnsupported: this server does not offer the operation.
	KindUnsupported
	// KindBadResponse: a success status with a body that is not the expected JSON.
	KindBadResponse
	// KindRequest: the request could not be encoded, so nothing was sent.
	KindRequest
)

// Error is every failure of a call to Open WebUI. It carries what a caller
// needs to explain it: the operation, the request, the status and the
// server's own detail text.
type Error struct {
	Kind       ErrorKind
	Op         string // operation name, e.g. "signin"
	Method     string
	URL        string
	StatusCode int // 0 when there was no HTTP answer
	// Detail is the server's "detail" text; a 422 list is rendered field by
	// field ("email: Field required").
	Detail string
	// Fields holds a 422's entries.
	Fields []FieldError
	// Since is the first release offering Op (KindUnsupported), if known.
	Since string
	// Location is where a redirect pointed (KindRedirect).
	Location string
	// Timeout is the request timeout in force (KindTimeout).
	Timeout time.Duration
	// ContentType is the answer's Content-Type, when there was an answer.
	// (Not all headers: a Set-Cookie may carry a session token.)
	ContentType string
	// Err is the underlying transport error, if any.
	Err error
}

// FieldError is one entry of a 422 answer.
type FieldError struct {
	Field   string // location without the leading "body", dotted; "" for the body itself
	Message string
	Type    string
}

func (f FieldError) String() string {
	if f.Field == "" {
		return "request body: " + f.Message
	}
	return f.Field + ": " + f.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Exact texts Open WebUI uses, where they change the advice we give.
const (
	detailAccessProhibited = "You do not have permission to access this resource. Please contact your administrator for assistance."
	detailAPIKeyNotAllowed = "Use of API key is not enabled in the environment."
	detailAPIKeyCreation   = "API key creation is not allowed in the environment."
)

var errNoRole = errors.New("no DEFAULT_USER_ROLE in the answer")

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	switch e.Kind {
	case KindNetwork:
		fmt.Fprintf(&b, "could not reach Open WebUI at %s: %s. %s", e.URL, describeNetErr(e.Err), netHint(e.Err))
	case KindTimeout:
		fmt.Fprintf(&b, "Open WebUI at %s did not answer within %s. Check that it is up and reachable; --timeout sets the limit.", e.URL, e.Timeout)
	case KindCanceled:
		b.WriteString("cancelled before Open WebUI answered.")
	case KindRedirect:
		fmt.Fprintf(&b, "Open WebUI answered %d, a redirect to %q; redirects are not followed so that credentials never go to another address. Set --server (OWUI_SERVER) to the address Open WebUI really serves.", e.StatusCode, e.Location)
	case KindTooLarge:
		fmt.Fprintf(&b, "the answer from %s is larger than %d MiB and was refused. Check that --server (OWUI_SERVER) points at Open WebUI.", e.URL, maxBody>>20)
	case KindUnsupported:
		if e.Since != "" {
			fmt.Fprintf(&b, "this Open WebUI does not offer %s (added in v%s); upgrade Open WebUI to use it.", e.Op, e.Since)
		} else {
			fmt.Fprintf(&b, "the server at %s does not offer %s; check that --server (OWUI_SERVER) points at Open WebUI.", e.URL, e.Op)
		}
	case KindBadResponse:
		fmt.Fprintf(&b, "Open WebUI answered %d but not with the expected JSON (%s). Check that --server (OWUI_SERVER) points at Open WebUI's API.", e.StatusCode, e.Detail)
	case KindRequest:
		// Arguments are checked before a request is built, so this is
		// owui-mcp's own failure, not the caller's or the server's.
		fmt.Fprintf(&b, "the request could not be encoded (%s), so nothing was sent to Open WebUI. This is a bug in owui-mcp; please report it.", e.Detail)
	default:
		fmt.Fprintf(&b, "Open WebUI answered %d", e.StatusCode)
		if e.Detail != "" {
			b.WriteString(": ")
			b.WriteString(e.Detail)
		}
		if h := e.hint(); h != "" {
			b.WriteString(hintSeparator(e.Detail))
			b.WriteString(h)
		}
	}
	return b.String()
}

// hint tells what to do about an HTTP error status.
func (e *Error) hint() string {
	switch {
	case e.StatusCode == http.StatusUnauthorized && e.Detail == detailAccessProhibited:
		return "The signed-in account lacks the role this needs: an admin, or for profile changes an approved (not pending) user."
	case e.StatusCode == http.StatusUnauthorized:
		return "The session has no valid credential, or it expired or was revoked."
	case e.StatusCode == http.StatusForbidden && e.Detail == detailAPIKeyNotAllowed:
		return "API keys are switched off on this server: sign in with a password, or have an admin set ENABLE_API_KEYS."
	case e.StatusCode == http.StatusForbidden && e.Detail == detailAPIKeyCreation:
		return "An admin must set ENABLE_API_KEYS (update_admin_config) and, for non-admins, grant the api_keys permission."
	case e.StatusCode == http.StatusUnprocessableEntity:
		return "Correct the listed fields and try again."
	case e.StatusCode == http.StatusTooManyRequests:
		return rateLimitHint(e.Op)
	case e.StatusCode >= 500:
		return "Open WebUI failed on its side; try again later or check its logs."
	}
	return ""
}

// rateLimitHint names the limit that answered 429: Open WebUI limits
// sign-in per email, and token exchange (when configured) per client
// address; anything else is a proxy's limit.
func rateLimitHint(op string) string {
	switch op {
	case OpSignin.Name:
		return "Sign-in is limited to 15 attempts per email in 3 minutes, failed ones included: wait a few minutes, then try again."
	case OpTokenExchange.Name:
		return "This server limits token exchanges per client address (OAUTH_TOKEN_EXCHANGE_RATE_LIMIT): wait a few minutes, then try again."
	}
	return "Something in front of Open WebUI is limiting requests: wait, then try again."
}

// hintSeparator joins a hint to the text before it without doubling the
// full stop Open WebUI's own messages often end with.
func hintSeparator(detail string) string {
	if detail == "" {
		return ". "
	}
	switch detail[len(detail)-1] {
	case '.', '!', '?':
		return " "
	}
	if strings.HasSuffix(detail, "…") {
		return " "
	}
	return ". "
}

func describeNetErr(err error) string {
	var dnsErr *net.DNSError
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	var tlsErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the host name %q was not found (DNS)", dnsErr.Name)
	case errors.As(err, &certErr), errors.As(err, &tlsErr):
		return "its TLS certificate is not trusted by this system"
	case errors.As(err, &hostErr):
		return "its TLS certificate is for another host name"
	case errors.As(err, &invalidErr):
		return "its TLS certificate is invalid or expired"
	case isRefused(err):
		return "connection refused"
	}
	return unwrapURLError(err).Error()
}

func netHint(err error) string {
	var certErr *x509.UnknownAuthorityError
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) || errors.As(err, &tlsErr) {
		return "Give Open WebUI a certificate from a trusted CA, or add its CA to the system trust store (or SSL_CERT_FILE)."
	}
	return "Check that Open WebUI is running and that --server (OWUI_SERVER) points at it."
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// NeedsCredential reports whether the call was refused for want of a valid
// credential (not for the role of the account that made it), so that the
// caller can say how to get one.
func (e *Error) NeedsCredential() bool {
	return e.Kind == KindStatus && e.StatusCode == http.StatusUnauthorized && e.Detail != detailAccessProhibited
}

// AccessProhibited reports whether Open WebUI refused the call because of
// the signed-in account's role (or, for sign-up, because sign-up is off).
func (e *Error) AccessProhibited() bool {
	return e.Kind == KindStatus && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden) && e.Detail == detailAccessProhibited
}
