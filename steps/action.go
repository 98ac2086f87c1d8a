// Package steps holds lockdown's action modules. Each one inspects the account (read-only),
// plans concrete changes, and applies them only when the run and the account guard allow it.
package steps

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"lockdown/aws"
)

// Mode says whether a run may change the account it talks to. It is the account guard's: the same
// value decides what the operator is asked to confirm and what is sent.
type Mode = aws.Mode

// The modes, as the guard knows them.
const (
	DryRun = aws.DryRun
	Live   = aws.Live
	Drill  = aws.Drill
)

// Env is what an action may use: the account, read-only, the run's incident start, and the step's
// validated parameters and operator inputs. It holds no way to change the account: only Apply is
// handed the changes, by the run.
type Env struct {
	Account *aws.ReadOnly
	// Since is the incident start (T0); the zero time means "not known".
	Since  time.Time
	Params Params
	// Inputs holds the operator's answers to the action's Spec.Inputs, by input name.
	Inputs map[string]string
	Now    func() time.Time
	Log    *slog.Logger
	// KeepSecret, when set, keeps a new secret durably (apply: synced to the secrets file) and
	// returns only once it is kept. Rotation switches an old key off only after it returned nil,
	// so a failed write never strands the service with no working key.
	KeepSecret func(Secret) error
	// OwnKeys, when set, returns the ids of the access keys lockdown itself created (read from the
	// journals), so verification does not take lockdown's rotation keys for the attacker's.
	OwnKeys func() map[string]bool
	// SecretsKept, when set, returns the ids of the new access keys whose secrets are recorded as
	// kept (written to a secrets file, or stored elsewhere on the operator's word): an old key is
	// switched off only once its replacement's secret is among them.
	SecretsKept func() map[string]bool
	// Kept, when set, returns the operator's recorded decisions to keep an item the verification
	// would count against containment (an access key id, a user or role name, an instance id),
	// each with its reason.
	Kept func() map[string]string
	// Reviewed is when the reviewed plan being applied was made (apply of a plan file); zero in
	// an interactive session. A change whose meaning is "as of now", such as revoking the sessions
	// issued before now, is already done when an earlier apply of that plan made it at or after
	// this moment: applying the same plan again must not make it anew.
	Reviewed time.Time
	// Trace is the CloudTrail evidence the run's trace step found last; nil when none was found,
	// and verdicts then rest on timestamps, saying so.
	Trace *TraceEvidence
	// LeakedKey is the leaked access key id the operator gave (to the trace or the containment);
	// "" when none was given yet.
	LeakedKey string
	// Organization, in a sweep of an organization, names its accounts (id → name): they are not
	// outside accounts to one another, and a leaked key of one is contained in its own (org.go).
	Organization map[string]string
}

// Mode is the run's mode, read from the account's guard; without an account nothing can change,
// which is a dry run.
func (e *Env) Mode() Mode {
	if e.Account == nil {
		return DryRun
	}
	return e.Account.Mode()
}

// Clock returns the current time from the run's clock.
func (e *Env) Clock() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Logger never returns nil, so actions can log without checking.
func (e *Env) Logger() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// Action is one automatable step of a runbook. Inspect and Plan see the account read-only: the
// compiler refuses a change there. Plan turns the operator's selection into concrete Changes.
// Apply carries out exactly those changes through changes, which the account's guard handed out:
// the live changes in a live run in the expected account, the dry-run checks in a dry run, or a
// refusal.
type Action interface {
	Spec() Spec
	Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error)
	Plan(ctx context.Context, env *Env, found *Inspection, selected []string) (*Plan, error)
	Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error)
}

// Spec describes an action to the runbook validator and to the UI.
type Spec struct {
	Name    string
	Summary string
	Params  []Param
	// Inputs are asked of the operator before Inspect (pre-filled from the parameter of the same name).
	Inputs []Input
	// ReadOnly actions stop after Inspect: they have nothing to plan.
	ReadOnly bool
}

// Param returns the parameter called name, if the action accepts one.
func (s Spec) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Input is a value the operator types before the action inspects, such as a leaked access key id.
type Input struct {
	Name   string
	Prompt string
	// Placeholder is shown in the empty field.
	Placeholder string
	// Validate returns a specific, operator-facing message for a wrong value.
	Validate func(string) error
}

// Inspection is what Inspect found, in a form the UI and the journal can show without knowing
// the action.
type Inspection struct {
	Summary string
	Facts   []Fact
	// Warnings are shown loudly before anything else (for example: the responder is the
	// compromised principal).
	Warnings []string
	Table    *Table
	// Progress is the final state of each unit of work (a region, a user).
	Progress []Progress
	// Failed counts regions or items that could not be inspected; a run with failures exits 3.
	Failed int
	// Open counts findings that still need action elsewhere (the verification's remaining items).
	// A read-only step with open findings has not reached its end, so it is not shown finished.
	Open int
	// OpenItems are what the operator has to do by hand because lockdown has no action for it
	// (an attacker's security group rule, say), in words, for the report's open items.
	OpenItems []string `json:"open_items,omitempty"`
	// Data is the action's own typed result, read back by its Plan.
	Data any `json:"-"`
}

// Fact is one labelled value, such as "Account: 111122223333".
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Tone  Tone   `json:"tone,omitempty"`
}

// Tone classifies a row, fact or result by what it means to the operator; the UI maps it to a style.
type Tone string

const (
	ToneNone       Tone = ""
	ToneOK         Tone = "ok"
	ToneWarning    Tone = "warning"
	ToneRogue      Tone = "rogue"
	ToneSuspicious Tone = "suspicious"
	ToneProtected  Tone = "protected"
	ToneFailed     Tone = "failed"
)

