package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// reasonDialog asks for a line of text for the record — why a step is skipped, or a note — which
// goes into the journal and the report, so an empty one is refused.
type reasonDialog struct {
	ctx    *Context
	stepID string
	title  string
	// label names the text asked for; verb is what enter does with it.
	label, verb string
	input       textinput.Model
	hint        string
	width       int
	// record saves the text; done is the notice shown once it is saved.
	record func(text string) error
	done   string
}

func newReasonDialog(ctx *Context, stepID, title, label, verb, placeholder, done string, record func(string) error) (*reasonDialog, tea.Cmd) {
	d := &reasonDialog{ctx: ctx, stepID: stepID, title: title, label: label, verb: verb, input: newInput(ctx, placeholder),
		record: record, done: done}
	return d, d.input.Focus()
}

func (d *reasonDialog) SetSize(width, _ int) {
	d.width = width
	d.input.SetWidth(max(10, width-8))
}

// Reason is the trimmed text the operator typed.
func (d *reasonDialog) Reason() string { return strings.TrimSpace(d.input.Value()) }

func (d *reasonDialog) Update(msg tea.Msg) (verdict, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	switch {
	case ok && key.Matches(kp, d.ctx.Keys.Back):
		return cancelled, nil
	case ok && key.Matches(kp, d.ctx.Keys.Enter):
		if d.Reason() == "" {
			d.hint = "the text is required: it goes into the incident record"
			return undecided, nil
		}
		return confirmed, nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return undecided, cmd
}

func (d *reasonDialog) View() string {
	s := d.ctx.Styles
	lines := []string{s.Title.Render(d.title), d.label + " (required):", d.input.View()}
	if d.hint != "" {
		lines = append(lines, s.Warning.Render(d.hint))
	}
	lines = append(lines, s.Subtle.Render("enter "+d.verb+" · esc cancels"))
	return s.Dialog.Width(max(30, d.width)).Render(strings.Join(lines, "\n"))
}

// statusLine shows the latest error or notice. Notices clear themselves; errors stay until the
// next thing happens, so the operator can read them.
type statusLine struct {
	text  string
	isErr bool
	id    int
	stop  <-chan struct{}
}

const noticeLife = 4 * time.Second

func (s *statusLine) notice(text string) tea.Cmd {
	s.id++
	s.text, s.isErr = text, false
	id := s.id
	return after(s.stop, noticeLife, func(time.Time) tea.Msg { return noticeExpiredMsg{id: id} })
}

func (s *statusLine) fail(err error) {
	s.id++
	s.text, s.isErr = err.Error(), true
}

// clear drops whatever is shown, error or notice: used when the operator moves on.
func (s *statusLine) clear() {
	s.id++
	s.text, s.isErr = "", false
}

func (s *statusLine) expire(id int) {
	if id == s.id && !s.isErr {
		s.text = ""
	}
}

func (s *statusLine) View(st Styles) string {
	if s.isErr {
		return st.Error.Render("error: " + s.text)
	}
	return st.Subtle.Render(s.text)
}
