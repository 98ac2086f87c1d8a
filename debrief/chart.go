package debrief

import (
	"strings"
	"time"
)

// ChartWidth is how many columns the timeline chart spreads the drill over.
const ChartWidth = 48

// Chart is the attacker's calls over the drill, one row per credential, each column a slice of
// the attacker's clock, with the milestones marked where they fell.
type Chart struct {
	Span time.Duration
	Rows []ChartRow
	// Marks holds a milestone's letter at its column, or a space.
	Marks []rune
}

// ChartRow is one credential's calls: per column, whether any call worked, or all were refused.
type ChartRow struct {
	KeyID string
	Cells []Cell
}

// Cell is one column of a row.
type Cell byte

// What a column shows.
const (
	NoCall Cell = iota
	Refused
	Worked
)

func chart(f Facts, ms []Milestone) Chart {
	c := Chart{Span: f.End.Sub(f.Briefing), Marks: []rune(strings.Repeat(" ", ChartWidth))}
	row := map[string]int{}
	for _, a := range f.Attacks {
		i, ok := row[a.AccessKeyID]
		if !ok {
			i = len(c.Rows)
			row[a.AccessKeyID] = i
			c.Rows = append(c.Rows, ChartRow{KeyID: a.AccessKeyID, Cells: make([]Cell, ChartWidth)})
		}
		col := c.column(a.Time.Sub(f.Briefing))
		switch {
		case a.Succeeded():
			c.Rows[i].Cells[col] = Worked
		case c.Rows[i].Cells[col] == NoCall:
			c.Rows[i].Cells[col] = Refused
		}
	}
	for _, m := range ms {
		if m.Reached {
			c.Marks[c.column(m.AttackerAt)] = m.Mark
		}
	}
	return c
}

// column is where a moment of the drill falls; the end is in the last column.
func (c Chart) column(at time.Duration) int {
	if c.Span <= 0 || at <= 0 {
		return 0
	}
	return min(ChartWidth-1, int(int64(at)*ChartWidth/int64(c.Span)))
}

// Lines draws the chart: a legend, a row per credential, the milestones, and the time axis.
func (c Chart) Lines() []string {
	label := len("milestones")
	for _, r := range c.Rows {
		label = max(label, len(r.KeyID))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", label-len(s)) }
	lines := []string{"█ worked  ░ refused  K key inactive  I last rogue instance terminated  C verified contained"}
	for _, r := range c.Rows {
		var b strings.Builder
		for _, cell := range r.Cells {
			b.WriteString([]string{" ", "░", "█"}[cell])
		}
		lines = append(lines, pad(r.KeyID)+" │"+b.String()+"│")
	}
	lines = append(lines, pad("milestones")+" │"+string(c.Marks)+"│")
	end := clock(c.Span)
	lines = append(lines, pad("")+"  0"+strings.Repeat(" ", max(1, ChartWidth-1-len(end)))+end)
	return lines
}
