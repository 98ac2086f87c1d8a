// Package review is the contract between a dry-run and the live change: it turns a dry-run of a
// runbook into a plan document a reviewer approves, and applies exactly that plan later, refusing
// whatever the account or the file has grown since. It sits above runbooks (one run, its journal)
// because a plan spans two runs, the dry-run and the apply, and binds them by digest.
package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"lockdown/input"
	"lockdown/steps"
)

// PlanVersion is the plan document format this build writes and reads.
const PlanVersion = 1

// PlanDocument is what a reviewer approves before anything changes: for every step of a runbook,
// what a dry-run found it would change and whether the permission checks passed. It holds ids and
// descriptions only; no secret can reach it.
type PlanDocument struct {
	Version   int       `json:"version"`
	Account   string    `json:"account"`
	Alias     string    `json:"alias,omitempty"`
	Principal string    `json:"principal"`
	Created   time.Time `json:"created"`
	Since     string    `json:"since,omitempty"`
	Runbook   string    `json:"runbook"`
	// SkipRegions are regions the operator left out (denied by policy): neither planned nor applied.
	SkipRegions []string   `json:"skip_regions,omitempty"`
	Steps       []PlanStep `json:"steps"`

	// fileDigest is the digest of the file the document was read from, every byte of it.
	fileDigest string
}

// PlanStep is one step of the runbook as the dry-run left it.
type PlanStep struct {
	Step     string            `json:"step"`
	Action   string            `json:"action,omitempty"`
	Title    string            `json:"title"`
	Inputs   map[string]string `json:"inputs,omitempty"`
	Selected []string          `json:"selected,omitempty"`
	// Choices are the selected rows lockdown did not propose, each with the operator's reason.
	Choices []Choice `json:"operator_choices,omitempty"`
	// Kept are the items the operator keeps, each with the reason: apply leaves them alone and
	// records the decision, which the verification then counts as a pass with the reason.
	Kept            []Kept         `json:"operator_kept,omitempty"`
	Changes         []steps.Change `json:"changes,omitempty"`
	Notes           []string       `json:"notes,omitempty"`
	Warnings        []string       `json:"warnings,omitempty"`
	DryRunResults   []steps.Result `json:"dry_run_results,omitempty"`
	ManualChecklist []string       `json:"manual_checklist,omitempty"`
	// Remaining are, for the verification, what it still counts against containment and who
	// deals with each: a step of this plan, or the operator.
	Remaining []Remaining `json:"remaining,omitempty"`
	Status    PlanStatus  `json:"status"`
	// Reason says why a step was not planned, or what failed.
	Reason string `json:"reason,omitempty"`
}

// PlanStatus is how the dry-run left a step.
type PlanStatus string

const (
	// PlanPlanned: changes were planned and their dry-run checks ran.
	PlanPlanned PlanStatus = "planned"
	// PlanInspected: a read-only step looked at the account; it has nothing to change.
	PlanInspected PlanStatus = "inspected"
	// PlanNothingToDo: the step found nothing to change.
	PlanNothingToDo PlanStatus = "nothing-to-do"
	// PlanNotPlanned: the step lacked an input or depends on a step that was not planned.
	PlanNotPlanned PlanStatus = "not-planned"
	// PlanManual: a checklist the operator works through by hand.
	PlanManual PlanStatus = "manual"
	// PlanFailed: inspecting or planning failed, or a dry-run check failed.
	PlanFailed PlanStatus = "failed"
)

// Step returns the plan's entry for a runbook step.
func (d *PlanDocument) Step(id string) (*PlanStep, bool) {
	for i := range d.Steps {
		if d.Steps[i].Step == id {
			return &d.Steps[i], true
		}
	}
	return nil, false
}

// WritePlan writes the document as indented JSON.
func WritePlan(w io.Writer, d *PlanDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// CreatePlanFile writes the document to a new file readable by its owner only. It never replaces
// an existing file: a reviewed plan overwritten by a later dry-run would be approved unseen.
func CreatePlanFile(path string, d *PlanDocument) error {
	return createPlanFile(path, func(w io.Writer) error { return WritePlan(w, d) })
}

// createPlanFile creates a new plan file, readable by its owner only, with write's document.
func createPlanFile(path string, write func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return &input.NotRegularError{Path: path, What: "plan", Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists: lockdown does not overwrite a plan; choose another name", path)
	}
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadPlanFile reads a plan document and checks it is one this build understands.
func ReadPlanFile(path string) (*PlanDocument, error) {
	data, err := readPlanBytes(path)
	if err != nil {
		return nil, err
	}
	return DecodePlan(path, data)
}

// DecodePlan reads a plan document from data, the contents of the file path. Its shape is measured
// before it is decoded, and its digest is that of data.
func DecodePlan(path string, data []byte) (*PlanDocument, error) {
	if err := measurePlan(path, data); err != nil {
		return nil, err
	}
	var d PlanDocument
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, planSyntaxError(path, data, dec, err)
	}
	if err := trailingText(path, data, dec.InputOffset()); err != nil {
		return nil, err
	}
	d.fileDigest = digestOf(data)
	switch {
	case d.Version != PlanVersion:
		return nil, fmt.Errorf("%s is a plan of version %d; this lockdown reads version %d", path, d.Version, PlanVersion)
	case d.Account == "" || d.Runbook == "":
		return nil, fmt.Errorf("%s names no account or runbook: it is not a complete plan", path)
	}
	return &d, nil
}

// Drift is how a fresh plan differs from the reviewed one.
type Drift struct {
	// Added are changes the fresh plan makes that the reviewer never saw.
	Added []steps.Change
	// Gone are reviewed changes that are no longer needed or possible.
	Gone []steps.Change
}

// None reports whether the fresh plan is exactly the reviewed one.
func (d Drift) None() bool { return len(d.Added) == 0 && len(d.Gone) == 0 }

// CompareChanges finds the drift between the reviewed changes and fresh ones. Changes are the same
// when they make the same call on the same target in the same region; summaries may word a launch
// time or a verdict differently without changing what is done.
func CompareChanges(reviewed, fresh []steps.Change) Drift {
	key := func(c steps.Change) string { return c.ID + "\x00" + c.Op + "\x00" + c.Target + "\x00" + c.Region }
	seen := make(map[string]bool, len(reviewed))
	for _, c := range reviewed {
		seen[key(c)] = true
	}
	now := make(map[string]bool, len(fresh))
	var d Drift
	for _, c := range fresh {
		now[key(c)] = true
		if !seen[key(c)] {
			d.Added = append(d.Added, c)
		}
	}
	for _, c := range reviewed {
		if !now[key(c)] {
			d.Gone = append(d.Gone, c)
		}
	}
	return d
}
