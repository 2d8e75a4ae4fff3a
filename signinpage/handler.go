package signinpage

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"html/template"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
)

//go:embed page.html
var pageHTML string

var page = template.Must(template.New("page").Parse(pageHTML))

// securityHeaders go on every answer: the page loads nothing, posts only to
// itself, cannot be framed (clickjacking a password form), is never cached
// (it holds a form token) and never tells another site its URL (which is
// the link).
var securityHeaders = map[string]string{
	"Content-Security-Policy":    "default-src 'none'; form-action 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
	"X-Frame-Options":            "DENY",
	"Cache-Control":              "no-store",
	"Referrer-Policy":            "no-referrer",
	"X-Content-Type-Options":     "nosniff",
	"Cross-Origin-Opener-Policy": "same-origin",
}

type field struct {
	Name, Label, Type, Value, Autocomplete string
	// ReadOnly: the account the link was made for, which the page
	// does not let anyone change.
	Focus, ReadOnly bool
}

type view struct {
	Title, Server, Expires  string
	Link, FormToken, Submit string
	Fields                  []field
	Error, Gone, Done       string
}

// Handler serves the pages at Path + id. Mounted on a shared HTTP server
// (hosted), the server's own Host check must run first; the stdio
// listener checks Host and the peer itself.
func (st *Store) Handler() http.Handler {
	return http.HandlerFunc(st.serve)
}

func (st *Store) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range securityHeaders {
		h.Set(k, v)
	}
	if st.cfg.Local {
		if !loopbackPeer(r.RemoteAddr) {
			st.refuse(w, r, http.StatusForbidden, "This page only answers on this computer (a loopback address).")
			return
		}
		if !st.localHostAllowed(r.Host) {
			st.refuse(w, r, http.StatusMisdirectedRequest, "This page answers only to the address in its link (DNS-rebinding protection).")
			return
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		h.Set("Allow", "GET, HEAD, POST")
		st.refuse(w, r, http.StatusMethodNotAllowed, "This page takes GET and POST only.")
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, Path)
	if !ok || id == "" || strings.Contains(id, "/") {
		st.refuse(w, r, http.StatusNotFound, "There is no page here; open the link your assistant gave you.")
		return
	}
	now := st.now()
	st.mu.Lock()
	st.sweepLocked(now, false)
	l := st.links[id]
	if l != nil && l.state == pending && now.After(l.Expires) {
		l.stopLocked(ErrExpired)
	}
	var state int
	var why error
	if l != nil {
		state, why = l.state, l.err
	}
	st.mu.Unlock()
	if l == nil {
		st.refuse(w, r, http.StatusNotFound, "This link is not known: it may have expired a while ago or been mistyped. Ask your assistant for a new one.")
		return
	}
	v := st.view(l)
	switch state {
	case used:
		v.Gone = "This link was already used; it works once. Ask your assistant for a new one if you need to."
		st.render(w, r, l, http.StatusGone, v)
		return
	case stopped:
		v.Gone = goneText(why)
		st.render(w, r, l, http.StatusGone, v)
		return
	}
	if r.Method != http.MethodPost {
		st.render(w, r, l, http.StatusOK, v)
		return
	}
	st.submit(w, r, l, v)
}

// submit handles a filled form.
func (st *Store) submit(w http.ResponseWriter, r *http.Request, l *Link, v view) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		st.refuse(w, r, http.StatusUnsupportedMediaType, "Send the form as application/x-www-form-urlencoded, as the page does.")
		return
	}
	if !st.sameOrigin(r) {
		st.refuse(w, r, http.StatusForbidden, "This form can only be sent from its own page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		st.refuse(w, r, http.StatusRequestEntityTooLarge, "The form could not be read (too large or malformed).")
		return
	}
	if !equalTokens(r.PostForm.Get("link"), l.id) || !equalTokens(r.PostForm.Get("form_token"), l.token) {
		st.refuse(w, r, http.StatusForbidden, "This form can only be sent from its own page: reload the link and try again.")
		return
	}
	f := Fields{Password: r.PostForm.Get("password"), NewPassword: r.PostForm.Get("new_password")}
	switch l.req.Kind {
	case Signin:
		f.Login = strings.TrimSpace(r.PostForm.Get("email"))
	case SigninLDAP:
		f.Login = strings.TrimSpace(r.PostForm.Get("user"))
	}
	if l.req.Kind != Password && l.req.Login != "" && !strings.EqualFold(f.Login, l.req.Login) {
		// The link was made for one account: someone who got hold of it
		// must not sign the session in as another.
		v.Error = "This link is for " + l.req.Login + " only. To sign in as someone else, ask your assistant for a new link."
		st.render(w, r, l, http.StatusBadRequest, v)
		return
	}
	if missing := v.missing(f); missing != "" {
		v.Error = missing
		v.keep(f)
		st.render(w, r, l, http.StatusBadRequest, v)
		return
	}
	// One submission at a time, so a double click cannot sign in twice.
	st.mu.Lock()
	if l.state != pending {
		state := l.state
		st.mu.Unlock()
		if state == busy {
			st.refuse(w, r, http.StatusConflict, "This form is already being sent; wait for its answer in the other tab.")
			return
		}
		v.Gone = goneText(l.err)
		if state == used {
			v.Gone = "This link was already used; it works once."
		}
		st.render(w, r, l, http.StatusGone, v)
		return
	}
	l.state = busy
	st.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
	done, err := l.req.Complete(ctx, f)
	cancel()
	// Complete may have taken most of the server's write timeout (the
	// stdio listener's is 30 s): the answer still gets written.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Second))

	// Nothing stopped the link while Complete ran (stopLocked only noted
	// why): what it did at Open WebUI happened, and the page and Wait say
	// so rather than "withdrawn" or "expired".
	st.mu.Lock()
	why := l.stopWhy
	l.stopWhy = nil
	if err == nil {
		l.state = used
		close(l.done)
		st.mu.Unlock()
		st.log.Debug("sign-in page completed", "link", l.tag)
		v.Done = done
		if errors.Is(why, ErrEnded) {
			v.Done += " The MCP session that asked for this page ended meanwhile, so your assistant has to ask again if it still needs you."
		}
		st.render(w, r, l, http.StatusOK, v)
		return
	}
	l.state = pending
	if why != nil {
		l.stopLocked(why)
		st.mu.Unlock()
		v.Gone = err.Error() + " " + goneText(why)
		st.render(w, r, l, http.StatusGone, v)
		return
	}
	l.tries++
	if l.tries >= st.cfg.MaxTries {
		l.stopLocked(ErrTooMany)
		st.mu.Unlock()
		st.log.Debug("sign-in page stopped after failed tries", "link", l.tag)
		v.Gone = err.Error() + " " + goneText(ErrTooMany)
		st.render(w, r, l, http.StatusGone, v)
		return
	}
	st.mu.Unlock()
	st.log.Debug("sign-in page try failed", "link", l.tag)
	v.Error = err.Error()
	v.keep(f)
	st.render(w, r, l, http.StatusBadRequest, v)
}

