// Command owui-mcp serves Open WebUI's account and authentication API (the
// auths router) as MCP tools, over stdio, SSE or streamable HTTP.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/hosting"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/owui/owuitest"
	"github.com/owui-mcp/owui-mcp/signinpage"
	"github.com/owui-mcp/owui-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=..."; a plain
// go build or go install falls back to the module version.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// config is everything the command line and the environment decide.
type config struct {
	transport         string
	addr              string
	server            string
	timeout           time.Duration
	idle              time.Duration
	grace             time.Duration
	demo              bool
	logLevel          string
	selection         tools.Selection
	apiKey            string // OWUI_API_KEY
	authToken         string // OWUI_MCP_AUTH_TOKEN
	reveal            bool   // OWUI_MCP_REVEAL_SECRETS
	requireCredential bool
	origins           []string
	hosts             []string
	maxSessions       int
	linkTTL           time.Duration
	publicURL         string
	listJSON          bool
	listTools         bool
	printVersion      bool
	help              bool
}

const usageText = `owui-mcp: Open WebUI's account and authentication API as MCP tools.

Usage:
  owui-mcp [flags]              serve MCP (stdio by default): an MCP client
                                starts this command and talks to it
  owui-mcp tools [--json]       print the tool catalogue (Markdown, or the
                                exact tools/list objects with --json)
  owui-mcp version              print the version
  owui-mcp help                 print this help

Try it with no Open WebUI at all (a built-in in-memory one):
  npx @modelcontextprotocol/inspector owui-mcp --demo

Secrets are read only from the environment: OWUI_API_KEY (starting Open WebUI
credential), OWUI_MCP_AUTH_TOKEN (endpoint token required by the HTTP
transports), OWUI_MCP_REVEAL_SECRETS=1 (show API keys in full).

Flags (each has an environment twin, shown in brackets; flags may come
before or after a command):
`

// lookupFunc reads an environment variable: its value and whether it is set.
type lookupFunc func(string) (string, bool)

// commands are the words owui-mcp takes besides flags.
var commands = []string{"tools", "version", "help"}

