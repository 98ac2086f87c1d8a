package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws/sim"
)

// The debrief's facts: who made each resource, when a key was deactivated, when an instance was
// terminated, and what was deleted — all on the simulated clock.
func TestHoldingsRememberWhoMadeWhatAndWhenItWent(t *testing.T) {
	t.Parallel()
	srv, clock, url := startSim(t, "crypto-miner")
	ctx := context.Background()
	id, secret := srv.ResponderCredentials()
	clock.Advance(11 * time.Minute) // the attacker's first launch, in us-west-2, is due at +10m
	byID := func() map[string]sim.Holding {
		out := map[string]sim.Holding{}
		for _, h := range srv.Holdings() {
			out[h.Kind+":"+h.Region+":"+h.ID] = h
		}
		return out
	}
	var launched []sim.Holding
	for _, h := range srv.Holdings() {
		if h.Kind == sim.HoldingInstance && h.Created.After(srv.Start()) {
			launched = append(launched, h)
		}
	}
	if len(launched) != 2 || launched[0].By != "AKIAEXAMPLELEAKED001" || launched[0].Region != "us-west-2" {
		t.Fatalf("the attacker's launch: %+v", launched)
	}

	iamClient := iam.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	if _, err := iamClient.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: ptr("ci-deploy"),
		AccessKeyId: ptr("AKIAEXAMPLELEAKED001"), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	ec2Client := ec2.NewFromConfig(sdkConfig(url, "us-west-2", id, secret))
	if _, err := ec2Client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{launched[0].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2Client.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: ptr("xmr")}); err != nil {
		t.Fatal(err)
	}

	got := byID()
	if k := got["access key::AKIAEXAMPLELEAKED001"]; !k.Disabled.Equal(srv.Start().Add(11*time.Minute)) || k.Lasts() {
		t.Errorf("the leaked key: %+v, want deactivated at +11m", k)
	}
	if in := got["instance:us-west-2:"+launched[0].ID]; !in.Ended.Equal(srv.Start().Add(12*time.Minute)) || in.Lasts() {
		t.Errorf("the terminated miner: %+v, want ended at +12m", in)
	}
	if kp := got["key pair:us-west-2:xmr"]; kp.State != "deleted" || !kp.Ended.Equal(srv.Start().Add(12*time.Minute)) {
		t.Errorf("the deleted key pair: %+v", kp)
	}
	if u := got["user::support-sync"]; u.By != "AKIAEXAMPLELEAKED001" || !u.Lasts() {
		t.Errorf("the backdoor user: %+v", u)
	}
	if sess := got["role session::ASIAEXAMPLESESSION01"]; sess.Type != "deploy-role" || sess.State != "active" {
		t.Errorf("the attacker's role session: %+v", sess)
	}
	creds := srv.AttackerCredentials()
	for _, want := range []string{"AKIAEXAMPLELEAKED001", "AKIAEXAMPLEBACKDOOR1", "ASIAEXAMPLESESSION01"} {
		if !creds[want] {
			t.Errorf("attacker credentials %v lack %s", creds, want)
		}
	}
	if creds[id] || len(creds) != 4 { // the fourth: the key the backdoor key added to billing-reports
		t.Errorf("attacker credentials = %v", creds)
	}
}

func ptr(s string) *string { return &s }

// A stolen session is refused from the moment its role denies sessions issued before now, and the
// simulator says so: the attacker's next call fails, and the session's holding says since when.
func TestASessionIsRefusedFromTheMomentItsRoleDeniesIt(t *testing.T) {
	t.Parallel()
	srv, clock, url := startSim(t, "temporary-credentials")
	ctx := context.Background()
	id, secret := srv.ResponderCredentials()
	clock.Advance(12 * time.Second)
	revokeAt := clock.Now().UTC().Format(time.RFC3339)
	iamClient := iam.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + revokeAt + `"}}}]}`
	if _, err := iamClient.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: ptr("app-server"),
		PolicyName: ptr("AWSRevokeOlderSessions"), PolicyDocument: ptr(doc)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Minute) // the attacker's first check is due at +2m
	for _, h := range srv.Holdings() {
		if h.ID == "ASIAEXAMPLEAPPSRV001" {
			if !h.Refused.Equal(srv.Start().Add(12*time.Second)) || h.Lasts() || !strings.Contains(h.RefusedWhy, "app-server") {
				t.Errorf("the stolen session: %+v, want refused since +12s by its role", h)
			}
		}
	}
	log := srv.AttackLog()
	if len(log) == 0 || log[0].Succeeded() {
		t.Errorf("the attacker's next call with the revoked session: %+v", log)
	}
}

// What an Auto Scaling group or a fleet takes with it when it is stopped ends at the call that
// stopped it, by its caller; a deleted launch template stays listed as deleted, with its end.
func TestRespawnersAndTheirInstancesEndWithTheCallThatStoppedThem(t *testing.T) {
	t.Parallel()
	srv, clock, url := startSim(t, "persistence")
	ctx := context.Background()
	id, secret := srv.ResponderCredentials()
	clock.Advance(4 * time.Minute)
	cfg := sdkConfig(url, "us-west-2", id, secret)
	if _, err := autoscaling.NewFromConfig(cfg).DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{
		AutoScalingGroupName: ptr("gpu-workers"), ForceDelete: sdkaws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(cfg).DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: ptr("gpu-workers")}); err != nil {
		t.Fatal(err)
	}
	end := srv.Start().Add(4 * time.Minute)
	members, template := 0, false
	for _, h := range srv.Holdings() {
		switch {
		case h.Kind == sim.HoldingInstance && h.Via == sim.HoldingKey(sim.HoldingGroup, "us-west-2", "gpu-workers"):
			members++
			if h.State != "terminated" || !h.Ended.Equal(end) || h.EndedBy != id {
				t.Errorf("a group member: %+v, want terminated at +4m by the responder", h)
			}
		case h.Kind == sim.HoldingTemplate && h.ID == "gpu-workers":
			template = true
			if h.State != "deleted" || !h.Ended.Equal(end) || h.EndedBy != id {
				t.Errorf("the deleted template: %+v", h)
			}
		case h.Kind == sim.HoldingGroup && h.ID == "gpu-workers":
			if h.State != "deleted" || h.EndedBy != id || h.By != "AKIAEXAMPLELEAKED002" {
				t.Errorf("the deleted group: %+v", h)
			}
		}
	}
	if members != 2 || !template {
		t.Errorf("group members %d, template listed %v", members, template)
	}
}

// own-key's vault holds the break-glass user's key: the simulator hands it out, and it signs.
func TestOwnKeysBreakGlassCredentialsWork(t *testing.T) {
	t.Parallel()
	srv, _, url := startSim(t, "own-key")
	user, id, secret, ok := srv.BreakGlassCredentials()
	if !ok || user != "break-glass" {
		t.Fatalf("break-glass credentials: %s %s %v", user, id, ok)
	}
	out, err := sts.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(*out.Arn, ":user/break-glass") {
		t.Fatalf("signing with the break-glass key: %v %v", out, err)
	}
}
