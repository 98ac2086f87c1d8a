package runbooks

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"lockdown/steps"
)

// maxRowEntries caps the table rows journaled one by one: a scan of a large account can list
// thousands of ordinary instances, which the record only needs as a count.
const maxRowEntries = 200

type runStart struct {
	Runbook string `json:"runbook"`
	Title   string `json:"title,omitempty"`
	Source  string `json:"source,omitempty"`
	Since   string `json:"since,omitempty"`
	Steps   int    `json:"steps"`
	// ExpectedAccount is the account the operator named with --account: a resumed run keeps it, so
	// resuming never allows changes the original run refused.
	ExpectedAccount string `json:"expected_account,omitempty"`
}

type stateData struct {
	State  StepState         `json:"state"`
	Error  string            `json:"error,omitempty"`
	Reason string            `json:"reason,omitempty"`
	Inputs map[string]string `json:"inputs,omitempty"`
}

type inspectionData struct {
	Facts    []steps.Fact `json:"facts,omitempty"`
	Warnings []string     `json:"warnings,omitempty"`
	Failed   int          `json:"failed,omitempty"`
	Rows     int          `json:"rows,omitempty"`
	// Verification is the whole verdict of a verify step, check by check, for the report.
	Verification *steps.Verification `json:"verification,omitempty"`
	// OpenItems are what the operator must do by hand, for the report's open items.
	OpenItems []string `json:"open_items,omitempty"`
}

type otherRows struct {
	Count  int            `json:"count"`
	ByTone map[string]int `json:"by_tone"`
}

type planData struct {
	Change  steps.Change  `json:"change"`
	Confirm steps.Confirm `json:"confirm"`
}

type appliedData struct {
	steps.Result
	Target string `json:"target,omitempty"`
	Region string `json:"region,omitempty"`
	// ActedAs is the identity that made the change, in the entry's account.
	ActedAs string `json:"acted_as,omitempty"`
}

func sinceText(env steps.Env) string {
	if env.Since.IsZero() {
		return ""
	}
	return env.Since.UTC().Format(time.RFC3339)
}

// entry stamps an entry with the run's clock, incident, mode and confirmed account.
func (r *Run) entry(env *steps.Env, stepID, kind, msg string, data any) Entry {
	e := Entry{Time: env.Clock(), Incident: r.cfg.Incident, Step: stepID, Mode: string(env.Mode()),
		Kind: kind, Message: msg, Data: data}
	if env.Account != nil {
		e.Account = env.Account.Guard().Account()
	}
	return e
}

func (r *Run) record(entries ...Entry) error {
	for _, e := range entries {
		if err := r.cfg.Journal.Record(e); err != nil {
			return err
		}
	}
	return nil
}

// findings journals what an inspection found: the summary with facts and warnings, each warning,
// each failed unit of work, and the rows that matter one by one with the rest counted.
func (r *Run) findings(env *steps.Env, stepID string, in *steps.Inspection) []Entry {
	var rows []steps.Row
	if in.Table != nil {
		rows = in.Table.Rows
	}
	verification, _ := in.Data.(*steps.Verification)
	out := []Entry{r.entry(env, stepID, KindFinding, in.Summary, inspectionData{
		Facts: in.Facts, Warnings: in.Warnings, Failed: in.Failed, Rows: len(rows), Verification: verification, OpenItems: in.OpenItems})}
	for _, w := range in.Warnings {
		out = append(out, r.entry(env, stepID, KindFinding, "warning: "+w, map[string]string{"tone": string(steps.ToneWarning)}))
	}
	for _, p := range in.Progress {
		if p.State == steps.Failed {
			out = append(out, r.entry(env, stepID, KindFinding, fmt.Sprintf("%s could not be inspected: %s", p.Key, failure(p)), p))
		}
	}
	rest := otherRows{ByTone: map[string]int{}}
	for _, row := range rows {
		if notable(row.Tone) && len(out) < maxRowEntries {
			out = append(out, r.entry(env, stepID, KindFinding, rowMessage(row), row))
			continue
		}
		rest.Count++
		rest.ByTone[toneName(row.Tone)]++
	}
	if rest.Count > 0 {
		out = append(out, r.entry(env, stepID, KindFinding, fmt.Sprintf("%d more rows (%s)", rest.Count, countWords(rest.ByTone)), rest))
	}
	return out
}

func notable(t steps.Tone) bool {
	return t == steps.ToneRogue || t == steps.ToneSuspicious || t == steps.ToneFailed
}

func toneName(t steps.Tone) string {
	if t == steps.ToneNone {
		return "plain"
	}
	return string(t)
}

func rowMessage(row steps.Row) string {
	msg := toneName(row.Tone) + ": " + row.ID
	if len(row.Reasons) > 0 {
		msg += " (" + strings.Join(row.Reasons, "; ") + ")"
	}
	return msg
}

func failure(p steps.Progress) string {
	if p.Code != "" {
		return p.Code + ": " + p.Err
	}
	return p.Err
}

func countWords(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// planned journals each change of a plan, with what the operator must type to allow it.
func (r *Run) planned(env *steps.Env, stepID string, plan *steps.Plan) []Entry {
	out := make([]Entry, 0, len(plan.Changes))
	for _, c := range plan.Changes {
		out = append(out, r.entry(env, stepID, KindPlanned, c.Summary, planData{Change: c, Confirm: plan.Confirm}))
	}
	return out
}

// applied journals one entry per result and a summary holding the whole outcome. The outcome's
// secrets never reach the journal: Outcome does not marshal them and Secret marshals redacted.
func (r *Run) applied(env *steps.Env, stepID string, plan *steps.Plan, out *steps.Outcome) []Entry {
	changes := map[string]steps.Change{}
	if plan != nil {
		for _, c := range plan.Changes {
			changes[c.ID] = c
		}
	}
	entries := make([]Entry, 0, len(out.Results)+1)
	counts := map[string]int{}
	for _, res := range out.Results {
		c := changes[res.ChangeID]
		msg := string(res.Status) + ": " + firstNonEmpty(c.Summary, res.ChangeID)
		if res.Message != "" && res.Message != c.Summary {
			msg += " (" + res.Message + ")"
		}
		entries = append(entries, r.entry(env, stepID, KindApplied, msg, appliedData{Result: res, Target: c.Target, Region: c.Region, ActedAs: actingAs(env)}))
		counts[string(res.Status)]++
	}
	summary := "no changes"
	if len(counts) > 0 {
		summary = countWords(counts)
	}
	return append(entries, r.entry(env, stepID, KindResult, summary, out))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// actingAs is who the run's account acts as (its confirmed identity), for the record of a change.
func actingAs(env *steps.Env) string {
	if env.Account == nil {
		return ""
	}
	return env.Account.ActingAs()
}
