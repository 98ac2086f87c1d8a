package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"lockdown/aws"
)

// VerifyContained is the action verify.contained: re-read the account and say, check by check
// with the evidence, whether the attacker is out. It changes nothing and can be run again at will.
type VerifyContained struct{}

// Spec describes verify.contained.
func (VerifyContained) Spec() Spec {
	return Spec{
		Name:    "verify.contained",
		Summary: "Re-read the account and check that the attacker is out: keys, users, trust, instances, spot requests",
		Params: append([]Param{
			{Name: "access_key_id", Type: TypeString, Doc: "the leaked key id, pre-filled in the input"},
			{Name: "workers", Type: TypeInt, Doc: fmt.Sprintf("users read at once (default %d)", aws.DefaultInventoryWorkers)},
		}, ec2Params()...),
		Inputs:   []Input{{Name: "access_key_id", Prompt: "Leaked access key id (empty: the attacker cannot be said out)", Placeholder: "AKIA…", Validate: validateOptionalKeyID}},
		ReadOnly: true,
	}
}

// validateOptionalKeyID accepts an empty answer: without a key id the other checks still run, and
// the verification says it could not verify the attacker is out.
func validateOptionalKeyID(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return ValidateAccessKeyID(strings.ToUpper(strings.TrimSpace(s)))
}

// Verification is every check the action made; Contained only when each passed.
type Verification struct {
	Contained bool `json:"contained"`
	Remaining int  `json:"remaining"`
	Unknown   int  `json:"unknown"`
	// Kept counts the passes that are the operator's recorded decision to keep an item.
	Kept   int           `json:"kept"`
	Checks []VerifyCheck `json:"checks"`
}

// Inspect runs every check against a fresh read of the account.
func (VerifyContained) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	keyID := strings.ToUpper(strings.TrimSpace(env.input("access_key_id")))
	if err := validateOptionalKeyID(keyID); err != nil {
		return nil, err
	}
	me, err := responder(ctx, env)
	if err != nil {
		return nil, err
	}
	v := &Verification{}
	stage := func(name string, run func() []VerifyCheck) {
		report(Progress{Key: name, State: Running})
		checks := run()
		v.Checks = append(v.Checks, checks...)
		report(Progress{Key: name, State: Done, Count: len(checks)})
	}
	stage("leaked key", func() []VerifyCheck {
		if keyID == "" {
			return []VerifyCheck{unnamedLeakedKey()}
		}
		return []VerifyCheck{checkLeakedKey(ctx, env, keyID)}
	})
	stage("credentials", func() []VerifyCheck { return checkCredentials(ctx, env, me, keyID) })
	stage("role trust", func() []VerifyCheck { return checkTrust(ctx, env) })
	stage("new roles", func() []VerifyCheck { return checkNewRoles(ctx, env) })
	stage("role sessions", func() []VerifyCheck { return checkAttackerSessions(ctx, env) })
	stage("instances", func() []VerifyCheck { return checkInstances(ctx, env) })
	stage("logging", func() []VerifyCheck { return checkLogging(ctx, env) })
	stage("key pairs", func() []VerifyCheck { return checkKeyPairs(ctx, env) })
	stage("IAM persistence", func() []VerifyCheck { return checkIAMPersistence(ctx, env) })
	stage("password resets", func() []VerifyCheck { return checkPasswordResets(ctx, env) })
	stage("respawners", func() []VerifyCheck { return checkRespawners(ctx, env) })
	stage("exposure", func() []VerifyCheck { return checkExposure(ctx, env) })
	stage("Access Analyzer", func() []VerifyCheck { return checkAccessAnalyzer(ctx, env) })
	stage("attacker changes", func() []VerifyCheck { return checkAttackerChanges(ctx, env) })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v.Checks = leaveOutSkipped(env, mergeSameSubject(v.Checks))
	insp := verification(v, keyID)
	for _, c := range v.Checks {
		if c.Check == checkByHand && c.Result != VerifyPass {
			insp.OpenItems = append(insp.OpenItems, c.Evidence)
		}
	}
	if w := traceWarning(env.Trace); w != "" {
		insp.Warnings = append(insp.Warnings, w)
	}
	return insp, nil
}

