//go:build unix

package main

import (
	"io"
	"os"
	"syscall"
)

// pollableStdin returns stdin as a file the Go runtime's poller waits on,
// when it is a pipe or a socket (what an MCP client gives its server), and
// a function that puts everything back as it was.
//
// A blocking read on stdin holds a thread in the kernel between messages;
// when a line arrives, that thread must get a processor back and the call
// it starts waits for one too (on two cores, several wake-ups per call).
// Read through the poller, the waiting reader is only a parked goroutine
// and the line is handled on a processor already running.
//
// O_NONBLOCK belongs to the open pipe, which the process shares with
// whoever gave it (a shell, a client), so it is cleared again when serving
// ends; a pipe that was non-blocking already is read as it is. The file
// read here is a duplicate of the descriptor, so closing it never closes
// the caller's stdin.
func pollableStdin(stdin io.Reader) (io.Reader, func()) {
	f, ok := stdin.(*os.File)
	if !ok {
		return stdin, func() {}
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return stdin, func() {}
	}
	// SyscallConn, unlike Fd, leaves a pollable file's mode alone.
	var orig int
	rc, err := f.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) { orig = int(fd) })
	}
	if err != nil {
		return stdin, func() {}
	}
	if nb, err := nonblocking(orig); err != nil || nb {
		return stdin, func() {}
	}
	fd, err := syscall.Dup(orig)
	if err != nil {
		return stdin, func() {}
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return stdin, func() {}
	}
	polled := os.NewFile(uintptr(fd), f.Name())
	return polled, func() {
		_ = syscall.SetNonblock(fd, false)
		polled.Close()
	}
}

func nonblocking(fd int) (bool, error) {
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return false, errno
	}
	return flags&syscall.O_NONBLOCK != 0, nil
}
