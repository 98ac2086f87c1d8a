package review

import (
	"testing"

	"lockdown/steps"
)

func TestCompareChangesIgnoresWordingButNotTargetsOrRegions(t *testing.T) {
	reviewed := []steps.Change{
		{ID: "TerminateInstances/us-west-2/i-1", Op: "ec2:TerminateInstances", Region: "us-west-2", Target: "i-1", Summary: "terminate i-1 (rogue)"},
		{ID: "TerminateInstances/us-west-2/i-2", Op: "ec2:TerminateInstances", Region: "us-west-2", Target: "i-2", Summary: "terminate i-2"},
	}
	reworded := []steps.Change{reviewed[1], reviewed[0]}
	reworded[1].Summary = "terminate i-1 (rogue, launched at another minute)"
	if d := CompareChanges(reviewed, reworded); !d.None() {
		t.Errorf("the same calls in another order and wording are not drift: %+v", d)
	}
	moved := []steps.Change{reviewed[0], reviewed[1]}
	moved[1].Region = "eu-north-1"
	d := CompareChanges(reviewed, moved)
	if len(d.Added) != 1 || len(d.Gone) != 1 || d.Added[0].Region != "eu-north-1" || d.Gone[0].Target != "i-2" {
		t.Errorf("a change in another region is one added and one gone, got %+v", d)
	}
}
