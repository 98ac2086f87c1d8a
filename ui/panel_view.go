package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"lockdown/runbooks"
	"lockdown/steps"
)

// View renders the panel; running is the elapsed time of this step's action when one is running.
func (p *panel) View(running time.Duration, isRunning bool, spin string) string {
	var lines []string
	switch {
	case isRunning:
		return strings.Join(clipLines(p.runningLines(running, spin), p.width, p.height), "\n")
	case !p.action:
		return strings.Join(p.checklistView(), "\n")
	case p.phase == phaseStart:
		lines = p.startLines()
	case p.phase == phaseFound:
		return p.foundView()
	case p.phase == phasePlan:
		lines = p.planLines()
	default:
		lines = p.outcomeLines()
	}
	return strings.Join(scrolled(p.ctx.Styles, wrapLines(lines, p.width), &p.scroll, p.height, p.width), "\n")
}

// stateLines explains a failed or skipped step before anything else.
func (p *panel) stateLines() []string {
	s := p.ctx.Styles
	switch p.status.State {
	case runbooks.StateFailed:
		return []string{s.Error.Render("✗ failed: " + p.status.Err), s.Subtle.Render("r retries")}
	case runbooks.StateSkipped:
		return []string{s.Subtle.Render("↷ skipped: " + p.status.Reason)}
	case runbooks.StateDone:
		return []string{s.OK.Render("✓ done")}
	case runbooks.StateChecked:
		return []string{s.OK.Render("✓ checked (dry-run): looked at, nothing changed")}
	case runbooks.StatePlanned:
		return []string{s.OK.Render("◇ planned (dry-run): the plan was checked, nothing changed — run with --live to apply it")}
	case runbooks.StateCancelled:
		return []string{s.Warning.Render("⊘ " + p.status.Err), s.Subtle.Render("r retries")}
	}
	return nil
}

func (p *panel) runningLines(elapsed time.Duration, spin string) []string {
	lines := []string{fmt.Sprintf("%s working… %s  (esc cancels)", spin, elapsed.Round(time.Second))}
	if c := p.grid.counts(); c != "" {
		lines = append(lines, p.ctx.Styles.Subtle.Render(c))
	}
	lines = append(lines, p.grid.waitLines(p.ctx, p.width, 3, time.Now())...)
	return append(lines, p.grid.lines(p.ctx, p.width, p.height-len(lines), false)...)
}

// checklistView is the checklist, scrolled so the item under the cursor is in view.
func (p *panel) checklistView() []string {
	lines, at := p.checklistLines()
	if at >= 0 && p.height > 1 {
		room := p.height - 1
		p.scroll = min(p.scroll, at)
		p.scroll = max(p.scroll, at-room+1)
	}
	return scrolled(p.ctx.Styles, lines, &p.scroll, p.height, p.width)
}

// checklistLines are the checklist's lines wrapped to the panel, and where the item under the
// cursor begins among them.
func (p *panel) checklistLines() ([]string, int) {
	s := p.ctx.Styles
	lines := wrapLines(p.stateLines(), p.width)
	done, at := 0, -1
	for i, item := range p.step.Checklist {
		box := "[ ] "
		if p.ticked(i) {
			box = "[x] "
			done++
		}
		line := box + item
		if i == p.check {
			line = s.Selected.Render(line)
			at = len(lines)
		}
		lines = append(lines, wrapLines([]string{line}, p.width)...)
		if v, ok := p.evidence[i]; ok {
			lines = append(lines, wrapLines([]string{evidenceLine(s, v)}, p.width)...)
		}
	}
	hint := fmt.Sprintf("%d/%d ticked · space ticks · c completes", done, len(p.step.Checklist))
	if len(p.step.Verify) > 0 {
		hint += " · v verifies through IAM"
	}
	return append(lines, wrapLines([]string{"", s.Subtle.Render(hint)}, p.width)...), at
}

// evidenceLine shows what a check found for its item.
func evidenceLine(s Styles, v runbooks.Verification) string {
	switch {
	case v.Err != "":
		return s.Warning.Render("    ? could not verify: " + v.Err)
	case v.Result.Done:
		return s.OK.Render("    ✓ verified: " + v.Result.Detail)
	}
	return s.Failed.Render("    ✗ not done: " + v.Result.Detail)
}

