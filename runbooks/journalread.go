package runbooks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"lockdown/input"
)

// Limits on a journal that lockdown reads. A long incident writes a few thousand lines of a few
// hundred bytes, six levels deep, some 5,000 values in all, and its largest line, an apply's
// outcome, holds one result per change; these limits are far above that and keep a damaged or
// hostile file from taking the machine's memory. Each line is measured before it is decoded.
const (
	MaxJournalBytes   = 64 << 20
	MaxJournalLine    = 4 << 20
	MaxJournalDepth   = 32
	MaxJournalEntries = 200_000
	MaxJournalValues  = 2_000_000
)

var journalLimits = input.Limits{Depth: MaxJournalDepth, Entries: MaxJournalEntries, Keys: MaxJournalEntries, Nodes: MaxJournalValues}

// JournalFile is what could be read of a journal.
type JournalFile struct {
	Entries []Entry
	// Corrupt are lines that are not entries and are not the cut-short last line: the file was
	// damaged or edited, and what it held there is unknown.
	Corrupt []BadLine
	// Torn is the last line when it was cut short, as a kill while writing leaves it: the entry
	// being written was lost, everything before it is whole.
	Torn *BadLine
}

// BadLine is a journal line that holds no entry, and why.
type BadLine struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
}

// ReadJournalFile reads every entry of a journal, keeping the lines that are not entries aside.
// It fails only when the file cannot be read, is too large, or holds no entry at all: a file that
// is empty or is not a journal must not be mistaken for an incident in which nothing happened.
func ReadJournalFile(path string) (*JournalFile, error) {
	f, err := input.Open(path, "journal")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxJournalBytes {
		return nil, fmt.Errorf("%s is %d MiB, larger than the %d MiB a journal may be; is this the right file?", path, fi.Size()>>20, MaxJournalBytes>>20)
	}
	jf, err := DecodeJournal(f)
	if err != nil {
		return jf, fmt.Errorf("%s%w", path, err)
	}
	return jf, nil
}

// DecodeJournal reads journal lines from r. Its errors start with ":LINE: " or ": " so that the
// caller can put the file's name in front.
func DecodeJournal(r io.Reader) (*JournalFile, error) {
	jf := &JournalFile{}
	meter := input.NewJSONMeter(journalLimits)
	lines := bufio.NewReaderSize(r, 64<<10)
	read := 0
	last := 0 // the last line that was not blank
	var torn *BadLine
	for n := 1; ; n++ {
		line, complete, tooLong, err := readLine(lines, &read)
		if err != nil && !errors.Is(err, io.EOF) {
			return jf, fmt.Errorf(":%d: %w", n, err)
		}
		if read > MaxJournalBytes {
			return jf, fmt.Errorf(": larger than the %d MiB a journal may be; is this the right file?", MaxJournalBytes>>20)
		}
		if torn != nil && (tooLong || len(bytes.TrimSpace(line)) > 0) {
			// What looked like a torn last line was followed by more: it is corrupt.
			jf.Corrupt, torn = append(jf.Corrupt, *torn), nil
		}
		switch {
		case tooLong:
			last = n
			jf.Corrupt = append(jf.Corrupt, BadLine{Line: n, Problem: fmt.Sprintf("the line is longer than the %d MiB a journal entry may be", MaxJournalLine>>20)})
		case len(bytes.TrimSpace(line)) > 0:
			last = n
			e, problem := decodeEntry(line, meter, n)
			if problem == tooManyValues {
				return jf, fmt.Errorf(":%d: more than %d values in the journal, hundreds of times what an incident writes; is this the right file?", n, MaxJournalValues)
			}
			switch {
			case problem == "":
				jf.Entries = append(jf.Entries, e)
			case !complete:
				torn = &BadLine{Line: n, Problem: problem}
			default:
				jf.Corrupt = append(jf.Corrupt, BadLine{Line: n, Problem: problem})
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	jf.Torn = torn
	switch {
	case last == 0:
		return jf, errors.New(" is empty: it is not a lockdown journal")
	case len(jf.Entries) == 0:
		first := jf.Torn
		if len(jf.Corrupt) > 0 {
			first = &jf.Corrupt[0]
		}
		return jf, fmt.Errorf(":%d: not a lockdown journal: %s", first.Line, first.Problem)
	}
	return jf, nil
}

// readLine reads one line without its newline. A line longer than MaxJournalLine is skipped to its
// end without being kept, so one huge line cannot take the memory.
func readLine(r *bufio.Reader, read *int) (line []byte, complete, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		*read += len(chunk)
		if !tooLong {
			if len(line)+len(chunk) > MaxJournalLine+1 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if *read > MaxJournalBytes {
				return line, false, tooLong, nil
			}
			continue
		}
		complete = bytes.HasSuffix(chunk, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\n")), complete, tooLong, err
	}
}

// tooManyValues is decodeEntry's problem for a line that takes the journal past MaxJournalValues.
const tooManyValues = "too many values"

// decodeEntry reads line n as an entry, or says why it is not one. An entry has at least a kind
// and a time: any other JSON object is not lockdown's. The line is measured before it is decoded.
func decodeEntry(line []byte, meter *input.JSONMeter, n int) (Entry, string) {
	var e Entry
	if exceeded := meter.Feed(line, n); exceeded != nil {
		if exceeded.Limit == input.TooMany {
			return e, tooManyValues
		}
		return e, fmt.Sprintf("not a journal entry: %s (column %d), far past what lockdown writes", exceeded.Problem(), exceeded.Col)
	}
	if err := json.Unmarshal(line, &e); err != nil {
		return e, "not a journal entry: " + err.Error()
	}
	if e.Kind == "" || e.Time.IsZero() {
		return e, "not a journal entry: it has no kind or time"
	}
	return e, ""
}

// ReadJournal reads every entry of a journal file. A last line cut short by a kill while writing is
// left out, as it holds no whole entry; any other line that is not an entry is an error, reported as
// "path:LINE: ...", returned with the entries that could be read. Data comes back as plain JSON
// values (maps, slices, strings, numbers).
func ReadJournal(path string) ([]Entry, error) {
	jf, err := ReadJournalFile(path)
	if err != nil {
		if jf == nil {
			return nil, err
		}
		return jf.Entries, err
	}
	if len(jf.Corrupt) > 0 {
		bad := jf.Corrupt[0]
		return jf.Entries, fmt.Errorf("%s:%d: %s", path, bad.Line, bad.Problem)
	}
	return jf.Entries, nil
}
