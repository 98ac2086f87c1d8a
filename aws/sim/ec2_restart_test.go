package sim_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws/sim/simtest"
)

const restartable = `name: restartable
seed: 9
account: {id: "111122223333"}
incident_start: -3h
ec2:
  instances:
    - {region: us-east-1, id: i-00000000000worker, type: m5.large, launched: -1h, first_launched: -300d, user_data: "#!/bin/sh\necho hello\n"}
`

func describeOne(t *testing.T, c *ec2.Client, id string) types.Instance {
	t.Helper()
	out, err := c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("describe %s: %v %+v", id, err, out)
	}
	return out.Reservations[0].Instances[0]
}

func attachTime(t *testing.T, in types.Instance) time.Time {
	t.Helper()
	for _, ni := range in.NetworkInterfaces {
		if ni.Attachment != nil && sdk.ToInt32(ni.Attachment.DeviceIndex) == 0 {
			return sdk.ToTime(ni.Attachment.AttachTime)
		}
	}
	t.Fatalf("no primary network interface: %+v", in.NetworkInterfaces)
	return time.Time{}
}

func userData(t *testing.T, c *ec2.Client, id string) string {
	t.Helper()
	out, err := c.DescribeInstanceAttribute(context.Background(), &ec2.DescribeInstanceAttributeInput{InstanceId: sdk.String(id), Attribute: types.InstanceAttributeNameUserData})
	if err != nil || out.UserData == nil {
		t.Fatalf("userData: %v %+v", err, out)
	}
	text, err := base64.StdEncoding.DecodeString(sdk.ToString(out.UserData.Value))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// As in EC2: a stop and a start set LaunchTime anew while the primary network interface keeps the
// attachment time of the first launch; user data changes only while the instance is stopped.
func TestARestartSetsLaunchTimeAnewAndKeepsTheFirstLaunchAndUserDataChangesOnlyWhenStopped(t *testing.T) {
	s := simtest.Start(t, restartable, testStart)
	c := ec2Client(t, s.Server, s.URL, "us-east-1")
	ctx := context.Background()
	const id = "i-00000000000worker"
	before := describeOne(t, c, id)
	first := attachTime(t, before)
	if !first.Before(sdk.ToTime(before.LaunchTime).Add(-200 * 24 * time.Hour)) {
		t.Fatalf("first launch %v, LaunchTime %v: the scenario's first_launched is lost", first, before.LaunchTime)
	}
	if got := userData(t, c, id); got != "#!/bin/sh\necho hello\n" {
		t.Fatalf("user data %q", got)
	}
	newData := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nminer\n"))
	_, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(id), UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/sh\nminer\n")}})
	if code := apiCode(err); code != "IncorrectInstanceState" {
		t.Fatalf("changing the user data of a running instance: %v", err)
	}
	if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}, DryRun: sdk.Bool(true)}); apiCode(err) != "DryRunOperation" {
		t.Fatalf("DryRun stop: %v", err)
	}
	if st := describeOne(t, c, id).State.Name; st != types.InstanceStateNameRunning {
		t.Fatalf("a DryRun stop changed the state to %s", st)
	}
	if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(id), UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/sh\nminer\n")}}); err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(time.Hour)
	if _, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	after := describeOne(t, c, id)
	if !sdk.ToTime(after.LaunchTime).After(sdk.ToTime(before.LaunchTime)) {
		t.Errorf("LaunchTime %v after the start, want later than %v", after.LaunchTime, before.LaunchTime)
	}
	if got := attachTime(t, after); !got.Equal(first) {
		t.Errorf("the first launch moved from %v to %v", first, got)
	}
	if got := userData(t, c, id); got != "#!/bin/sh\nminer\n" {
		t.Errorf("user data after the change %q", got)
	}
	keyID, secret := s.Server.ResponderCredentials()
	trail := cloudtrail.NewFromConfig(sdkConfig(s.URL, "us-east-1", keyID, secret))
	events, err := trail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: sdk.String(id)}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range events.Events {
		if sdk.ToString(e.ReadOnly) == "true" {
			continue
		}
		names = append(names, sdk.ToString(e.EventName))
		if sdk.ToString(e.EventName) == "ModifyInstanceAttribute" && !strings.Contains(sdk.ToString(e.CloudTrailEvent), newData) {
			t.Errorf("CloudTrail's record of the change lacks the new user data: %s", sdk.ToString(e.CloudTrailEvent))
		}
	}
	if strings.Join(names, " ") != "StartInstances ModifyInstanceAttribute StopInstances" {
		t.Errorf("CloudTrail of the instance: %v", names)
	}
}
