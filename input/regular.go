// Package input reads the files an operator hands lockdown — runbooks, scenarios, plans, journals,
// secrets files — refusing what is not a regular file, and measures their shape before a parser
// builds anything, so a wrong or hostile file costs milliseconds, not the machine.
package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// NotRegularError is a path that names something other than a regular file: reading a FIFO blocks
// until someone writes to it, a device may never end, and a directory is no file at all.
type NotRegularError struct {
	Path string
	What string // "journal", "plan", "runbook", "scenario", "secrets file"
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file: a %s must be a regular file", e.Path, describeMode(e.Mode), e.What)
}

// describeMode names a file type in an operator's words.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// CheckRegular refuses a path that exists and is not a regular file (following symbolic links),
// without opening it. A path that does not exist passes: a file to be created is checked by
// whoever creates it.
func CheckRegular(path, what string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: path, What: what, Mode: fi.Mode()}
	}
	return nil
}

// Open opens a regular file for reading. The type is checked before opening, and again on the
// opened file: opening is non-blocking, so a FIFO put in the file's place in between is refused
// too instead of blocking the process.
func Open(path, what string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, What: what, Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, &NotRegularError{Path: path, What: what, Mode: fi.Mode()}
	}
	return f, nil
}

// ReadLimited reads at most limit bytes of the regular file at path and says whether it holds
// more; the bytes up to the limit come back either way, so the caller can say where it crossed it.
func ReadLimited(path, what string, limit int64) (data []byte, tooBig bool, err error) {
	f, err := Open(path, what)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > limit {
		return data[:limit], true, nil
	}
	return data, false, nil
}
