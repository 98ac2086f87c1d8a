package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"lockdown/runbooks"
	"lockdown/steps"
)

// phase is which part of a step's work the action panel shows.
type phase int

const (
	phaseStart   phase = iota // inputs, or ready to inspect
	phaseFound                // what Inspect found
	phasePlan                 // the plan awaiting confirmation
	phaseOutcome              // what Apply did
)

// intent is what the operator asked the panel for; the root carries it out, because only the
// root may start work on the run.
type intent struct {
	kind    intentKind
	item    int
	checked bool
	plan    *steps.Plan
	// keep is the verification item the operator wants to keep; region the region to leave out.
	keep, region string
}

type intentKind int

const (
	wantNothing intentKind = iota
	wantInspect
	wantPlan
	wantConfirm
	wantTick
	wantComplete
	wantVerify
	wantSkip
	wantKeep
	wantSkipRegion
)

// panel is the action panel of one step. It keeps the operator's work on that step (inputs,
// selection, the plan being reviewed) while they look at other steps.
type panel struct {
	ctx    *Context
	step   *runbooks.Step
	spec   steps.Spec
	action bool
	status runbooks.StepStatus

	inputs   []textinput.Model
	inputErr []string
	focus    int

	phase   phase
	found   *steps.Inspection
	table   *findingsTable
	grid    progressGrid
	plan    *steps.Plan
	outcome *steps.Outcome
	check   int
	// known is true when an input was filled in from what the run already knew.
	known bool
	// adopted are the inputs filled in from another step's answer, once: an operator who clears
	// such a field afterwards means it.
	adopted map[string]bool
	// foundAt is when the findings were read; stale, when set, says what changed the account since.
	foundAt time.Time
	stale   string
	// evidence is what the step's checks last found, by checklist item.
	evidence map[int]runbooks.Verification
	scroll   int
	width    int
	height   int
}

func newPanel(ctx *Context, step *runbooks.Step, act steps.Action, hasAction bool) *panel {
	p := &panel{ctx: ctx, step: step, action: hasAction}
	if hasAction {
		p.spec = act.Spec()
	}
	for _, in := range p.spec.Inputs {
		field := newInput(ctx, in.Placeholder)
		value := step.With.String(in.Name, "")
		if known, ok := ctx.Known[in.Name]; ok && value == "" {
			value = known
			p.known = true
		}
		field.SetValue(value)
		p.inputs = append(p.inputs, field)
		p.inputErr = append(p.inputErr, "")
	}
	return p
}

// sync adopts the run's view of the step; results already in the run (for example after resuming
// from the journal) are shown without re-running anything.
func (p *panel) sync(st runbooks.StepStatus) {
	p.status = st
	for i, in := range p.spec.Inputs {
		if v := st.Inputs[in.Name]; v != "" && p.inputs[i].Value() == "" {
			p.inputs[i].SetValue(v)
		}
	}
	if p.found == nil && st.Inspection != nil {
		p.setFound(st.Inspection)
	}
}

// adoptAnswers fills in, once, each empty input that another step was already given (the leaked
// key of the containment, for the verification): the operator should not type it twice, nor
// forget to.
func (p *panel) adoptAnswers(answers map[string]string) {
	for i, in := range p.spec.Inputs {
		v, ok := answers[in.Name]
		if !ok || p.adopted[in.Name] || p.inputs[i].Value() != "" {
			continue
		}
		if p.adopted == nil {
			p.adopted = map[string]bool{}
		}
		p.adopted[in.Name] = true
		p.inputs[i].SetValue(v)
		p.known = true
	}
}

func (p *panel) setFound(found *steps.Inspection) {
	p.found = found
	p.foundAt, p.stale = p.ctx.accountNow(), "" // the incident's clock, as the journal keeps
	p.table = nil
	p.regrid()
	if found != nil && found.Table != nil {
		p.table = newFindingsTable(p.ctx, found.Table)
	}
	p.phase = phaseFound
	p.scroll = 0
	p.SetSize(p.width, p.height)
}

// regrid shows the progress of the findings on screen again, after a cancelled re-inspection
// cleared it.
func (p *panel) regrid() {
	if p.found != nil && len(p.found.Progress) > 0 {
		p.grid.reset()
		for _, pr := range p.found.Progress {
			p.grid.add(pr)
		}
	}
}

func (p *panel) setPlan(plan *steps.Plan) {
	p.plan = plan
	p.phase = phasePlan
	p.scroll = 0
}

// setOutcome keeps what Apply did, minus its secrets: those belong to the secret dialog alone.
func (p *panel) setOutcome(out *steps.Outcome) {
	if out == nil {
		return
	}
	kept := *out
	kept.Secrets = nil
	p.outcome = &kept
	p.phase = phaseOutcome
	p.scroll = 0
}

func (p *panel) SetSize(width, height int) {
	p.width, p.height = width, height
	for i := range p.inputs {
		p.inputs[i].SetWidth(max(10, width-6))
	}
	if p.table != nil {
		p.table.SetSize(width, height) // the lines above the rows scroll with them
	}
}

