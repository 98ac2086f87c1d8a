package review

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"lockdown/runbooks"
	"lockdown/steps"
)

// appliedJournal is the journal of one apply of the plan: an earlier one, or this one.
type appliedJournal struct {
	path    string
	start   time.Time
	entries []runbooks.Entry
}

// journalsOf reads, oldest first, the journals in dir of every apply of the plan with digest. A
// journal cut short by a kill is read up to its last whole line: what it holds still counts.
func journalsOf(dir, digest string) []appliedJournal {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []appliedJournal
	for _, path := range paths {
		entries, _ := runbooks.ReadJournal(path)
		if len(entries) == 0 || !slices.ContainsFunc(entries, func(e runbooks.Entry) bool {
			return e.Kind == runbooks.KindNote && e.Message == appliedNote(digest)
		}) {
			continue
		}
		out = append(out, appliedJournal{path: path, start: entries[0].Time, entries: entries})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

// madeChanges are the changes the applies of a plan made, as their journals settled them: done
// whatever a later inspection says, since the journal holds the call's answer or its read-back.
type madeChanges struct {
	// byStep says, per step and change id, who made it, in the operator's words.
	byStep map[string]map[string]string
	// byID says who made a change under this id in any step (one step stops a group another
	// would stop too).
	byID map[string]string
	// intended are the changes an apply sent, or was about to send, that no journal settled.
	intended map[string]map[string]bool
}

// changesMade reads who made which change from the journals of the plan's applies; current is
// the journal of this apply.
func changesMade(journals []appliedJournal, current string) madeChanges {
	m := madeChanges{byStep: map[string]map[string]string{}, byID: map[string]string{}, intended: map[string]map[string]bool{}}
	var all []runbooks.Entry
	// sentBy names the apply that last sent each change: a change read back later (its answer
	// lost) was made by the apply that sent it.
	sentBy := map[string]map[string]string{}
	for _, j := range journals {
		all = append(all, j.entries...)
		apply := "the apply of this plan at " + j.start.UTC().Format("2006-01-02 15:04Z")
		for _, e := range j.entries {
			if e.Kind == runbooks.KindIntent {
				who := apply
				if j.path == current {
					who = "step " + e.Step + " of this apply"
				}
				put(sentBy, e.Step, field(e.Data, "change", "id"), who)
			}
			change, ok := madeChange(e)
			if !ok {
				continue
			}
			who := sentBy[e.Step][change]
			switch {
			case who == "" && j.path == current:
				who = "step " + e.Step + " of this apply"
			case who == "":
				who = apply
			case !strings.HasSuffix(who, "of this apply") && j.path == current:
				who += ", whose answer was lost (read back now)"
			}
			put(m.byStep, e.Step, change, who)
			m.byID[change] = who
		}
	}
	for _, p := range runbooks.PendingChanges(all) {
		put(m.intended, p.Step, p.Change.ID, true)
	}
	return m
}

// madeChange reads an entry that says a change was made: its settlement done, or its step's
// result applied or already done.
func madeChange(e runbooks.Entry) (string, bool) {
	switch e.Kind {
	case runbooks.KindSettled:
		return field(e.Data, "change"), runbooks.CallOutcome(field(e.Data, "outcome")) == runbooks.CallDone
	case runbooks.KindApplied:
		status := steps.Status(field(e.Data, "status"))
		return field(e.Data, "change"), status == steps.StatusApplied || status == steps.StatusAlreadyDone
	}
	return "", false
}

// madeBy says who made the change with this id in step, or "" when no journal says it was made.
func (m madeChanges) madeBy(step, id string) string {
	if who := m.byStep[step][id]; who != "" {
		return who
	}
	return m.byID[id]
}

// rowChanges are the reviewed changes that act on row. A plan written before changes named their
// row links them by id or target.
func rowChanges(changes []steps.Change, row string) []steps.Change {
	var out []steps.Change
	for _, c := range changes {
		linked := c.Row == row
		if c.Row == "" {
			linked = c.ID == row || strings.HasSuffix(c.ID, "/"+row) || c.Target == row
		}
		if linked {
			out = append(out, c)
		}
	}
	return out
}

// settledRows takes out of the selection the reviewed rows with nothing left to do, saying why,
// so they neither make the step again nor block its other changes: a row whose every reviewed
// change a journal settled done is done, whatever the fresh inspection says of it; a row the fresh
// inspection finds already as the step would leave it is no longer needed. A row still selected
// for a further, destructive change (an inactive attacker key, deleted next) is no longer needed
// only for the reviewed changes that stop short of it: the further change needs its own review. Changes such a row
// left unsettled (a lost answer, a kill) are settled now, from the inspection. It also returns the
// rows an apply of this plan began and did not finish: the fresh verdict on them may be lockdown's
// own doing (a role no longer flagged once its trust was fixed), so they go on as reviewed.
func (a *applier) settledRows(ps *PlanStep, table *steps.Table, selection []string) ([]string, map[string]bool) {
	begun := map[string]bool{}
	if table == nil {
		return selection, begun
	}
	made := changesMade(journalsOf(a.opts.JournalDir, a.digest), a.current)
	var out []string
	for _, id := range selection {
		reviewed := rowChanges(ps.Changes, id)
		row, _ := findRow(table, id)
		switch {
		case len(reviewed) > 0 && allMade(made, ps.Step, reviewed):
			a.said[id] = true
			a.printf("      = already done:        %s (done by %s)\n", id, made.madeBy(ps.Step, reviewed[0].ID))
			if row.Selected && row.AlreadyDone == "" {
				a.printf("        ! the account shows it needed again (%s): plan again to review it\n", strings.Join(row.Reasons, "; "))
			}
		case row.AlreadyDone != "" && (!row.Selected || !slices.ContainsFunc(reviewed, destructive)):
			a.said[id] = true
			a.printf("      = no longer needed:    %s (done by %s: %s)\n", id, a.doneOutside(made, ps.Step, reviewed), row.AlreadyDone)
			a.settleFromInspection(ps.Step, made, reviewed, row.AlreadyDone)
		default:
			out = append(out, id)
			if len(reviewed) > 0 && anyMade(made, ps.Step, reviewed) {
				begun[id] = true
			}
		}
	}
	return out, begun
}

func anyMade(made madeChanges, step string, changes []steps.Change) bool {
	return slices.ContainsFunc(changes, func(c steps.Change) bool { return made.madeBy(step, c.ID) != "" })
}

func allMade(made madeChanges, step string, changes []steps.Change) bool {
	for _, c := range changes {
		if made.madeBy(step, c.ID) == "" {
			return false
		}
	}
	return true
}

// doneOutside names who made a row unnecessary when no journal says it was made: an apply of this
// plan whose answer was lost, or someone else.
func (a *applier) doneOutside(made madeChanges, step string, reviewed []steps.Change) string {
	for _, c := range reviewed {
		if who := made.madeBy(step, c.ID); who != "" {
			return who
		}
	}
	for _, c := range reviewed {
		if made.intended[step][c.ID] {
			return "an apply of this plan whose answer was lost (read back now)"
		}
	}
	return "someone outside this plan"
}

// settleFromInspection journals, as done, the reviewed changes of a row the fresh inspection found
// done whose calls an apply sent and never settled: later applies need not read them back again.
func (a *applier) settleFromInspection(step string, made madeChanges, reviewed []steps.Change, why string) {
	var ledger *runbooks.Ledger
	for _, c := range reviewed {
		if !made.intended[step][c.ID] || made.madeBy(step, c.ID) != "" {
			continue
		}
		if ledger == nil {
			l, err := a.run.Ledger(step)
			if err != nil {
				return
			}
			ledger = l
		}
		msg := fmt.Sprintf("read back by the step's inspection: %s", why)
		if err := ledger.Settle(runbooks.Settlement{ChangeID: c.ID, Outcome: runbooks.CallDone, Message: msg}); err != nil {
			a.printf("      the journal could not record that %s is done: %v\n", c.ID, err)
		}
	}
}

func put[V any](m map[string]map[string]V, outer, inner string, v V) {
	if m[outer] == nil {
		m[outer] = map[string]V{}
	}
	m[outer][inner] = v
}

// field reads a string at path in a journal entry's data.
func field(data any, path ...string) string {
	for _, name := range path {
		m, _ := data.(map[string]any)
		data = m[name]
	}
	s, _ := data.(string)
	return s
}

func destructive(c steps.Change) bool { return c.Destructive }
