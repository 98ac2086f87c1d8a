package runbooks

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"lockdown/steps"
)

// Report is an incident as its journal tells it: who acted on which account, and for every step
// what was found, planned, done and left undone. It is built from the journal alone, so it can be
// written after a crash, on another machine, or by the reviewer.
type Report struct {
	Incident string        `json:"incident"`
	Account  string        `json:"account,omitempty"`
	Mode     string        `json:"mode,omitempty"`
	Runbook  string        `json:"runbook,omitempty"`
	Since    string        `json:"since,omitempty"`
	Started  time.Time     `json:"started"`
	Ended    time.Time     `json:"ended"`
	Steps    []*StepReport `json:"steps"`
	// Failed counts failed results, regions or items that could not be inspected, and steps that
	// ended failed.
	Failed int `json:"failed"`
	// NotProven counts dry-run checks that could not run (the permission simulation was denied or
	// not available): those changes are neither proven nor refuted.
	NotProven int `json:"not_proven,omitempty"`
	// Unfinished are the steps that were still running when the journal ends: lockdown was
	// stopped in the middle of them, and what they did last is not known.
	Unfinished []string `json:"unfinished_steps,omitempty"`
	// CorruptLines are journal lines that hold no entry: what happened there is not known.
	CorruptLines []BadLine `json:"corrupt_lines,omitempty"`
	// Pending are changes intended and never settled, or whose answer was lost: AWS may or may
	// not have made them.
	Pending []PendingChange `json:"pending_changes,omitempty"`
	// Containment is what the last verification found; only a pass says contained.
	Containment Containment `json:"containment"`
	// TornLine is the last line, cut short by a kill while it was written; it is left out.
	TornLine *BadLine `json:"torn_last_line,omitempty"`
	// OpenItems are what the steps left to the operator by hand (an attacker's change lockdown
	// has no action for), each once, from each step's last inspection.
	OpenItems []string `json:"open_items,omitempty"`
}

// StepReport is one step's part of the incident.
type StepReport struct {
	ID       string    `json:"id"`
	State    string    `json:"state"`
	At       time.Time `json:"at"`
	Error    string    `json:"error,omitempty"`
	Reason   string    `json:"skip_reason,omitempty"`
	Findings []string  `json:"findings,omitempty"`
	Planned  int       `json:"planned_changes"`
	// NotInspected counts the regions or items the last inspection could not read.
	NotInspected int `json:"not_inspected,omitempty"`
	// OpenItems are what the step's last inspection left to the operator by hand.
	OpenItems []string       `json:"open_items,omitempty"`
	Results   map[string]int `json:"results,omitempty"`
	Applied   []string       `json:"applied,omitempty"`
	Checks    []string       `json:"checks,omitempty"`
	Notes     []string       `json:"notes,omitempty"`
	// inspecting is set from a step's start until its first finding, the summary of an inspection.
	inspecting bool
}

// BuildJournalReport reports a journal file, with the lines that could not be read.
func BuildJournalReport(jf *JournalFile) *Report {
	rep := BuildReport(jf.Entries)
	rep.CorruptLines, rep.TornLine = jf.Corrupt, jf.Torn
	return rep
}

// BuildReport reads entries in order.
func BuildReport(entries []Entry) *Report {
	rep := &Report{}
	byID := map[string]*StepReport{}
	for _, e := range entries {
		rep.note(e)
		if e.Step == "" {
			if e.Kind == KindNote {
				rep.Steps = append(rep.Steps, &StepReport{ID: "(incident)", Notes: []string{e.Message}, At: e.Time})
			}
			continue
		}
		st, ok := byID[e.Step]
		if !ok {
			st = &StepReport{ID: e.Step, State: string(StatePending), Results: map[string]int{}}
			byID[e.Step] = st
			rep.Steps = append(rep.Steps, st)
		}
		st.add(e)
	}
	for _, st := range rep.Steps {
		if st.State == string(StateCancelled) {
			continue // the operator stopped it: not a failure, as the run counts it
		}
		rep.Failed += st.Results[string(steps.StatusFailed)] + st.NotInspected
		rep.NotProven += st.Results[string(steps.StatusNotChecked)]
		if st.State == string(StateFailed) {
			rep.Failed++
		}
		if st.State == string(StateRunning) {
			rep.Unfinished = append(rep.Unfinished, st.ID)
		}
	}
	rep.Pending = PendingChanges(entries)
	rep.Containment = ContainmentOf(entries, nil)
	seen := map[string]bool{}
	for _, st := range rep.Steps {
		for _, it := range st.OpenItems {
			if !seen[it] {
				seen[it] = true
				rep.OpenItems = append(rep.OpenItems, it)
			}
		}
	}
	return rep
}

// Unsettled lists why the incident cannot be taken as finished: failures, steps a stop cut
// short, and journal lines that could not be read. A cut-short last line alone is not among them:
// a kill while writing loses only the entry being written.
func (rep *Report) Unsettled() []string {
	var why []string
	if rep.Containment.Verdict == NotContained {
		why = append(why, "not contained: "+items(len(rep.Containment.Remaining))+" remaining at the last verification")
	}
	if rep.Failed > 0 {
		why = append(why, fmt.Sprintf("%d failed results, uninspected regions or items, or failed steps", rep.Failed))
	}
	for _, id := range rep.Unfinished {
		why = append(why, fmt.Sprintf("step %s was still running when lockdown stopped; what it did last is not recorded", id))
	}
	for _, p := range rep.Pending {
		why = append(why, fmt.Sprintf("step %s: whether AWS made the change %q is not known (%s); read the account to find out", p.Step, firstNonEmpty(p.Change.Summary, p.Change.ID), pendingWords(p.Outcome)))
	}
	for _, bad := range rep.CorruptLines {
		why = append(why, fmt.Sprintf("journal line %d could not be read (%s); what it recorded is missing from this report", bad.Line, bad.Problem))
	}
	return why
}

