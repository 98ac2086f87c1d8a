package debrief

import (
	"fmt"
	"io"
	"strings"
	"time"

	"lockdown/aws/sim"
)

// Headline is the debrief's first line: the scenario, the pace and how long the drill took.
func (d *Debrief) Headline() string {
	line := fmt.Sprintf("Drill debrief: %s at pace %s, %s from the briefing", d.Scenario, sim.FormatPace(d.Pace), clock(d.Length))
	if d.Pace != 1 {
		line += fmt.Sprintf(" (%s on the attacker's clock)", clock(d.AttackerLength))
	}
	return line
}

// ScoreLine says the score, or why there is none.
func (d *Debrief) ScoreLine() string {
	if !d.Score.Scored {
		return "Score: none — the scenario gives no par times"
	}
	return fmt.Sprintf("Score: %d/%d against the scenario's par times", d.Score.Points, d.Score.Of)
}

// milestoneTime is when a milestone was reached, in the responder's time, with the attacker's
// clock beside it at a faster pace.
func (d *Debrief) milestoneTime(m Milestone) string {
	if !m.Reached {
		return "not reached: " + m.Why
	}
	s := clock(m.At)
	if d.Pace != 1 {
		s += fmt.Sprintf(" (%s on the attacker's clock)", clock(m.AttackerAt))
	}
	return s
}

func parText(par time.Duration) string {
	if par <= 0 {
		return "no par"
	}
	return "par " + clock(par)
}

func (d *Debrief) partText(i int) string {
	if i >= len(d.Score.Parts) || d.Score.Parts[i].Of == 0 {
		return ""
	}
	p := d.Score.Parts[i]
	return fmt.Sprintf("%d/%d", p.Points, p.Of)
}

func (c Credential) line() string {
	s := fmt.Sprintf("%s: %s worked", c.KeyID, plural(c.Worked, "call"))
	if c.HasWorked {
		s += fmt.Sprintf(" (the last at +%s)", clock(c.LastWorked))
	}
	s += fmt.Sprintf(", %d refused", c.Refused)
	if c.HasBeenRefused {
		s += fmt.Sprintf(" (from +%s)", clock(c.FirstRefused))
	}
	return s
}

// CostLine says the rogue instances' hours and their simulated cost.
func (d *Debrief) CostLine() string {
	s := fmt.Sprintf("Rogue instances during the drill: %.1f instance-hours on the attacker's clock, simulated cost %s at on-demand prices",
		d.InstanceHours, dollars(d.Cost))
	if len(d.Unpriced) > 0 {
		s += " (not priced: " + strings.Join(d.Unpriced, ", ") + ")"
	}
	return s
}

// dollars writes an amount as $1,234.56.
func dollars(v float64) string {
	cents := int64(v*100 + 0.5)
	whole, frac := cents/100, cents%100
	digits := fmt.Sprint(whole)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("$%s.%02d", b.String(), frac)
}

func (d *Debrief) containmentLines() []string {
	verdict, remaining, kept := d.Containment.Lines(func(t time.Time) string {
		return "+" + clock(time.Duration(float64(t.Sub(d.briefing))/d.Pace)) + " from the briefing"
	})
	return append(append([]string{"Is the attacker out? " + verdict}, remaining...), kept...)
}

// Lines is the debrief as plain text, one line each, for the terminal: the score, the attacker,
// the cost, then whether the attacker is out.
func (d *Debrief) Lines() []string {
	return append(d.ScoredLines(), d.containmentLines()...)
}

// ScoredLines is the debrief without the verification's verdict, for a caller that says it its own way.
func (d *Debrief) ScoredLines() []string {
	lines := []string{d.Headline(), "", d.ScoreLine()}
	for i, m := range d.Milestones {
		lines = append(lines, fmt.Sprintf("  %-31s %s, %s  %s", m.Name, d.milestoneTime(m), parText(m.Par), d.partText(i)))
	}
	if d.Score.Penalty > 0 {
		lines = append(lines, fmt.Sprintf("  %-31s −%d (%d × %d)", "collateral", d.Score.Penalty, len(d.Collateral), CollateralPenalty))
	}
	lines = append(lines, "", "Attacker calls, per credential (on the attacker's clock, from the briefing)")
	if len(d.Credentials) == 0 {
		lines = append(lines, "  none yet")
	}
	for _, c := range d.Credentials {
		lines = append(lines, "  "+c.line())
	}
	for _, l := range d.Chart.Lines() {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", d.CostLine(), "")
	lines = append(lines, section("Collateral (the account's own resources the response changed)", d.collateralLines("    "), "none")...)
	return append(lines, section("What the attacker still held at the end", d.StillHeld, "nothing the simulator knows of")...)
}

func section(title string, items []string, none string) []string {
	if len(items) == 0 {
		return []string{title + ": " + none, ""}
	}
	n := 0
	for _, it := range items {
		if !strings.HasPrefix(it, " ") {
			n++
		}
	}
	out := []string{fmt.Sprintf("%s: %d", title, n)}
	for _, it := range items {
		out = append(out, "  "+it)
	}
	return append(out, "")
}

// collateralLines are the charges, each followed by who made the resource and the evidence,
// indented by indent.
func (d *Debrief) collateralLines(indent string) []string {
	var out []string
	for _, c := range d.Collateral {
		out = append(out, c.line(d.Pace))
		for _, l := range c.details() {
			out = append(out, indent+l)
		}
	}
	return out
}

// WriteMarkdown writes the debrief as a Markdown section, for the file beside the journal.
func (d *Debrief) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n**%s**\n\n", d.Headline(), d.ScoreLine())
	b.WriteString("| milestone | from the briefing | par | points |\n| --- | --- | --- | --- |\n")
	for i, m := range d.Milestones {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", m.Name, d.milestoneTime(m), parText(m.Par), d.partText(i))
	}
	if d.Score.Penalty > 0 {
		fmt.Fprintf(&b, "| collateral | %d changed | | −%d |\n", len(d.Collateral), d.Score.Penalty)
	}
	b.WriteString("\n### Attacker calls, per credential\n\nOn the attacker's clock, from the briefing.\n\n")
	for _, c := range d.Credentials {
		fmt.Fprintf(&b, "- %s\n", c.line())
	}
	b.WriteString("\n```\n" + strings.Join(d.Chart.Lines(), "\n") + "\n```\n\n")
	fmt.Fprintf(&b, "### Cost\n\n%s.\n\n", d.CostLine())
	markdownList(&b, "Collateral", d.collateralLines("  - "), "None: the response changed none of the account's own resources.")
	markdownList(&b, "What the attacker still held at the end", d.StillHeld, "Nothing the simulator knows of.")
	b.WriteString("### Is the attacker out?\n\n")
	for _, l := range d.containmentLines() {
		fmt.Fprintf(&b, "- %s\n", strings.TrimPrefix(l, "Is the attacker out? "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func markdownList(b *strings.Builder, title string, items []string, none string) {
	fmt.Fprintf(b, "### %s\n\n", title)
	if len(items) == 0 {
		fmt.Fprintf(b, "%s\n\n", none)
		return
	}
	for _, it := range items {
		if strings.HasPrefix(it, " ") {
			fmt.Fprintf(b, "%s\n", it) // a detail of the item above, already a sub-item
			continue
		}
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}