func parse(args []string, lookup lookupFunc) (*config, *flag.FlagSet, error) {
	var errs []error
	env := func(k, def string) string {
		if v, ok := lookup(k); ok && v != "" {
			return v
		}
		return def
	}
	// A boolean that cannot be read stops start-up: OWUI_MCP_READ_ONLY=y
	// must not serve every tool.
	envBool := func(k string) bool {
		v, _ := lookup(k)
		b, err := parseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", k, v, err))
		}
		return b
	}
	c := &config{}
	fs := flag.NewFlagSet("owui-mcp", flag.ContinueOnError)
	// Errors are reported by run, and help goes to stdout.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var toolsets, toolList, exclude string
	var timeout, idle, grace, maxSessions, linkTTL string
	fs.StringVar(&c.transport, "transport", env("OWUI_MCP_TRANSPORT", "stdio"), "stdio, sse or http [OWUI_MCP_TRANSPORT]")
	fs.StringVar(&c.addr, "addr", env("OWUI_MCP_ADDR", "127.0.0.1:8765"), "listen address for sse and http [OWUI_MCP_ADDR]")
	fs.StringVar(&c.server, "server", env("OWUI_SERVER", "http://127.0.0.1:8080/api"), "Open WebUI URL, with or without /api [OWUI_SERVER]")
	fs.StringVar(&timeout, "timeout", env("OWUI_MCP_TIMEOUT", "30s"), "timeout of each Open WebUI request [OWUI_MCP_TIMEOUT]")
	fs.StringVar(&idle, "idle-timeout", env("OWUI_MCP_IDLE_TIMEOUT", "30m"), "sse/http: forget a client's session after this idle time [OWUI_MCP_IDLE_TIMEOUT]")
	fs.StringVar(&grace, "shutdown-grace", env("OWUI_MCP_SHUTDOWN_GRACE", "10s"), "on SIGINT/SIGTERM, how long calls in flight may finish [OWUI_MCP_SHUTDOWN_GRACE]")
	fs.StringVar(&maxSessions, "max-sessions", env("OWUI_MCP_MAX_SESSIONS", strconv.Itoa(hosting.DefaultMaxSessions)), "sse/http: most MCP sessions open at once; more get 503 [OWUI_MCP_MAX_SESSIONS]")
	fs.StringVar(&linkTTL, "signin-link-ttl", env("OWUI_MCP_SIGNIN_LINK_TTL", "10m"), "how long a browser sign-in link works (at most 1h) [OWUI_MCP_SIGNIN_LINK_TTL]")
	fs.StringVar(&c.publicURL, "public-url", env("OWUI_MCP_PUBLIC_URL", ""), "sse/http: the address browsers reach this server at, for sign-in page links; https unless loopback [OWUI_MCP_PUBLIC_URL]")
	fs.BoolVar(&c.demo, "demo", envBool("OWUI_MCP_DEMO"), "serve against a built-in in-memory Open WebUI (starts empty) [OWUI_MCP_DEMO]")
	fs.StringVar(&c.logLevel, "log-level", env("OWUI_MCP_LOG_LEVEL", "info"), "debug, info, warn or error; logs go to stderr [OWUI_MCP_LOG_LEVEL]")
	fs.StringVar(&toolsets, "toolsets", env("OWUI_MCP_TOOLSETS", ""), "comma-separated toolsets to serve (default all) [OWUI_MCP_TOOLSETS]")
	fs.StringVar(&toolList, "tools", env("OWUI_MCP_TOOLS", ""), "comma-separated single tools to serve in addition [OWUI_MCP_TOOLS]")
	fs.StringVar(&exclude, "exclude-tools", "", "comma-separated tools never to serve, added to OWUI_MCP_EXCLUDE_TOOLS; wins over --toolsets and --tools [OWUI_MCP_EXCLUDE_TOOLS]")
	fs.BoolVar(&c.selection.ReadOnly, "read-only", envBool("OWUI_MCP_READ_ONLY"), "serve only read-only tools; wins over everything [OWUI_MCP_READ_ONLY]")
	fs.BoolVar(&c.requireCredential, "require-credential", envBool("OWUI_MCP_REQUIRE_CREDENTIAL"), "sse/http: refuse requests that bring no Open WebUI credential of their own [OWUI_MCP_REQUIRE_CREDENTIAL]")
	fs.BoolVar(&c.listJSON, "json", false, "with the tools command: print the exact tools/list objects")
	fs.BoolVar(&c.printVersion, "version", false, "print the version and exit")
	c.reveal = envBool("OWUI_MCP_REVEAL_SECRETS")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.help = true
			return c, fs, nil
		}
		return nil, nil, fmt.Errorf("%v (see owui-mcp --help)", err)
	}
	// One command, with flags before or after it.
	if fs.NArg() > 0 {
		switch fs.Arg(0) {
		case "tools":
			c.listTools = true
		case "version":
			c.printVersion = true
		case "help":
			c.help = true
			return c, fs, nil
		default:
			return nil, nil, unexpected(fs.Arg(0))
		}
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.help = true
				return c, fs, nil
			}
			return nil, nil, fmt.Errorf("%v (see owui-mcp --help)", err)
		}
		if fs.NArg() > 0 {
			return nil, nil, unexpected(fs.Arg(0))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("%w (booleans are 1/0, true/false, yes/no or on/off)", err)
	}
	var err error
	if c.timeout, err = positiveDuration("--timeout", timeout); err != nil {
		return nil, nil, err
	}
	if c.idle, err = positiveDuration("--idle-timeout", idle); err != nil {
		return nil, nil, err
	}
	if c.grace, err = positiveDuration("--shutdown-grace", grace); err != nil {
		return nil, nil, err
	}
	if c.linkTTL, err = positiveDuration("--signin-link-ttl", linkTTL); err != nil {
		return nil, nil, err
	}
	if c.linkTTL > time.Hour {
		return nil, nil, fmt.Errorf("--signin-link-ttl %q: at most 1h; a sign-in link is a capability and should not outlive the moment", linkTTL)
	}
	if c.publicURL != "" {
		if _, _, err := signinpage.CheckPublicURL(c.publicURL); err != nil {
			return nil, nil, fmt.Errorf("--public-url: %w", err)
		}
	}
	if c.maxSessions, err = strconv.Atoi(strings.TrimSpace(maxSessions)); err != nil || c.maxSessions < 1 {
		return nil, nil, fmt.Errorf("--max-sessions %q: want a positive whole number", maxSessions)
	}
	switch c.transport {
	case "stdio", "sse", "http":
	default:
		return nil, nil, fmt.Errorf("--transport %q: use stdio, sse or http", c.transport)
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return nil, nil, fmt.Errorf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8765", c.addr)
	}
	c.selection.Toolsets = tools.SplitList(toolsets)
	c.selection.Tools = tools.SplitList(toolList)
	// Exclusions add up: a flag never brings back a tool the environment
	// excluded.
	c.selection.Exclude = append(tools.SplitList(env("OWUI_MCP_EXCLUDE_TOOLS", "")), tools.SplitList(exclude)...)
	c.apiKey = strings.TrimSpace(env("OWUI_API_KEY", ""))
	if v, ok := lookup("OWUI_MCP_AUTH_TOKEN"); ok {
		// Set but blank would otherwise mean "no token": serving with no
		// authentication because of a typo in a secret store.
		if c.authToken = strings.TrimSpace(v); c.authToken == "" {
			return nil, nil, errors.New("OWUI_MCP_AUTH_TOKEN is set but empty: give it a token (e.g. openssl rand -hex 32), or unset it to serve without one")
		}
	}
	c.origins = tools.SplitList(env("OWUI_MCP_ALLOWED_ORIGINS", ""))
	c.hosts = tools.SplitList(env("OWUI_MCP_ALLOWED_HOSTS", ""))
	c.selection.SharedCredential = c.transport != "stdio" && c.apiKey != ""
	return c, fs, nil
}

