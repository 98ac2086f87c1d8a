package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
)

// VerifyResult is what one verification check concluded.
type VerifyResult string

const (
	VerifyPass VerifyResult = "pass"
	VerifyFail VerifyResult = "fail"
	// VerifyUnknown: the account could not be read well enough to say; never counted as a pass.
	VerifyUnknown VerifyResult = "unknown"
	// VerifyNotChecked: the check needs something the run lacks (T0); not a pass either, but
	// nothing failed to answer.
	VerifyNotChecked VerifyResult = "not checked"
	// VerifyNotAvailable: a source of evidence the account does not have (no Access Analyzer in a
	// region) was not consulted. It is neither a pass nor an item left: the other checks stand
	// without it, and the evidence says what was not there.
	VerifyNotAvailable VerifyResult = "not available"
)

// VerifyCheck is one item the verification looked at, with the evidence and, when it is not a pass,
// the runbook step that handles it (by title).
type VerifyCheck struct {
	Check     string       `json:"check"`
	Item      string       `json:"item"`
	Result    VerifyResult `json:"result"`
	Evidence  string       `json:"evidence"`
	HandledBy string       `json:"handled_by,omitempty"`
	// Kept is the operator's reason for keeping the item: a recorded decision makes it a pass.
	Kept string `json:"kept,omitempty"`
	// MadeBy is who CloudTrail says made the item, when it is not the attacker: a teammate's
	// resource waits for the operator's word, and is never called rogue.
	MadeBy string `json:"made_by,omitempty"`
	// Row is the row of the handling step that changes the item, where the check knows it: a
	// plan tells from it whether the item is among the planned changes.
	Row string `json:"row,omitempty"`
	// Subject names what the check reads, when another check may read the same (the state of a
	// trail's bucket, and the attacker's change of it CloudTrail recorded): one row says it.
	Subject string `json:"-"`
	// Merged are the items of the attacker's changes this row says too (mergeSameSubject): each
	// can still be kept by its own name.
	Merged []string `json:"merged,omitempty"`
}

// Open reports whether the check counts against containment: anything but a pass, or a source of
// evidence that is not available.
func (c VerifyCheck) Open() bool { return c.Result != VerifyPass && c.Result != VerifyNotAvailable }

// RowID is the check's row in the verification's table.
func (c VerifyCheck) RowID() string { return c.Check + "/" + c.Item }

// keepable are the checks whose failing item the operator may keep with a reason: something a
// colleague may have made after T0 on purpose. The leaked key and a spot request behind a rogue
// instance never are.
var keepable = map[string]bool{"new access keys": true, "new users": true, "outside trust": true, "rogue instances": true,
	"IAM persistence": true, "password reset": true, "new roles": true, "new key pairs": true, "respawners": true, checkInbound: true,
	checkSnapshots: true, checkImages: true, checkAnalyzer: true, checkTrailEvts: true, checkBuckets: true, checkDeletedLog: true}

// Keepable returns the item of a failing check the operator may keep, found by its row id, its
// item, or the last part of its item (an access key id, an instance id, a template's id).
func (v *Verification) Keepable(id string) (item string, ok bool) {
	id = strings.TrimSpace(id)
	for _, c := range v.Checks {
		// An attacker's change said by a state check's row is still kept by its own name.
		for _, m := range c.Merged {
			if c.Open() && (id == m || id == checkByHand+"/"+m) {
				return m, true
			}
		}
		// A change lockdown cannot undo is settled by the operator's word that it was undone by hand.
		byHand := c.Check == checkByHand && c.Result != VerifyPass
		unknown := c.Result == VerifyUnknown && c.unknownKeepable()
		if !byHand && !unknown && (c.Result != VerifyFail || !keepable[c.Check]) {
			continue
		}
		if id == c.RowID() || id == c.Item || strings.HasSuffix(c.Item, "/"+id) || strings.HasSuffix(c.Item, " "+id) {
			return c.Item, true
		}
		// A by-hand item's resource keeps every change made on it.
		if byHand && id != "" && strings.Contains(c.Item, "/"+id+"/") {
			return id, true
		}
	}
	return "", false
}

// UnknownLeft counts the unknown items that are not among kept (items, as Keepable names them).
func (v *Verification) UnknownLeft(kept []string) int {
	n := 0
	for _, c := range v.Checks {
		if c.Result == VerifyUnknown && !slices.Contains(kept, c.Item) {
			n++
		}
	}
	return n
}

// keepableUnknown are the unknown items the operator may settle with their word, each what only
// CloudTrail's history could show: having checked by hand, they keep the item with the reason.
var keepableUnknown = map[string]bool{"IAM persistence/" + itemUndatedIAM: true, checkDeletedLog + "/" + itemDeletedLogging: true}