// sameOrigin reports whether a post comes from the page itself. Browsers
// send Origin on every post, but under the page's no-referrer policy the
// Fetch standard has them send "null", so then Sec-Fetch-Site decides; a
// client that is no browser sends neither header and still needs the form
// token.
func (st *Store) sameOrigin(r *http.Request) bool {
	st.mu.Lock()
	origin := st.origin
	st.mu.Unlock()
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" {
		return false
	}
	switch o := r.Header.Get("Origin"); {
	case o == "":
		return true
	case o == "null":
		return site == "same-origin"
	default:
		return strings.EqualFold(o, origin)
	}
}

func goneText(why error) string {
	switch {
	case errors.Is(why, ErrExpired):
		return "This link has expired. Ask your assistant for a new one."
	case errors.Is(why, ErrEnded):
		return "This link no longer works: the MCP session that asked for it has ended. Ask your assistant for a new one."
	case errors.Is(why, ErrReplaced):
		return "This link no longer works: a newer one replaced it. Use the newest link your assistant gave you."
	case errors.Is(why, ErrTooMany):
		return "This link stopped working after too many failed tries. Ask your assistant for a new one."
	}
	return "This link was withdrawn. Ask your assistant for a new one if you still need it."
}

func (st *Store) view(l *Link) view {
	v := view{Server: st.cfg.Server, Expires: l.Expires.Format("15:04:05 MST"),
		Link: l.id, FormToken: l.token}
	switch l.req.Kind {
	case Password:
		v.Title, v.Submit = "Change your Open WebUI password", "Change password"
		v.Fields = []field{
			{Name: "password", Label: "Current password", Type: "password", Autocomplete: "current-password", Focus: true},
			{Name: "new_password", Label: "New password", Type: "password", Autocomplete: "new-password"},
		}
	case SigninLDAP:
		v.Title, v.Submit = "Sign in to Open WebUI with LDAP", "Sign in"
		v.Fields = []field{
			{Name: "user", Label: "LDAP user name", Type: "text", Value: l.req.Login, ReadOnly: l.req.Login != "", Autocomplete: "username", Focus: l.req.Login == ""},
			{Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password", Focus: l.req.Login != ""},
		}
	default:
		v.Title, v.Submit = "Sign in to Open WebUI", "Sign in"
		v.Fields = []field{
			{Name: "email", Label: "Email", Type: "email", Value: l.req.Login, ReadOnly: l.req.Login != "", Autocomplete: "username", Focus: l.req.Login == ""},
			{Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password", Focus: l.req.Login != ""},
		}
	}
	return v
}

// missing says which field was left empty, or "".
func (v view) missing(f Fields) string {
	for _, fl := range v.Fields {
		var got string
		switch fl.Name {
		case "email", "user":
			got = f.Login
		case "password":
			got = f.Password
		case "new_password":
			got = f.NewPassword
		}
		if got == "" {
			return fl.Label + " is required."
		}
	}
	return ""
}

// keep refills the login field after a failed try; passwords are never
// written back into a page.
func (v *view) keep(f Fields) {
	for i := range v.Fields {
		if v.Fields[i].Name == "email" || v.Fields[i].Name == "user" {
			v.Fields[i].Value = f.Login
		}
		v.Fields[i].Focus = v.Fields[i].Type == "password" && v.Fields[i].Name == "password"
	}
}

func (st *Store) render(w http.ResponseWriter, r *http.Request, l *Link, status int, v view) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		st.log.Error("sign-in page could not be rendered", "link", l.tag, "err", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// refuse answers in plain text: a refusal is for whoever sent something
// the page would not have.
func (st *Store) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st.log.LogAttrs(r.Context(), slog.LevelDebug, "sign-in page request refused",
		slog.String("method", r.Method), slog.Int("status", status))
	http.Error(w, msg, status)
}

func loopbackPeer(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localHostAllowed accepts the listener's own address, by IP or as
// localhost with its port: a DNS-rebound name never matches.
func (st *Store) localHostAllowed(host string) bool {
	st.mu.Lock()
	own := st.localHost
	st.mu.Unlock()
	if own == "" {
		return false
	}
	_, port, _ := net.SplitHostPort(own)
	return strings.EqualFold(host, own) || strings.EqualFold(host, "localhost:"+port)
}