// Table is a selectable list of findings (instances, users, keys).
type Table struct {
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
	// Selectable tables let the operator choose what Plan acts on.
	Selectable bool `json:"selectable"`
}

// Column is a table heading with a preferred width in cells (0: fit the content).
type Column struct {
	Title string `json:"title"`
	Width int    `json:"width,omitempty"`
}

// Row is one finding. Selected is the default selection the action proposes.
type Row struct {
	ID       string   `json:"id"`
	Cells    []string `json:"cells"`
	Tone     Tone     `json:"tone,omitempty"`
	Selected bool     `json:"selected,omitempty"`
	// Reasons explain the verdict in words.
	Reasons []string `json:"reasons,omitempty"`
	// Details are everything else worth knowing about the finding, shown when the operator opens
	// the row ("Tags: Name=web", "MFA device … enabled …").
	Details []string `json:"details,omitempty"`
	Group   string   `json:"group,omitempty"`
	// AlreadyDone says, when the account is already as the step's change would leave this row
	// (a trail logging, a request cancelled, a key inactive), what shows it. Such a row is never
	// selected: applying a reviewed plan again counts it as no longer needed, not as a choice
	// against lockdown's verdict.
	AlreadyDone string `json:"already_done,omitempty"`
}

// SelectedIDs returns the ids of rows selected by default.
func (t *Table) SelectedIDs() []string {
	if t == nil {
		return nil
	}
	var ids []string
	for _, r := range t.Rows {
		if r.Selected {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Progress reports the state of one unit of work while an action runs.
type Progress struct {
	Key     string        `json:"key"`
	State   ProgressState `json:"state"`
	Count   int           `json:"count,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns,omitempty"`
	// Code and Err describe a failure with the AWS error code and message.
	Code string `json:"code,omitempty"`
	Err  string `json:"error,omitempty"`
	Note string `json:"note,omitempty"`
}

// ProgressState is where a unit of work is.
type ProgressState string

const (
	Queued  ProgressState = "queued"
	Running ProgressState = "running"
	Done    ProgressState = "done"
	Failed  ProgressState = "failed"
	Skipped ProgressState = "skipped"
)

// Plan is the concrete list of changes Apply will make, and what the operator must type to allow it.
type Plan struct {
	Changes  []Change `json:"changes"`
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Confirm  Confirm  `json:"confirm"`
	// Data is the action's own typed plan, read back by its Apply.
	Data any `json:"-"`
}

// Confirm says how the operator approves a plan. Typed is the exact text to type; when it is empty
// the plan is not destructive and a plain yes suffices.
type Confirm struct {
	Prompt string `json:"prompt"`
	Typed  string `json:"typed,omitempty"`
}

// Change is one mutating call, described in the operator's words. Its ID is the one the journal
// records the call under, so a change settled done is known to be this change.
type Change struct {
	ID string `json:"id"`
	// Row is the id of the inspection row the change acts on, in a step that lists rows: a
	// repeated apply tells from it which reviewed rows are done.
	Row         string `json:"row,omitempty"`
	Op          string `json:"op"`
	Region      string `json:"region,omitempty"`
	Target      string `json:"target"`
	Summary     string `json:"summary"`
	Destructive bool   `json:"destructive,omitempty"`
}

// Outcome is what Apply did.
type Outcome struct {
	Results []Result `json:"results"`
	Facts   []Fact   `json:"facts,omitempty"`
	// FollowUp is a further plan that needs its own confirmation, such as disabling termination
	// protection and retrying, or deleting keys that were only deactivated.
	FollowUp *Plan `json:"follow_up,omitempty"`
	// Secrets are shown to the operator once and never recorded.
	Secrets []Secret `json:"-"`
}

// Failed counts results that failed.
func (o *Outcome) Failed() int {
	if o == nil {
		return 0
	}
	n := 0
	for _, r := range o.Results {
		if r.Status == StatusFailed {
			n++
		}
	}
	return n
}

// Status is how one change ended.
type Status string

const (
	StatusApplied Status = "applied"
	// StatusWouldApply: dry-run proved the change would succeed (EC2 DryRun, or a read-back and IAM's
	// simulation of the responder's permission).
	StatusWouldApply Status = "would-apply"
	// StatusNotChecked: a dry run could not prove the change would succeed (the permission check
	// itself was denied or is not available); it is not proven either way.
	StatusNotChecked  Status = "not-checked"
	StatusAlreadyDone Status = "already-done"
	StatusFailed      Status = "failed"
	StatusSkipped     Status = "skipped"
)

// Result is the end of one change.
type Result struct {
	ChangeID string `json:"change"`
	Status   Status `json:"status"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// Registry maps action names to actions, and check names to the checks manual steps may use.
type Registry struct {
	actions map[string]Action
	checks  map[string]Check
}

// NewRegistry builds a registry from actions; a duplicate name is a programming error.
func NewRegistry(actions ...Action) *Registry {
	r := &Registry{actions: make(map[string]Action, len(actions))}
	for _, a := range actions {
		name := a.Spec().Name
		if _, dup := r.actions[name]; dup {
			panic(fmt.Sprintf("steps: action %q registered twice", name))
		}
		r.actions[name] = a
	}
	return r
}

// Lookup returns the action called name.
func (r *Registry) Lookup(name string) (Action, bool) {
	a, ok := r.actions[name]
	return a, ok
}

// Names returns every action name, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.actions))
	for n := range r.actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