func (p *panel) startLines() []string {
	s := p.ctx.Styles
	lines := p.stateLines()
	lines = append(lines, p.spec.Summary)
	for i, in := range p.spec.Inputs {
		lines = append(lines, "", in.Prompt, p.inputs[i].View())
		if p.inputErr[i] != "" {
			lines = append(lines, s.Warning.Render("  "+p.inputErr[i]))
		}
	}
	hint := "i inspects (read-only) · s skips"
	if len(p.inputs) > 0 {
		hint = "enter inspects (read-only) · ↑/↓ between fields · esc leaves the fields"
	}
	return append(lines, "", s.Subtle.Render(hint))
}

// foundHeader is everything shown above the findings table.
func (p *panel) foundHeader() []string {
	if p.found == nil {
		return nil
	}
	s := p.ctx.Styles
	lines := p.stateLines()
	summary := p.found.Summary
	if p.table != nil && len(lines) == 1 && p.status.State.Finished() && summary != "" {
		// Above a table every line counts: the state goes in front of the summary.
		summary, lines = lines[0]+s.Subtle.Render(" · ")+summary, nil
	}
	if summary != "" {
		// What the step found comes first, under the state when the state is news (failed,
		// cancelled): the line that stays in view while the rest scrolls.
		at := min(1, len(lines))
		lines = append(lines[:at], append([]string{summary}, lines[at:]...)...)
	}
	if p.stale != "" {
		lines = append(lines, s.Warning.Render("⚠ "+p.stale))
	}
	for _, w := range p.found.Warnings {
		lines = append(lines, s.Destructive.Render("⚠ "+w))
	}
	facts := p.found.Facts
	if !p.foundAt.IsZero() {
		facts = append(facts[:len(facts):len(facts)], steps.Fact{Label: "as of", Value: p.foundAt.UTC().Format("15:04:05")})
	}
	lines = append(lines, p.factLines(facts)...)
	if c := p.grid.counts(); c != "" && (p.table == nil || p.grid.failed() > 0) {
		lines = append(lines, s.Subtle.Render(c))
		lines = append(lines, p.grid.lines(p.ctx, p.width, 5, true)...)
	}
	if p.table != nil && p.height < 24 {
		return lines // the footer lists the same keys; on a small terminal the rows need the room
	}
	return append(lines, s.Subtle.Render(p.foundHint()))
}

