package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// The reports worker whose user data the attacker replaced is offered a stop only while that
// stop would do something: once the team set its user data again (CloudTrail names who), it is
// shown, not proposed.
func TestAWorkerWhoseUserDataWasSetBackIsNotProposedAStop(t *testing.T) {
	t.Parallel()
	const worker = "i-0b5e11ef00a1b2c3d"
	for _, tc := range []struct {
		name   string
		byHand func(ctx context.Context, c *ec2.Client) error
		why    string
	}{
		{"its user data set back by the team", func(ctx context.Context, c *ec2.Client) error {
			// As AWS requires: stopped, set back, started again.
			if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{worker}}); err != nil {
				return err
			}
			stopped := ec2.NewInstanceStoppedWaiter(c, func(o *ec2.InstanceStoppedWaiterOptions) {
				o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
			})
			if err := stopped.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{worker}}, 10*time.Second); err != nil {
				return err
			}
			if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(worker),
				UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/bash\n/opt/reports/bin/worker --queue reports --region us-east-1\n")}}); err != nil {
				return err
			}
			_, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{worker}})
			return err
		}, "set again since, not by the attacker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := simtest.Start(t, "false-positive", drillStart)
			s.Clock.Advance(time.Minute)
			if err := tc.byHand(ctx, ec2.NewFromConfig(s.ByHand("us-east-1"))); err != nil {
				t.Fatal(err)
			}
			s.Clock.Advance(time.Minute)
			env := envOf(s.Account(t, aws.Options{Mode: DryRun, LookupInterval: time.Millisecond}))
			env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
			env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED003"
			_, found := traceNow(t, env)
			env.Trace = found.Evidence

			term, err := TerminateInstances{}.Inspect(ctx, env, nil)
			if err != nil {
				t.Fatal(err)
			}
			in, ok := term.Data.(*InstanceFindings).Instance(worker)
			if !ok || in.UserData == nil {
				t.Fatalf("the worker is not shown with the attacker's user data change: %+v", in)
			}
			if slices.Contains(term.Table.SelectedIDs(), worker) {
				t.Errorf("the worker is proposed a stop although it is %s: %q", tc.name, in.Reasons)
			}
			if tc.why != "" && !strings.Contains(strings.Join(in.Reasons, " "), tc.why) {
				t.Errorf("the worker's row does not say its user data was set again: %q", in.Reasons)
			}
			plan, err := TerminateInstances{}.Plan(ctx, env, term, []string{worker})
			if err == nil {
				for _, c := range plan.Changes {
					if c.Target == worker && c.Op == OpStop {
						t.Errorf("chosen by hand, the worker is still planned a stop: %+v", c)
					}
				}
			}
		})
	}
}