// unexpected refuses a word that is neither a flag nor a command, without
// echoing it when it looks like a credential.
func unexpected(word string) error {
	if strings.HasPrefix(word, "sk-") || strings.HasPrefix(word, "eyJ") || len(word) > 64 {
		return errors.New("unexpected argument that looks like a credential: pass secrets in environment variables (OWUI_API_KEY, OWUI_MCP_AUTH_TOKEN), never as arguments")
	}
	return fmt.Errorf("unknown command %q; the commands are %s, and everything else is a flag (see owui-mcp --help)", word, strings.Join(commands, ", "))
}

func positiveDuration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration such as 30s or 5m", name, v)
	}
	return d, nil
}

// parseBool reads a boolean setting; unset or empty is false.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, errors.New("not a boolean")
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(scrubbing{slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})}), nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// isTerminal reports whether r is a terminal rather than a pipe from a client.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// listening reports the bound address; tests replace it to learn the port.
var listening = func(string) {}

// run is the whole program; main only supplies the process's streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup lookupFunc) int {
	cfg, fs, err := parse(args, lookup)
	if err != nil {
		fmt.Fprintln(stderr, "owui-mcp:", err)
		return 2
	}
	if cfg.help {
		fmt.Fprint(stdout, usageText)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return 0
	}
	if cfg.printVersion {
		fmt.Fprintln(stdout, "owui-mcp", versionString())
		return 0
	}
	log, err := newLogger(cfg.logLevel, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "owui-mcp:", err)
		return 2
	}
	// mcp-go also logs through the standard log package: route it through
	// the same scrubbing handler, so no line anywhere carries a session id.
	slog.SetDefault(log)
	selected, err := tools.Select(cfg.selection)
	if err != nil {
		fmt.Fprintln(stderr, "owui-mcp:", err)
		return 2
	}
	if cfg.listTools {
		return printCatalogue(stdout, stderr, selected, cfg.listJSON)
	}
	hcfg := hosting.Config{
		Transport: cfg.transport, Addr: cfg.addr, AuthToken: cfg.authToken,
		SharedCredential: cfg.apiKey != "", RequireCredential: cfg.requireCredential,
		AllowedOrigins: cfg.origins, AllowedHosts: cfg.hosts, MaxSessions: cfg.maxSessions,
		IdleTTL: cfg.idle, Grace: cfg.grace, CallTimeout: cfg.timeout, Logger: log,
		PublicURL: cfg.publicURL, Pages: true,
	}
	if cfg.transport != "stdio" {
		if err := hcfg.Check(); err != nil {
			fmt.Fprintln(stderr, "owui-mcp:", err)
			return 2
		}
		// Shown whatever the log level: these are the settings that expose
		// the server.
		for _, w := range hcfg.Warnings() {
			fmt.Fprintln(stderr, "owui-mcp: WARNING:", w)
		}
		if withheld := tools.Withheld(cfg.selection); len(withheld) > 0 {
			fmt.Fprintf(stderr, "owui-mcp: OWUI_API_KEY is shared by every client of this server, so %s are not served: any client could change or delete the credential all of them use. Name them in --tools to serve them anyway.\n", strings.Join(withheld, ", "))
		}
	} else {
		if cfg.requireCredential {
			fmt.Fprintln(stderr, "owui-mcp: --require-credential applies to the sse and http transports; over stdio it has no effect")
		}
		if cfg.publicURL != "" {
			fmt.Fprintln(stderr, "owui-mcp: --public-url applies to the sse and http transports; over stdio the sign-in page is on 127.0.0.1")
		}
		if cfg.apiKey == "" && len(tools.SigninTools(selected)) == 0 && !cfg.demo {
			fmt.Fprintln(stderr, "owui-mcp: WARNING: no sign-in tool is served (--read-only or the tool selection leaves them out) and OWUI_API_KEY is not set, so every call will be refused with 401. Set OWUI_API_KEY to an API key of the account to act as.")
		}
		if isTerminal(stdin) {
			// Someone typed the command by hand: say what it is doing, or
			// they will think it hung (and a line they type gets "Parse error").
			fmt.Fprintln(stderr, "owui-mcp: waiting for an MCP client on stdin/stdout; this is not an interactive prompt. An MCP client (Claude Desktop, an IDE, the Inspector) starts this command itself: try npx @modelcontextprotocol/inspector owui-mcp --demo. See owui-mcp --help; Ctrl-C stops.")
		}
	}
	serverURL := cfg.server
	if cfg.demo {
		demo := owuitest.NewServer(owuitest.DemoOptions()...)
		defer demo.Close()
		serverURL = demo.APIURL()
		// Shown whatever the log level: without it a newcomer cannot find the demo.
		fmt.Fprintf(stderr, "owui-mcp: demo Open WebUI at %s (in memory, starts empty: the first signup becomes admin)\n", serverURL)
	}
	client, err := owui.New(serverURL, owui.WithTimeout(cfg.timeout), owui.WithLogger(log),
		owui.WithUserAgent("owui-mcp/"+versionString()))
	if err != nil {
		fmt.Fprintln(stderr, "owui-mcp: --server:", err)
		return 2
	}
	pages, err := signinpage.New(signinpage.Config{
		TTL: cfg.linkTTL, Server: client.ServerURL(), Logger: log,
		Local: cfg.transport == "stdio", PublicURL: hostedOnly(cfg.transport, cfg.publicURL),
	})
	if err != nil {
		fmt.Fprintln(stderr, "owui-mcp: --public-url:", err)
		return 2
	}
	defer pages.Close()
	idle := cfg.idle
	if cfg.transport == "stdio" {
		idle = 0 // one local user; an idle desktop must not lose its sign-in
	}
	srv := tools.NewServer(tools.Config{
		Client: client, APIKey: cfg.apiKey, Version: versionString(), Tools: selected,
		RevealSecrets: cfg.reveal, IdleTTL: idle, CallTimeout: cfg.timeout, Logger: log,
		Hosted: cfg.transport != "stdio", Pages: pages,
	})
	// Start-up garbage (the catalogue, the first tools/list) would otherwise
	// stay mapped until the background scavenger gets to it, minutes later;
	// agents keep many idle stdio servers around, so give it back now.
	freeOS := time.AfterFunc(500*time.Millisecond, debug.FreeOSMemory)
	defer freeOS.Stop()
	log.Info("owui-mcp starting", "version", versionString(), "transport", cfg.transport,
		"open_webui", client.BaseURL(), "tools", len(selected))
	if cfg.transport == "stdio" {
		err = serveStdio(ctx, srv, cfg, stdin, stdout, log)
	} else {
		err = hosting.Serve(ctx, srv, hcfg, listening)
	}
	if err != nil {
		log.Error("owui-mcp stopped", "err", err)
		return 1
	}
	log.Info("owui-mcp stopped")
	return 0
}

func hostedOnly(transport, v string) string {
	if transport == "stdio" {
		return ""
	}
	return v
}

// printCatalogue is the "tools" command.
func printCatalogue(stdout, stderr io.Writer, ts []*tools.Tool, asJSON bool) int {
	if !asJSON {
		fmt.Fprint(stdout, tools.Markdown(ts))
		return 0
	}
	list := make([]mcp.Tool, len(ts))
	for i, t := range ts {
		list[i] = t.MCP
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"tools": list}); err != nil {
		fmt.Fprintln(stderr, "owui-mcp:", err)
		return 1
	}
	return 0
}
