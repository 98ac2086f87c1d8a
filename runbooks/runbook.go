// Package runbooks holds lockdown's runbooks: the YAML format, its strict loader, the embedded
// compromised-account procedure, the run state of one incident and its append-only journal.
package runbooks

import (
	"lockdown/steps"
	"lockdown/yamlcheck"
)

// Runbook is an ordered procedure: each step is either automated by an action or a manual checklist.
type Runbook struct {
	ID          string
	Title       string
	Description string
	Steps       []*Step
	// Source is the file the runbook came from, or "builtin:<id>" for an embedded one.
	Source string
}

// Step is one stage of the procedure.
type Step struct {
	ID    string
	Title string
	// Guide is Markdown shown to the operator beside the step.
	Guide string
	// Action names the registered action that automates the step; empty for manual steps.
	Action string
	// With holds the action's parameters, already converted to their declared types.
	With      steps.Params
	Manual    bool
	Checklist []string
	// Verify names, per checklist item, the check that can confirm it through an API ("" for
	// none); nil when no item has one.
	Verify []string
	// Needs lists steps that must be done or skipped before this one may act.
	Needs []string
}

// Step returns the step called id.
func (rb *Runbook) Step(id string) (*Step, bool) {
	for _, s := range rb.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}

// Problem is one thing wrong with a runbook file, at the node that is wrong.
type Problem = yamlcheck.Problem

// Problems is every problem found in a runbook, printed one "FILE:LINE:COL: message" per line.
type Problems = yamlcheck.Problems
