package tools

import (
	"net/http"

	"github.com/owui-mcp/owui-mcp/owui"
)

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
		desc:  "Show your API key, if you have one (else create it with generate_api_key)." + apiKeyGate + maskNote,
		hints: hints{readOnly: true, idempotent: true},
		out:   &owui.APIKey{},
		run:   noArgs((*owui.Session).GetAPIKey),
		advice: func(e *owui.Error, served func(string) bool) string {
			if e.StatusCode != http.StatusNotFound || e.Kind != owui.KindStatus {
				return ""
			}
			if served("generate_api_key") {
				return "This account has no API key yet: create one with generate_api_key."
			}
			return "This account has no API key yet; one can be created in Open WebUI under Settings > Account."
		},
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