// factLines shows facts one per line, or, above a table, run together on as few lines as the
// width allows so the rows keep the room.
func (p *panel) factLines(facts []steps.Fact) []string {
	s := p.ctx.Styles
	parts := make([]string, len(facts))
	for i, f := range facts {
		parts[i] = s.Subtle.Render(f.Label+": ") + s.Tone(f.Tone).Render(f.Value)
	}
	if p.table == nil {
		return parts
	}
	var lines []string
	line := ""
	for _, part := range parts {
		switch {
		case line == "":
			line = part
		case ansi.StringWidth(line)+3+ansi.StringWidth(part) <= p.width:
			line += s.Subtle.Render(" · ") + part
		default:
			lines, line = append(lines, line), part
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func (p *panel) foundView() string {
	head := wrapLines(p.foundHeader(), p.width)
	if p.table == nil {
		return strings.Join(scrolled(p.ctx.Styles, head, &p.scroll, p.height, p.width), "\n")
	}
	p.table.SetSize(p.width, p.height)
	// The first line of the header (the state, or what was found) stays in view, up to two rows
	// of it; the rest scrolls with the rows.
	sticky := min(2, len(wrapLines(p.foundHeader()[:min(1, len(head))], p.width)))
	return p.table.render(clipWidth(head, p.width), sticky)
}

func (p *panel) planLines() []string {
	s := p.ctx.Styles
	// A refused or failed apply leaves the plan on screen; why it failed must be right above it.
	lines := p.stateLines()
	lines = append(lines, s.Title.Render("Plan: "+count(len(p.plan.Changes), "change", "changes")))
	lines = append(lines, changeLines(p.ctx, p.plan.Changes)...)
	for _, n := range p.plan.Notes {
		lines = append(lines, s.Subtle.Render("note: "+n))
	}
	for _, w := range p.plan.Warnings {
		lines = append(lines, s.Warning.Render("! "+w))
	}
	return append(lines, "", s.Subtle.Render("A/enter apply… (asks for confirmation) · esc back to findings"))
}

// outcomeLines puts what needs the operator first: the counts, the follow-up plan waiting for a
// confirmation, then the results with failures and skips above the changes that went through.
func (p *panel) outcomeLines() []string {
	s := p.ctx.Styles
	changes := map[string]steps.Change{}
	shared := map[string]int{} // how many changes share an operation and target
	if p.plan != nil {
		for _, c := range p.plan.Changes {
			changes[c.ID] = c
			shared[c.Op+" "+c.Target]++
		}
	}
	lines := []string{s.Title.Render(fmt.Sprintf("Results: %d, %d failed", len(p.outcome.Results), p.outcome.Failed()))}
	lines = append(lines, p.factLines(p.outcome.Facts)...)
	if fu := p.outcome.FollowUp; fu != nil {
		lines = append(lines, s.Warning.Render(fmt.Sprintf("Follow-up plan: %s their own confirmation — A reviews it", count(len(fu.Changes), "change needs", "changes need"))))
	}
	results := slices.Clone(p.outcome.Results)
	slices.SortStableFunc(results, func(a, b steps.Result) int { return resultRank(a.Status) - resultRank(b.Status) })
	for _, r := range results {
		c := changes[r.ChangeID]
		lines = append(lines, resultLine(p.ctx, r, c, shared[c.Op+" "+c.Target] > 1))
	}
	return lines
}

// resultRank orders results by how much they need the operator's attention.
func resultRank(s steps.Status) int {
	switch s {
	case steps.StatusFailed:
		return 0
	case steps.StatusSkipped:
		return 1
	}
	return 2
}

// resultLine names a change by its region, operation and target, or by its summary when several
// changes share an operation and target (the parts of one user being deleted).
func resultLine(ctx *Context, r steps.Result, c steps.Change, ambiguous bool) string {
	s := ctx.Styles
	what := r.ChangeID
	switch {
	case ambiguous && c.Summary != "":
		what = strings.TrimSpace(c.Region + " " + c.Summary)
	case c.ID != "":
		what = strings.TrimSpace(c.Region + " " + c.Op + " " + c.Target)
	}
	switch r.Status {
	case steps.StatusFailed:
		return s.Failed.Render(fmt.Sprintf("✗ %s  failed  %s: %s", what, r.Code, r.Message))
	case steps.StatusApplied:
		return s.OK.Render("✓ " + what + "  applied")
	case steps.StatusWouldApply:
		return s.OK.Render("✓ " + what + "  would apply (dry-run)")
	case steps.StatusNotChecked:
		return s.Warning.Render("? " + what + "  not checked (dry-run): " + r.Message)
	case steps.StatusAlreadyDone:
		return s.Subtle.Render("= " + what + "  already done " + r.Message)
	}
	return s.Subtle.Render("· " + what + "  " + string(r.Status) + " " + r.Message)
}

// clipLines wraps every line to width and keeps at most height lines. Panel text is wrapped, not
// cut, because the end of a line is often what matters: an error message, the account in a warning.
func clipLines(lines []string, width, height int) []string {
	lines = wrapLines(lines, width)
	if height >= 0 && len(lines) > height {
		lines = lines[:height]
	}
	return lines
}

// wrapLines breaks lines longer than width at spaces (or mid-word when there is none).
func wrapLines(lines []string, width int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Wrap(l, max(1, width), " "), "\n")...)
	}
	return out
}

// foundHint names the keys that act on what was found, only those that do something here: a
// finding without rows has none to toggle or filter.
func (p *panel) foundHint() string {
	switch {
	case p.spec.ReadOnly:
		return "i re-inspects"
	case p.table == nil:
		return "p plans · i re-inspects"
	case !p.table.table.Selectable:
		return "/ filters · p plans · i re-inspects"
	}
	return "space toggles · a all · n none · / filters · p plans · i re-inspects"
}