// unknownKeepable reports whether the operator may settle the unknown item with their word: one of
// keepableUnknown, or a region whose CloudTrail history could not be read (without it, what the
// attacker changed there is known only to whoever looked by hand).
func (c VerifyCheck) unknownKeepable() bool {
	return keepableUnknown[c.RowID()] || c.Check == checkTraceGap
}

// keptBy turns a failed check into a pass when the operator recorded a decision to keep one of
// names (the item's ids, most specific first), keeping the reason beside the evidence.
func (c *VerifyCheck) keptBy(kept map[string]string, names ...string) {
	if c.Result != VerifyFail && (c.Result != VerifyUnknown || !c.unknownKeepable()) {
		return
	}
	for _, n := range names {
		if reason, ok := kept[n]; ok && n != "" {
			c.Result, c.Kept, c.HandledBy = VerifyPass, reason, ""
			return
		}
	}
}

// keptItems reads the operator's keep decisions once per verification.
func keptItems(env *Env) map[string]string {
	if env.Kept == nil {
		return nil
	}
	return env.Kept()
}

// The steps that handle what the verification finds, by their titles in the runbook.
const (
	byContain   = "Contain the leaked key"
	byAttacker  = "Deactivate keys the attacker added"
	byRemove    = "Remove rogue IAM users"
	byTerminate = "Terminate rogue instances"
	byRevoke    = "Revoke role sessions"
	byRotate    = "Rotate exposed keys"
	byHandSpot  = "by hand: cancel the spot request (aws ec2 cancel-spot-instance-requests)"
)

// unnamedLeakedKey is the leaked key's check when nobody named the key: nothing says it was ever
// switched off, so the attacker cannot be said to be out.
func unnamedLeakedKey() VerifyCheck {
	return VerifyCheck{Check: "leaked key", Item: "not named", Result: VerifyNotChecked, HandledBy: byContain,
		Evidence: "no leaked key id was given: whether the leaked credential still works is not known; give it (--key, or the step's field)"}
}

// checkLeakedKey: the leaked key must be inactive or deleted.
func checkLeakedKey(ctx context.Context, env *Env, keyID string) VerifyCheck {
	c := VerifyCheck{Check: "leaked key", Item: keyID, HandledBy: byContain}
	api := env.Account.IAM()
	user, _, err := aws.KeyLastUsed(ctx, api, keyID)
	if err != nil {
		if elsewhere, ok := leakedKeyElsewhere(ctx, env, keyID); ok {
			return elsewhere // IAM here does not know it because it is another account's
		}
	}
	if aws.ErrorCode(err) == "NoSuchEntity" {
		c.Result, c.Evidence = VerifyPass, "deleted: IAM does not know it"
		return c
	}
	if err != nil {
		c.Result, c.Evidence = VerifyUnknown, "cannot find its owner: "+aws.ErrorMessage(err)
		return c
	}
	status, err := aws.KeyStatus(ctx, api, user, keyID)
	switch {
	case errors.Is(err, aws.ErrNoSuchEntity) || aws.ErrorCode(err) == "NoSuchEntity":
		c.Result, c.Evidence = VerifyPass, "deleted from "+user
	case err != nil:
		c.Result, c.Evidence = VerifyUnknown, "cannot read the keys of "+user+": "+aws.ErrorMessage(err)
	case status == aws.KeyActive:
		c.Result, c.Evidence = VerifyFail, "still Active on "+user
	default:
		c.Result, c.Evidence = VerifyPass, status+" on "+user
	}
	return c
}

