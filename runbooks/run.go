package runbooks

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"lockdown/aws"
	"lockdown/steps"
)

// StepState is where a step of a run is.
type StepState string

const (
	StatePending StepState = "pending"
	StateRunning StepState = "running"
	// StateWaiting: a plan is ready and waits for the operator's confirmation.
	StateWaiting StepState = "waiting"
	StateDone    StepState = "done"
	StateSkipped StepState = "skipped"
	// StateFailed is retryable: the step may be inspected, planned or applied again.
	StateFailed StepState = "failed"
)

// StepStatus is what the operator sees of one step. Inspection, Plan and Outcome are shared with
// the run and must be treated as read-only.
type StepStatus struct {
	Step       *Step
	State      StepState
	Reason     string // why the step was skipped
	Err        string
	Checked    []bool // per checklist item
	Inspection *steps.Inspection
	Plan       *steps.Plan
	Outcome    *steps.Outcome
	Inputs     map[string]string
}

func (s *StepStatus) copy() StepStatus {
	c := *s
	c.Checked = append([]bool(nil), s.Checked...)
	c.Inputs = maps.Clone(s.Inputs)
	return c
}

// Config is what a run needs. Account is the account the run works on: its guard's mode is the
// run's mode, steps see it read-only, and only Apply is handed its changes. Env is the base for
// every step (Since, Now, Log); its Account is set from Account.
type Config struct {
	Runbook  *Runbook
	Registry *steps.Registry
	Account  *aws.Account
	Env      steps.Env
	Journal  *Journal
	// Incident names the incident in the journal; empty means the journal's own name.
	Incident string
}

// Run is the state of one incident worked through one runbook. It is safe for concurrent use: the
// UI calls it from commands while rendering its status. Every change of state is journaled before
// the call that caused it returns.
type Run struct {
	cfg Config

	mu     sync.Mutex
	status map[string]*StepStatus
}

// NewRun starts a run and records its start.
func NewRun(cfg Config) (*Run, error) {
	switch {
	case cfg.Runbook == nil:
		return nil, errors.New("a run needs a runbook")
	case cfg.Registry == nil:
		return nil, errors.New("a run needs the registry of actions")
	case cfg.Journal == nil:
		return nil, errors.New("a run needs a journal: nothing may happen in an incident without a record")
	}
	if cfg.Incident == "" {
		cfg.Incident = cfg.Journal.Incident()
	}
	cfg.Env.Account = nil
	if cfg.Account != nil {
		cfg.Env.Account = cfg.Account.ReadOnly()
	}
	r := &Run{cfg: cfg, status: make(map[string]*StepStatus, len(cfg.Runbook.Steps))}
	var missing []string
	for _, s := range cfg.Runbook.Steps {
		if _, ok := cfg.Registry.Lookup(s.Action); s.Action != "" && !ok {
			missing = append(missing, fmt.Sprintf("%s (step %q)", s.Action, s.ID))
		}
		r.status[s.ID] = &StepStatus{Step: s, State: StatePending, Checked: make([]bool, len(s.Checklist))}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("runbook %s uses actions this build does not have: %s", cfg.Runbook.ID, strings.Join(missing, ", "))
	}
	env := cfg.Env
	start := r.entry(&env, "", KindRunStart, fmt.Sprintf("started runbook %s in %s mode", cfg.Runbook.ID, env.Mode()), runStart{
		Runbook: cfg.Runbook.ID, Title: cfg.Runbook.Title, Source: cfg.Runbook.Source,
		Since: sinceText(env), Steps: len(cfg.Runbook.Steps), ExpectedAccount: expectedAccount(env),
	})
	if err := r.record(start); err != nil {
		return nil, err
	}
	return r, nil
}

// Mode is the run's mode, as the account's guard holds it.
func (r *Run) Mode() steps.Mode { return r.cfg.Env.Mode() }

// changes is what the account's guard allows Apply to do now; a refusal answers every change with
// its reason.
func (r *Run) changes() aws.Changes {
	r.mu.Lock()
	acct := r.cfg.Account
	r.mu.Unlock()
	if acct == nil {
		return aws.Refused(errors.New("refusing to change anything: this run has no account"))
	}
	ch, err := acct.Changes()
	if err != nil {
		return aws.Refused(err)
	}
	return ch
}

// JournalPath is the file this run's journal is written to.
func (r *Run) JournalPath() string { return r.cfg.Journal.Path() }

// Runbook is the procedure this run follows.
func (r *Run) Runbook() *Runbook { return r.cfg.Runbook }

// Status returns a copy of the step's status; an unknown step has an empty State.
func (r *Run) Status(stepID string) StepStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.status[stepID]; ok {
		return st.copy()
	}
	return StepStatus{}
}

// Statuses returns every step's status in runbook order.
func (r *Run) Statuses() []StepStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]StepStatus, 0, len(r.cfg.Runbook.Steps))
	for _, s := range r.cfg.Runbook.Steps {
		out = append(out, r.status[s.ID].copy())
	}
	return out
}

