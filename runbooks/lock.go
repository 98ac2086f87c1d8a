package runbooks

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Lock holds one piece of work in a journal directory (applying one plan, continuing one
// incident) for this process alone: a second lockdown started on the same work stops before it
// sends anything, instead of making every change twice. The kernel releases it when the process
// ends, however it ends, so a killed run never leaves it held.
type Lock struct {
	f *os.File
}

// LockHolder says who holds a lock, so the operator can find the other run.
type LockHolder struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Host    string    `json:"host"`
	// What is the work, in words: "applying the plan sha256:…".
	What string `json:"what"`
}

func (h LockHolder) String() string {
	if h.PID == 0 {
		return "another process, which has not yet said who it is"
	}
	return fmt.Sprintf("process %d on host %s, started %s", h.PID, h.Host, h.Started.UTC().Format("2006-01-02 15:04:05Z"))
}

// HeldError is a lock another process holds.
type HeldError struct {
	Path   string
	Holder LockHolder
	What   string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is already under way: %s holds %s; wait for it to end, or stop it (a stopped run releases it), then run this again", e.What, e.Holder, e.Path)
}

// TakeLock takes the lock called name in dir for what (in words), or returns a *HeldError naming
// the process that holds it. Taking it reads and writes only the lock file.
func TakeLock(dir, name, what string) (*Lock, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("lock name %q cannot be used as a file name", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the journal directory for the lock: %w", err)
	}
	path := filepath.Join(dir, name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock %s: %w", path, err)
	}
	held, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("taking the lock %s: %w", path, err)
	}
	if held {
		holder := readHolder(f)
		f.Close()
		return nil, &HeldError{Path: path, Holder: holder, What: what}
	}
	host, _ := os.Hostname()
	me := LockHolder{PID: os.Getpid(), Started: time.Now().UTC(), Host: host, What: what}
	data, _ := json.Marshal(me)
	if err := writeHolder(f, data); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release lets the next run take the lock. Ending the process releases it too.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}

func readHolder(f *os.File) LockHolder {
	var h LockHolder
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return h
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err == nil {
		_ = json.Unmarshal(data, &h)
	}
	return h
}

func writeHolder(f *os.File, data []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	return f.Sync()
}
