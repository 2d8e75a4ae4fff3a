// Package owui is a client for Open WebUI's auths API (/api/v1/auths): one
// typed method per operation, a Session that keeps the credential across
// calls, and one error type that says what happened and what to do.
package owui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// DefaultTimeout bounds one request when no other timeout is given.
const DefaultTimeout = 30 * time.Second

// maxBody bounds an answer's size; Open WebUI's auths answers are a few KiB.
const maxBody = 4 << 20

// MaxConns is how many connections a Client opens to Open WebUI at most.
// Hosted servers put many sessions in front of one Open WebUI: enough
// connections for a burst of them to reuse (not open and close thousands),
// and no more than a Python server should be given.
const MaxConns = 128

// Client talks to one Open WebUI. It is safe for concurrent use and is meant
// to be shared: each caller's credential lives in its own Session.
type Client struct {
	rc      *resty.Client
	base    string // absolute URL ending in /api/v1/auths
	timeout time.Duration
	log     *slog.Logger
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds each request (default 30 s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithTransport replaces the HTTP transport, e.g. to trust a test CA.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) { c.rc.SetTransport(rt) }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.rc.SetHeader("User-Agent", ua) }
}

// WithLogger logs one debug line per request: operation, method, path,
// status and duration. Bodies and headers are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.log = l }
}

// New returns a client for the Open WebUI at baseURL, which may be given
// with or without the "/api" suffix and a trailing slash.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = MaxConns
	tr.MaxIdleConns = MaxConns
	tr.MaxIdleConnsPerHost = MaxConns
	rc := resty.New().
		// No cookie jar: Open WebUI sets a "token" cookie on sign-in, and a
		// jar shared by every session would sign them all in as that account.
		SetCookieJar(nil).
		SetTransport(tr).
		SetLogger(discardLogger{}).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			// A redirect is reported, not followed: following it could hand
			// the credential to another host, or turn a POST into a GET.
			return http.ErrUseLastResponse
		})).
		SetResponseBodyLimit(maxBody).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "owui-mcp")
	c := &Client{rc: rc, base: u.String() + "/v1/auths", timeout: DefaultTimeout}
	for _, o := range opts {
		o(c)
	}
	rc.SetTimeout(c.timeout)
	return c, nil
}

// BaseURL is the auths router's absolute URL, ending in /api/v1/auths.
func (c *Client) BaseURL() string { return c.base }

// ServerURL is the Open WebUI server's own address, the one its users
// open in a browser: BaseURL without /api/v1/auths.
func (c *Client) ServerURL() string { return strings.TrimSuffix(c.base, "/api/v1/auths") }

// ParseBaseURL checks an Open WebUI address and returns it normalised to
// end in "/api" with no trailing slash. It accepts http and https URLs with a
// host, with or without "/api"; it refuses credentials in the URL (secrets
// belong in environment variables), queries and fragments.
func ParseBaseURL(raw string) (*url.URL, error) {
	shown := RedactURL(raw) // error messages never echo a password or a query
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err == nil && u.User != nil:
		return nil, fmt.Errorf("the Open WebUI URL %q must not carry credentials; use OWUI_API_KEY or the signin tool", shown)
	case err != nil:
		return nil, fmt.Errorf("the Open WebUI URL %q is not a valid URL", shown)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the Open WebUI URL %q must start with http:// or https://", shown)
	case u.Hostname() == "":
		return nil, fmt.Errorf("the Open WebUI URL %q has no host", shown)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return nil, fmt.Errorf("the Open WebUI URL %q must not have a query or fragment", shown)
	}
	if port := u.Port(); port != "" {
		if _, err := net.LookupPort("tcp", port); err != nil {
			return nil, fmt.Errorf("the Open WebUI URL %q has an invalid port", shown)
		}
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, "/api") {
		p += "/api"
	}
	out := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	// url.Parse takes hosts it cannot write back so that they parse again
	// (an IPv6 zone holding a raw byte): no request could be made to one.
	if again, err := url.Parse(out.String()); err != nil || again.Host != out.Host {
		return nil, fmt.Errorf("the Open WebUI URL %q is not a valid URL", shown)
	}
	return out, nil
}

