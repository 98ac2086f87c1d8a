package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
	"lockdown/ui"
)

// session is one incident run: the account (whose guard holds the mode), the journal, the log
// file and the run state.
type session struct {
	acct    *aws.Account
	since   time.Time
	run     *runbooks.Run
	journal *runbooks.Journal
	log     *slog.Logger
	logFile *os.File
	// activity, in a drill, carries the simulated attacker's calls to the header.
	activity <-chan ui.Activity
	// briefing, in a drill, is the alert shown before anything else.
	briefing *ui.Briefing
	// breakGlass, in a drill whose scenario holds them, hands over to the break-glass identity.
	breakGlass *ui.BreakGlass
	// debrief, in a drill, draws the scored debrief the screen shows at the end.
	debrief func() []string
}

// requireTerminal refuses to start the TUI on a pipe or without a terminal, instead of hanging.
func requireTerminal() error {
	if !ui.IsTerminal(os.Stdin) || !ui.IsTerminal(os.Stdout) {
		return usageError("the interface needs an interactive terminal, but standard input or output is not one; for unattended use run 'lockdown validate' or 'lockdown sim serve'")
	}
	return nil
}

// newSession opens the journal and log for a new incident and starts the run in the account's mode.
func (g *Globals) newSession(acct *aws.Account, since time.Time) (*session, error) {
	return g.newAccountSession(acct, since, "", g.reviewed)
}

// newAccountSession is newSession for one account of an organization's incident: its journal is
// named incident (when not empty), and reviewed is when its reviewed plan was made.
func (g *Globals) newAccountSession(acct *aws.Account, since time.Time, incident string, reviewed time.Time) (*session, error) {
	reg := steps.Builtin()
	rb, err := g.loadRunbook(reg)
	if err != nil {
		return nil, err
	}
	skipRegions(rb, reg, g.skipRegions)
	dir, incident, err := g.incidentFileNamed(acct.Mode(), incident)
	if err != nil {
		return nil, err
	}
	journal, err := runbooks.OpenJournal(dir, incident)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(dir, incident+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		journal.Close()
		return nil, fmt.Errorf("opening the log: %w", err)
	}
	log := slog.New(slog.NewTextHandler(logFile, nil))
	if g.clock != nil {
		journal.UseClock(g.clock)
	}
	acct.UseLogger(log) // the SDK's warnings must not land on the TUI's screen
	run, err := runbooks.NewRun(runbooks.Config{
		Runbook:  rb,
		Registry: reg,
		Account:  acct,
		Env: steps.Env{Since: since, Now: g.clock, Log: log, KeepSecret: g.keepSecret, Reviewed: reviewed, Organization: g.organization, OwnKeys: func() map[string]bool { return runbooks.CreatedKeys(dir) },
			SecretsKept: func() map[string]bool { return runbooks.KeptSecrets(dir) },
			Kept:        func() map[string]string { return runbooks.KeptItems(dir, acct.Guard().Account(), incident) }},
		Journal:  journal,
		Incident: incident,
	})
	if err == nil && g.resumeFrom != nil {
		err = run.Resume(g.resumeFrom.entries)
	}
	if err != nil {
		logFile.Close()
		journal.Close()
		return nil, err
	}
	return &session{acct: acct, since: since, run: run, journal: journal, log: log, logFile: logFile}, nil
}

// reconcileResumed settles, by reading the account, the changes the resumed incident intended and
// never settled (a crash, a lost answer), before the operator goes on: a key such a change made,
// proven lockdown's, is deleted when the journal does not say its secret was kept (the screen
// never showed it), and kept when it does, the operator told where it was written. The identity
// is confirmed first, held to the journal's account, as every change is.
func (s *session) reconcileResumed(g *Globals) {
	if g.resumeFrom == nil || s.acct.Mode() == aws.DryRun {
		return
	}
	pending := runbooks.PendingChanges(g.resumeFrom.entries)
	if len(pending) == 0 {
		return
	}
	if _, err := s.acct.WhoAmI(g.Context()); err != nil {
		g.eprintf("%d changes the incident left unsettled were not read back: %v\n", len(pending), err)
		return
	}
	g.eprintf("Reading back %d changes the incident left unsettled:\n", len(pending))
	secrets := runbooks.SecretRecords{Written: runbooks.SecretsWritten(g.resumeFrom.entries)}
	var lines []string
	for _, rec := range s.run.Reconcile(g.Context(), pending, secrets) {
		g.eprintf("  %s\n", rec.Line())
		lines = append(lines, rec.Line())
	}
	// The interface takes the screen next: what was found is shown there first, and the
	// operator goes on once they have read it (a key kept whose file is gone is theirs to find).
	s.briefing = &ui.Briefing{Title: "Read back before going on: what the stopped run left unsettled",
		Text: strings.Join(lines, "\n")}
}

