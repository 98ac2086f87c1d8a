package runbooks

import (
	"lockdown/input"
)

// Limits on a runbook file. The YAML parser takes time and memory that grow with the square of the
// nesting depth and of the keys of a mapping (100,000 nested brackets, 200 KB, took 57 s and
// 15 GB; a mapping of 8,000 keys a second), so a runbook is measured, in one pass over its bytes,
// before it is parsed; within these limits the parser takes well under a second. The built-in
// runbook is 25 KiB, 5 levels deep, its widest list has 17 entries and it holds under 200 values:
// the limits leave room for any procedure a person writes and none for a file built to exhaust the
// machine.
const (
	MaxRunbookBytes = 256 << 10
	MaxYAMLDepth    = 64
	MaxYAMLEntries  = 1000
	MaxYAMLKeys     = 200
	MaxYAMLNodes    = 5000
)

// runbookLimits is what a runbook's YAML may hold. Aliases are left to the checker, which names
// them where they are used.
var runbookLimits = input.Limits{Depth: MaxYAMLDepth, Entries: MaxYAMLEntries, Keys: MaxYAMLKeys, Nodes: MaxYAMLNodes, Anchors: true}

// tooBig reports a file over MaxRunbookBytes at the place where it crosses the limit.
func (c *checker) tooBig(data []byte) {
	line, col := input.LineCol(data, MaxRunbookBytes)
	c.addAt(line, col, "the file is larger than %d KiB, the most a runbook may be (the built-in one is 25 KiB); is this the right file?", MaxRunbookBytes>>10)
}

// shape measures how deep and how wide the YAML in data is and reports the first place that goes
// past a limit. It returns false when the file must not be parsed.
func (c *checker) shape(data []byte) bool {
	e := MeasureRunbook(data)
	if e == nil {
		return true
	}
	c.addAt(e.Line, e.Col, "%s", runbookShapeProblem(e))
	return false
}

// MeasureRunbook measures a runbook's YAML against the runbook limits, before anything parses it.
func MeasureRunbook(data []byte) *input.Exceeded { return input.MeasureYAML(data, runbookLimits) }

func runbookShapeProblem(e *input.Exceeded) string {
	switch e.Limit {
	case input.TooDeep:
		return e.Problem() + "; a runbook needs a handful (is this the right file?)"
	case input.TooWide, input.TooManyKeys:
		return e.Problem() + "; a runbook needs far fewer (is this the right file?)"
	case input.TooMany:
		return e.Problem() + "; the built-in runbook holds under 200 (is this the right file?)"
	}
	return e.Problem()
}
