package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
)

func TestContainKeyDeactivatesExactlyTheLeakedKeyAndVerifiesIt(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	insp, plan, out := d.run(t, ContainKey{})
	if insp.Summary != leakedKey+" belongs to ci-deploy and is Active" || len(insp.Warnings) != 0 {
		t.Fatalf("inspection: %q %v", insp.Summary, insp.Warnings)
	}
	if plan.Confirm.Typed != leakedKey[len(leakedKey)-4:] || len(plan.Changes) != 3 {
		t.Fatalf("plan: %+v", plan)
	}
	if got := statuses(out); got[StatusApplied] != 3 {
		t.Fatalf("results: %+v", out.Results)
	}
	last := out.Facts[len(out.Facts)-1]
	if last.Tone != ToneOK || !strings.Contains(last.Value, "Inactive") {
		t.Fatalf("verification fact: %+v", last)
	}
	updates := 0
	for _, r := range d.wire.Changes() {
		switch r.Action {
		case "UpdateAccessKey":
			updates++
		case "PutUserPolicy", "AttachUserPolicy":
		default:
			t.Fatalf("containment sent %s", r.Action)
		}
	}
	if updates != 1 {
		t.Fatalf("want one UpdateAccessKey, got %d", updates)
	}
	for _, user := range []string{"alice", "billing-reports", "support-sync", "oncall-responder"} {
		list, err := aws.ListAccessKeys(context.Background(), d.env.Account.IAM(), user, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range list {
			if k.Status != aws.KeyActive {
				t.Fatalf("%s of %s was touched: %s", k.ID, user, k.Status)
			}
		}
	}
}

func TestContainKeyTwiceReportsEverythingAlreadyDone(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	d.run(t, ContainKey{})
	d.clock.Advance(time.Minute)
	_, _, out := d.run(t, ContainKey{})
	if got := statuses(out); got[StatusAlreadyDone] != 3 {
		t.Fatalf("second run: %+v", out.Results)
	}
}

func TestTheAttackerFailsOnceTheLeakedKeyIsContained(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	d.run(t, ContainKey{})
	d.clock.Advance(30 * time.Minute)
	attacks := d.srv.AttackLog()
	if len(attacks) == 0 {
		t.Fatal("the attacker did nothing")
	}
	for _, a := range attacks {
		if a.AccessKeyID != leakedKey {
			continue // the backdoor user's key is step 5's business
		}
		if a.Succeeded() {
			t.Fatalf("attacker call succeeded after containment: %+v", a)
		}
		// AWS refuses an inactive key with InvalidClientTokenId on IAM and STS, AuthFailure on EC2.
		if a.Code != "InvalidClientTokenId" && a.Code != "AuthFailure" {
			t.Fatalf("attacker call %s failed with %s, want the inactive-key refusal", a.Action, a.Code)
		}
	}
}

func TestContainingTheRespondersOwnKeyWarnsAndDemandsAnOverride(t *testing.T) {
	d := startDrill(t, Drill)
	id, _ := d.srv.ResponderCredentials()
	d.env.Inputs["access_key_id"] = id
	insp, err := ContainKey{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(insp.Warnings) == 0 || !strings.Contains(insp.Warnings[0], "LOCK YOURSELF OUT") {
		t.Fatalf("want a loud warning, got %v", insp.Warnings)
	}
	plan, err := ContainKey{}.Plan(context.Background(), d.env, insp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Confirm.Typed != selfOverride {
		t.Fatalf("want typed override %q, got %q", selfOverride, plan.Confirm.Typed)
	}
	if plan.Changes[len(plan.Changes)-1].Op != opDeactivate {
		t.Fatalf("own key must be deactivated last: %+v", plan.Changes)
	}
}

func TestContainKeyInADryRunSendsNoMutatingRequest(t *testing.T) {
	d := startDrill(t, DryRun)
	d.env.Inputs["access_key_id"] = leakedKey
	_, plan, out := d.run(t, ContainKey{})
	if plan.Confirm.Typed != "" {
		t.Fatalf("a dry run needs no typed confirmation, got %q", plan.Confirm.Typed)
	}
	if got := statuses(out); got[StatusWouldApply] != 3 {
		t.Fatalf("results: %+v", out.Results)
	}
	if m := d.wire.Changes(); len(m) != 0 {
		t.Fatalf("dry run sent %+v", m)
	}
}

func TestContainKeyExplainsAnUnknownKey(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = "AKIAEXAMPLENOTHERE00"
	_, err := ContainKey{}.Inspect(context.Background(), d.env, nil)
	if err == nil || !strings.Contains(err.Error(), "not a key of this account") {
		t.Fatalf("want a specific message, got %v", err)
	}
}

func TestAccessKeyIDValidationSaysWhatIsWrong(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"an empty field asks for the id", "", "paste the leaked access key id"},
		{"a secret key is recognised", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret access key"},
		{"a wrong prefix is named", "AKIBEXAMPLE123456789", `not "AKIB"`},
		{"a short id gives its length", "AKIAEXAMPLE", "20 characters long, this one has 11"},
		{"lower case is refused", "AKIAexample123456789", "upper-case"},
		{"a credentials-file line is refused", "aws_access_key_id = AKIA", "without aws_access_key_id"},
		{"a good long-term id passes", "AKIAEXAMPLELEAKED001", ""},
		{"a good temporary id passes", "ASIAEXAMPLELEAKED001", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAccessKeyID(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q, got %v", tt.want, err)
			}
		})
	}
}
