package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"lockdown/debrief"
	"lockdown/input"
	"lockdown/runbooks"
	"lockdown/steps"
)

// ReportCmd renders an incident report from a journal.
type ReportCmd struct {
	Journal string `arg:"" name:"JOURNAL" help:"The incident's journal file (.jsonl)." type:"existingfile"`
	JSON    bool   `name:"json" help:"Print one JSON document instead of Markdown."`
}

// Run prints the report on stdout. It exits 3 when the incident did not finish cleanly — failed
// results, regions or steps, a step a stop cut short, a journal line that cannot be read — so a
// script can tell a clean response from one that needs a second look; and 1 when the file is not
// a journal at all.
func (c *ReportCmd) Run(g *Globals) error {
	jf, err := runbooks.ReadJournalFile(c.Journal)
	if err != nil {
		return err
	}
	rep := runbooks.BuildJournalReport(jf)
	// The journal names steps by id; the built-in runbook knows their titles.
	if rb, err := runbooks.BuiltinNamed(rep.Runbook, steps.Builtin()); err == nil {
		if st, ok := rb.Step(rep.Containment.Step); ok {
			rep.Containment.Step = st.Title
		}
	}
	scored, err := drillDebrief(c.Journal)
	if err != nil {
		return err
	}
	if c.JSON {
		err = g.writeJSON(struct {
			*runbooks.Report
			// DrillDebrief is a drill's scored debrief, as the Markdown written beside its journal.
			DrillDebrief string `json:"drill_debrief,omitempty"`
		}{rep, scored})
	} else if err = rep.WriteMarkdown(g.stdout); err == nil && scored != "" {
		_, err = fmt.Fprintf(g.stdout, "\n%s", scored)
	}
	if err != nil {
		return err
	}
	if why := rep.Unsettled(); len(why) > 0 {
		return exitCode(exitPartial, fmt.Errorf("the incident did not finish cleanly: %s", strings.Join(why, "; ")))
	}
	return nil
}

// maxDebriefBytes bounds the debrief read beside a journal; lockdown writes a few KiB.
const maxDebriefBytes = 1 << 20

// drillDebrief is a drill's scored debrief, written beside its journal when the drill ended, or
// "" for an incident that was not a drill.
func drillDebrief(journal string) (string, error) {
	text, tooBig, err := input.ReadLimited(debrief.PathFor(journal), "drill debrief", maxDebriefBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the drill's debrief: %w", err)
	}
	if tooBig {
		return "", fmt.Errorf("reading the drill's debrief: %s is larger than the %d KiB lockdown writes", debrief.PathFor(journal), maxDebriefBytes>>10)
	}
	return string(text), nil
}
