package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// OrgState is where the organization's sweep left an account.
type OrgState string

const (
	OrgNotSwept OrgState = "not yet swept"
	OrgSweeping OrgState = "sweeping…"
	OrgAffected OrgState = "affected"
	OrgClean    OrgState = "clean"
	// OrgFailed: the account's role could not be assumed or its trace failed: unknown, never clean.
	OrgFailed OrgState = "failed"
	// OrgSkipped: not active in the organization (suspended, closing), or skipped by the operator.
	OrgSkipped OrgState = "skipped"
)

// OrgAccount is one account of the organization as its view shows it.
type OrgAccount struct {
	ID, Name   string
	Management bool
	State      OrgState
	// Cause says why an account failed or was skipped.
	Cause string
	// What the attacker's CloudTrail shows in the account: their events, and the instances, keys
	// and roles their credentials made. Unknown counts the regions whose history could not be read.
	Events, Instances, Keys, Roles, Unknown int
}

// Organization is what the organization view needs from the command that opened it.
type Organization struct {
	ID, Management string
	Accounts       []OrgAccount
	// Sweep traces the attacker through the organization (read-only), calling report, never
	// concurrently, as each account starts and as it ends.
	Sweep func(ctx context.Context, report func(OrgAccount))
	// Open starts one account's runbook: a run with its own journal, every change of which is
	// refused unless the identity it acts as is in that account, and the inputs already known
	// there (the key the attacker entered it with).
	Open func(account string) (Runner, map[string]string, error)
	// Skip records the operator's decision to leave an account out of the organization's verdict,
	// with the reason; nil when the command cannot record one.
	Skip func(account, reason string) error
}

// OrgModel is the organization view: every account with its state, live while the sweep runs;
// enter opens one account's runbook, and quitting that runbook comes back here.
type OrgModel struct {
	ctx  *Context
	org  *Organization
	base context.Context

	accounts []OrgAccount
	cursor   int
	offset   int
	help     help.Model
	status   statusLine
	stop     chan struct{}

	sweeping bool
	updates  chan OrgAccount
	swept    chan struct{}
	// cancelSweep stops the sweep that runs, if one does.
	cancelSweep context.CancelFunc

	// runs are the accounts' runbooks opened so far, by account; known their inputs; verdicts
	// what each one's verification said when it was last left.
	runs     map[string]Runner
	known    map[string]map[string]string
	verdicts map[string]string
	// child is the runbook on screen, when one is open; childID its account.
	child   *Model
	childID string

	// skipping is the account whose skip reason is being typed.
	skipping string
	reason   textinput.Model
	showHelp bool
	quitting bool
	// rows is how many accounts the table showed last.
	rows int
}

// NewOrg builds the organization view.
func NewOrg(ctx *Context, o *Organization) *OrgModel {
	m := &OrgModel{ctx: ctx, org: o, base: context.Background(), accounts: append([]OrgAccount(nil), o.Accounts...),
		help: newHelp(ctx), stop: make(chan struct{}), runs: map[string]Runner{}, known: map[string]map[string]string{}, verdicts: map[string]string{}}
	for i := range m.accounts {
		if m.accounts[i].State == "" {
			m.accounts[i].State = OrgNotSwept
		}
	}
	m.status.stop = m.stop
	m.reason = newInput(ctx, "why this account needs no verification (checked by other means…)")
	return m
}

// orgUpdateMsg is one account's news from the sweep; orgSweptMsg says the sweep is over.
type (
	orgUpdateMsg OrgAccount
	orgSweptMsg  struct{}
	// orgBackMsg comes when the operator quits an account's runbook.
	orgBackMsg struct{}
)

// Init starts the sweep.
func (m *OrgModel) Init() tea.Cmd { return m.startSweep() }

