package sim

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Limits on a scenario. The YAML parser's time and memory grow faster than the file for deep
// nesting and very long lists, and a scenario's counts turn into instances and scheduled calls
// held in memory, so both the file's shape and its counts are bounded before anything is built.
// The built-in scenarios are a few KiB, 5 levels deep, with lists of a few dozen entries.
const (
	MaxScenarioBytes   = 1 << 20
	MaxScenarioDepth   = 32
	MaxScenarioEntries = 2000
	// MaxGeneratedInstances bounds ec2.generate counts, all fleets together.
	MaxGeneratedInstances = 100_000
	// MaxAttackTimes bounds one attacker event's repetitions, MaxAttackCalls all of them.
	MaxAttackTimes = 10_000
	MaxAttackCalls = 50_000
	// MinAttackEvery is the shortest interval between an attacker event's repetitions.
	MinAttackEvery = time.Second
)

// positionedError is a problem at a place in the scenario file.
type positionedError struct {
	Line, Col int
	Msg       string
}

func (e *positionedError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// fieldError is a value over a limit, named by its YAML path so it can be reported where it is.
type fieldError struct {
	Path string // "$.ec2.generate[0].count"
	Msg  string
}

func (e *fieldError) Error() string { return e.Path[2:] + ": " + e.Msg }

// checkCounts refuses counts that would build more than the simulator should hold.
func (sc *Scenario) checkCounts() *fieldError {
	total := 0
	for i, f := range sc.EC2.Generate {
		total += max(f.Count, 0)
		if f.Count > MaxGeneratedInstances || total > MaxGeneratedInstances {
			return &fieldError{fmt.Sprintf("$.ec2.generate[%d].count", i),
				fmt.Sprintf("%d instances generated in all is over the limit of %d", total, MaxGeneratedInstances)}
		}
	}
	calls := 0
	for i, e := range sc.Attacker.Events {
		at := fmt.Sprintf("$.attacker.events[%d]", i)
		if e.Times > MaxAttackTimes {
			return &fieldError{at + ".times", fmt.Sprintf("%d repetitions is over the limit of %d", e.Times, MaxAttackTimes)}
		}
		times := max(e.Times, 1)
		if e.Every != "" {
			if d, err := time.ParseDuration(e.Every); err == nil && d < MinAttackEvery {
				return &fieldError{at + ".every", fmt.Sprintf("%s between repetitions is under the limit of %s", d, MinAttackEvery)}
			}
			if e.Times == 0 {
				times = maxRepeats
			}
		}
		if calls += times; calls > MaxAttackCalls {
			return &fieldError{at, fmt.Sprintf("the attacker's events add up to more than %d calls", MaxAttackCalls)}
		}
	}
	return nil
}

// locate turns a fieldError into a positionedError when the path is found in data.
func locate(data []byte, e *fieldError) error {
	p, err := yaml.PathString(e.Path)
	if err != nil {
		return e
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return e
	}
	node, err := p.FilterFile(file)
	if err != nil || node == nil || node.GetToken() == nil {
		return e
	}
	pos := node.GetToken().Position
	return &positionedError{Line: pos.Line, Col: pos.Column, Msg: e.Path[2:] + ": " + e.Msg}
}

// readScenarioFile reads at most MaxScenarioBytes and one byte more, so an endless file is refused
// without being read whole.
func readScenarioFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
}

// measureScenario refuses a file too large, nested too deep, with a list or mapping too long, or
// using aliases (which expand without bound), before the YAML parser sees it. It reads the text
// once, line by line, tracking block indentation and flow brackets.
func measureScenario(data []byte) error {
	if len(data) > MaxScenarioBytes {
		line, col := lineCol(data, MaxScenarioBytes)
		return &positionedError{line, col, fmt.Sprintf("the file is larger than %d KiB, the most a scenario may be", MaxScenarioBytes>>10)}
	}
	m := shapeMeter{}
	for off, n := 0, 1; off < len(data); n++ {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data) - off
		}
		if err := m.line(data[off:off+end], n); err != nil {
			return err
		}
		off += end + 1
	}
	return nil
}

// shapeMeter follows the nesting of a YAML text one line at a time.
type shapeMeter struct {
	indents []int // columns of open block nodes, outermost first
	counts  []int // entries seen at each of those columns
	flow    []int // entries in each open [ or {
	quote   byte  // the quote a multi-line string is open in, or 0
	scalar  int   // indentation of the line that opened a block scalar (| or >)
	inScal  bool  // the lines that follow, more indented, are that scalar's text
}