// RedactURL makes an address safe to show, however malformed it is:
// everything from the start of the authority to the last "@" (a user and
// password, even one containing "/", "?" or "#") becomes "…@", and a query
// or fragment (which may carry a token) is dropped, leaving "?…". When an
// "@" comes after a "?" or "#", nothing says where a password would end, so
// nothing after the scheme is shown.
func RedactURL(raw string) string {
	start := authorityStart(raw)
	q := strings.IndexAny(raw[start:], "?#")
	if q >= 0 {
		q += start
	}
	if at := strings.LastIndex(raw, "@"); at >= start {
		if q >= 0 && q < at {
			return raw[:start] + "…"
		}
		raw = raw[:start] + "…@" + raw[at+1:]
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?…"
	}
	return raw
}

// authorityStart is where the host part of raw begins: after "scheme://",
// after "scheme:/" (a slash short), or at the start when there is no scheme
// ("user:pw@host:8080" has none: "user:" is not followed by a slash).
func authorityStart(raw string) int {
	colon := strings.Index(raw, ":")
	if colon <= 0 || !isScheme(raw[:colon]) {
		return 0
	}
	i := colon + 1
	for i < len(raw) && raw[i] == '/' {
		i++
	}
	if i == colon+1 {
		return 0
	}
	return i
}

func isScheme(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// request is one call to make.
type request struct {
	op   Operation
	path string // op.Path with parameters filled in
	cred string
	body any // nil: no body
}

// do sends r and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, r request, out any) error {
	url := c.base + r.path
	// resty would read the body 512 bytes at a time into a growing buffer
	// (6 KiB of garbage for a 1.6 KiB answer); read knows its length.
	req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true)
	if r.cred != "" {
		req.SetHeader("Authorization", "Bearer "+r.cred)
	}
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return &Error{Kind: KindRequest, Op: r.op.Name, Method: r.op.Method, URL: url, Detail: truncate(err.Error(), 300)}
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	start := time.Now()
	resp, err := req.Execute(r.op.Method, url)
	var body []byte
	if err == nil {
		body, err = read(resp.RawResponse)
	}
	if c.log != nil {
		status := 0
		if resp != nil && resp.RawResponse != nil {
			status = resp.StatusCode()
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "owui request", slog.String("op", r.op.Name),
			slog.String("method", r.op.Method), slog.String("path", r.path),
			slog.Int("status", status), slog.Duration("duration", time.Since(start)))
	}
	if err != nil {
		return c.transportError(ctx, r, url, err)
	}
	e := &Error{Op: r.op.Name, Method: r.op.Method, URL: url, StatusCode: resp.StatusCode(), Since: r.op.Since,
		ContentType: resp.Header().Get("Content-Type"), Location: RedactURL(resp.Header().Get("Location"))}
	return decodeAnswer(e, body, out)
}

// read reads a whole answer of at most maxBody bytes, to its end so that
// the connection is kept for the next request, and closes it.
func read(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	size := resp.ContentLength
	if size > maxBody {
		return nil, resty.ErrResponseBodyTooLarge
	}
	if size < 0 {
		size = 512
	}
	b := make([]byte, 0, size+1) // +1: room to see the end without growing
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := resp.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case len(b) > maxBody:
			return nil, resty.ErrResponseBodyTooLarge
		case err == io.EOF:
			return b, nil
		case err != nil:
			return nil, err
		}
	}
}

func (c *Client) transportError(ctx context.Context, r request, url string, err error) error {
	e := &Error{Op: r.op.Name, Method: r.op.Method, URL: url, Err: err}
	var ne net.Error
	switch {
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		e.Kind = KindTooLarge
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind = KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		// A caller's deadline (a whole tool call) is set from the same
		// configured timeout, so that is the limit to report.
		e.Kind = KindTimeout
		e.Timeout = c.timeout
	default:
		e.Kind = KindNetwork
	}
	return e
}