func (m *OrgModel) startSweep() tea.Cmd {
	if m.sweeping || m.org.Sweep == nil {
		return nil
	}
	m.sweeping = true
	m.updates, m.swept = make(chan OrgAccount, 64), make(chan struct{})
	updates, swept := m.updates, m.swept
	ctx, cancel := context.WithCancel(m.base)
	m.cancelSweep = cancel
	go func() {
		defer close(swept)
		defer cancel()
		m.org.Sweep(ctx, func(a OrgAccount) {
			select {
			case updates <- a:
			case <-m.stop:
			}
		})
	}()
	return m.listen()
}

// listen delivers the sweep's next news.
func (m *OrgModel) listen() tea.Cmd {
	updates, swept, stop := m.updates, m.swept, m.stop
	return func() tea.Msg {
		select {
		case a := <-updates:
			return orgUpdateMsg(a)
		case <-swept:
			select { // news sent before the end is delivered first
			case a := <-updates:
				return orgUpdateMsg(a)
			default:
			}
			return orgSweptMsg{}
		case <-stop:
			return nil
		}
	}
}

// Update routes a message: the sweep's news to the organization, everything else to the open
// account's runbook when there is one.
func (m *OrgModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case orgUpdateMsg:
		m.adopt(OrgAccount(msg))
		return m, m.listen()
	case orgSweptMsg:
		m.sweeping = false
		return m, m.status.notice(m.sweptNotice())
	case orgBackMsg:
		// Read once, as the runbook is left: only the runbook's own keys change what it says.
		m.verdicts[m.childID] = verificationOf(m.runs[m.childID])
		m.child, m.childID = nil, ""
		if m.quitting {
			return m, m.quit()
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		if m.child != nil {
			_, cmd := m.child.Update(msg)
			return m, cmd
		}
		return m, nil
	case noticeExpiredMsg:
		if m.child == nil {
			m.status.expire(msg.id)
			return m, nil
		}
	case clockMsg:
		if m.child == nil {
			return m, nil // the organization shows no clock; an account's runbook that did is closed
		}
	}
	if m.child != nil {
		_, cmd := m.child.Update(msg)
		return m, cmd
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		return m, m.onKey(msg)
	}
	return m, nil
}

// adopt takes an account's news from the sweep; a decision the operator made stands.
func (m *OrgModel) adopt(a OrgAccount) {
	for i := range m.accounts {
		if m.accounts[i].ID == a.ID {
			if m.accounts[i].State == OrgSkipped && m.accounts[i].Cause != "" && strings.HasPrefix(m.accounts[i].Cause, "by the operator") {
				return
			}
			m.accounts[i] = a
			return
		}
	}
	m.accounts = append(m.accounts, a)
}

func (m *OrgModel) sweptNotice() string {
	affected, failed := 0, 0
	for _, a := range m.accounts {
		switch a.State {
		case OrgAffected:
			affected++
		case OrgFailed:
			failed++
		}
	}
	return fmt.Sprintf("sweep done: %s affected, %s failed — enter opens an account's runbook", count(affected, "account", "accounts"), count(failed, "account", "accounts"))
}

func (m *OrgModel) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if m.skipping != "" {
		return m.onReasonKey(msg)
	}
	if m.showHelp {
		m.showHelp = false
		return nil
	}
	switch {
	case key.Matches(msg, k.Interrupt, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = min(len(m.accounts)-1, m.cursor+1)
	case key.Matches(msg, k.PageUp):
		m.cursor = max(0, m.cursor-m.tableRows())
	case key.Matches(msg, k.PageDown):
		m.cursor = min(len(m.accounts)-1, m.cursor+m.tableRows())
	case key.Matches(msg, k.Retry):
		if m.sweeping {
			m.status.fail(fmt.Errorf("the sweep is still running"))
			return nil
		}
		return m.startSweep()
	case key.Matches(msg, k.Skip):
		return m.askSkip()
	case key.Matches(msg, k.Enter):
		return m.open()
	}
	return nil
}

