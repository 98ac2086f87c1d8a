package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

// The attacker's SSH rule in crypto-miner, which Close what the attacker opened revokes; and a
// Lambda function the attacker made (planted for the tests of what lockdown leaves to the
// operator), which nothing in lockdown undoes.
const (
	sshRuleID   = "sgr-0a9b8c7d6e5f40312"
	functionARN = "arn:aws:lambda:us-west-2:111122223333:function:billing-sync"
)

// withFunction is crypto-miner, where the attacker also created a Lambda function.
func withFunction(t *testing.T) string {
	t.Helper()
	text, err := sim.BuiltinScenarioText("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	function := `  history:
    - at: -2h35m
      note: the attacker leaves a function that mines with the account's money
      service: lambda
      region: us-west-2
      action: CreateFunction20150331
      params: {functionName: billing-sync, runtime: python3.12}
      response: {functionName: billing-sync, functionArn: "` + functionARN + `"}
      resources: [{type: "AWS::Lambda::Function", name: "` + functionARN + `"}]
`
	return strings.Replace(string(text), "  history:\n", function, 1)
}

// traceDrill is the crypto-miner scenario with CloudTrail lookups paced fast, as a test can afford.
func traceDrill(t *testing.T) (*sim.Server, *Env) {
	t.Helper()
	return traceDrillIn(t, DryRun)
}

func traceDrillIn(t *testing.T, mode Mode) (*sim.Server, *Env) {
	t.Helper()
	return traceDrillOf(t, "crypto-miner", mode)
}

func traceDrillOf(t *testing.T, scenario string, mode Mode) (*sim.Server, *Env) {
	t.Helper()
	s := simtest.Start(t, scenario, drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: mode, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = leakedKey
	return s.Server, env
}

func traceNow(t *testing.T, env *Env) (*Inspection, *TraceFindings) {
	t.Helper()
	insp, err := TraceAttacker{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatalf("trace: %v", err)
	}
	return insp, insp.Data.(*TraceFindings)
}

// handledBy returns who handles the change of the first event named event touching id.
func handledBy(found *TraceFindings, event, id string) string {
	for _, c := range found.Changes {
		if c.Event == event && strings.Contains(c.Resource.ID, id) {
			if c.Manual != "" {
				return c.Manual
			}
			return c.HandledBy
		}
	}
	return "(not found)"
}

func TestTheTraceStepNamesTheStepThatHandlesEachAttackerChange(t *testing.T) {
	_, env := traceDrill(t)
	insp, found := traceNow(t, env)
	for _, want := range []struct{ event, id, by string }{
		{"RunInstances", "i-", byTerminate},
		{"RequestSpotInstances", "sir-", byTerminate},
		{"CreateUser", "support-sync", byRemove},
		{"CreateAccessKey", "AKIAEXAMPLEBACKDOOR1", byRemove}, // the backdoor user's own key goes with it
		{"CreateRole", "sync-automation", byRevoke},
		{"AssumeRole", "ASIAEXAMPLESESSION01", byRevoke},
	} {
		if got := handledBy(found, want.event, want.id); got != want.by {
			t.Errorf("%s %s handled by %q, want %q", want.event, want.id, got, want.by)
		}
	}
	// The key the backdoor added to a user that was there before is the attacker-keys step's.
	for _, c := range found.Changes {
		if c.Event == "CreateAccessKey" && c.Resource.User == "billing-reports" && c.HandledBy != byAttacker {
			t.Errorf("backdoor key on billing-reports handled by %q, want %q", c.HandledBy, byAttacker)
		}
	}
	if by := handledBy(found, "AuthorizeSecurityGroupIngress", sshRuleID); by != byExposure {
		t.Errorf("the attacker's SSH rule, by the id CloudTrail names, is handled by %q, want %q", by, byExposure)
	}
	if len(insp.OpenItems) != 0 {
		t.Errorf("open items %q: lockdown has an action for everything crypto-miner's attacker did", insp.OpenItems)
	}
	var changed, read int
	for _, r := range insp.Table.Rows {
		switch r.Tone {
		case ToneRogue:
			changed++
			if r.Cells[0] != "changed" || r.Cells[4] == "" {
				t.Errorf("attacker change %s shows %q with no handler", r.ID, r.Cells)
			}
		case ToneNone:
			read++
		}
		if !strings.Contains(strings.Join(r.Details, "\n"), `"eventID": "`+r.ID+`"`) {
			t.Errorf("opening event %s does not show its whole record:\n%s", r.ID, strings.Join(r.Details, "\n"))
		}
	}
	if changed < 9 {
		t.Errorf("%d changes highlighted, want every attacker write (>= 9)", changed)
	}
	if insp.Failed != 0 || insp.Open != 0 {
		t.Errorf("failed %d, open %d on a healthy simulator: the trace step has finished its work", insp.Failed, insp.Open)
	}
}

func TestVerdictsFollowTheTraceAndFallBackToLaunchTimesWithout(t *testing.T) {
	_, env := traceDrill(t)
	asg := func(insp *Inspection) (rows []Row) {
		for _, r := range insp.Table.Rows {
			if r.Cells[1] == "us-east-1" && r.Tone != ToneProtected && strings.Contains(strings.Join(r.Details, " "), "aws:autoscaling:groupName=web-asg") {
				rows = append(rows, r)
			}
		}
		return rows
	}
	without, err := TerminateInstances{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rows := asg(without); len(rows) != 2 || !rows[0].Selected || rows[0].Tone != ToneRogue {
		t.Fatalf("without a trace the scale-out should be judged by launch time: %+v", rows)
	}
	if !strings.Contains(strings.Join(without.Warnings, "\n"), "Verdicts rest on launch times: CloudTrail was not traced") {
		t.Errorf("without a trace the screen does not say verdicts rest on launch times: %q", without.Warnings)
	}

	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	with, err := TerminateInstances{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := asg(with)
	if len(rows) != 2 {
		t.Fatalf("%d Auto Scaling instances, want 2", len(rows))
	}
	for _, r := range rows {
		details := strings.Join(r.Details, "\n")
		if r.Selected || r.Tone == ToneRogue || !strings.Contains(details, "AWSServiceRoleForAutoScaling") {
			t.Errorf("Auto Scaling instance %s: selected %v, tone %s, details:\n%s", r.ID, r.Selected, r.Tone, details)
		}
	}
	for _, r := range with.Table.Rows {
		if r.Cells[1] == "us-west-2" && (r.Tone != ToneRogue || !r.Selected || !strings.Contains(r.Reasons[0], "launched by ")) {
			t.Errorf("attacker instance %s: tone %s, selected %v, reasons %q", r.ID, r.Tone, r.Selected, r.Reasons)
		}
	}
	if w := strings.Join(with.Warnings, "\n"); strings.Contains(w, "launch times") {
		t.Errorf("with a complete trace the screen still says verdicts rest on launch times: %q", w)
	}
}

func TestARegionWhoseCloudTrailIsDeniedFallsBackToLaunchTimesSayingSo(t *testing.T) {
	srv, env := traceDrill(t)
	if err := srv.AddFault(sim.Fault{Region: "eu-north-1", Service: "cloudtrail", Deny: true}); err != nil {
		t.Fatal(err)
	}
	insp, found := traceNow(t, env)
	if insp.Failed != 1 || !strings.Contains(strings.Join(insp.Warnings, "\n"), "CloudTrail could not be read in eu-north-1") {
		t.Fatalf("failed %d, warnings %q", insp.Failed, insp.Warnings)
	}
	env.Trace = found.Evidence
	scan, err := FindRogueInstances{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(scan.Warnings, "\n"); !strings.Contains(w, "In eu-north-1 verdicts rest on launch times: CloudTrail could not be read there") {
		t.Errorf("the scan does not say eu-north-1 rests on launch times: %q", w)
	}
	for _, in := range scan.Data.(*InstanceFindings).Instances {
		if in.Region == "eu-north-1" && (in.Verdict != VerdictRogue || !strings.HasPrefix(in.Evidence, "timestamps: ")) {
			t.Errorf("%s in eu-north-1: %s on %q, want rogue by launch time", in.ID, in.Verdict, in.Evidence)
		}
	}
	v := verifyWith(t, env)
	if got := result(v, "attacker changes", "eu-north-1"); got != VerifyUnknown {
		t.Errorf("the verification's attacker changes in eu-north-1: %q, want unknown", got)
	}
}

func verifyWith(t *testing.T, env *Env) *Verification {
	t.Helper()
	insp, err := VerifyContained{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	return insp.Data.(*Verification)
}

func TestTheVerificationListsTheAttackerChangesLeftToTheOperator(t *testing.T) {
	_, env := traceDrillOf(t, withFunction(t), DryRun)
	insp, err := VerifyContained{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(insp.Warnings, "\n"), "CloudTrail was not traced") {
		t.Errorf("without a trace the verification does not say what it cannot see: %q", insp.Warnings)
	}
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	insp, err = VerifyContained{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := insp.Data.(*Verification)
	if got := result(v, checkByHand, "us-west-2/billing-sync"); got != VerifyNotChecked {
		t.Errorf("the attacker's function is %q in the verification, want not checked\n%s", got, remainingRows(insp))
	}
	if !strings.Contains(remainingRows(insp), functionARN) {
		t.Errorf("the remaining list does not name the function's ARN:\n%s", remainingRows(insp))
	}
	if len(insp.OpenItems) != 1 {
		t.Errorf("open items %q, want the function", insp.OpenItems)
	}
	// The SSH rule is the exposure check's, once, with who opened it.
	for _, c := range v.Checks {
		if strings.Contains(c.Item, sshRuleID) && (c.Check != checkInbound || c.HandledBy != byExposure || !strings.Contains(c.Evidence, "ASIAEXAMPLESESSION01")) {
			t.Errorf("the SSH rule reads %+v", c)
		}
	}
	// The Auto Scaling scale-out is not a remaining rogue instance once the trace says who launched it.
	for _, c := range v.Checks {
		if c.Check == "rogue instances" && strings.HasPrefix(c.Item, "us-east-1/") {
			t.Errorf("Auto Scaling instance %s remains rogue: %s", c.Item, c.Evidence)
		}
	}
}

func TestAManualItemIsSettledOnlyByTheOperatorsRecordedWord(t *testing.T) {
	_, env := traceDrillOf(t, withFunction(t), DryRun)
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	v := verifyWith(t, env)
	item, ok := v.Keepable("billing-sync") // as plan --keep names it: every change on the function
	if !ok || item != "billing-sync" {
		t.Fatalf("the function cannot be settled by the operator: %q %v", item, ok)
	}
	env.Kept = func() map[string]string { return map[string]string{item: "function deleted by hand, INC-42"} }
	v = verifyWith(t, env)
	for _, c := range v.Checks {
		if c.Check == checkByHand && (c.Result != VerifyPass || c.Kept != "function deleted by hand, INC-42") {
			t.Errorf("after the operator's word the function is %s (kept %q)", c.Result, c.Kept)
		}
	}
}
