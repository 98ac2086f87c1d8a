package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
)

// AccountTrace is the attacker's CloudTrail timeline in one account, followed from every key that
// entered it: the leaked key, and the credentials the attacker came in with from other accounts.
type AccountTrace struct {
	// Keys are the keys the account was traced from, the leaked key first.
	Keys       []string         `json:"keys"`
	Footprints []*aws.Footprint `json:"footprints"`
	// Entered are the other accounts this account's attacker events assumed a role in, and with
	// which credential, as this account's CloudTrail records them.
	Entered []Entry `json:"entered,omitempty"`
	// Failed counts regions a footprint could not read: the attacker's events there are unknown.
	Failed int `json:"failed_regions"`
}

// Entry is one AssumeRole of the attacker into another account.
type Entry struct {
	Account    string    `json:"account"`
	Role       string    `json:"role"`
	Credential string    `json:"credential"`
	Time       time.Time `json:"time"`
	EventID    string    `json:"event_id"`
}

// Affected reports whether the attacker acted in the account: any event of theirs, the AssumeRole
// that brought them in included.
func (t *AccountTrace) Affected() bool {
	for _, f := range t.Footprints {
		if len(f.Timeline) > 0 {
			return true
		}
	}
	return false
}

// Events counts the attacker's events in the account.
func (t *AccountTrace) Events() int {
	n := 0
	for _, f := range t.Footprints {
		n += len(f.Timeline)
	}
	return n
}

// traceKeys traces an account from each key in turn and gathers the roles the attacker assumed in
// other accounts.
func traceKeys(ctx context.Context, acct *aws.Account, account string, keys []string, since time.Time) (*AccountTrace, error) {
	t := &AccountTrace{Keys: keys}
	for _, key := range keys {
		f, err := acct.TraceAttacker(ctx, aws.TraceOptions{Key: key, Since: since}, nil)
		if f == nil {
			return t, err
		}
		t.Footprints = append(t.Footprints, f)
		t.Failed += len(f.Failed())
		t.Entered = append(t.Entered, entriesOf(f, account)...)
		if err != nil {
			return t, err
		}
	}
	if t.Failed > 0 {
		return t, fmt.Errorf("CloudTrail could not be read in %d regions: the attacker's events there are unknown", t.Failed)
	}
	return t, nil
}

// entriesOf are the successful AssumeRole calls of a footprint into a role of another account.
func entriesOf(f *aws.Footprint, account string) []Entry {
	var out []Entry
	for _, e := range f.Timeline {
		if e.EventName != "AssumeRole" || !e.Succeeded() {
			continue
		}
		role := e.RequestField("roleArn")
		target := arnAccount(role)
		if target == "" || target == account {
			continue
		}
		out = append(out, Entry{Account: target, Role: role, Credential: e.Credential, Time: e.Time, EventID: e.EventID})
	}
	return out
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// Follow traces the attacker through the organization: every account from the leaked key, then
// each account another account's CloudTrail shows the attacker entering, from the credential they
// entered with, until no account shows a new one. An attacker who assumed a role in one member with
// the management account's key, and from there into a second, is found in both.
func (s *Sweep) Follow(ctx context.Context, members []Member, key string, since time.Time, report func(Outcome, bool)) []Outcome {
	keys := map[string][]string{}
	for _, m := range members {
		keys[m.ID] = []string{key}
	}
	outcomes := s.Run(ctx, members, s.traceWork(keys, since), report)
	for round := 0; round < maxFollowRounds; round++ {
		more := map[string][]string{}
		for _, o := range outcomes {
			t, _ := o.Value.(*AccountTrace)
			if t == nil {
				continue
			}
			for _, e := range t.Entered {
				if !slices.Contains(keys[e.Account], e.Credential) && !slices.Contains(more[e.Account], e.Credential) {
					more[e.Account] = append(more[e.Account], e.Credential)
				}
			}
		}
		var again []Member
		for _, m := range members {
			if len(more[m.ID]) > 0 {
				keys[m.ID] = append(keys[m.ID], more[m.ID]...)
				again = append(again, m)
			}
		}
		if len(again) == 0 {
			break
		}
		redone := s.Run(ctx, again, s.traceWork(keys, since), report)
		for _, r := range redone {
			i := slices.IndexFunc(outcomes, func(o Outcome) bool { return o.ID == r.ID })
			outcomes[i] = r
		}
	}
	return outcomes
}

// maxFollowRounds bounds how many hops from account to account the trace follows.
const maxFollowRounds = 4

func (s *Sweep) traceWork(keys map[string][]string, since time.Time) Work {
	return func(ctx context.Context, in Entered) (any, error) {
		return traceKeys(ctx, in.Account, in.ID, keys[in.ID], since)
	}
}

// EnteredFrom lists, for each account, the entries other accounts' CloudTrail recorded into it.
func EnteredFrom(outcomes []Outcome) map[string][]Entry {
	out := map[string][]Entry{}
	for _, o := range outcomes {
		if t, _ := o.Value.(*AccountTrace); t != nil {
			for _, e := range t.Entered {
				out[e.Account] = append(out[e.Account], e)
			}
		}
	}
	return out
}
