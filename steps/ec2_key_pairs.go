package steps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lockdown/aws"
)

// DeleteKeyPairs is the action ec2.delete-key-pairs: find the EC2 key pairs created after T0 in
// every region — the attacker's way to log in to instances launched later — and delete them.
type DeleteKeyPairs struct{}

// Spec describes ec2.delete-key-pairs.
func (DeleteKeyPairs) Spec() Spec {
	return Spec{
		Name:    "ec2.delete-key-pairs",
		Summary: "Delete EC2 key pairs created after T0, in every region",
		Params:  append(regionParams(), Param{Name: "keep", Type: TypeStrings, Doc: "key pair names (or region/name) never proposed"}),
	}
}

// Inspect lists every region's key pairs and preselects those created after T0.
func (DeleteKeyPairs) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "key pairs", State: Running})
	s, err := env.Account.SurveyKeyPairs(ctx, regionReadOptions(env.Params))
	if s == nil {
		return nil, fmt.Errorf("reading EC2 key pairs: %w", err)
	}
	keep := env.Params.Strings("keep")
	t := &Table{Selectable: true, Columns: []Column{{Title: "Region", Width: 14}, {Title: "Key pair"}, {Title: "Id", Width: 21},
		{Title: "Created", Width: 17}, {Title: "Why"}}}
	insp := &Inspection{Table: t, Data: s, Failed: len(aws.FailedRegions(s.Regions))}
	rogue := 0
	for _, k := range s.KeyPairs {
		row := Row{ID: keyPairRowID(k), Group: k.Region, Cells: []string{k.Region, k.Name, k.ID, when(k.Created), ""},
			Details: []string{"Region: " + k.Region, "Id: " + k.ID, "Created: " + when(k.Created)}}
		by := attribute(env.Trace, k.Region, k.ID, aws.KeyPairRef(k.Region, k.Name))
		switch {
		case contains(keep, k.Name) || contains(keep, k.Region+"/"+k.Name):
			row.Tone, row.Reasons = ToneProtected, []string{"kept by the step's parameters"}
		case by.ByAttacker(env.Trace):
			rogue++
			row.Tone, row.Selected, row.Reasons = ToneRogue, true, []string{by.Maker("created by the attacker: " + by.Origin.EventName)}
		case by.ByOthers(env.Trace) && after(k.Created, env.Since):
			row.Tone, row.Reasons = ToneWarning, []string{by.Maker("created after T0 ("+when(k.Created)+") "+by.Origin.EventName) +
				", not an attacker credential: not proposed"}
		case after(k.Created, env.Since):
			rogue++
			row.Tone, row.Selected, row.Reasons = ToneRogue, true, []string{keyPairReason(k, env.Since) + " (by its creation time: " + by.Why + ")"}
		}
		if by.Found {
			row.Details = append(row.Details, by.Maker("Created"))
		}
		if len(row.Reasons) > 0 {
			row.Cells[4] = row.Reasons[0]
		}
		t.Rows = append(t.Rows, row)
	}
	for _, r := range aws.FailedRegions(s.Regions) {
		insp.Warnings = append(insp.Warnings, fmt.Sprintf("%s could not be read (%s: %s): its key pairs are unknown.", r.Region, r.Code, r.Message))
	}
	if env.Since.IsZero() {
		insp.Warnings = append(insp.Warnings, "No incident start (T0) is set: no key pair can be told apart as the attacker's. Set --since.")
	}
	insp.Warnings = append(insp.Warnings, respawnerEvidenceWarning(env.Trace)...)
	insp.Summary = keyPairsSummary(s.KeyPairs, env.Since, rogue)
	report(Progress{Key: "key pairs", State: Done, Count: len(s.KeyPairs)})
	return insp, nil
}

// keyPairsSummary counts the key pairs made after T0 and, apart, those proposed: a teammate's is
// made after T0 but not proposed.
func keyPairsSummary(pairs []aws.RegionKeyPair, since time.Time, proposed int) string {
	recent := 0
	for _, k := range pairs {
		if after(k.Created, since) {
			recent++
		}
	}
	return fmt.Sprintf("%s, %d created after T0, %d proposed for deletion", plural(len(pairs), "key pair"), recent, proposed)
}

func keyPairRowID(k aws.RegionKeyPair) string { return k.Region + "/" + k.ID }

// Plan deletes each selected key pair, by id; it needs the typed confirmation of a destructive
// change.
func (DeleteKeyPairs) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	s, ok := found.Data.(*aws.KeyPairSurvey)
	if !ok {
		return nil, errors.New("ec2.delete-key-pairs: inspect first")
	}
	byRow := map[string]aws.RegionKeyPair{}
	for _, k := range s.KeyPairs {
		byRow[keyPairRowID(k)] = k
	}
	var keys []aws.RegionKeyPair
	p := &Plan{}
	for _, id := range selected {
		k, ok := byRow[id]
		if !ok {
			p.Warnings = append(p.Warnings, "skipping "+id+": no such key pair was found")
			continue
		}
		keys = append(keys, k)
		p.Changes = append(p.Changes, Change{ID: KeyPairDeletionID(k.Region, k.ID), Row: id, Op: "ec2:DeleteKeyPair", Region: k.Region, Target: k.Name,
			Summary: fmt.Sprintf("delete the key pair %s (%s) in %s: %s", k.Name, k.ID, k.Region, keyPairReason(k, env.Since)), Destructive: true})
	}
	p.Data = keys
	p.Notes = []string{"Deleting a key pair removes only AWS's copy of its public key: instances launched with it still accept it. " +
		"Terminate the attacker's instances, and remove the key from authorized_keys on any instance you keep."}
	account := env.Account.Guard().Account()
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Delete %s in account %s? This cannot be undone.", plural(len(keys), "key pair"), account),
		Typed: typedConfirmation(env)}
	return p, nil
}

// Apply deletes each key pair, then reads it back: "done" only when EC2 no longer knows it.
func (DeleteKeyPairs) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	keys, ok := plan.Data.([]aws.RegionKeyPair)
	if !ok {
		return nil, errors.New("ec2.delete-key-pairs: not a key pair plan")
	}
	out := &Outcome{}
	for _, k := range keys {
		eff, err := changes.DeleteKeyPair(ctx, k.Region, k.ID)
		if err == nil && eff == aws.Changed {
			exists, rerr := env.Account.KeyPairExists(ctx, k.Region, k.ID)
			if err = rerr; err == nil && exists {
				err = fmt.Errorf("DeleteKeyPair answered, but %s is still listed in %s on a fresh read", k.ID, k.Region)
			}
		}
		res := resultOf("delete-key-pair/"+keyPairRowID(k), eff, err, "delete the key pair "+k.Name+" in "+k.Region)
		out.Results = append(out.Results, confirmedBy(res, "deleted the key pair "+k.Name+" in "+k.Region+" (read back: EC2 no longer lists it)"))
		env.Logger().Info("ec2.delete-key-pairs", "region", k.Region, "key_pair", k.ID, "effect", eff, "error", errText(err))
	}
	return out, nil
}

func keyPairReason(k aws.RegionKeyPair, since time.Time) string {
	if after(k.Created, since) {
		return "created " + when(k.Created) + ", after T0"
	}
	return "created " + when(k.Created) + ", chosen by the operator"
}
