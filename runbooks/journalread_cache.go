package runbooks

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// What was read of each journal is kept, so a run that reads its journals again and again decodes
// only the lines written since, and reads only the bytes after what it kept.

// readPastKept reads the file f of size bytes. When it begins with kept, only the bytes after
// kept are read into memory (none, for a journal that did not change): the file is compared with
// kept piece by piece.
func readPastKept(f io.ReadSeeker, size int64, kept []byte) ([]byte, error) {
	if len(kept) > 0 && int64(len(kept)) <= size {
		same, err := startsWith(f, kept)
		if err != nil {
			return nil, err
		}
		if same {
			rest := bytes.NewBuffer(make([]byte, 0, size-int64(len(kept))+512))
			if _, err := rest.ReadFrom(io.LimitReader(f, MaxJournalBytes+1-int64(len(kept)))); err != nil {
				return nil, err
			}
			if rest.Len() == 0 {
				return kept, nil
			}
			return append(kept[:len(kept):len(kept)], rest.Bytes()...), nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
	}
	// Room for what the file holds now and a little it may grow by while being read.
	data := bytes.NewBuffer(make([]byte, 0, size+4<<10))
	if _, err := data.ReadFrom(io.LimitReader(f, MaxJournalBytes+1)); err != nil {
		return nil, err
	}
	return data.Bytes(), nil
}

// comparePieces holds the pieces of a file compared with what was kept of it.
var comparePieces = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// startsWith reports whether r begins with prefix, reading exactly len(prefix) bytes when it does.
func startsWith(r io.Reader, prefix []byte) (bool, error) {
	buf := comparePieces.Get().(*[]byte)
	defer comparePieces.Put(buf)
	for len(prefix) > 0 {
		piece := (*buf)[:min(len(*buf), len(prefix))]
		if _, err := io.ReadFull(r, piece); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return false, nil // shorter than it was: written again
			}
			return false, err
		}
		if !bytes.Equal(piece, prefix[:len(piece)]) {
			return false, nil
		}
		prefix = prefix[len(piece):]
	}
	return true, nil
}

// readJournals keeps what was read of each journal file.
var readJournals = &journalCache{files: map[string]readJournal{}}

// maxReadJournalBytes bounds the bytes of the files kept: an incident's journals are a handful,
// of a few hundred kilobytes each.
const maxReadJournalBytes = 64 << 20

type journalCache struct {
	mu    sync.Mutex
	files map[string]readJournal
	bytes int
}

// readJournal is what was read of a file: the decoder after its last whole line, and the bytes
// up to there.
type readJournal struct {
	whole *journalDecoder
	data  []byte
}

// resume is a decoder to go on reading data with: where the last read of path stopped, when data
// still begins with what it read, or the beginning.
func (c *journalCache) resume(path string, data []byte) *journalDecoder {
	c.mu.Lock()
	kept, ok := c.files[path]
	c.mu.Unlock()
	if ok && bytes.HasPrefix(data, kept.data) {
		return kept.whole.at(kept.whole.whole)
	}
	return newJournalDecoder()
}

// keptBytes are the bytes of path read last, up to its last whole line.
func (c *journalCache) keptBytes(path string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[path].data
}

// keep remembers how far d read data.
func (c *journalCache) keep(path string, data []byte, d *journalDecoder) {
	if d.whole.n == 0 {
		return
	}
	kept := readJournal{whole: d.at(d.whole), data: data[:d.whole.read:d.whole.read]}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes -= len(c.files[path].data)
	delete(c.files, path)
	if len(kept.data) > maxReadJournalBytes {
		return
	}
	for other, was := range c.files {
		if c.bytes+len(kept.data) <= maxReadJournalBytes {
			break
		}
		delete(c.files, other)
		c.bytes -= len(was.data)
	}
	c.files[path] = kept
	c.bytes += len(kept.data)
}
