package tools

import "github.com/owui-mcp/owui-mcp/owui"

// Tools of the "api_keys" toolset: the signed-in account's API key.

const apiKeyGate = " " + signedIn + " Needs ENABLE_API_KEYS (and, for non-admins, permission)."

func generateAPIKey() def {
	return def{
		op: owui.OpGenerateAPIKey, toolset: tsAPIKeys, title: "Create an API key",
		desc:              "Create your API key, replacing any old one." + apiKeyGate + maskNote,
		hints:             hints{destructive: true},
		out:               &owui.APIKey{},
		run:               noArgs((*owui.Session).GenerateAPIKey),
		changesCredential: true,
	}
}

func getAPIKey() def {
	return def{
		op: owui.OpGetAPIKey, toolset: tsAPIKeys, title: "Show my API key",
		desc:  "Show your API key; fails if none." + apiKeyGate + maskNote,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.APIKey{},
		run:   noArgs((*owui.Session).GetAPIKey),
	}
}

func deleteAPIKey() def {
	return def{
		op: owui.OpDeleteAPIKey, toolset: tsAPIKeys, title: "Delete my API key",
		desc:              "Delete your API key (ok if none)." + apiKeyGate,
		hints:             hints{destructive: true, idempotent: true},
		out:               &okResult{},
		run:               noArgs((*owui.Session).DeleteAPIKey),
		changesCredential: true,
	}
}
