package tools

import "github.com/owui-mcp/owui-mcp/owui"

// Tools of the "admin" toolset: accounts and server-wide settings.

func addUser() def {
	return def{
		op: owui.OpAddUser, toolset: tsAdmin, title: "Add a user",
		desc:  "Create an account with a password and a role (pending, user or admin; default pending). " + adminsOnly + " Works with sign-up off; your session stays yours. Listing, approving and re-roling accounts is done in Open WebUI's Admin Panel > Users, not here.",
		hints: hints{},
		in:    &owui.AddUserForm{}, out: &owui.SigninResponse{},
		run: withForm((*owui.Session).AddUser),
	}
}

func getAdminDetails() def {
	return def{
		op: owui.OpGetAdminDetails, toolset: tsAdmin, title: "Admin contact",
		desc:  "Show the admin contact (name, email) that pending accounts are told to ask for approval. " + signedIn + " Approval itself is done in Open WebUI's Admin Panel > Users.",
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.AdminDetails{},
		run:   noArgs((*owui.Session).GetAdminDetails),
	}
}

func getAdminConfig() def {
	return def{
		op: owui.OpGetAdminConfig, toolset: tsAdmin, title: "Server settings",
		desc:  "Show server-wide settings: sign-up on/off, default role of new accounts, API keys on/off and their allowed endpoints, JWT session lifetime, admin contact shown to pending users, public URL, default group, feature switches (folders, channels, notes, memories, calendar, automations, webhooks, user status, sharing, rating). " + adminsOnly,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.AdminConfig{},
		run:   noArgs((*owui.Session).GetAdminConfig),
	}
}

func updateAdminConfig() def {
	return def{
		op: owui.OpUpdateAdminConfig, toolset: tsAdmin, title: "Edit server settings",
		desc:  "Change server-wide settings (sign-up, default role, API keys, JWT lifetime, features). " + adminsOnly + " Pass only what changes; answers what was stored, and under not_applied what the server kept unchanged.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.AdminConfig{}, partial: true, out: &updateResult{},
		run: readModifyWrite((*owui.Session).GetAdminConfig, (*owui.Session).UpdateAdminConfig),
	}
}
