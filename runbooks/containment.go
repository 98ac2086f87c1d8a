package runbooks

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"lockdown/steps"
)

// What the report and the debrief may say about the attacker: only a verification that passed
// says contained.
const (
	Contained    = "contained"
	NotContained = "not contained"
	NotVerified  = "not verified"
)

// Containment is what the last verification of an incident found.
type Containment struct {
	// Verdict is Contained, NotContained or NotVerified (no verification ran).
	Verdict string `json:"verdict"`
	// Step is the title of the step that verified, and At when.
	Step string    `json:"step,omitempty"`
	At   time.Time `json:"at,omitzero"`
	// Remaining are the checks that did not pass, each with the step that handles it.
	Remaining []steps.VerifyCheck `json:"remaining,omitempty"`
	// Kept are the passes that are the operator's decision to keep an item, with the reason.
	Kept []steps.VerifyCheck `json:"kept,omitempty"`
	// ChangedSince is set when changes were applied after the last verification: it no longer
	// speaks for the account as it is.
	ChangedSince bool `json:"changed_since_verification,omitempty"`
}

// verificationRecord is the verification journaled with a verify step's findings.
type verificationRecord struct {
	Verification *steps.Verification `json:"verification"`
}

// ContainmentOf reads the entries for the last verification and what was applied after it.
// titles maps step ids to titles, when the runbook is at hand; without it the id stands.
func ContainmentOf(entries []Entry, titles map[string]string) Containment {
	c := Containment{Verdict: NotVerified}
	for _, e := range entries {
		if e.Kind == KindApplied && c.Verdict != NotVerified && field(e.Data, "status") == string(steps.StatusApplied) {
			c.ChangedSince = true
		}
		v := verificationIn(e)
		if v == nil {
			continue
		}
		c = Containment{Verdict: NotContained, Step: firstNonEmpty(titles[e.Step], e.Step), At: e.Time}
		if v.Contained {
			c.Verdict = Contained
		}
		for _, check := range v.Checks {
			switch {
			case check.Open():
				c.Remaining = append(c.Remaining, check)
			case check.Kept != "":
				c.Kept = append(c.Kept, check)
			}
		}
	}
	return c
}

// verificationIn returns the verification an entry holds: the summary finding of a verify step.
func verificationIn(e Entry) *steps.Verification {
	if e.Kind != KindFinding {
		return nil
	}
	data, ok := e.Data.(map[string]any)
	if !ok || data["verification"] == nil {
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil
	}
	var rec verificationRecord
	if json.Unmarshal(raw, &rec) != nil {
		return nil
	}
	return rec.Verification
}

// Lines says the containment in words, one line each: the verdict, then what remains with the
// step that handles it, then what the operator kept and why. at writes when the verification ran
// (a report gives the time, a debrief the time into the drill).
func (c Containment) Lines(at func(time.Time) string) (verdict string, remaining, kept []string) {
	switch c.Verdict {
	case Contained:
		verdict = fmt.Sprintf("contained: the verification (%s) passed at %s", c.Step, at(c.At))
	case NotContained:
		verdict = fmt.Sprintf("not contained: the verification (%s) at %s found %s remaining", c.Step, at(c.At), items(len(c.Remaining)))
	default:
		verdict = "not verified: no verification ran, so nothing says the attacker is out"
	}
	if c.ChangedSince {
		verdict += "; changes were applied after it, so verify again"
	}
	for _, r := range c.Remaining {
		line := fmt.Sprintf("%s %s: %s (%s)", r.Check, r.Item, r.Result, r.Evidence)
		if r.HandledBy != "" {
			line += " — handled by: " + r.HandledBy
		}
		remaining = append(remaining, line)
	}
	for _, k := range c.Kept {
		kept = append(kept, fmt.Sprintf("%s %s: kept by the operator: %s", k.Check, k.Item, k.Kept))
	}
	return verdict, remaining, kept
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// writeContainment puts the containment at the top of the Markdown report.
func (c Containment) writeMarkdown(b *strings.Builder) {
	verdict, remaining, kept := c.Lines(stamp)
	fmt.Fprintf(b, "\n**Attacker: %s**\n", verdict)
	if len(remaining) > 0 {
		b.WriteString("\nStill in the attacker's hands or not known:\n\n")
		for _, r := range remaining {
			fmt.Fprintf(b, "- %s\n", r)
		}
	}
	if len(kept) > 0 {
		b.WriteString("\nKept by the operator's decision:\n\n")
		for _, k := range kept {
			fmt.Fprintf(b, "- %s\n", k)
		}
	}
}
