package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"lockdown/aws"
	"lockdown/steps"
)

// progressGrid is the live state of each unit of work (a region, a user) of a running action. A
// unit that failed keeps its row and reason: a region silently missing from a scan hides attackers.
type progressGrid struct {
	keys  []string
	units map[string]steps.Progress
	// waits are the latest retry, wait or give-up of each region or service the action calls.
	waits []aws.CallEvent
}

func (g *progressGrid) reset() {
	g.keys = nil
	g.units = nil
	g.waits = nil
}

// called keeps the latest event of each region or service, newest first.
func (g *progressGrid) called(e aws.CallEvent) {
	g.waits = slices.DeleteFunc(g.waits, func(w aws.CallEvent) bool { return w.Service == e.Service && w.Region == e.Region })
	g.waits = append([]aws.CallEvent{e}, g.waits...)
}

// waitShown is how long a retry or a wait stays on screen; a give-up stays.
const waitShown = 5 * time.Second

// waitLines are the retries and waits happening now, at most limit of them, give-ups first:
// "eu-north-1: throttled, retry 3 in 1.6 s".
func (g *progressGrid) waitLines(ctx *Context, width, limit int, now time.Time) []string {
	var given, recent []string
	for _, e := range g.waits {
		line := ansi.Truncate("~ "+e.String(), width, "…")
		switch {
		case e.Kind == aws.EventGivenUp:
			given = append(given, ctx.Styles.Failed.Render(line))
		case now.Sub(e.At) <= waitShown+e.Wait:
			recent = append(recent, ctx.Styles.Warning.Render(line))
		}
	}
	all := append(given, recent...)
	return all[:min(len(all), limit)]
}

func (g *progressGrid) add(p steps.Progress) {
	if g.units == nil {
		g.units = map[string]steps.Progress{}
	}
	if _, seen := g.units[p.Key]; !seen {
		g.keys = append(g.keys, p.Key)
	}
	g.units[p.Key] = p
}

// counts summarises the grid as "12 done · 2 failed · 3 running".
func (g *progressGrid) counts() string {
	n := map[steps.ProgressState]int{}
	for _, p := range g.units {
		n[p.State]++
	}
	var parts []string
	for _, st := range []steps.ProgressState{steps.Done, steps.Failed, steps.Running, steps.Queued, steps.Skipped} {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, " · ")
}

// failed counts the units that failed.
func (g *progressGrid) failed() int {
	n := 0
	for _, p := range g.units {
		if p.State == steps.Failed {
			n++
		}
	}
	return n
}

// lines renders up to limit rows, failed ones first so they are never scrolled away.
func (g *progressGrid) lines(ctx *Context, width, limit int, onlyFailed bool) []string {
	var failed, rest []string
	for _, k := range g.keys {
		p := g.units[k]
		line := strings.Split(progressLine(ctx, p, width), "\n")
		switch {
		case p.State == steps.Failed:
			failed = append(failed, line...)
		case !onlyFailed:
			rest = append(rest, line...)
		}
	}
	all := append(failed, rest...)
	if len(all) > limit && limit > 0 {
		more := len(all) - limit + 1
		all = append(all[:limit-1], ctx.Styles.Subtle.Render(fmt.Sprintf("… and %d more", more)))
	}
	return all
}

// progressLine is one unit's row; a failure gets a second, indented line so its AWS error code
// and message are not cut off by the state columns.
func progressLine(ctx *Context, p steps.Progress, width int) string {
	s := ctx.Styles
	line := fmt.Sprintf("%-14s %-8s", p.Key, p.State)
	if p.Count > 0 {
		line += fmt.Sprintf(" %d found", p.Count)
	}
	if p.Elapsed > 0 {
		line += " " + p.Elapsed.Round(100*time.Millisecond).String()
	}
	switch p.State {
	case steps.Failed:
		reason := "    " + strings.TrimPrefix(p.Code+": "+p.Err, ": ")
		return s.Failed.Render(ansi.Truncate(line, width, "…")) + "\n" + s.Failed.Render(ansi.Truncate(reason, width, "…"))
	case steps.Done:
		if p.Note != "" {
			line += "  " + p.Note
		}
		return s.OK.Render(ansi.Truncate(line, width, "…"))
	}
	return ansi.Truncate(line, width, "…")
}