// checkCredentials: every key created after T0 that lockdown did not create is off, and no user
// created after T0 is left but the responder's own.
func checkCredentials(ctx context.Context, env *Env, me aws.Identity, keyID string) []VerifyCheck {
	if env.Since.IsZero() {
		why := "not checked: no incident start (set --since)"
		return []VerifyCheck{{Check: "new access keys", Item: "all users", Result: VerifyNotChecked, Evidence: why, HandledBy: byAttacker},
			{Check: "new users", Item: "all users", Result: VerifyNotChecked, Evidence: why, HandledBy: byRemove}}
	}
	inv, err := aws.TakeInventory(ctx, env.Account.IAM(), env.Params.Int("workers", aws.DefaultInventoryWorkers), nil)
	if err != nil {
		return []VerifyCheck{{Check: "new access keys", Item: "all users", Result: VerifyUnknown, Evidence: "cannot list users: " + aws.ErrorMessage(err), HandledBy: byAttacker}}
	}
	own := map[string]bool{}
	if env.OwnKeys != nil {
		own = env.OwnKeys()
	}
	kept := keptItems(env)
	t0 := env.Since.UTC().Format("2006-01-02 15:04Z")
	var out []VerifyCheck
	keys, users := 0, 0
	for _, u := range inv.Users {
		if u.Err != nil {
			out = append(out, VerifyCheck{Check: "new access keys", Item: u.Name, Result: VerifyUnknown, Evidence: "cannot read the user: " + aws.ErrorMessage(u.Err), HandledBy: byAttacker})
			continue
		}
		if after(u.Created, env.Since) {
			users++
			c := VerifyCheck{Check: "new users", Item: u.Name, Result: VerifyFail, Evidence: "created " + when(u.Created) + ", after T0 " + t0, HandledBy: byRemove}
			if u.Name == me.UserName() {
				c.Result, c.HandledBy, c.Evidence = VerifyPass, "", c.Evidence+": the responder's own user, excepted"
			} else {
				c.madeByOthers(env, attribute(env.Trace, "", u.Name))
			}
			c.keptBy(kept, u.Name)
			out = append(out, c)
		}
		for _, k := range u.Keys {
			if !after(k.Created, env.Since) {
				continue
			}
			keys++
			// A new key on a user the attacker created goes with that user; on an existing user it
			// is the attacker-keys step's.
			c := VerifyCheck{Check: "new access keys", Item: u.Name + "/" + k.ID, HandledBy: byAttacker}
			if after(u.Created, env.Since) {
				c.HandledBy = byRemove
			}
			switch {
			case own[k.ID] && secretKept(env, k.ID):
				c.Result, c.HandledBy, c.Evidence = VerifyPass, "", "lockdown's own rotation key"
			case own[k.ID] && k.Status == aws.KeyActive:
				// Killed with the secret on screen: nobody is known to hold it, so it is no
				// rotation key; the rotation deletes it and makes another after review.
				c.Result, c.HandledBy = VerifyFail, byRotate
				c.Evidence = "made by lockdown " + when(k.Created) + ", but its secret was never recorded as kept: nobody is known to hold it, and it is still Active"
			case k.ID == me.AccessKeyID && k.ID != keyID:
				c.Result, c.HandledBy, c.Evidence = VerifyPass, "", "created "+when(k.Created)+": the key lockdown signs with, the responder's own, excepted"
			case k.Status == aws.KeyActive:
				c.Result, c.Evidence = VerifyFail, "created "+when(k.Created)+" and still Active"
				c.madeByOthers(env, attribute(env.Trace, "", k.ID))
			default:
				c.Result, c.Evidence = VerifyPass, "created "+when(k.Created)+", now "+k.Status
			}
			c.keptBy(kept, k.ID, c.Item)
			out = append(out, c)
		}
	}
	if keys == 0 {
		out = append(out, VerifyCheck{Check: "new access keys", Item: "all users", Result: VerifyPass, Evidence: "no access key created after T0 " + t0})
	}
	if users == 0 {
		out = append(out, VerifyCheck{Check: "new users", Item: "all users", Result: VerifyPass, Evidence: "no user created after T0 " + t0})
	}
	return out
}