// Action returns the action behind a step; false for manual and unknown steps.
func (r *Run) Action(stepID string) (steps.Action, bool) {
	st, ok := r.status[stepID] // the map itself never changes after NewRun
	if !ok || st.Step.Action == "" {
		return nil, false
	}
	return r.cfg.Registry.Lookup(st.Step.Action)
}

// Failures counts regions and items that failed across steps, so a run that finished with gaps
// exits 3. A step that failed outright, with nothing counted, counts as one.
func (r *Run) Failures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, st := range r.status {
		counted := st.Outcome.Failed()
		if st.Inspection != nil {
			counted += st.Inspection.Failed
		}
		if st.State == StateCancelled {
			continue // the operator stopped it: not a failure, and retrying it is up to them
		}
		if counted == 0 && st.State == StateFailed {
			counted = 1
		}
		n += counted
	}
	return n
}

// lookup returns the step's status or an error naming the step.
func (r *Run) lookup(stepID string) (*StepStatus, error) {
	st, ok := r.status[stepID]
	if !ok {
		return nil, fmt.Errorf("runbook %s has no step %q", r.cfg.Runbook.ID, stepID)
	}
	return st, nil
}

// env builds a step's environment from the base: the step's parameters and the operator's inputs
// are copies, so an action cannot change what the run holds.
func (r *Run) env(st *StepStatus) *steps.Env {
	env := r.cfg.Env
	env.Params = maps.Clone(st.Step.With)
	if env.Params == nil {
		env.Params = steps.Params{}
	}
	env.Inputs = maps.Clone(st.Inputs)
	env.Kept = r.keptItems
	env.SecretsKept = r.keptSecrets
	env.OwnKeys = r.ownKeys
	env.Trace = r.traceLocked()
	if env.LeakedKey == "" {
		env.LeakedKey = r.leakedKeyLocked()
	}
	r.leaveOutRegions(st, &env)
	return &env
}

// readyLocked refuses to act on a step that is busy or whose needs are not settled.
func (r *Run) readyLocked(st *StepStatus) error {
	if st.State == StateRunning {
		return fmt.Errorf("step %s is already running; wait for it to finish", title(st))
	}
	var open []string
	for _, need := range st.Step.Needs {
		if other := r.status[need]; !other.State.Settled() {
			open = append(open, fmt.Sprintf("%s (%s)", title(other), other.State))
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("step %s cannot start yet: finish or skip %s first", title(st), strings.Join(open, ", "))
	}
	return nil
}

// start checks that an action step may act now, lets check refuse or prepare under the lock,
// marks the step running and journals that. It returns the step's env and action.
func (r *Run) start(stepID string, check func(st *StepStatus, spec steps.Spec) error) (*steps.Env, steps.Action, error) {
	action, ok := r.Action(stepID)
	if !ok {
		st, err := r.lookup(stepID)
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("step %s is manual: tick its checklist and complete it", title(st))
	}
	r.mu.Lock()
	st := r.status[stepID]
	err := r.readyLocked(st)
	if err == nil {
		err = check(st, action.Spec())
	}
	if err != nil {
		r.mu.Unlock()
		return nil, nil, err
	}
	st.State, st.Err = StateRunning, ""
	env := r.env(st)
	inputs := maps.Clone(st.Inputs)
	r.mu.Unlock()
	if err := r.record(r.entry(env, stepID, KindState, string(StateRunning), stateData{State: StateRunning, Inputs: inputs})); err != nil {
		return nil, nil, r.fail(env, stepID, err)
	}
	return env, action, nil
}

// fail leaves the step failed with the error, journals it, and returns the error.
func (r *Run) fail(env *steps.Env, stepID string, cause error) error {
	r.mu.Lock()
	st := r.status[stepID]
	st.State, st.Err = StateFailed, cause.Error()
	r.mu.Unlock()
	rerr := r.record(r.entry(env, stepID, KindState, string(StateFailed), stateData{State: StateFailed, Error: cause.Error()}))
	return errors.Join(cause, rerr)
}

// settle journals entries, then moves the step to its new state with update. Journaling first
// means nothing is shown as done that the record does not hold. When the journal fails, what the
// action did is still kept (the operator must see it) but the step is failed with the reason.
func (r *Run) settle(env *steps.Env, stepID string, entries []Entry, state StepState, update func(st *StepStatus)) error {
	entries = append(entries, r.entry(env, stepID, KindState, string(state), stateData{State: state}))
	rerr := r.record(entries...)
	r.mu.Lock()
	st := r.status[stepID]
	if update != nil {
		update(st)
	}
	st.State = state
	r.mu.Unlock()
	if rerr != nil {
		return r.fail(env, stepID, fmt.Errorf("the journal could not record this step: %w", rerr))
	}
	return nil
}