// decodeAnswer turns an HTTP answer into out or into an *Error (e, filled in).
func decodeAnswer(e *Error, body []byte, out any) error {
	isJSON := isJSONType(e.ContentType)
	switch {
	case e.StatusCode >= 300 && e.StatusCode < 400:
		e.Kind = KindRedirect
		e.Location = truncate(e.Location, 300)
		return e
	case e.StatusCode >= 200 && e.StatusCode < 300:
		if !isJSON {
			// An older Open WebUI answers an unknown GET with its web page.
			e.Kind = KindUnsupported
			return e
		}
		if f, ok := out.(interface{ decodeFast([]byte) bool }); !ok || !f.decodeFast(body) {
			if err := json.Unmarshal(body, out); err != nil {
				e.Kind = KindBadResponse
				e.Detail = shapeError(err)
				return e
			}
		}
		if ch, ok := out.(interface{ check() error }); ok {
			if err := ch.check(); err != nil {
				e.Kind = KindBadResponse
				e.Detail = err.Error()
				return e
			}
		}
		return nil
	}
	e.Kind = KindStatus
	if isJSON {
		parseDetail(e, body)
	} else {
		e.Detail = describeNonJSON(e.ContentType, body)
	}
	if unsupported(e, isJSON) {
		e.Kind = KindUnsupported
	}
	return e
}

// unsupported tells a missing route (FastAPI's own 404/405) from a route's
// own 404 such as "no API key".
func unsupported(e *Error, isJSON bool) bool {
	switch e.StatusCode {
	case http.StatusMethodNotAllowed:
		return true
	case http.StatusNotFound:
		return !isJSON || e.Detail == "Not Found"
	}
	return false
}

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func shapeError(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("%s is a JSON %s", te.Field, te.Value)
	case errors.As(err, &te):
		return fmt.Sprintf("got a JSON %s", te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || strings.Contains(err.Error(), "unexpected end of JSON") {
		return "the JSON is malformed or cut off"
	}
	return truncate(err.Error(), 300)
}

// parseDetail reads FastAPI's {"detail": ...}: a string, or a 422 list.
func parseDetail(e *Error, body []byte) {
	var d struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &d); err != nil || len(d.Detail) == 0 {
		e.Detail = truncate(strings.TrimSpace(string(body)), 300)
		return
	}
	var s string
	if json.Unmarshal(d.Detail, &s) == nil {
		e.Detail = truncate(s, 500)
		return
	}
	var list []struct {
		Type string `json:"type"`
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
	}
	if json.Unmarshal(d.Detail, &list) != nil {
		e.Detail = truncate(string(d.Detail), 300)
		return
	}
	parts := make([]string, 0, len(list))
	for _, it := range list {
		f := FieldError{Field: fieldPath(it.Loc), Message: it.Msg, Type: it.Type}
		e.Fields = append(e.Fields, f)
		parts = append(parts, f.String())
	}
	e.Detail = truncate(strings.Join(parts, "; "), 1000)
}

func fieldPath(loc []any) string {
	var parts []string
	for i, p := range loc {
		if i == 0 && p == "body" {
			continue
		}
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ".")
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func describeNonJSON(ct string, body []byte) string {
	text := strings.TrimSpace(string(body))
	if strings.Contains(ct, "html") || strings.HasPrefix(strings.ToLower(text), "<!doctype html") || strings.HasPrefix(strings.ToLower(text), "<html") {
		if m := titleRE.FindSubmatch(body); m != nil {
			return "an HTML page titled " + strconvQuote(truncate(html.UnescapeString(strings.TrimSpace(string(m[1]))), 120))
		}
		return "an HTML page"
	}
	if text == "" {
		return "an empty answer"
	}
	return truncate(text, 300)
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// discardLogger silences resty's own logging: it may print request details
// to stderr, which are not ours to decide.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
