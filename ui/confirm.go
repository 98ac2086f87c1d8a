package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"lockdown/steps"
)

// verdict is what a dialog decided after a key.
type verdict int

const (
	undecided verdict = iota
	cancelled
	confirmed
)

// confirmDialog asks the operator to approve a plan. It defaults to No, ignores keys for a grace
// period after opening, and for a destructive plan accepts only the exact text the plan demands.
type confirmDialog struct {
	ctx    *Context
	stepID string
	plan   *steps.Plan
	opened time.Time
	typed  textinput.Model
	lines  []string
	scroll int
	hint   string
	// stray is text typed into a yes/no question, which asks for none.
	stray  string
	width  int
	height int
}

func newConfirmDialog(ctx *Context, stepID string, plan *steps.Plan) *confirmDialog {
	d := &confirmDialog{ctx: ctx, stepID: stepID, plan: plan, opened: ctx.now()}
	d.lines = changeLines(ctx, plan.Changes)
	if plan.Confirm.Typed != "" {
		d.typed = newInput(ctx, "type to confirm")
		d.typed.Focus()
	}
	return d
}

// refused says why the change would be refused whatever the operator answers (the credentials
// are for another account than --account), or "" when it may go ahead. Asking for a confirmation
// that cannot work would only waste the operator's keystrokes and trust.
func (d *confirmDialog) refused() string {
	id, exp := d.ctx.Identity, d.ctx.ExpectedAccount
	if id == nil || exp == "" || id.Account == exp {
		return ""
	}
	return fmt.Sprintf("This change will be refused: these credentials are for account %s, but --account names %s. Start lockdown with the compromised account's credentials.", id.Account, exp)
}

// destructive reports whether approval needs typed text rather than a yes.
func (d *confirmDialog) destructive() bool { return d.plan.Confirm.Typed != "" }

func (d *confirmDialog) SetSize(width, height int) {
	d.width, d.height = width, height
	d.typed.SetWidth(max(10, width-8))
}

// Typed is the text the operator typed, passed on so the run can check it again.
func (d *confirmDialog) Typed() string {
	if !d.destructive() {
		return ""
	}
	return d.typed.Value()
}

// Update handles one message and says whether the dialog is decided.
func (d *confirmDialog) Update(msg tea.Msg) (verdict, tea.Cmd) {
	kp, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		if d.destructive() {
			var cmd tea.Cmd
			d.typed, cmd = d.typed.Update(msg)
			return undecided, cmd
		}
		return undecided, nil
	}
	if d.ctx.now().Sub(d.opened) < d.ctx.Grace {
		return undecided, nil
	}
	k := d.ctx.Keys
	switch {
	case key.Matches(kp, k.Back):
		return cancelled, nil
	case key.Matches(kp, k.FieldUp, k.FieldDown, k.PageUp, k.PageDown):
		// Arrows and page keys scroll: letters may be the typed confirmation.
		step := 1
		if key.Matches(kp, k.FieldUp, k.PageUp) {
			step = -1
		}
		if key.Matches(kp, k.PageUp, k.PageDown) {
			step *= max(1, d.height/2)
		}
		d.scroll = max(0, d.scroll+step) // the view stops it at the end
		return undecided, nil
	}
	if d.refused() != "" {
		if key.Matches(kp, k.Enter, k.Yes, k.No) {
			return cancelled, nil
		}
		return undecided, nil
	}
	if d.destructive() {
		return d.updateTyped(kp)
	}
	switch {
	case key.Matches(kp, k.Yes):
		return confirmed, nil
	case key.Matches(kp, k.Enter) && d.stray != "":
		// Enter after typed text is someone answering another question (an account id for a
		// dialog they expected): cancelling silently would leave them believing it applied.
		d.hint = fmt.Sprintf("this change asks only y (apply) or n (cancel): %q is not needed here — press y or n", d.stray)
		d.stray = ""
		return undecided, nil
	case key.Matches(kp, k.Enter, k.No):
		return cancelled, nil
	}
	if kp.Text != "" && len(d.stray) < 40 {
		d.stray += kp.Text
	}
	d.hint = "press y to apply, or n/esc to cancel"
	return undecided, nil
}

