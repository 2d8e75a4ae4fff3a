//go:build !unix

package main

import "io"

// pollableStdin leaves stdin as it is where the poller cannot take a pipe.
func pollableStdin(stdin io.Reader) (io.Reader, func()) { return stdin, func() {} }
