package signinpage

import (
	"strings"
	"testing"
)

// Regression tests from an attack on the browser sign-in pages (branch
// attack3). Each names what it broke before its fix.

// Before: safeURL cut at the first '?' or '#' before looking for '@', so a
// password holding one of them was printed up to it:
// "https://admin:s3cr…".
func TestAttackPublicURLErrorsHideUserinfo(t *testing.T) {
	for _, bad := range []string{
		"https://admin:s3cr?tpass@mcp.example.com",
		"https://admin:s3cr#tpass@mcp.example.com/x",
		"https://admin:s3cr/tpass@mcp.example.com",
		"https://mcp.example.com/?t=s3cr@tpass",
		"admin:s3cr?tpass@mcp.example.com",
	} {
		_, _, err := CheckPublicURL(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "tpass") || strings.Contains(err.Error(), "admin") {
			t.Errorf("%q: the error shows part of the credential: %v", bad, err)
		}
	}
}
