package runbooks

import (
	"bytes"
	"io"
	"os"
	"unicode/utf8"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"
)

// Limits on a runbook file. The YAML parser takes time and memory that grow with the square of the
// nesting depth and of the width of a mapping (100,000 nested brackets, 200 KB, took 39 s and
// 14.7 GB), so a runbook is measured with the tokenizer, which is linear, before it is parsed. The
// built-in runbook is 12 KiB, 5 levels deep and its widest list has 12 entries: these limits leave
// room for any procedure a person writes and none for a file built to exhaust the machine.
const (
	MaxRunbookBytes = 256 << 10
	MaxYAMLDepth    = 64
	MaxYAMLEntries  = 1000
)

// readLimited reads at most limit bytes of path and says whether the file holds more.
func readLimited(path string, limit int64) (data []byte, tooBig bool, err error) {
	f, err := os.Open(path)
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

// LineCol is the line and column (in characters, from 1) of byte offset off in data, the position
// editors jump to.
func LineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}

// tooBig reports a file over MaxRunbookBytes at the place where it crosses the limit.
func (c *checker) tooBig(data []byte) {
	line, col := LineCol(data, MaxRunbookBytes)
	c.addAt(line, col, "the file is larger than %d KiB, the most a runbook may be (the built-in one is 12 KiB); is this the right file?", MaxRunbookBytes>>10)
}

// shape measures how deep and how wide the YAML in data is, from its tokens, and reports the
// first place that goes past a limit. It returns false when the file must not be parsed.
func (c *checker) shape(data []byte) bool {
	var (
		block    []int // columns of the block nodes open at this point, outermost first
		siblings []int // entries seen so far at each of those columns
		flow     []int // entries in each open [ ] or { }, outermost first
		line     int
		after    bool // the previous token was "- " or "? ": a node on the same line nests in it
	)
	tooDeep := func(p *token.Position) bool {
		if len(block)+len(flow) <= MaxYAMLDepth {
			return false
		}
		c.addAt(p.Line, p.Column, "lists and mappings are nested more than %d levels deep here; a runbook needs a handful (is this the right file?)", MaxYAMLDepth)
		return true
	}
	tooWide := func(p *token.Position, n int) bool {
		if n <= MaxYAMLEntries {
			return false
		}
		c.addAt(p.Line, p.Column, "more than %d entries in one list or mapping; a runbook needs far fewer (is this the right file?)", MaxYAMLEntries)
		return true
	}
	for _, tk := range lexer.Tokenize(string(data)) {
		p := tk.Position
		switch tk.Type {
		case token.CommentType, token.SpaceType, token.DirectiveType:
			continue
		case token.DocumentHeaderType, token.DocumentEndType:
			block, siblings, after = block[:0], siblings[:0], false
			line = p.Line
			continue
		case token.SequenceEndType, token.MappingEndType:
			if len(flow) > 0 {
				flow = flow[:len(flow)-1]
			}
			line = p.Line
			continue
		case token.CollectEntryType:
			if len(flow) > 0 {
				flow[len(flow)-1]++
				if tooWide(p, flow[len(flow)-1]) {
					return false
				}
			}
			continue
		case token.MappingValueType:
			line, after = p.Line, false
			continue
		}
		// A token that starts a line, or follows "- " on it, starts a block node; its column
		// tells whether it is a sibling of the node above or nested in it.
		if len(flow) == 0 && (p.Line != line || after) {
			for len(block) > 0 && block[len(block)-1] > p.Column {
				block, siblings = block[:len(block)-1], siblings[:len(siblings)-1]
			}
			if n := len(block); n > 0 && block[n-1] == p.Column {
				siblings[n-1]++
				if tooWide(p, siblings[n-1]) {
					return false
				}
			} else {
				block, siblings = append(block, p.Column), append(siblings, 1)
				if tooDeep(p) {
					return false
				}
			}
		}
		if tk.Type == token.SequenceStartType || tk.Type == token.MappingStartType {
			flow = append(flow, 1)
			if tooDeep(p) {
				return false
			}
		}
		after = len(flow) == 0 && (tk.Type == token.SequenceEntryType || tk.Type == token.MappingKeyType)
		line = p.Line
	}
	return true
}
