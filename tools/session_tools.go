package tools

import (
	"context"

	"github.com/owui-mcp/owui-mcp/owui"
)

// Tools of the "session" toolset: getting, keeping and ending the Open WebUI
// session of this MCP client.

const keptNote = " Keeps the token, unseen, for later calls of this MCP session; a sign-in lasts as long as the session."

// browserNote tells the model to prefer the page.
const browserNote = " Prefer leaving the password out: the user then types it on a one-time browser page (the client shows it, or the result gives the link), so it never enters the chat."

func signin() def {
	return def{
		op: owui.OpSignin, toolset: tsSession, title: "Sign in",
		desc:  "Sign in with email and password." + browserNote + " " + anyone + " Max 15 tries per email per 3 min." + keptNote,
		hints: hints{},
		in:    &owui.SigninForm{}, out: &signinResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			var f owui.SigninForm
			if err := c.bind(&f); err != nil {
				return nil, err
			}
			if f.Password == "" {
				return c.viaBrowser(ctx, signinPage(c, f.Email))
			}
			if f.Email == "" {
				return nil, argError{[]string{"email is required with a password (or leave the password out to sign in on a browser page)"}}
			}
			return c.s.Signin(ctx, f)
		},
	}
}

func signinLDAP() def {
	return def{
		op: owui.OpSigninLDAP, toolset: tsSession, title: "Sign in with LDAP",
		desc:  "Sign in with LDAP username and password (LDAP must be on)." + browserNote + " " + anyone + " Creates the account on first use." + keptNote,
		hints: hints{openWorld: true},
		in:    &owui.LdapForm{}, out: &signinResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			var f owui.LdapForm
			if err := c.bind(&f); err != nil {
				return nil, err
			}
			if f.Password == "" {
				return c.viaBrowser(ctx, signinLDAPPage(c, f.User))
			}
			if f.User == "" {
				return nil, argError{[]string{"user is required with a password (or leave the password out to sign in on a browser page)"}}
			}
			return c.s.SigninLDAP(ctx, f)
		},
	}
}

func signup() def {
	return def{
		op: owui.OpSignup, toolset: tsSession, title: "Sign up",
		desc:  "Create an account and sign in as it. " + anyone + " The first account becomes admin and turns sign-up off; later ones get the default role, often pending until an admin approves them in Open WebUI's Admin Panel > Users." + keptNote,
		hints: hints{},
		in:    &owui.SignupForm{}, out: &sessionResult{},
		run: withForm((*owui.Session).Signup),
		advice: func(e *owui.Error, served func(string) bool) string {
			if !e.AccessProhibited() {
				return ""
			}
			a := "Sign-up is off on this server (the first account turns it off)."
			if served("add_user") {
				a += " An admin can create the account with add_user"
				if served("update_admin_config") {
					a += ", or turn sign-up on with update_admin_config (ENABLE_SIGNUP)"
				}
				return a + "."
			}
			return a + " An admin can create the account in Open WebUI's Admin Panel > Users."
		},
	}
}

func signOut() def {
	return def{
		op: owui.OpSignOut, toolset: tsSession, title: "Sign out",
		desc:  "Sign out; this MCP session forgets its token. " + anyone + " Only a token a sign-in tool obtained is signed out at Open WebUI (revoked at once with Redis, else valid until expiry); a credential from a header or OWUI_API_KEY is only forgotten by this session.",
		hints: hints{destructive: true, idempotent: true},
		out:   &signOutResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			if c.s.Credential() != "" && !c.s.Obtained() {
				c.s.Clear()
				return &signOutResult{
					OK:    true,
					Scope: "mcp_session",
					Note:  "The credential came from " + c.from + ", not from a sign-in of this session, so it was not signed out at Open WebUI and stays valid there; this MCP session forgot it and is signed out.",
				}, nil
			}
			r, err := c.s.SignOut(ctx)
			if err != nil {
				return nil, err
			}
			return &signOutResult{OK: r.Status, Scope: "open_webui", Note: "Signed out at Open WebUI; this MCP session forgot the token.", RedirectURL: r.RedirectURL}, nil
		},
	}
}

func getSessionUser() def {
	return def{
		op: owui.OpGetSessionUser, toolset: tsSession, title: "Who am I",
		desc:  "Show the signed-in account: name, email, role, profile, session expiry and its whole permission tree. " + signedIn,
		hints: hints{readOnly: true, idempotent: true},
		out:   &sessionInfoResult{},
		run:   noArgs((*owui.Session).GetSessionUser),
	}
}

// The provider patterns take what Open WebUI names providers with (MCP tool
// servers' sessions are "mcp:<server id>") and keep it a single path
// segment: no slash, backslash or percent-escape, and dots only between
// other characters, so that "../../api_key" or "." never turns an OAuth
// route into another one behind a normalising proxy.

type tokenExchangeArgs struct {
	Provider string `json:"provider" jsonschema:"required,pattern=^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$" jsonschema_description:"google, microsoft, github, oidc or feishu."`
	owui.TokenExchangeForm
}

func tokenExchange() def {
	return def{
		op: owui.OpTokenExchange, toolset: tsSession, title: "OAuth token exchange",
		desc:  "Trade an OAuth provider's access token for an Open WebUI session. " + anyone + " Needs token exchange on." + keptNote,
		hints: hints{openWorld: true},
		in:    &tokenExchangeArgs{}, out: &sessionResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			var a tokenExchangeArgs
			if err := c.bind(&a); err != nil {
				return nil, err
			}
			return c.s.TokenExchange(ctx, a.Provider, a.TokenExchangeForm)
		},
	}
}

type providerArgs struct {
	Provider string `json:"provider" jsonschema:"required,pattern=^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$" jsonschema_description:"Provider, e.g. oidc, or mcp:<server id> for an MCP tool server."`
}

func deleteOAuthSession() def {
	return def{
		op: owui.OpDeleteOAuthSession, toolset: tsSession, title: "End an OAuth session",
		desc:  "Delete the account's stored OAuth session for a provider. " + verified + " Fails if none.",
		hints: hints{destructive: true, idempotent: true},
		in:    &providerArgs{}, out: &okResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			var a providerArgs
			if err := c.bind(&a); err != nil {
				return nil, err
			}
			return c.s.DeleteOAuthSession(ctx, a.Provider)
		},
	}
}
