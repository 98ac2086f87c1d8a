package runbooks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

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
//
// A run reads its journals many times (decisions kept, keys created, secrets saved), while it
// appends to one of them: what was read of a file is kept, and only the lines after it are
// decoded again, as long as the file still begins with exactly the bytes that were read. The
// entries' Data are shared between reads: they are read, never changed.
func ReadJournalFile(path string) (*JournalFile, error) {
	return readJournalFile(path, true)
}

// readJournalFile reads the journal at path; without own, the entries' array is the one kept for
// later reads, which the caller must only read.
func readJournalFile(path string, own bool) (*JournalFile, error) {
	f, err := input.Open(path, "journal")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxJournalBytes {
		return nil, fmt.Errorf("%s is %d MiB, larger than the %d MiB a journal may be; is this the right file?", path, fi.Size()>>20, MaxJournalBytes>>20)
	}
	data, err := readPastKept(f, fi.Size(), readJournals.keptBytes(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return readJournalBytes(path, data, own)
}

// readJournalBytes decodes data, the bytes of the journal at path, from where the last read of
// the same bytes stopped.
func readJournalBytes(path string, data []byte, own bool) (*JournalFile, error) {
	d := readJournals.resume(path, data)
	if err := d.decode(bytes.NewReader(data[d.read:]), len(data)-d.read); err != nil {
		return &d.jf, fmt.Errorf("%s%w", path, err)
	}
	readJournals.keep(path, data, d)
	jf, err := d.finish()
	if own {
		// The entries' array is shared with later reads of the file: the caller gets its own.
		jf.Entries, jf.Corrupt = slices.Clone(jf.Entries), slices.Clone(jf.Corrupt)
	} else {
		jf.Entries, jf.Corrupt = slices.Clip(jf.Entries), slices.Clip(jf.Corrupt)
	}
	if err != nil {
		return jf, fmt.Errorf("%s%w", path, err)
	}
	return jf, nil
}

// DecodeJournal reads journal lines from r. Its errors start with ":LINE: " or ": " so that the
// caller can put the file's name in front.
func DecodeJournal(r io.Reader) (*JournalFile, error) {
	d := newJournalDecoder()
	if err := d.decode(r, 64<<10); err != nil {
		return &d.jf, err
	}
	return d.finish()
}

// journalDecoder reads a journal's lines one after another, possibly across several reads of a
// growing file.
type journalDecoder struct {
	jf    JournalFile
	meter *input.JSONMeter
	n     int      // lines read
	read  int      // bytes read
	last  int      // the last line that was not blank
	torn  *BadLine // the last line, when it failed to decode and was cut short

	// whole is where the decoder stood after the last line that ended with a line break: what
	// follows it may still be written, so a later read starts again from there.
	whole decoderMark
}

// decoderMark is where a journalDecoder stood, by count.
type decoderMark struct {
	n, read, last, entries, corrupt, values int
}

func newJournalDecoder() *journalDecoder {
	return &journalDecoder{meter: input.NewJSONMeter(journalLimits)}
}

// at is the decoder as it stood at mark, sharing nothing that a line read after it changes.
func (d *journalDecoder) at(mark decoderMark) *journalDecoder {
	return &journalDecoder{
		jf:    JournalFile{Entries: d.jf.Entries[:mark.entries:mark.entries], Corrupt: d.jf.Corrupt[:mark.corrupt:mark.corrupt]},
		meter: input.ResumeJSONMeter(journalLimits, mark.values),
		n:     mark.n, read: mark.read, last: mark.last,
		whole: mark,
	}
}

// decode reads lines from r to its end; about is how many bytes r holds, when known, so a read of
// a few new lines does not take a large buffer. It fails when r cannot be read or the journal
// passes a limit; lines that are not entries are kept aside, not errors.
func (d *journalDecoder) decode(r io.Reader, about int) error {
	lines := bufio.NewReaderSize(r, min(max(about, 16), 64<<10))
	for {
		d.n++
		n := d.n
		line, complete, tooLong, err := readLine(lines, &d.read)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf(":%d: %w", n, err)
		}
		if d.read > MaxJournalBytes {
			return fmt.Errorf(": larger than the %d MiB a journal may be; is this the right file?", MaxJournalBytes>>20)
		}
		if d.torn != nil && (tooLong || len(bytes.TrimSpace(line)) > 0) {
			// What looked like a torn last line was followed by more: it is corrupt.
			d.jf.Corrupt, d.torn = append(d.jf.Corrupt, *d.torn), nil
		}
		switch {
		case tooLong:
			d.last = n
			d.jf.Corrupt = append(d.jf.Corrupt, BadLine{Line: n, Problem: fmt.Sprintf("the line is longer than the %d MiB a journal entry may be", MaxJournalLine>>20)})
		case len(bytes.TrimSpace(line)) > 0:
			d.last = n
			e, problem := decodeEntry(line, d.meter, n)
			if problem == tooManyValues {
				return fmt.Errorf(":%d: more than %d values in the journal, hundreds of times what an incident writes; is this the right file?", n, MaxJournalValues)
			}
			switch {
			case problem == "":
				d.jf.Entries = append(d.jf.Entries, e)
			case !complete:
				d.torn = &BadLine{Line: n, Problem: problem}
			default:
				d.jf.Corrupt = append(d.jf.Corrupt, BadLine{Line: n, Problem: problem})
			}
		}
		if complete && d.torn == nil {
			d.whole = decoderMark{n: d.n, read: d.read, last: d.last, entries: len(d.jf.Entries), corrupt: len(d.jf.Corrupt), values: d.meter.Counted()}
		}
		if errors.Is(err, io.EOF) {
			// The line counted for the end of the file holds nothing when the file ended with
			// a line break; a later read starts its count from the last whole line.
			return nil
		}
	}
}

// finish says what the lines read amount to.
func (d *journalDecoder) finish() (*JournalFile, error) {
	jf := d.jf
	jf.Torn = d.torn
	switch {
	case d.last == 0:
		return &jf, errors.New(" is empty: it is not a lockdown journal")
	case len(jf.Entries) == 0:
		first := jf.Torn
		if len(jf.Corrupt) > 0 {
			first = &jf.Corrupt[0]
		}
		return &jf, fmt.Errorf(":%d: not a lockdown journal: %s", first.Line, first.Problem)
	}
	return &jf, nil
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
	return readJournalEntries(path, true)
}

// readJournalShared is ReadJournal for a caller that only reads the entries: they are the ones
// kept for the next read of the file, not a copy.
func readJournalShared(path string) ([]Entry, error) {
	return readJournalEntries(path, false)
}

func readJournalEntries(path string, own bool) ([]Entry, error) {
	jf, err := readJournalFile(path, own)
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