// skipRegions leaves regions out of every step that scans regions, on top of any the runbook
// leaves out itself.
func skipRegions(rb *runbooks.Runbook, reg *steps.Registry, regions []string) {
	if len(regions) == 0 {
		return
	}
	for _, step := range rb.Steps {
		action, ok := reg.Lookup(step.Action)
		if !ok {
			continue
		}
		if _, takes := action.Spec().Param("skip_regions"); !takes {
			continue
		}
		if step.With == nil {
			step.With = steps.Params{}
		}
		step.With["skip_regions"] = slices.Compact(slices.Sorted(slices.Values(append(step.With.Strings("skip_regions"), regions...))))
	}
}

// interact runs the TUI until the operator quits.
func (s *session) interact(g *Globals) error {
	uctx := ui.NewContext(s.acct.Mode(), s.since)
	uctx.Log = s.log
	uctx.ExpectedAccount = s.acct.Guard().Expected()
	uctx.Activity = s.activity
	uctx.Debrief = s.debrief
	uctx.AccountNow = g.clock
	uctx.BreakGlass = s.breakGlass
	if b := s.briefing; b != nil {
		uctx.Briefing = b
		if b.KeyID != "" {
			uctx.Known = map[string]string{"access_key_id": b.KeyID}
		}
	}
	return ui.Run(g.Context(), ui.New(uctx, s.run))
}

// close flushes the journal and log, and turns failed regions or items into exit code 3.
func (s *session) close(g *Globals) error {
	g.eprintf("Journal: %s\nReport:  lockdown report %s\n", s.journal.Path(), s.journal.Path())
	err := errors.Join(s.journal.Close(), s.logFile.Close())
	if err != nil {
		return err
	}
	if n := s.run.Failures(); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("finished with %d failed regions or items; see the journal", n))
	}
	return nil
}

// priorIncident is a journal the operator asked to continue.
type priorIncident struct {
	dir, incident string
	entries       []runbooks.Entry
}

// incidentFile names the journal to write: the resumed incident's, or a new one, created empty.
func (g *Globals) incidentFile(mode steps.Mode) (dir, incident string, err error) {
	return g.incidentFileNamed(mode, "")
}

// incidentFileNamed is incidentFile for a journal named as one account's of an organization's
// incident, when named is not empty.
func (g *Globals) incidentFileNamed(mode steps.Mode, named string) (dir, incident string, err error) {
	if p := g.resumeFrom; p != nil {
		return p.dir, p.incident, nil
	}
	if dir, err = g.journalDir(); err != nil {
		return "", "", err
	}
	// Claimed by creating its journal exclusively: a run started in the same second gets its own.
	base := fmt.Sprintf("%s-%s", time.Now().UTC().Format("20060102-150405"), mode)
	if named != "" {
		base = named // one account's journal of an organization's incident
	}
	incident, err = runbooks.CreateIncident(dir, base)
	return dir, incident, err
}

// readPriorIncident reads a journal to continue, and holds the run to what the original run
// allowed: the account the operator named with --account when there was one, else the account the
// journal was recorded in. A resumed incident must never change another account.
func (g *Globals) readPriorIncident(path string) error {
	entries, err := runbooks.ReadJournal(path)
	if err != nil {
		return usageError("cannot resume: %v", err)
	}
	named, recorded := runbooks.JournalExpectedAccount(entries), runbooks.JournalAccount(entries)
	switch {
	case named != "" && g.Account != "" && named != g.Account:
		return usageError("cannot resume: the incident was started with --account %s, and --account %s would change what it allows", named, g.Account)
	case named != "":
		g.Account = named
	case recorded != "" && g.Account != "" && recorded != g.Account:
		return usageError("cannot resume: the journal is for account %s but --account says %s", recorded, g.Account)
	case recorded != "":
		g.Account = recorded
	}
	g.resumeFrom = &priorIncident{dir: filepath.Dir(path), incident: strings.TrimSuffix(filepath.Base(path), ".jsonl"), entries: entries}
	return nil
}

// since is the incident start the prior run recorded, so a resumed run flags the same things.
func (p *priorIncident) since() time.Time {
	for _, e := range p.entries {
		if e.Kind != runbooks.KindRunStart {
			continue
		}
		if data, ok := e.Data.(map[string]any); ok {
			if s, ok := data["since"].(string); ok {
				if t, err := time.Parse(time.RFC3339, s); err == nil {
					return t
				}
			}
		}
	}
	return time.Time{}
}
