//go:build linux

package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (controller, terminal *os.File) {
	t.Helper()
	c, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n, unlock uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, c.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, c.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	term, err := os.OpenFile("/dev/pts/"+itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { c.Close(); term.Close() })
	return c, term
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestTerminalGetsTold: typed by hand in a terminal, the stdio server says
// that it waits for an MCP client; from a pipe (a client) it says nothing.
func TestTerminalGetsTold(t *testing.T) {
	_, term := openPTY(t)
	ctx, cancel := contextWithTimeout(2 * time.Second)
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--demo"}, term, &out, &errb, envOf(nil)) }()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(errb.String(), "waiting for an MCP client") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(errb.String(), "not an interactive prompt") || out.String() != "" {
		t.Errorf("stderr %q, stdout %q", errb.String(), out.String())
	}
	var piped syncBuffer
	run(bg, []string{"--demo"}, strings.NewReader(""), &out, &piped, envOf(nil))
	if strings.Contains(piped.String(), "waiting for an MCP client") {
		t.Errorf("from a pipe: %s", piped.String())
	}
}

// TestReadOnlyWithoutKeyWarns: --read-only serves no sign-in tool; without
// OWUI_API_KEY over stdio nothing can work, and start-up says so.
func TestReadOnlyWithoutKeyWarns(t *testing.T) {
	var out, errb syncBuffer
	run(bg, []string{"--read-only"}, strings.NewReader(""), &out, &errb, envOf(nil))
	if !strings.Contains(errb.String(), "WARNING: no sign-in tool is served") {
		t.Errorf("stderr %q", errb.String())
	}
	errb = syncBuffer{}
	run(bg, []string{"--read-only"}, strings.NewReader(""), &out, &errb, envOf(map[string]string{"OWUI_API_KEY": "sk-x"}))
	if strings.Contains(errb.String(), "WARNING") {
		t.Errorf("with a key: %q", errb.String())
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(bg, d)
}
