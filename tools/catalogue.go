// Package tools is owui-mcp's tool catalogue: one MCP tool per Open WebUI
// auths operation, each a small declaration plus its handler, and the MCP
// server that serves them with a per-client Open WebUI session.
package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schema/validate"
)

// Who may call an operation, as Open WebUI decides it. Every description
// says one of these, so an agent knows before it tries.
const (
	anyone     = "Anyone may call it."
	signedIn   = "Signed-in accounts, pending too."
	verified   = "Approved accounts only (not pending)."
	adminsOnly = "Admins only."
)

// def declares one tool. Its schemas are derived from in and out, which are
// the owui structs sent and received (or small argument structs embedding
// them): at build time, into schemas.json (see schemas_test.go).
type def struct {
	op      owui.Operation
	toolset string
	title   string
	desc    string
	hints   hints
	in      any  // arguments; nil for none
	partial bool // only the fields to change: no argument is required
	out     any  // result shape
	run     runFunc
	// advice, if set, adds what to do next to an error of Open WebUI's,
	// naming only tools that are served.
	advice adviceFunc
	// changesCredential marks a tool that replaces or removes the calling
	// account's own credentials (its password, its API key): under a shared
	// OWUI_API_KEY, one client could lock every other out with it.
	changesCredential bool
}

type hints struct{ readOnly, destructive, idempotent, openWorld bool }

// adviceFunc says what to do about e, or "" for nothing beyond Open
// WebUI's own hint; served tells which tools this server offers.
type adviceFunc func(e *owui.Error, served func(tool string) bool) string

// runFunc performs the operation for one call.
type runFunc func(ctx context.Context, c *call) (any, error)

// call is what a handler gets: the caller's Open WebUI session, where its
// starting credential came from ("" if it had none) and the validated
// arguments.
type call struct {
	s    *owui.Session
	from string
	args json.RawMessage
	srv  *Server
	// wait is the call's context without the per-call timeout, for
	// waiting on a browser page (see browser.go).
	wait context.Context
}

// Tool is a built catalogue entry.
type Tool struct {
	Name      string
	Toolset   string
	Op        owui.Operation
	MCP       mcp.Tool
	validator *validate.Validator
	run       runFunc
	advice    adviceFunc
	// ChangesCredential: the tool replaces or removes the calling
	// account's own password or API key.
	ChangesCredential bool
}

// ReadOnly reports the tool's readOnlyHint.
func (t *Tool) ReadOnly() bool { return *t.MCP.Annotations.ReadOnlyHint }

// defs lists every tool, in the order of Open WebUI's router.
func defs() []def {
	return []def{
		getSessionUser(), updateProfile(), updateTimezone(), updatePassword(),
		signin(), signinLDAP(), signup(), addUser(), getAdminDetails(), signOut(),
		getAdminConfig(), updateAdminConfig(), getLDAPServer(), updateLDAPServer(),
		getLDAPConfig(), updateLDAPConfig(), generateAPIKey(), deleteAPIKey(),
		getAPIKey(), tokenExchange(), getOAuthConfig(), updateOAuthConfig(),
		deleteOAuthSession(),
	}
}

// schemasJSON holds every tool's input and output schema as the schema
// package derives them from the defs' structs. Deriving them takes
// milliseconds of reflection that every start of the binary would pay (and
// the binary would carry the deriving code), so they are derived when the
// code changes instead; TestSchemasAreDerived keeps this file equal to a
// fresh derivation.
//
// go generate ./tools regenerates it, then what is made from it: each step
// is a build of its own, so the next one embeds the new file.
//
//go:generate env UPDATE_GOLDEN=schemas go test -count=1 -run ^TestSchemasAreDerived$ .
//go:generate env UPDATE_GOLDEN=tools go test -count=1 -run ^TestToolsListGolden$ .
//go:generate env UPDATE_GOLDEN=readme go test -count=1 -run ^TestReadmeToolTableIsCurrent$ ..
//go:embed schemas.json
var schemasJSON []byte

type toolSchemas struct {
	Input  json.RawMessage `json:"input"` // as models are shown it
	Output json.RawMessage `json:"output"`
	// Check is the input schema arguments are checked against, when it says
	// more than the shown one (formats some providers refuse).
	Check json.RawMessage `json:"check,omitempty"`
}

// Catalogue returns every tool. They are built once, at first use, never
// per request.
func Catalogue() []*Tool { return catalogue() }

var catalogue = sync.OnceValue(func() []*Tool {
	var schemas map[string]toolSchemas
	if err := json.Unmarshal(schemasJSON, &schemas); err != nil {
		panic("tools: schemas.json: " + err.Error())
	}
	ds := defs()
	out := make([]*Tool, len(ds))
	for i, d := range ds {
		s, ok := schemas[d.op.Name]
		if !ok {
			panic("tools: no schemas for " + d.op.Name + "; run go generate ./tools")
		}
		out[i] = d.build(s)
	}
	return out
})

func (d def) build(s toolSchemas) *Tool {
	check := s.Input
	if len(s.Check) > 0 {
		check = s.Check
	}
	v, err := validate.New(check)
	if err != nil {
		panic("tools: " + d.op.Name + ": " + err.Error())
	}
	return &Tool{
		Name:    d.op.Name,
		Toolset: d.toolset,
		Op:      d.op,
		MCP: mcp.Tool{
			Name:            d.op.Name,
			Title:           d.title,
			Description:     d.desc,
			RawInputSchema:  s.Input,
			RawOutputSchema: s.Output,
			Annotations: mcp.ToolAnnotation{
				ReadOnlyHint:    mcp.ToBoolPtr(d.hints.readOnly),
				DestructiveHint: mcp.ToBoolPtr(d.hints.destructive),
				IdempotentHint:  mcp.ToBoolPtr(d.hints.idempotent),
				OpenWorldHint:   mcp.ToBoolPtr(d.hints.openWorld),
			},
		},
		validator:         v,
		run:               d.run,
		advice:            d.advice,
		ChangesCredential: d.changesCredential,
	}
}