// verification turns the checks into what the UI, the report and the CLI show.
func verification(v *Verification, keyID string) *Inspection {
	// The result first: on a narrow terminal the columns that do not fit are the last ones, and
	// whether an item failed or could not be read is what the operator must see.
	t := &Table{Columns: []Column{{Title: "Result", Width: 11}, {Title: "Check", Width: 18}, {Title: "Item"}, {Title: "Handled by"}}}
	insp := &Inspection{Table: t, Data: v}
	for _, c := range v.Checks {
		switch c.Result {
		case VerifyPass:
			fact := Fact{Label: c.Check + ": " + c.Item, Value: "pass: " + c.Evidence, Tone: ToneOK}
			if c.Kept != "" {
				v.Kept++
				fact.Value, fact.Tone = "pass, kept by the operator: "+c.Kept+" ("+c.Evidence+")", ToneWarning
			}
			insp.Facts = append(insp.Facts, fact)
			continue
		case VerifyNotAvailable:
			insp.Facts = append(insp.Facts, Fact{Label: c.Check + ": " + c.Item, Value: "not available: " + c.Evidence, Tone: ToneWarning})
			continue
		case VerifyUnknown:
			v.Unknown++
		}
		v.Remaining++
		tone := ToneRogue
		switch {
		case c.Result == VerifyUnknown:
			tone = ToneFailed
		case c.Result == VerifyNotChecked, c.MadeBy != "":
			tone = ToneWarning
		}
		t.Rows = append(t.Rows, Row{ID: c.RowID(), Tone: tone, Cells: []string{string(c.Result), c.Check, c.Item, c.HandledBy},
			Reasons: []string{c.Evidence}, Details: []string{"Evidence: " + c.Evidence, "Handled by: " + c.HandledBy}})
	}
	insp.Failed, insp.Open = v.Unknown, v.Remaining
	v.Contained = v.Remaining == 0
	switch {
	case keyID == "" && v.Remaining > 1:
		insp.Summary = fmt.Sprintf("not verified: no leaked key was named; %d other items remaining", v.Remaining-1)
	case keyID == "":
		insp.Summary = "not verified: no leaked key was named, so whether it still works is not known"
	case v.Contained && v.Kept > 0:
		insp.Summary = fmt.Sprintf("contained, with %d kept by the operator", v.Kept)
	case v.Contained:
		insp.Summary = "contained"
	default:
		insp.Summary = fmt.Sprintf("not contained: %d remaining", v.Remaining)
		if n := yoursByHand(v); n > 0 {
			// No step of the runbook undoes these: the operator's work, said where it is seen.
			insp.Summary += fmt.Sprintf(", %d of them yours to do by hand (or keep, with the reason)", n)
		}
	}
	if keyID == "" {
		insp.Warnings = append(insp.Warnings, "No leaked key id was given: the leaked key itself was not checked, so the attacker cannot be said to be out.")
	}
	return insp
}

// Plan has nothing to plan: each remaining item names the step that handles it.
func (VerifyContained) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return nil, errors.New("verify.contained is read-only: each remaining item names the step that handles it")
}

// Apply has nothing to apply.
func (VerifyContained) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return nil, errors.New("verify.contained is read-only: there is nothing to apply")
}

// yoursByHand counts the remaining items no step of the runbook undoes.
func yoursByHand(v *Verification) int {
	n := 0
	for _, c := range v.Checks {
		if c.Result != VerifyPass && (strings.HasPrefix(c.HandledBy, "by hand") || strings.HasPrefix(c.HandledBy, "keep it")) {
			n++
		}
	}
	return n
}
