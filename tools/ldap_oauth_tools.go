package tools

import (
	"context"

	"github.com/owui-mcp/owui-mcp/owui"
)

// Tools of the "ldap" and "oauth" toolsets: directory and identity-provider
// settings.

func getLDAPServer() def {
	return def{
		op: owui.OpGetLDAPServer, toolset: tsLDAP, title: "LDAP server",
		desc:  "Show the LDAP server settings: host, port, TLS and certificate, bind DN (password masked), search base and filters, mail, username and group attributes, group sync. " + adminsOnly,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.LdapServerConfig{},
		run:   noArgs((*owui.Session).GetLDAPServer),
	}
}

func updateLDAPServer() def {
	return def{
		op: owui.OpUpdateLDAPServer, toolset: tsLDAP, title: "Edit LDAP server",
		desc:  "Change LDAP server settings. " + adminsOnly + " Pass only what changes; the mask sent back keeps the password.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.LdapServerConfig{}, partial: true, out: &updateResult{},
		run: readModifyWrite((*owui.Session).GetLDAPServer, (*owui.Session).UpdateLDAPServer),
	}
}

func getLDAPConfig() def {
	return def{
		op: owui.OpGetLDAPConfig, toolset: tsLDAP, title: "Is LDAP on",
		desc:  "Answer whether LDAP sign-in is on (ENABLE_LDAP). " + adminsOnly,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.LdapConfigResponse{},
		run:   noArgs((*owui.Session).GetLDAPConfig),
	}
}

// ldapSwitchArgs makes enable_ldap required and a plain boolean: the server
// takes a missing or null value as "off", which a tool called without
// arguments must not do by accident.
type ldapSwitchArgs struct {
	EnableLDAP bool `json:"enable_ldap" jsonschema:"required" jsonschema_description:"true: on; false: off."`
}

func updateLDAPConfig() def {
	return def{
		op: owui.OpUpdateLDAPConfig, toolset: tsLDAP, title: "Switch LDAP",
		desc:  "Switch LDAP sign-in on or off. " + adminsOnly + " Set the server up first with update_ldap_server.",
		hints: hints{destructive: true, idempotent: true},
		in:    &ldapSwitchArgs{}, out: &owui.LdapConfigResponse{},
		run: func(ctx context.Context, c *call) (any, error) {
			var a ldapSwitchArgs
			if err := c.bind(&a); err != nil {
				return nil, err
			}
			return c.s.UpdateLDAPConfig(ctx, owui.LdapConfigForm{EnableLDAP: &a.EnableLDAP})
		},
	}
}

func getOAuthConfig() def {
	return def{
		op: owui.OpGetOAuthConfig, toolset: tsOAuth, title: "OAuth settings",
		desc:  "Show OAuth/OIDC sign-in settings: on/off, sign-up through OAuth, merge by email, allowed domains, provider name and discovery URL, client id (secret masked), scopes, claims, role and group management. " + adminsOnly + " Server 0.10.0+.",
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.OAuthConfig{},
		run:   noArgs((*owui.Session).GetOAuthConfig),
	}
}

func updateOAuthConfig() def {
	return def{
		op: owui.OpUpdateOAuthConfig, toolset: tsOAuth, title: "Edit OAuth settings",
		desc:  "Change OAuth/OIDC settings. " + adminsOnly + " Pass only what changes (\"\" clears); the mask sent back keeps the secret. Server 0.10.0+.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.OAuthConfig{}, partial: true, out: &updateResult{},
		run: partialWrite((*owui.Session).UpdateOAuthConfig),
	}
}