// checkTrust: no role older than T0 may be assumed from an account outside this one.
func checkTrust(ctx context.Context, env *Env) []VerifyCheck {
	roles, err := aws.ListRoles(ctx, env.Account.IAM())
	if err != nil {
		return []VerifyCheck{{Check: "outside trust", Item: "all roles", Result: VerifyUnknown, Evidence: "cannot list roles: " + aws.ErrorMessage(err), HandledBy: byRevoke}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	for _, r := range roles {
		if after(r.Created, env.Since) {
			continue // a role made after T0 fails as a new role, whatever its trust (verify_roles.go)
		}
		if outside := env.outsideOrg(r.ExternalTrust); len(outside) > 0 {
			c := VerifyCheck{Check: "outside trust", Item: r.Name, Result: VerifyFail,
				Evidence: "can be assumed by " + strings.Join(outside, ", "), HandledBy: byRevoke}
			c.keptBy(kept, r.Name)
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		evidence := "none of " + plural(len(roles), "role") + " trusts an outside account"
		if !env.Since.IsZero() {
			evidence = fmt.Sprintf("no role made before T0 trusts an outside account (%s; those made after T0 are new roles)", plural(len(roles), "role"))
		}
		out = append(out, VerifyCheck{Check: "outside trust", Item: "all roles", Result: VerifyPass, Evidence: evidence})
	}
	return out
}

// checkInstances: a fresh scan, judged as ec2.find-rogue-instances judges, finds no rogue instance
// running or pending and no open spot request behind a terminated rogue one. A region that could
// not be scanned is unknown.
func checkInstances(ctx context.Context, env *Env) []VerifyCheck {
	found, err := ScanForRogueInstances(ctx, env.Account, env.Since, env.Params, nil)
	if found == nil {
		return []VerifyCheck{{Check: "rogue instances", Item: "all regions", Result: VerifyUnknown, Evidence: "cannot scan: " + unanswered(err), HandledBy: byTerminate}}
	}
	found.WithEvidence(env.Trace)
	var out []VerifyCheck
	if found.Scan.Unlisted != "" {
		out = append(out, VerifyCheck{Check: "rogue instances", Item: "region list", Result: VerifyUnknown, Evidence: "cannot list the regions: " + found.Scan.Unlisted, HandledBy: byTerminate})
	}
	if err != nil {
		out = append(out, VerifyCheck{Check: "rogue instances", Item: "all regions", Result: VerifyUnknown, Evidence: "scan incomplete: " + unanswered(err), HandledBy: byTerminate})
	}
	scanned := 0
	for _, r := range found.Scan.Regions {
		switch r.Status {
		case aws.RegionOK:
			scanned++
		case aws.RegionSkipped:
		default:
			out = append(out, VerifyCheck{Check: "rogue instances", Item: r.Region, Result: VerifyUnknown,
				Evidence: strings.TrimSpace("region not scanned: " + r.Code + " " + r.Message), HandledBy: byTerminate})
		}
	}
	if env.Since.IsZero() {
		out = append(out, VerifyCheck{Check: "rogue instances", Item: "all regions", Result: VerifyNotChecked, Evidence: "not checked: no incident start (set --since)", HandledBy: byTerminate})
	}
	kept := keptItems(env)
	rogue := 0
	for _, in := range found.Instances {
		if in.Verdict != VerdictRogue {
			continue
		}
		switch in.State {
		case "running", "pending":
			c := VerifyCheck{Check: "rogue instances", Item: in.Region + "/" + in.ID, Result: VerifyFail,
				Evidence: in.Type + " " + in.State + ": " + strings.Join(in.Reasons, "; "), HandledBy: byTerminate}
			c.keptBy(kept, in.ID, c.Item)
			out = append(out, c)
			if c.Result != VerifyPass {
				rogue++
			}
		}
	}
	spots := openSpotRequests(found, env.Since, kept)
	rogue += len(spots)
	out = append(out, spots...)
	// A pass speaks for every region: with one unread, the unknown stands alone.
	if rogue == 0 && !slices.ContainsFunc(out, func(c VerifyCheck) bool { return c.Result != VerifyPass }) {
		out = append(out, VerifyCheck{Check: "rogue instances", Item: "all regions", Result: VerifyPass,
			Evidence: "no rogue instance running or pending, no open spot request behind one, in " + plural(scanned, "region") + " scanned"})
	}
	return out
}

// openSpotRequests are the spot requests still open or active that would launch the attacker's
// instances again: one whose instance is rogue, and one made after T0 whose instance is gone
// (terminated, so the scan no longer lists it) or was never launched. The terminate step cancels
// the request behind an instance it terminates; one with no instance left is cancelled by hand.
// The request behind an instance the operator keeps goes with it.
func openSpotRequests(found *InstanceFindings, since time.Time, kept map[string]string) []VerifyCheck {
	listed := map[string]RogueInstance{}
	for _, in := range found.Instances {
		listed[in.ID] = in
	}
	var out []VerifyCheck
	for _, r := range found.Scan.Regions {
		for _, s := range r.SpotRequests {
			if (s.State != "open" && s.State != "active") || kept[s.InstanceID] != "" {
				continue
			}
			c := VerifyCheck{Check: "open spot requests", Item: r.Region + "/" + s.ID, Result: VerifyFail}
			in, ok := listed[s.InstanceID]
			switch {
			case ok && in.Verdict == VerdictRogue:
				c.Evidence, c.HandledBy = fmt.Sprintf("%s, %s, behind the rogue instance %s", s.State, s.Type, in.ID), byTerminate
			case ok || !after(s.Created, since):
				continue
			case s.InstanceID != "":
				c.Evidence, c.HandledBy = fmt.Sprintf("%s, %s, made %s after T0; its instance %s is gone, so it launches another", s.State, s.Type, when(s.Created), s.InstanceID), byHandSpot
			default:
				c.Evidence, c.HandledBy = fmt.Sprintf("%s, %s, made %s after T0 and waiting to launch", s.State, s.Type, when(s.Created)), byHandSpot
			}
			out = append(out, c)
		}
	}
	return out
}

func unanswered(err error) string {
	if err == nil {
		return "no answer"
	}
	return aws.ErrorMessage(err)
}