// askSkip opens the reason field for the account under the cursor: an account that could not be
// swept stays unknown until the operator says why it needs no verification.
func (m *OrgModel) askSkip() tea.Cmd {
	if len(m.accounts) == 0 {
		return nil
	}
	a := m.accounts[m.cursor]
	switch {
	case m.org.Skip == nil:
		m.status.fail(fmt.Errorf("this run cannot record a skipped account"))
		return nil
	case a.State != OrgFailed && a.State != OrgNotSwept:
		m.status.fail(fmt.Errorf("%s is %s: only an account that could not be swept is skipped", a.ID, a.State))
		return nil
	}
	m.skipping = a.ID
	m.reason.SetValue("")
	return m.reason.Focus()
}

func (m *OrgModel) onReasonKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.skipping = ""
		m.reason.Blur()
		return m.status.notice("not skipped")
	case "enter":
		reason := strings.TrimSpace(m.reason.Value())
		if reason == "" {
			m.status.fail(fmt.Errorf("a skipped account needs a reason: whoever reads the record must see why it was not checked"))
			return nil
		}
		id := m.skipping
		m.skipping = ""
		m.reason.Blur()
		if err := m.org.Skip(id, reason); err != nil {
			m.status.fail(err)
			return nil
		}
		for i := range m.accounts {
			if m.accounts[i].ID == id {
				m.accounts[i].State, m.accounts[i].Cause = OrgSkipped, "by the operator: "+reason
			}
		}
		return m.status.notice(id + " skipped, journaled with the reason")
	}
	var cmd tea.Cmd
	m.reason, cmd = m.reason.Update(msg)
	return cmd
}

// open shows the runbook of the account under the cursor, starting it the first time.
func (m *OrgModel) open() tea.Cmd {
	if len(m.accounts) == 0 {
		return nil
	}
	a := m.accounts[m.cursor]
	switch a.State {
	case OrgFailed, OrgSkipped:
		m.status.fail(fmt.Errorf("%s cannot be entered: %s", a.ID, a.Cause))
		return nil
	case OrgNotSwept, OrgSweeping:
		m.status.fail(fmt.Errorf("%s is not swept yet: wait for its row", a.ID))
		return nil
	}
	run, ok := m.runs[a.ID]
	if !ok {
		var known map[string]string
		var err error
		if run, known, err = m.org.Open(a.ID); err != nil {
			m.status.fail(fmt.Errorf("opening %s: %w", a.ID, err))
			return nil
		}
		m.runs[a.ID], m.known[a.ID] = run, known
	}
	ctx := *m.ctx
	ctx.Known = m.known[a.ID]
	ctx.Identity = nil
	ctx.Briefing, ctx.Debrief, ctx.BreakGlass, ctx.Activity = nil, nil, nil, nil
	ctx.Leave = func() tea.Msg { return orgBackMsg{} }
	ctx.Keys.Quit = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "back to the organization"))
	m.child, m.childID = New(&ctx, run), a.ID
	m.child.base = m.base
	_, size := m.child.Update(tea.WindowSizeMsg{Width: m.ctx.Width, Height: m.ctx.Height})
	return tea.Batch(size, m.child.Init())
}

// quit ends the view, or first the open runbook, which stops its running action and comes back.
func (m *OrgModel) quit() tea.Cmd {
	if m.child != nil {
		m.quitting = true
		return m.child.quit()
	}
	m.release()
	return tea.Quit
}

func (m *OrgModel) release() {
	if m.cancelSweep != nil {
		m.cancelSweep() // a sweep still running stops with the view
	}
	if m.child != nil {
		m.child.release()
	}
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
}

// RunOrg shows the organization view until the operator quits or ctx ends.
func RunOrg(ctx context.Context, m *OrgModel, opts ...tea.ProgramOption) error {
	m.base = ctx
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(m, opts...).Run()
	m.release()
	if m.child != nil {
		m.child.awaitTask()
	}
	return err
}

// Runs are the accounts' runbooks the operator opened, by account.
func (m *OrgModel) Runs() map[string]Runner { return m.runs }
