package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blockedLockdown starts the built binary where no context reaches it: the SDK reads its shared
// config file, here a FIFO nobody writes to, before the first AWS call, and an open of a FIFO
// blocks until a writer comes.
func blockedLockdown(t *testing.T) (*exec.Cmd, *bytes.Buffer) {
	if runtime.GOOS != "linux" {
		t.Skip("where a process waits is read from Linux's /proc")
	}
	r := newInputRig(t)
	cmd := exec.Command(r.bin, "scan", "--endpoint-url", r.endpoint)
	cmd.Env = append(r.env, "AWS_CONFIG_FILE="+r.fifo("config"))
	cmd.Dir = r.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// Blocked once it waits in the kernel on the FIFO: the signal must find it there.
	deadline := time.Now().Add(10 * time.Second)
	// (wait_for_partner: an open of a FIFO waiting for the other end).
	for !strings.Contains(procWait(cmd.Process.Pid), "wait_for_partner") {
		if time.Now().After(deadline) {
			t.Fatalf("lockdown never blocked on the FIFO (waiting in %q):\n%s", procWait(cmd.Process.Pid), out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, &out
}

// procWait is where in the kernel the process's threads wait, from /proc.
func procWait(pid int) string {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
	var b strings.Builder
	for _, task := range tasks {
		data, _ := os.ReadFile(task)
		b.Write(data)
		b.WriteByte(' ')
	}
	return b.String()
}

// waitExit waits at most within for the process to end and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration, out *bytes.Buffer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		return 0
	case <-time.After(within):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running %s after the signal:\n%s", within, out.String())
		return -1
	}
}

func TestSIGTERMEndsLockdownEvenWhileItIsBlockedReading(t *testing.T) {
	t.Parallel()
	cmd, out := blockedLockdown(t)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stopGrace+5*time.Second, out); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit %d, want %d:\n%s", code, 128+int(syscall.SIGTERM), out.String())
	}
	if !strings.Contains(out.String(), "did not stop within 3s: ending now") {
		t.Errorf("the operator is not told why it ended:\n%s", out.String())
	}
}

func TestASecondSIGINTEndsLockdownAtOnce(t *testing.T) {
	t.Parallel()
	cmd, out := blockedLockdown(t)
	for range 2 {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := waitExit(t, cmd, stopGrace-time.Second, out); code != 128+int(syscall.SIGINT) {
		t.Errorf("exit %d, want %d:\n%s", code, 128+int(syscall.SIGINT), out.String())
	}
}
