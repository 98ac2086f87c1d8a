package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim/simtest"
	"lockdown/debrief"
	"lockdown/review"
	"lockdown/steps"
)

const (
	fpAccount = "555566667777"
	fpLeaked  = "AKIAEXAMPLELEAKED003"
	fpWorker  = "i-0b5e11ef00a1b2c3d"
)

// Do no harm, headless: in the false-positive account, a plan that follows lockdown's verdicts and
// preselections, applied live, changes none of the team's resources (read back through the API,
// and counted by the drill's debrief: no collateral), terminates the attacker's miners, and only
// stops the team's worker whose user data the attacker replaced.
func TestFollowingTheVerdictsHeadlessChangesNoneOfTheTeamsResources(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "false-positive", time.Now().UTC())
	wire := s.Watch(t)
	cli := &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
	watch := debrief.Watch(s.Server, 1, "", nil)
	since := s.Server.IncidentStart().Format(time.RFC3339)

	path := filepath.Join(t.TempDir(), "plan.json")
	if code, _, stderr := cli.lockdown("plan", "--key", fpLeaked, "--since", since, "-o", path); code != exitOK {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plannedStep(t, doc, "terminate-instances").Changes {
		if c.Target == fpWorker && c.Op != steps.OpStop {
			t.Errorf("the worker is planned %s, want a stop", c.Op)
		}
	}
	_, _, stderr := cli.lockdown("apply", path, "--live", "--confirm", fpAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "new-keys.ini"))

	ctx := context.Background()
	for _, u := range []string{"maria", "ci-runners", "logs-shipper", "priya"} {
		out, err := cli.iam().ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String(u)})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range out.AccessKeyMetadata {
			if k.Status != "Active" {
				t.Errorf("%s's key %s is %s", u, sdk.ToString(k.AccessKeyId), k.Status)
			}
		}
	}
	east := cli.ec2("us-east-1")
	pairs, err := east.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"maria-debug"}})
	if err != nil || len(pairs.KeyPairs) != 1 {
		t.Errorf("Maria's key pair is gone: %v", err)
	}
	templates, err := east.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"maria-debug"}})
	if err != nil || len(templates.LaunchTemplates) != 1 {
		t.Errorf("Maria's launch template is gone: %v", err)
	}
	for _, in := range s.Server.EC2Instances("") {
		attackers := in.Region == "ap-southeast-1" || in.Region == "sa-east-1"
		switch {
		case in.ID == fpWorker && in.State != "stopped":
			t.Errorf("the worker running the attacker's user data is %s, want stopped", in.State)
		case attackers && in.State != "terminated":
			t.Errorf("the attacker's %s in %s is %s", in.ID, in.Region, in.State)
		case !attackers && in.ID != fpWorker && in.State != "running":
			t.Errorf("the team's %s in %s is %s", in.ID, in.Region, in.State)
		}
	}
	if c := watch.Debrief().Collateral; len(c) != 0 {
		t.Errorf("the debrief counts collateral: %+v\n%s", c, stderr)
	}
}
