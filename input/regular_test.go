package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOnlyRegularFilesAreOpened(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "journal.jsonl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	file := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"a FIFO would block until someone writes to it", fifo, "is a named pipe (FIFO), not a regular file: a journal must be a regular file"},
		{"a link to a FIFO is the FIFO", link, "is a named pipe (FIFO)"},
		{"a directory is no file", dir, "is a directory, not a regular file"},
		{"a device may never end", os.DevNull, "is a character device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Opening a FIFO for reading blocks until a writer comes: returning at all is the test.
			_, err := Open(tt.path, "journal")
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.path+" ") {
				t.Errorf("Open: got %v, want %q", err, tt.want)
			}
			if err := CheckRegular(tt.path, "journal"); !errors.As(err, &nr) {
				t.Errorf("CheckRegular: got %v", err)
			}
			if _, _, err := ReadLimited(tt.path, "journal", 10); !errors.As(err, &nr) {
				t.Errorf("ReadLimited: got %v", err)
			}
		})
	}
	if data, tooBig, err := ReadLimited(file, "plan", 10); err != nil || tooBig || string(data) != "{}" {
		t.Errorf("a regular file: %q %v %v", data, tooBig, err)
	}
	if err := CheckRegular(filepath.Join(dir, "new"), "plan"); err != nil {
		t.Errorf("a file yet to be created: %v", err)
	}
}

func TestReadLimitedStopsAtTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, []byte(strings.Repeat("x", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	data, tooBig, err := ReadLimited(path, "runbook", 64)
	if err != nil || !tooBig || len(data) != 64 {
		t.Errorf("got %d bytes, tooBig %v, %v", len(data), tooBig, err)
	}
}

func TestPositionsAreRightForEveryLineBreak(t *testing.T) {
	for _, brk := range []string{"\n", "\r\n", "\r"} {
		text := []byte(strings.Join([]string{"a: 1", "bé: [", "  c"}, brk))
		off := strings.Index(string(text), "c")
		if line, col := LineCol(text, off); line != 3 || col != 3 {
			t.Errorf("%q: c at %d:%d, want 3:3", brk, line, col)
		}
		off = strings.Index(string(text), "[")
		if line, col := LineCol(text, off); line != 2 || col != 5 {
			t.Errorf("%q: [ at %d:%d, want 2:5 (columns count characters)", brk, line, col)
		}
		if end := EndOfContent(append(text, []byte(brk+brk+"  ")...)); end != len(text) {
			t.Errorf("%q: the content ends at %d, want %d", brk, end, len(text))
		}
	}
}
