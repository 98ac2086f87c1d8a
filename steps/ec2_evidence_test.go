package steps

import (
	"testing"
	"time"

	"lockdown/aws"
)

// Auto Scaling launches for whoever owns the group: CloudTrail records the service's role as the
// launcher either way. An instance of a group the attacker made is the attacker's (rogue), one of
// the team's group the team's, however new; so is one of a group made before the trace's start.
func TestAServiceLaunchIsJudgedByWhoMadeTheGroupBehindIt(t *testing.T) {
	const service = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling"
	launch := func(id string) aws.Origin {
		return aws.Origin{EventID: "ev-" + id, EventName: "RunInstances", Principal: service, SourceIP: "autoscaling.amazonaws.com"}
	}
	f := &aws.Footprint{Since: ec2T0, Regions: []aws.TraceRegion{{Region: "us-west-2", Status: aws.RegionOK}},
		Timeline: []aws.TrailEvent{{SourceIP: "203.0.113.9"}},
		Origins: map[string]aws.Origin{
			"i-miner": launch("i-miner"), "i-web": launch("i-web"), "i-old": launch("i-old"),
			"rigs": {EventID: "ev-rigs", EventName: "CreateAutoScalingGroup", Credential: "AKIAEXAMPLELEAKED001", Attacker: true, SourceIP: "203.0.113.9"},
			"web":  {EventID: "ev-web", EventName: "CreateAutoScalingGroup", Principal: "arn:aws:iam::111122223333:user/maria", SourceIP: "198.51.100.7"},
		}}
	rules := VerdictRules{Since: ec2T0, UsualRegions: []string{"us-west-2"}, Trace: &TraceEvidence{Footprint: f}}
	facts := regionFacts{keys: map[string]time.Time{}}
	in := func(id, group string) aws.Instance {
		launched := ec2T0.Add(time.Hour)
		return aws.Instance{ID: id, Region: "us-west-2", Type: "m5.large", LaunchTime: launched, FirstLaunch: launched,
			Tags: map[string]string{aws.TagScalingGroup: group}}
	}
	checkVerdict(t, rules.judge(in("i-miner", "rigs"), facts), VerdictRogue,
		[]string{"for the Auto Scaling group rigs, which the attacker made: CreateAutoScalingGroup by AKIAEXAMPLELEAKED001", "launched 1h0m0s after"})
	checkVerdict(t, rules.judge(in("i-web", "web"), facts), VerdictOK, []string{"not an attacker credential"})
	checkVerdict(t, rules.judge(in("i-old", "older-than-the-trace"), facts), VerdictOK, []string{"not an attacker credential"})
}
