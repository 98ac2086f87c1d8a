package main

import (
	"fmt"
	"strings"

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
	if c.JSON {
		err = g.writeJSON(rep)
	} else {
		err = rep.WriteMarkdown(g.stdout)
	}
	if err != nil {
		return err
	}
	if why := rep.Unsettled(); len(why) > 0 {
		return exitCode(exitPartial, fmt.Errorf("the incident did not finish cleanly: %s", strings.Join(why, "; ")))
	}
	return nil
}
