package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// commandLog is the log file of a command that keeps no journal (scan, keys, trace, verify): the
// SDK's own messages and the record of retries go there, never to the operator's terminal. It is
// created in the journal directory on its first line, so a quiet command leaves no file behind;
// a session (plan, apply, the TUI) moves everything to its incident's log once it opens it.
type commandLog struct {
	name string // the command, to name the file

	mu   sync.Mutex
	file *os.File
	// failed is why the file could not be opened: the lines are then dropped, never printed.
	failed error
	dir    func() (string, error)
}

func (l *commandLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil && l.failed == nil {
		l.file, l.failed = l.open()
	}
	if l.file == nil {
		return len(p), nil
	}
	return l.file.Write(p)
}

func (l *commandLog) open() (*os.File, error) {
	dir, err := l.dir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s.log", time.Now().UTC().Format("20060102-150405"), strings.ReplaceAll(l.name, " ", "-"))
	return os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
}

// Close closes the file, if a line ever opened it.
func (l *commandLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// logger is the command's log: its file in the journal directory.
func (g *Globals) logger() *slog.Logger {
	if g.log == nil {
		g.log = &commandLog{name: g.command, dir: g.journalDir}
	}
	return slog.New(slog.NewTextHandler(g.log, nil))
}
