package runbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
)

// SecretRecords is what is known of new keys' secrets when a create is read back.
type SecretRecords struct {
	// Written says, per key, where the journals record its secret was written.
	Written map[string]string
	// Held reports whether a secrets file holds the key's secret now; nil when none is known.
	Held func(keyID string) bool
}

func (k SecretRecords) held(keyID string) bool { return k.Held != nil && k.Held(keyID) }

// clockSlack is how far AWS's clock and the journal's may differ (SigV4 refuses more than five
// minutes of skew), so a call made between an intent and the run's last entry is looked for
// within this much on either side.
const clockSlack = 5 * time.Minute

// keyVerdict is what reading a key that appeared on the user told.
type keyVerdict int

const (
	keyKept      keyVerdict = iota // lockdown's, its secret kept
	keyLost                        // lockdown's, its secret never kept: to delete
	keyOthers                      // made by someone else: left alone
	keyUndecided                   // who made it cannot be told yet: left alone
)

// readBackCreate settles a create from the user's keys and CloudTrail. A key is lockdown's when
// the journals name it (its secret then kept, even if the file that held it has moved) or when
// CloudTrail shows lockdown's identity made it within the intent's window; a key of lockdown's
// whose secret nobody keeps is deleted, journaled like any change, and the create counts as failed,
// to be made again. Every other key is left alone and reported.
func (r *Run) readBackCreate(ctx context.Context, p PendingChange, secrets SecretRecords) Settlement {
	user := p.Change.Target
	s := Settlement{ChangeID: p.Change.ID}
	keys, err := aws.ListAccessKeys(ctx, r.cfg.Account.ReadOnly().IAM(), user, false)
	if err != nil {
		s.Message = "the user's keys could not be read: " + err.Error()
		return s
	}
	var notes, lost []string
	undecided := 0
	for _, k := range keys {
		if slices.Contains(p.KeysBefore, k.ID) {
			continue
		}
		verdict, note := r.judgeNewKey(ctx, p, k, secrets)
		switch verdict {
		case keyKept:
			if s.Ref == "" {
				s.Ref = k.ID
			}
		case keyLost:
			lost = append(lost, k.ID)
		case keyUndecided:
			undecided++
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	notes = append(notes, r.deleteLost(ctx, p, lost, &s)...)
	switch {
	case s.Ref != "":
		s.Outcome = CallDone
	case undecided > 0 || len(lost) > len(s.Orphans):
		s.Outcome = CallUnknown
	default:
		s.Outcome = CallFailed
		notes = append([]string{"no key of lockdown's call is left: it is made again if the plan still holds it"}, notes...)
	}
	s.Message = "read back: " + strings.Join(notes, "; ")
	return s
}

// judgeNewKey says whose a key that appeared on the user after the create was intended is.
func (r *Run) judgeNewKey(ctx context.Context, p PendingChange, k aws.AccessKey, secrets SecretRecords) (keyVerdict, string) {
	where, named := secrets.Written[k.ID]
	switch {
	case secrets.held(k.ID):
		return keyKept, k.ID + " was made and its secret is kept"
	case named:
		return keyKept, fmt.Sprintf("%s is lockdown's and its secret was written to %s, which no longer holds it: it is kept, not deleted — if the file was moved, the secret is wherever it went; if nobody has it, delete %s by hand", k.ID, where, k.ID)
	}
	// A key missing from the keys read before the call was made after that read; without that
	// read, only a key made since the intent can be the call's. Either way it was made by the
	// time the run was last seen alive.
	from, until := p.Intended.Add(-clockSlack), p.Until.Add(clockSlack)
	if !p.KeysRead && k.Created.Before(from) {
		return keyOthers, ""
	}
	if k.Created.After(until) {
		return keyOthers, fmt.Sprintf("%s was made %s, after lockdown's call could have made it (by %s): not lockdown's, left alone", k.ID, stamp(k.Created), stamp(p.Until))
	}
	by := p.By
	if by == "" {
		by = r.cfg.Account.ReadOnly().Confirmed().ARN
	}
	made, err := r.cfg.Account.ReadOnly().WhoCreatedKey(ctx, k.ID)
	switch {
	case err != nil:
		return keyUndecided, fmt.Sprintf("%s appeared, and who made it cannot be read from CloudTrail (%v): left alone; apply again to settle it, or check it by hand", k.ID, err)
	case made == nil:
		return keyUndecided, fmt.Sprintf("%s appeared, and CloudTrail has no record yet of who made it (its events arrive within about 15 minutes): left alone; apply again later to settle it", k.ID)
	case by == "" || made.Principal != by || made.Time.After(until):
		return keyOthers, fmt.Sprintf("%s was made by %s at %s (CloudTrail event %s), not by lockdown's call: left alone", k.ID, made.Principal, stamp(made.Time), made.EventID)
	}
	return keyLost, ""
}

// deleteLost deletes the keys lockdown's lost calls made, whose secrets nobody holds, and records
// them in s. It returns what to tell the operator.
func (r *Run) deleteLost(ctx context.Context, p PendingChange, lost []string, s *Settlement) []string {
	if len(lost) == 0 {
		return nil
	}
	env := r.cfg.Env
	changes, err := r.journaled(p.Step, &env, r.changes())
	var notes []string
	for _, id := range lost {
		if err == nil {
			_, err = changes.DeleteKey(ctx, p.Change.Target, id)
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s, made by lockdown's call (CloudTrail), could not be deleted (%v): delete it by hand", id, err))
			continue
		}
		s.Orphans = append(s.Orphans, id)
	}
	if len(s.Orphans) > 0 {
		notes = append(notes, "made by lockdown's call (CloudTrail) and deleted, since nobody holds its secret: "+strings.Join(s.Orphans, ", "))
	}
	return notes
}
