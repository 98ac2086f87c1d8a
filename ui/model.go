package ui

import (
	"context"
	"errors"
	"os"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"lockdown/aws"
	"lockdown/runbooks"
)

// pane is which part of the screen the arrow keys act on.
type pane int

const (
	paneSteps pane = iota
	paneGuide
	panePanel
)

// Model is the root of the interface: it owns the global keys, the layout, the running action and
// whichever dialog is open.
type Model struct {
	ctx  *Context
	run  Runner
	base context.Context

	statuses []runbooks.StepStatus
	panels   map[string]*panel
	list     stepList
	guide    *guide
	help     help.Model
	spinner  spinner.Model
	status   statusLine
	focus    pane

	// activity is the latest thing the activity feed reported.
	activity *Activity
	// stop closes when the interface ends, releasing every timer still waiting.
	stop     chan struct{}
	stopOnce sync.Once

	task    *task
	confirm *confirmDialog
	secret  *secretDialog
	reason  *reasonDialog
	askQuit bool
	// askSwitch asks before handing over to the break-glass identity.
	askSwitch bool
	// showHelp shows every key of the focused pane over the screen; helpScroll is how far it is
	// scrolled.
	showHelp   bool
	helpScroll int
	// briefing is true until the operator has read a drill's briefing; briefingScroll is how far
	// it is scrolled.
	briefing       bool
	briefingScroll int
	// debrief, once a drill's operator quits, is the scored debrief on screen.
	debrief *debriefScreen
	// quitting is set when the operator quit while an action ran: lockdown exits once it stops.
	quitting bool
}

// New builds the interface for a run.
func New(ctx *Context, run Runner) *Model {
	m := &Model{
		ctx:      ctx,
		run:      run,
		base:     context.Background(),
		panels:   map[string]*panel{},
		list:     stepList{ctx: ctx},
		guide:    newGuide(ctx),
		help:     newHelp(ctx),
		spinner:  spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(ctx.Styles.Warning)),
		focus:    panePanel,
		stop:     make(chan struct{}),
		briefing: ctx.Briefing != nil,
	}
	m.status.stop = m.stop
	m.refresh()
	return m
}

func newHelp(ctx *Context) help.Model {
	h := help.New()
	if ctx.NoColor {
		h.Styles = help.Styles{}
	}
	return h
}

// Init confirms the account straight away when the runbook starts with identity.confirm, so the
// header shows who lockdown acts as before the operator does anything else.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{clockTick(m.stop), m.current().focusInputs(), listenActivity(m.ctx.Activity, m.stop)}
	if first := m.currentStatus(); first.Step != nil && first.Step.Action == "identity.confirm" && first.Inspection == nil {
		cmds = append(cmds, m.startInspect(first.Step.ID, nil))
	}
	return tea.Batch(cmds...)
}

// refresh takes a fresh snapshot of the run, so View never has to ask the run anything.
func (m *Model) refresh() {
	m.statuses = m.run.Statuses()
	answers := map[string]string{}
	for _, st := range m.statuses {
		m.panelFor(st.Step).sync(st)
		if st.Step.Action == "identity.confirm" && st.Inspection != nil {
			m.adoptIdentity(st.Inspection.Data)
		}
		for name, v := range st.Inputs {
			if v != "" {
				answers[name] = v
			}
		}
	}
	for _, st := range m.statuses {
		m.panelFor(st.Step).adoptAnswers(answers)
	}
}

func (m *Model) adoptIdentity(data any) {
	switch id := data.(type) {
	case aws.Identity:
		m.ctx.Identity = &id
	case *aws.Identity:
		if id != nil {
			m.ctx.Identity = id
		}
	}
}

func (m *Model) panelFor(step *runbooks.Step) *panel {
	p, ok := m.panels[step.ID]
	if !ok {
		act, has := m.run.Action(step.ID)
		p = newPanel(m.ctx, step, act, has && !step.Manual)
		m.panels[step.ID] = p
		m.layout()
	}
	return p
}

func (m *Model) currentStatus() runbooks.StepStatus {
	if len(m.statuses) == 0 {
		return runbooks.StepStatus{}
	}
	return m.statuses[m.list.cursor]
}

func (m *Model) current() *panel {
	st := m.currentStatus()
	if st.Step == nil {
		return &panel{ctx: m.ctx, step: &runbooks.Step{}}
	}
	return m.panelFor(st.Step)
}

// running reports the id of the step whose action is running, or "".
func (m *Model) running() string {
	if m.task == nil {
		return ""
	}
	return m.task.stepID
}

// Focused reports which step the operator is looking at, for tests and callers.
func (m *Model) Focused() string {
	if st := m.currentStatus(); st.Step != nil {
		return st.Step.ID
	}
	return ""
}

// Run shows the interface until the operator quits or ctx ends. Cancelling ctx also cancels any
// action that is running.
func Run(ctx context.Context, m *Model, opts ...tea.ProgramOption) error {
	m.base = ctx
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(m, opts...).Run()
	m.release()
	m.awaitTask()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// IsTerminal reports whether f is a terminal; the interface cannot run on a pipe.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}
