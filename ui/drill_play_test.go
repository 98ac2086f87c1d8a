package ui

import (
	"context"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"lockdown/aws"
	"lockdown/debrief"
	"lockdown/runbooks"
	"lockdown/steps"
)

// The moves of a documented good response, as the operator makes them with the keyboard in the
// real program loop. Each waits until the screen has caught up before the next key.

// goTo moves to a step with ] and [, as the operator reads the step list.
func (d *teatestDrill) goTo(stepID string) {
	d.t.Helper()
	index := map[string]int{}
	for i, st := range d.run.Runbook().Steps {
		index[st.ID] = i
	}
	want, ok := index[stepID]
	if !ok {
		d.t.Fatalf("the runbook has no step %s", stepID)
	}
	if d.seen.capturing.Load() {
		d.press("esc") // out of a field first: ] would be typed into it
		d.until("the field is left", func() bool { return !d.seen.capturing.Load() })
	}
	at := index[d.focusedStep()]
	for ; at < want; at++ {
		d.press("]")
	}
	for ; at > want; at-- {
		d.press("[")
	}
	d.until("step "+stepID+" is on screen", func() bool { return d.focusedStep() == stepID })
}

func (d *teatestDrill) focusedStep() string {
	id, _ := d.seen.focused.Load().(string)
	return id
}

// look inspects the step on screen: through its field when it takes one (filled in from the
// alert), with i otherwise.
func (d *teatestDrill) look(stepID string) *steps.Inspection {
	d.t.Helper()
	before := d.run.Status(stepID).Inspection
	if d.seen.wantsInput.Load() {
		d.press("enter", "enter")
	} else {
		d.press("i")
	}
	d.until(stepID+" is inspected", func() bool {
		in := d.run.Status(stepID).Inspection
		return in != nil && in != before
	})
	return d.run.Status(stepID).Inspection
}

// follow goes to each step in turn, inspects it and applies what it proposes, with its follow-up;
// a step that proposes nothing is left as it is.
func (d *teatestDrill) follow(stepIDs ...string) {
	d.t.Helper()
	for _, id := range stepIDs {
		d.followOne(id)
	}
}

func (d *teatestDrill) followOne(stepID string) {
	d.t.Helper()
	d.goTo(stepID)
	found := d.look(stepID)
	if !proposes(found) {
		return
	}
	d.applyPlan(stepID)
}

// proposes reports whether an inspection selected anything to change.
func proposes(found *steps.Inspection) bool {
	if found == nil || found.Table == nil || !found.Table.Selectable {
		return false
	}
	for _, r := range found.Table.Rows {
		if r.Selected {
			return true
		}
	}
	return false
}

// keep records, on the verification, the operator's decision to keep the row matching filter.
func (d *teatestDrill) keep(filter, reason string) {
	d.t.Helper()
	d.decide("K", filter, reason)
}

// skipRegion leaves the region of the unread verification row matching filter out of every step.
func (d *teatestDrill) skipRegion(filter, reason string) {
	d.t.Helper()
	d.decide("s", filter, reason)
}

func (d *teatestDrill) decide(key, filter, reason string) {
	d.t.Helper()
	d.press("/")
	d.typeText(filter)
	d.press("enter", key)
	d.until("the reason is asked", d.seen.capturing.Load)
	d.typeText(reason)
	d.press("enter")
	d.until("the decision is recorded", func() bool { return !d.seen.capturing.Load() })
	d.press("esc") // leave the filter
}

// verify runs the verification and returns what it found.
func (d *teatestDrill) verify() *steps.Verification {
	d.t.Helper()
	d.goTo("verify-contained")
	return d.look("verify-contained").Data.(*steps.Verification)
}

// handOver takes the break-glass credentials out of the vault: I, then y.
func (d *teatestDrill) handOver() {
	d.t.Helper()
	d.press("I")
	d.until("the hand-over is asked", d.seen.switchAsked.Load)
	d.press("y")
	d.until("lockdown acts as the break-glass identity", func() bool {
		in := d.run.Status("confirm-account").Inspection
		if in == nil {
			return false
		}
		id, ok := in.Data.(aws.Identity)
		return d.handedOver() && ok && strings.HasSuffix(id.ARN, ":user/break-glass")
	})
}

func (d *teatestDrill) handedOver() bool {
	entries, err := runbooks.ReadJournal(d.journal)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Kind == runbooks.KindNote && strings.HasPrefix(e.Message, "the responder now acts as") {
			return true
		}
	}
	return false
}

// score ends the drill on its debrief, at the simulated clock's now, and returns it.
func (d *teatestDrill) score() *debrief.Debrief {
	d.t.Helper()
	got := d.watch.Debrief()
	d.press("esc", "q")
	d.until("the debrief is on screen", d.seen.debriefShown.Load)
	d.press("q")
	d.tm.WaitFinished(d.t, teatest.WithFinalTimeout(10*time.Second))
	return got
}

// stoppedForUserData is the instance the terminate step stopped, not terminated, because the
// attacker replaced its user data, with the user data it had before.
func (d *teatestDrill) stoppedForUserData() (region, id, before string) {
	d.t.Helper()
	in := d.run.Status("terminate-instances").Inspection
	if in == nil {
		d.t.Fatal("the terminate step was not inspected")
	}
	for _, i := range in.Data.(*steps.InstanceFindings).Instances {
		if i.UserData != nil && i.UserData.OldKnown {
			return i.Region, i.ID, i.UserData.Old
		}
	}
	d.t.Fatal("no instance whose user data the attacker replaced")
	return "", "", ""
}

// restoreUserData puts an instance's user data back as the team does by hand, in the console with
// the responder's own credentials: lockdown never changes user data.
func (d *teatestDrill) restoreUserData(region, id, userData string) {
	d.t.Helper()
	keyID, secret := d.sim.Server.ResponderCredentials()
	team := ec2.NewFromConfig(sdk.Config{Region: region, BaseEndpoint: sdk.String(d.sim.URL),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	if _, err := team.ModifyInstanceAttribute(context.Background(), &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(id),
		UserData: &ec2types.SecureBlobAttributeValue{Value: []byte(userData)}}); err != nil {
		d.t.Fatalf("restoring the user data of %s by hand: %v", id, err)
	}
}
