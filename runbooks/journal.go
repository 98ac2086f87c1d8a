package runbooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"lockdown/input"
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
	// now stamps entries; a drill's journal keeps the simulated account's time.
	now func() time.Time
}

// UseClock stamps the entries recorded from now on with now instead of the wall clock: a drill's
// journal is on the simulated account's clock, as its attacker and its debrief are.
func (j *Journal) UseClock(now func() time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.now = now
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
	j := &Journal{f: f, path: path, incident: incident}
	if err := j.setTornLineAside(); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot continue the journal %s: %w", path, err)
	}
	return j, nil
}

// CreateIncident claims a new incident name in dir, base or base-2, base-3... when a run that
// started in the same second holds it, by creating its empty journal exclusively: two runs never
// share a journal.
func CreateIncident(dir, base string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the journal directory: %w", err)
	}
	for n := 1; n <= 1000; n++ {
		incident := base
		if n > 1 {
			incident = fmt.Sprintf("%s-%d", base, n)
		}
		f, err := os.OpenFile(filepath.Join(dir, incident+".jsonl"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("cannot create the journal: %w", err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("cannot create the journal: %w", err)
		}
		return incident, nil
	}
	return "", fmt.Errorf("cannot create a journal: %s holds a thousand incidents named %s", dir, base)
}

// maxSetAside is how much of a cut-short last line the note about it keeps.
const maxSetAside = 512

// setTornLineAside ends a journal whose last line a kill cut short, before anything is appended:
// appended to it, the next entry would be glued to the fragment and both lost. The fragment is
// cut off the file and kept, shortened, in a note saying which line it was, so that the journal
// reads whole again and the report does not take it for damage.
func (j *Journal) setTornLineAside() error {
	fi, err := j.f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	r, err := os.Open(j.path)
	if err != nil {
		return err
	}
	defer r.Close()
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, fi.Size()-1); err != nil || last[0] == '\n' {
		return err
	}
	lines, end, err := countLines(r)
	if err != nil {
		return err
	}
	tail := make([]byte, min(fi.Size()-end, MaxJournalLine+1))
	if _, err := r.ReadAt(tail, end); err != nil {
		return err
	}
	if _, problem := decodeEntry(tail, input.NewJSONMeter(journalLimits), lines+1); problem == "" && len(tail) <= MaxJournalLine {
		// A whole entry that only lacks its newline: the readers took it, so keep it.
		if _, err := j.f.Write([]byte("\n")); err != nil {
			return err
		}
		return j.f.Sync()
	}
	fragment := tail[:min(len(tail), maxSetAside)]
	if err := j.f.Truncate(end); err != nil {
		return err
	}
	return j.Record(Entry{Kind: KindNote,
		Message: fmt.Sprintf("the journal's line %d was cut short when lockdown stopped while writing it; it is set aside and the journal continues", lines+1),
		Data:    map[string]any{"torn_line": lines + 1, "fragment": string(fragment)}})
}

// countLines counts the newlines in r from its start and returns where the last one ends.
func countLines(r io.ReaderAt) (lines int, end int64, err error) {
	buf := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := r.ReadAt(buf, off)
		for i, b := range buf[:n] {
			if b == '\n' {
				lines, end = lines+1, off+int64(i)+1
			}
		}
		off += int64(n)
		if errors.Is(err, io.EOF) {
			return lines, end, nil
		}
		if err != nil {
			return lines, end, err
		}
	}
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
		e.Time = j.clock()
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

func (j *Journal) clock() time.Time {
	j.mu.Lock()
	now := j.now
	j.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}