// note keeps the incident-wide facts: its id, account, mode, runbook and time span.
func (rep *Report) note(e Entry) {
	if rep.Started.IsZero() || e.Time.Before(rep.Started) {
		rep.Started = e.Time
	}
	if e.Time.After(rep.Ended) {
		rep.Ended = e.Time
	}
	rep.Incident = firstNonEmpty(rep.Incident, e.Incident)
	rep.Mode = firstNonEmpty(rep.Mode, e.Mode)
	if e.Account != "" {
		rep.Account = e.Account
	}
	if e.Kind == KindRunStart {
		rep.Runbook = firstNonEmpty(rep.Runbook, field(e.Data, "runbook"))
		rep.Since = firstNonEmpty(rep.Since, field(e.Data, "since"))
	}
}

func (st *StepReport) add(e Entry) {
	switch e.Kind {
	case KindState:
		st.State, st.At = firstNonEmpty(field(e.Data, "state"), e.Message), e.Time
		st.inspecting = st.State == string(StateRunning)
		st.Error = field(e.Data, "error")
		if r := field(e.Data, "reason"); r != "" {
			st.Reason = r
		}
	case KindSkip:
		st.Reason = firstNonEmpty(field(e.Data, "reason"), e.Message)
	case KindFinding:
		if st.inspecting {
			// The summary of a new inspection: its count replaces the last one's.
			data, _ := e.Data.(map[string]any)
			failed, _ := data["failed"].(float64)
			st.NotInspected, st.inspecting = int(failed), false
			st.OpenItems = openItems(data)
		}
		st.Findings = append(st.Findings, e.Message)
	case KindPlanned:
		st.Planned++
	case KindApplied:
		st.Results[field(e.Data, "status")]++
		st.Applied = append(st.Applied, e.Message)
	case KindCheck:
		st.Checks = append(st.Checks, e.Message)
	case KindNote, KindKeep:
		st.Notes = append(st.Notes, e.Message)
	}
}

// field reads a string field of an entry's data as decoded from JSON.
func field(data any, name string) string {
	m, ok := data.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

// WriteMarkdown renders the report for an incident review.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Incident %s\n\n", rep.Incident)
	fmt.Fprintf(&b, "- Account: %s\n- Mode: %s\n- Runbook: %s\n", orNone(rep.Account), orNone(rep.Mode), orNone(rep.Runbook))
	fmt.Fprintf(&b, "- Incident start (T0): %s\n", orNone(rep.Since))
	fmt.Fprintf(&b, "- Recorded: %s to %s (%s)\n", stamp(rep.Started), stamp(rep.Ended), rep.Ended.Sub(rep.Started).Round(time.Second))
	fmt.Fprintf(&b, "- Failed results or steps: %d\n", rep.Failed)
	if rep.NotProven > 0 {
		fmt.Fprintf(&b, "- Dry-run checks that could not run (not proven): %d\n", rep.NotProven)
	}
	rep.Containment.writeMarkdown(&b)
	if why := rep.Unsettled(); len(why) > 0 {
		b.WriteString("\n**Not finished:**\n\n")
		for _, w := range why {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	list(&b, "Open items (by hand)", rep.OpenItems)
	if rep.TornLine != nil {
		fmt.Fprintf(&b, "\nNote: the journal's last line (%d) was cut short, as when lockdown is killed while writing; the entry it held is left out.\n", rep.TornLine.Line)
	}
	for _, st := range rep.Steps {
		st.writeMarkdown(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (st *StepReport) writeMarkdown(b *strings.Builder) {
	fmt.Fprintf(b, "\n## %s — %s", st.ID, st.State)
	if !st.At.IsZero() {
		fmt.Fprintf(b, " at %s", stamp(st.At))
	}
	b.WriteString("\n")
	if st.Reason != "" {
		fmt.Fprintf(b, "\nSkipped because: %s\n", st.Reason)
	}
	if st.Error != "" {
		fmt.Fprintf(b, "\nError: %s\n", st.Error)
	}
	list(b, "Found", st.Findings)
	if st.NotInspected > 0 {
		fmt.Fprintf(b, "\nCould not inspect %d regions or items (see the findings).\n", st.NotInspected)
	}
	if st.Planned > 0 {
		fmt.Fprintf(b, "\nPlanned %d change(s); results: %s\n", st.Planned, resultWords(st.Results))
	}
	list(b, "Done", st.Applied)
	list(b, "Checklist", st.Checks)
	list(b, "Notes", st.Notes)
}

func list(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
}

func resultWords(results map[string]int) string {
	if len(results) == 0 {
		return "none applied"
	}
	keys := make([]string, 0, len(results))
	for k := range results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", results[k], k)
	}
	return strings.Join(parts, ", ")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

func pendingWords(o CallOutcome) string {
	if o == CallUnknown {
		return "its answer was lost"
	}
	return "lockdown stopped before its answer was recorded"
}

// openItems reads an inspection summary's open items as decoded from JSON.
func openItems(data map[string]any) []string {
	list, _ := data["open_items"].([]any)
	var out []string
	for _, it := range list {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