func (m *shapeMeter) fail(line, col int, format string, args ...any) error {
	return &positionedError{line, col, fmt.Sprintf(format, args...)}
}

func (m *shapeMeter) line(text []byte, n int) error {
	indent := 0
	for indent < len(text) && text[indent] == ' ' {
		indent++
	}
	blank := indent == len(text) || text[indent] == '#' || text[indent] == '\r'
	if m.inScal {
		if blank || indent > m.scalar {
			return nil
		}
		m.inScal = false
	}
	if blank && m.quote == 0 {
		return nil
	}
	i := indent
	if len(m.flow) == 0 && m.quote == 0 {
		if err := m.block(indent, n); err != nil {
			return err
		}
		// "- " opens a node nested in the sequence entry, on the same line.
		for i+1 < len(text) && text[i] == '-' && text[i+1] == ' ' {
			i += 2
			for i < len(text) && text[i] == ' ' {
				i++
			}
			if i < len(text) && text[i] != '#' {
				if err := m.block(i, n); err != nil {
					return err
				}
			}
		}
	}
	return m.inline(text, i, indent, n)
}

// block records a block node starting at column col (from 0): a sibling of the node above at the
// same column, or nested in it.
func (m *shapeMeter) block(col, n int) error {
	for len(m.indents) > 0 && m.indents[len(m.indents)-1] > col {
		m.indents, m.counts = m.indents[:len(m.indents)-1], m.counts[:len(m.counts)-1]
	}
	if k := len(m.indents); k > 0 && m.indents[k-1] == col {
		m.counts[k-1]++
		if m.counts[k-1] > MaxScenarioEntries {
			return m.fail(n, col+1, "more than %d entries in one list or mapping, the most a scenario may have (use ec2.generate for many instances)", MaxScenarioEntries)
		}
		return nil
	}
	m.indents, m.counts = append(m.indents, col), append(m.counts, 1)
	return m.depth(n, col+1)
}

func (m *shapeMeter) depth(n, col int) error {
	if len(m.indents)+len(m.flow) > MaxScenarioDepth {
		return m.fail(n, col, "lists and mappings are nested more than %d levels deep, the most a scenario may be", MaxScenarioDepth)
	}
	return nil
}

// inline follows quotes and flow brackets along the rest of a line, and notes a block scalar.
func (m *shapeMeter) inline(text []byte, i, indent, n int) error {
	nodeStart := true // at a place where a new node may begin
	for ; i < len(text); i++ {
		c := text[i]
		if m.quote != 0 {
			switch {
			case c == '\\' && m.quote == '"':
				i++
			case c == m.quote:
				m.quote = 0
			}
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' && (i == 0 || text[i-1] == ' '):
			return nil
		case (c == '"' || c == '\'') && nodeStart:
			m.quote = c
		case (c == '|' || c == '>') && nodeStart && len(m.flow) == 0:
			if blockScalarHeader(text[i+1:]) {
				m.inScal, m.scalar = true, indent
				return nil
			}
		case (c == '[' || c == '{') && (nodeStart || len(m.flow) > 0):
			m.flow = append(m.flow, 1)
			if err := m.depth(n, i+1); err != nil {
				return err
			}
			continue
		case (c == ']' || c == '}') && len(m.flow) > 0:
			m.flow = m.flow[:len(m.flow)-1]
		case c == ',' && len(m.flow) > 0:
			m.flow[len(m.flow)-1]++
			if m.flow[len(m.flow)-1] > MaxScenarioEntries {
				return m.fail(n, i+1, "more than %d entries in one list or mapping, the most a scenario may have", MaxScenarioEntries)
			}
			nodeStart = true
			continue
		case (c == '*' || c == '&') && nodeStart:
			return m.fail(n, i+1, "anchors and aliases are not allowed in a scenario: write the value out")
		case c == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\r'):
			nodeStart = true
			continue
		}
		nodeStart = false
	}
	return nil
}

// blockScalarHeader reports whether what follows | or > is a block scalar's header: indentation
// and chomping indicators, then nothing but a comment.
func blockScalarHeader(rest []byte) bool {
	i := 0
	for i < len(rest) && (rest[i] == '-' || rest[i] == '+' || (rest[i] >= '1' && rest[i] <= '9')) {
		i++
	}
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\r') {
		i++
	}
	return i == len(rest) || rest[i] == '#'
}

// lineCol is the line and column (in characters, from 1) of byte offset off in data.
func lineCol(data []byte, off int) (int, int) {
	before := data[:min(off, len(data))]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, utf8.RuneCount(before[start:]) + 1
}