// Lookup returns the catalogue entry named name.
func Lookup(name string) (*Tool, bool) {
	for _, t := range Catalogue() {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// The shapes below turn an owui method into a runFunc.

// noArgs runs a method that takes no arguments.
func noArgs[R any](m func(*owui.Session, context.Context) (R, error)) runFunc {
	return func(ctx context.Context, c *call) (any, error) { return m(c.s, ctx) }
}

// withForm decodes the arguments into the method's form and runs it.
func withForm[F, R any](m func(*owui.Session, context.Context, F) (R, error)) runFunc {
	return func(ctx context.Context, c *call) (any, error) {
		var f F
		if err := c.bind(&f); err != nil {
			return nil, err
		}
		return m(c.s, ctx, f)
	}
}

// readModifyWrite reads the current object, applies the arguments to it and
// writes the whole object back, so fields the caller did not name keep their
// values. It answers with the stored value of each field the caller set.
func readModifyWrite[T any](get func(*owui.Session, context.Context) (*T, error), put func(*owui.Session, context.Context, T) (*T, error)) runFunc {
	return func(ctx context.Context, c *call) (any, error) {
		patch, err := c.patch()
		if err == nil {
			// Refuse what cannot be decoded (2.0 for an integer field)
			// before anything is sent, not after the read.
			err = overlay(new(T), patch)
		}
		if err != nil {
			return nil, err
		}
		if len(patch) == 0 {
			// Nothing to change: neither the read nor a write of the
			// object as it was is needed.
			return &updateResult{Stored: map[string]any{}}, nil
		}
		cur, err := get(c.s, ctx)
		if err != nil {
			return nil, err
		}
		before := fields(cur)
		if err := overlay(cur, patch); err != nil {
			return nil, err
		}
		after, err := put(c.s, ctx, *cur)
		if err != nil {
			return nil, err
		}
		return newUpdateResult(patch, before, fields(after)), nil
	}
}

// partialWrite sends only the fields the caller set, for settings the
// server itself updates field by field (it ignores what is left out). Not
// reading first means the stored secret is not sent back and a concurrent
// change to another field is not overwritten.
func partialWrite[T any](put func(*owui.Session, context.Context, T) (*T, error)) runFunc {
	return func(ctx context.Context, c *call) (any, error) {
		patch, err := c.patch()
		if err != nil {
			return nil, err
		}
		var v T
		if err := overlay(&v, patch); err != nil {
			return nil, err
		}
		if len(patch) == 0 {
			return &updateResult{Stored: map[string]any{}}, nil
		}
		after, err := put(c.s, ctx, v)
		if err != nil {
			return nil, err
		}
		return newUpdateResult(patch, nil, fields(after)), nil
	}
}

// updateResult is what the settings-update tools answer: the stored value of
// each field the caller set, and those the server did not take (Open WebUI
// silently keeps the old value of some fields when the new one is invalid,
// and an older release has no such field at all).
type updateResult struct {
	Stored     map[string]any `json:"stored" jsonschema:"required"`
	NotApplied []string       `json:"not_applied,omitempty"`
}

func newUpdateResult(patch map[string]json.RawMessage, before, after map[string]json.RawMessage) *updateResult {
	r := &updateResult{Stored: make(map[string]any, len(patch))}
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		got, ok := after[k]
		if !ok {
			// Not in the answer: this server has no such setting, so it
			// stored nothing (a null here would read as "cleared").
			r.NotApplied = append(r.NotApplied, k)
			continue
		}
		var v any
		_ = json.Unmarshal(got, &v)
		r.Stored[k] = v
		if !sameJSON(patch[k], got) && !bothNone(patch[k], got) && sameJSON(before[k], got) {
			r.NotApplied = append(r.NotApplied, k)
		}
	}
	return r
}

// bothNone reports whether a and b are both a way of saying "none": Open
// WebUI stores null or 0 for a limit as "", and a cleared text as null.
func bothNone(a, b json.RawMessage) bool {
	none := func(r json.RawMessage) bool {
		var v any
		if json.Unmarshal(r, &v) != nil {
			return false
		}
		return v == nil || v == "" || v == float64(0)
	}
	return none(a) && none(b)
}

// fields splits an object's JSON into its top-level fields.
func fields(v any) map[string]json.RawMessage {
	b, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return m
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// bind decodes the validated arguments into v.
func (c *call) bind(v any) error {
	if len(c.args) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.args, v); err != nil {
		return argError{[]string{err.Error()}}
	}
	return nil
}

// patch returns the arguments as fields to change. A masked secret sent back
// unchanged means "keep the stored value" and is dropped.
func (c *call) patch() (map[string]json.RawMessage, error) {
	var patch map[string]json.RawMessage
	if err := c.bind(&patch); err != nil {
		return nil, err
	}
	dropMaskedSecrets(patch)
	return patch, nil
}

// overlay sets the patch's fields on cur; fields it does not name keep
// their values.
func overlay(cur any, patch map[string]json.RawMessage) error {
	b, _ := json.Marshal(patch)
	if err := json.Unmarshal(b, cur); err != nil {
		return argError{[]string{err.Error()}}
	}
	return nil
}