// Update handles a key aimed at the panel and returns what the operator wants done.
func (p *panel) Update(msg tea.KeyPressMsg) (intent, tea.Cmd) {
	k := p.ctx.Keys
	if key.Matches(msg, k.Skip) && !p.capturing() {
		if region, ok := p.unreadRegion(); ok {
			return intent{kind: wantSkipRegion, region: region}, nil
		}
		return intent{kind: wantSkip}, nil
	}
	if !p.action {
		return p.updateChecklist(msg), nil
	}
	switch p.phase {
	case phaseStart:
		return p.updateStart(msg)
	case phaseFound:
		return p.updateFound(msg), nil
	case phasePlan:
		return p.updatePlan(msg), nil
	}
	return p.updateOutcome(msg), nil
}

func (p *panel) updateChecklist(msg tea.KeyPressMsg) intent {
	k := p.ctx.Keys
	n := len(p.step.Checklist)
	switch {
	case key.Matches(msg, k.Up):
		p.check = max(0, p.check-1)
	case key.Matches(msg, k.Down):
		p.check = min(n-1, p.check+1)
	case key.Matches(msg, k.PageUp, k.PageDown):
		p.scrollBy(msg)
	case key.Matches(msg, k.Toggle) && n > 0:
		return intent{kind: wantTick, item: p.check, checked: !p.ticked(p.check)}
	case key.Matches(msg, k.Complete):
		return intent{kind: wantComplete}
	case key.Matches(msg, k.Verify) && len(p.step.Verify) > 0:
		return intent{kind: wantVerify}
	}
	return intent{}
}

// setEvidence keeps what the checks found, shown under their items.
func (p *panel) setEvidence(found []runbooks.Verification) {
	p.evidence = map[int]runbooks.Verification{}
	for _, v := range found {
		p.evidence[v.Item] = v
	}
}

func (p *panel) ticked(i int) bool {
	return i < len(p.status.Checked) && p.status.Checked[i]
}

func (p *panel) updateStart(msg tea.KeyPressMsg) (intent, tea.Cmd) {
	k := p.ctx.Keys
	if !p.capturing() {
		if key.Matches(msg, k.Inspect, k.Enter, k.Retry) {
			return p.inspectIntent(), nil
		}
		p.scrollBy(msg)
		return intent{}, nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		return p.inspectIntent(), nil
	case key.Matches(msg, k.FieldUp, k.FieldDown):
		p.inputs[p.focus].Blur()
		step := 1
		if key.Matches(msg, k.FieldUp) {
			step = -1
		}
		p.focus = (p.focus + step + len(p.inputs)) % len(p.inputs)
		return intent{}, p.inputs[p.focus].Focus()
	}
	return intent{}, p.editInput(msg)
}

func (p *panel) inspectIntent() intent {
	if _, ok := p.inputValues(); !ok {
		return intent{}
	}
	return intent{kind: wantInspect}
}

func (p *panel) updateFound(msg tea.KeyPressMsg) intent {
	k := p.ctx.Keys
	if p.filtering() || (p.table != nil && p.table.open) {
		p.table.Update(msg)
		return intent{}
	}
	switch {
	case key.Matches(msg, k.Inspect, k.Retry):
		return p.inspectIntent()
	case key.Matches(msg, k.Plan) && !p.spec.ReadOnly:
		return intent{kind: wantPlan}
	case key.Matches(msg, k.Keep):
		if item, ok := p.keepable(); ok {
			return intent{kind: wantKeep, keep: item}
		}
	case p.table != nil:
		p.table.Update(msg)
	default:
		p.scrollBy(msg)
	}
	return intent{}
}

// unreadRegion returns the region of the verification row under the cursor when that row could
// not be read: s then leaves the region out, rather than skipping the whole step.
func (p *panel) unreadRegion() (string, bool) {
	if p.phase != phaseFound || p.found == nil || p.table == nil || p.table.open {
		return "", false
	}
	v, ok := p.found.Data.(*steps.Verification)
	if !ok {
		return "", false
	}
	return v.UnreadRegion(p.table.cursorID())
}

// keepable returns the verification item under the cursor that the operator may keep.
func (p *panel) keepable() (string, bool) {
	if p.found == nil || p.table == nil {
		return "", false
	}
	v, ok := p.found.Data.(*steps.Verification)
	if !ok {
		return "", false
	}
	return v.Keepable(p.table.cursorID())
}

func (p *panel) updatePlan(msg tea.KeyPressMsg) intent {
	k := p.ctx.Keys
	switch {
	case key.Matches(msg, k.Apply, k.Enter):
		return intent{kind: wantConfirm, plan: p.plan}
	case key.Matches(msg, k.Back):
		p.phase = phaseFound
	default:
		p.scrollBy(msg)
	}
	return intent{}
}

func (p *panel) updateOutcome(msg tea.KeyPressMsg) intent {
	k := p.ctx.Keys
	switch {
	case key.Matches(msg, k.Apply, k.Enter) && p.outcome.FollowUp != nil:
		return intent{kind: wantConfirm, plan: p.outcome.FollowUp}
	case key.Matches(msg, k.Inspect, k.Retry):
		return p.inspectIntent()
	case key.Matches(msg, k.Back):
		p.phase = phaseFound
	default:
		p.scrollBy(msg)
	}
	return intent{}
}

func (p *panel) scrollBy(msg tea.KeyPressMsg) {
	p.scroll = max(0, p.scroll+p.ctx.Keys.moveBy(msg, p.height))
}
