//go:build unix

package main

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blockingPipe is a pipe as a client hands it to its server: blocking.
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func fdNonblocking(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var nb bool
	if err := rc.Control(func(fd uintptr) { nb, err = nonblocking(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	return nb
}

// TestStdinPolledAndRestored: a blocking stdin pipe is read through the
// poller while serving (a read deadline works on it) and is blocking and
// open again afterwards; what is not a blocking pipe is left alone.
func TestStdinPolledAndRestored(t *testing.T) {
	r, w := blockingPipe(t)
	in, restore := pollableStdin(r)
	polled, ok := in.(*os.File)
	if !ok || polled == r {
		t.Fatalf("stdin was not replaced: %T", in)
	}
	if !fdNonblocking(t, r) {
		t.Error("the pipe is not non-blocking while serving")
	}
	if err := polled.SetReadDeadline(time.Now().Add(time.Hour)); err != nil {
		t.Errorf("not pollable: %v", err)
	}
	if _, err := io.WriteString(w, "line\n"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(polled, buf); err != nil || string(buf) != "line\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
	restore()
	if fdNonblocking(t, r) {
		t.Error("the pipe stayed non-blocking")
	}
	if _, err := io.WriteString(w, "more\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "more\n" {
		t.Errorf("the caller's stdin after serving: %q, %v", buf, err)
	}

	// Already non-blocking (os.Pipe makes such pipes): read as it is, and
	// left non-blocking.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if in, restore := pollableStdin(pr); in != io.Reader(pr) {
		t.Error("a non-blocking pipe was replaced")
	} else {
		restore()
	}
	if !fdNonblocking(t, pr) {
		t.Error("a non-blocking pipe was made blocking")
	}

	// Not a pipe: a regular file, or any other reader.
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, x := range []io.Reader{f, strings.NewReader("")} {
		if in, restore := pollableStdin(x); in != x {
			t.Errorf("%T was replaced", x)
		} else {
			restore()
		}
	}
}

// TestStdioOverBlockingPipe: the whole program serves a blocking stdin
// pipe (as a client gives it) and leaves it blocking.
func TestStdioOverBlockingPipe(t *testing.T) {
	r, w := blockingPipe(t)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(bg, []string{"--demo"}, r, &out, &errb, envOf(nil)) }()
	if _, err := io.WriteString(w, lcInit+"\n"+lcInitialized+"\n"+`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	w.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after the end of input")
	}
	if !strings.Contains(out.String(), `"id":2,"result":{"tools":[`) {
		t.Errorf("stdout: %.300s", out.String())
	}
	if fdNonblocking(t, r) {
		t.Error("stdin stayed non-blocking")
	}
}
