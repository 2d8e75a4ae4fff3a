package tools

import "github.com/owui-mcp/owui-mcp/owui"

// Tools of the "admin" toolset: accounts and server-wide settings.

func addUser() def {
	return def{
		op: owui.OpAddUser, toolset: tsAdmin, title: "Add a user",
		desc:  "Create an account with a role (default pending). " + adminsOnly + " Works with sign-up off; your session stays.",
		hints: hints{},
		in:    &owui.AddUserForm{}, out: &owui.SigninResponse{},
		run: withForm((*owui.Session).AddUser),
	}
}

func getAdminDetails() def {
	return def{
		op: owui.OpGetAdminDetails, toolset: tsAdmin, title: "Admin contact",
		desc:  "Show the admin to contact, e.g. for approval. " + signedIn,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.AdminDetails{},
		run:   noArgs((*owui.Session).GetAdminDetails),
	}
}

func getAdminConfig() def {
	return def{
		op: owui.OpGetAdminConfig, toolset: tsAdmin, title: "Server settings",
		desc:  "Show server-wide settings. " + adminsOnly,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.AdminConfig{},
		run:   noArgs((*owui.Session).GetAdminConfig),
	}
}

func updateAdminConfig() def {
	return def{
		op: owui.OpUpdateAdminConfig, toolset: tsAdmin, title: "Edit server settings",
		desc:  "Change server-wide settings. " + adminsOnly + " Pass only what changes.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.AdminConfig{}, partial: true, out: &updateResult{},
		run: readModifyWrite((*owui.Session).GetAdminConfig, (*owui.Session).UpdateAdminConfig),
	}
}
