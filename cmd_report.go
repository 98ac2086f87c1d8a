package main

import (
	"fmt"

	"lockdown/runbooks"
)

// ReportCmd renders an incident report from a journal.
type ReportCmd struct {
	Journal string `arg:"" name:"JOURNAL" help:"The incident's journal file (.jsonl)." type:"existingfile"`
	JSON    bool   `name:"json" help:"Print one JSON document instead of Markdown."`
}

// Run prints the report on stdout; it exits 3 when the incident has failed results or steps, so
// a script can tell a clean response from one that needs a second look.
func (c *ReportCmd) Run(g *Globals) error {
	entries, err := runbooks.ReadJournal(c.Journal)
	if err != nil && len(entries) == 0 {
		return err
	}
	if err != nil {
		g.eprintf("lockdown: %v; reporting the %d entries before it\n", err, len(entries))
	}
	rep := runbooks.BuildReport(entries)
	if c.JSON {
		err = g.writeJSON(rep)
	} else {
		err = rep.WriteMarkdown(g.stdout)
	}
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return exitCode(exitPartial, fmt.Errorf("the incident has %d failed results or steps", rep.Failed))
	}
	return nil
}