func (d *confirmDialog) updateTyped(kp tea.KeyPressMsg) (verdict, tea.Cmd) {
	if key.Matches(kp, d.ctx.Keys.Enter) {
		if d.typed.Value() == d.plan.Confirm.Typed {
			return confirmed, nil
		}
		d.hint = fmt.Sprintf("to apply, type exactly %q and press enter; esc cancels", d.plan.Confirm.Typed)
		return undecided, nil
	}
	var cmd tea.Cmd
	d.typed, cmd = d.typed.Update(kp)
	d.hint = ""
	return undecided, cmd
}

// View shows who and what will change, in which mode, and how to approve. The question stays at
// the bottom; what is above it scrolls when the dialog is taller than the screen, so every change
// and warning can be read before answering.
func (d *confirmDialog) View() string {
	s := d.ctx.Styles
	w := max(20, d.width-4)
	var b []string
	title := "Apply these changes?"
	if d.destructive() {
		title = "DESTRUCTIVE: apply these changes?"
	}
	b = append(b, s.Destructive.Render(title)+"  "+s.Badge(d.ctx.Mode))
	b = append(b, "Account: "+accountLine(d.ctx))
	switch {
	case d.refused() != "":
	case d.ctx.Mode == steps.DryRun:
		b = append(b, s.OK.Render("DRY-RUN: nothing will change. Apply only checks permissions and reports what would happen."))
	default:
		b = append(b, s.Destructive.Render(fmt.Sprintf("%s: %s will be made to this account.", strings.ToUpper(string(d.ctx.Mode)), count(len(d.plan.Changes), "change", "changes"))))
	}
	b = append(b, "")
	for _, l := range d.lines {
		b = append(b, indent(l, "", "      ", w)...)
	}
	b = append(b, "")
	for _, warn := range d.plan.Warnings {
		b = append(b, s.Warning.Render("! "+warn))
	}
	// Everything wraps: the end of a change, a prompt or a warning is often the part that matters
	// (the last region's count, the account).
	top, question := wrapLines(b, w), wrapLines(d.question(), w)
	room := max(1, d.height-2-len(question))
	return s.Dialog.Width(w + 4).Render(strings.Join(append(scrolled(s, top, &d.scroll, room, w), question...), "\n"))
}

// question is the bottom of the dialog, always in view: what to answer and how.
func (d *confirmDialog) question() []string {
	s := d.ctx.Styles
	if why := d.refused(); why != "" {
		return []string{s.Destructive.Render(why), s.Subtle.Render("enter or esc closes")}
	}
	var b []string
	if d.plan.Confirm.Prompt != "" {
		b = append(b, d.plan.Confirm.Prompt)
	}
	if d.destructive() {
		b = append(b, fmt.Sprintf("Type %s to confirm, then enter (esc cancels):", s.Destructive.Render(d.plan.Confirm.Typed)))
		b = append(b, d.typed.View())
	} else {
		b = append(b, "[y] yes, apply    [N] no (default) — enter or esc cancels")
	}
	if d.hint != "" {
		b = append(b, s.Warning.Render(d.hint))
	}
	return b
}

// changeLines lists changes grouped under their region, in plan order of first appearance.
func changeLines(ctx *Context, changes []steps.Change) []string {
	var order []string
	groups := map[string][]steps.Change{}
	for _, c := range changes {
		if _, seen := groups[c.Region]; !seen {
			order = append(order, c.Region)
		}
		groups[c.Region] = append(groups[c.Region], c)
	}
	var lines []string
	for _, region := range order {
		if region != "" {
			lines = append(lines, ctx.Styles.Title.Render(region))
		}
		for _, c := range groups[region] {
			st := ctx.Styles.OK
			if c.Destructive {
				st = ctx.Styles.Destructive
			}
			lines = append(lines, "  "+st.Render(c.Op)+" "+c.Target+" — "+c.Summary)
		}
	}
	if len(lines) == 0 {
		lines = append(lines, ctx.Styles.Subtle.Render("(no changes)"))
	}
	return lines
}

func accountLine(ctx *Context) string {
	if ctx.Identity == nil {
		return ctx.Styles.Warning.Render("account not confirmed")
	}
	alias := ctx.Identity.Alias
	if alias == "" {
		alias = "no alias"
	}
	return ctx.Identity.Account + " (" + alias + ")"
}
