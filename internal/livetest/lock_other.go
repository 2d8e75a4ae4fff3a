//go:build !unix

package livetest

import "os"

// Elsewhere the suites of different packages are not kept apart: run a live
// suite with go test -p 1.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
