package sim

import (
	"fmt"
	"io"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"lockdown/input"
)

// Limits on a scenario. The YAML parser's time and memory grow faster than the file for deep
// nesting and very long lists, and a scenario's counts turn into instances and scheduled calls
// held in memory, so both the file's shape and its counts are bounded before anything is built.
// The built-in scenarios are a few KiB, 5 levels deep, with lists of a few dozen entries and under
// 800 values in all; within these limits the parser takes well under a second.
const (
	MaxScenarioBytes   = 1 << 20
	MaxScenarioDepth   = 32
	MaxScenarioEntries = 2000
	MaxScenarioKeys    = 100
	MaxScenarioValues  = 10_000
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

// readScenarioFile reads a regular file, at most MaxScenarioBytes and one byte more, so an endless
// file is refused without being read whole.
func readScenarioFile(name string) ([]byte, error) {
	f, err := input.Open(name, "scenario")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
}

// scenarioLimits is what a scenario's YAML may hold: no anchors or aliases, which expand without
// bound when decoded.
var scenarioLimits = input.Limits{Depth: MaxScenarioDepth, Entries: MaxScenarioEntries, Keys: MaxScenarioKeys, Nodes: MaxScenarioValues}

// measureScenario refuses a file too large, nested too deep, with a list or mapping too long, too
// many values, or using aliases, before the YAML parser sees it.
func measureScenario(data []byte) error {
	if len(data) > MaxScenarioBytes {
		line, col := input.LineCol(data, MaxScenarioBytes)
		return &positionedError{line, col, fmt.Sprintf("the file is larger than %d KiB, the most a scenario may be", MaxScenarioBytes>>10)}
	}
	e := input.MeasureYAML(data, scenarioLimits)
	if e == nil {
		return nil
	}
	msg := e.Problem()
	switch e.Limit {
	case input.TooDeep:
		msg = fmt.Sprintf("lists and mappings are nested more than %d levels deep, the most a scenario may be", MaxScenarioDepth)
	case input.TooWide:
		msg = fmt.Sprintf("more than %d entries in one list, the most a scenario may have (use ec2.generate for many instances)", MaxScenarioEntries)
	case input.TooManyKeys:
		msg = fmt.Sprintf("more than %d keys in one mapping, the most a scenario may have", MaxScenarioKeys)
	case input.TooMany:
		msg = fmt.Sprintf("more than %d values in the file, the most a scenario may have (use ec2.generate for many instances)", MaxScenarioValues)
	case input.AnchorFound:
		msg = "anchors and aliases are not allowed in a scenario: write the value out"
	}
	return &positionedError{e.Line, e.Col, msg}
}
