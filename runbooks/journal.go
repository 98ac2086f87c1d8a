package runbooks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Entry kinds, in the order a run usually produces them.
const (
	KindRunStart = "run-start"
	KindState    = "state"
	KindFinding  = "finding"
	KindPlanned  = "planned"
	KindApplied  = "applied" // one per Result
	KindResult   = "result"
	KindNote     = "note"
	KindCheck    = "check" // a checklist item ticked or unticked
	KindSkip     = "skip"
)

// Entry is one line of the journal.
type Entry struct {
	Time     time.Time `json:"time"`
	Incident string    `json:"incident"`
	Step     string    `json:"step,omitempty"`
	Mode     string    `json:"mode,omitempty"`
	Account  string    `json:"account,omitempty"`
	Kind     string    `json:"kind"`
	Message  string    `json:"message,omitempty"`
	Data     any       `json:"data,omitempty"`
}

// Journal is an incident's append-only record, one JSON object per line. Each entry is on disk
// before Record returns, so what the operator was told happened survives a crash.
type Journal struct {
	mu       sync.Mutex
	f        *os.File
	path     string
	incident string
}

// DefaultJournalDir is $XDG_STATE_HOME/lockdown, or ~/.local/state/lockdown.
func DefaultJournalDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "lockdown"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a place for the journal (use --journal DIR): %w", err)
	}
	return filepath.Join(home, ".local", "state", "lockdown"), nil
}

// OpenJournal opens (or continues) the journal of incident in dir. The directory is private to the
// user because the journal names accounts, users and keys.
func OpenJournal(dir, incident string) (*Journal, error) {
	if incident == "" || incident == "." || incident == ".." || strings.ContainsAny(incident, `/\`) {
		return nil, fmt.Errorf("incident name %q cannot be used as a file name; use letters, digits and dashes", incident)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the journal directory: %w", err)
	}
	path := filepath.Join(dir, incident+".jsonl")
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the journal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// A new file is only durable once its directory entry is.
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot make the new journal durable: %w", err)
		}
	}
	return &Journal{f: f, path: path, incident: incident}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Incident is the incident this journal records.
func (j *Journal) Incident() string { return j.incident }

// Record appends e as one line and syncs it to disk. A zero Time is stamped now, an empty Incident
// is the journal's own. The line is written with a single write so concurrent writers never
// interleave within a line.
func (j *Journal) Record(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if e.Incident == "" {
		e.Incident = j.incident
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("cannot record %s entry: %w", e.Kind, err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("the journal is closed")
	}
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("cannot write to the journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("cannot sync the journal %s to disk: %w", j.path, err)
	}
	return nil
}

// Close closes the file; later Records fail.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// ReadJournal reads every entry of a journal file. A line that is not an entry is reported as
// "path:LINE: ..."; Data comes back as plain JSON values (maps, slices, strings, numbers).
func ReadJournal(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []Entry
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var e Entry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				hint := ""
				if !bytes.HasSuffix(line, []byte("\n")) {
					hint = " (the last line is cut short, as after a crash while writing)"
				}
				return entries, fmt.Errorf("%s:%d: not a journal entry: %v%s", path, n, jerr, hint)
			}
			entries = append(entries, e)
		}
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return entries, fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
}
