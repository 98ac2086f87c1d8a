package aws

import (
	"context"
	"encoding/base64"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TouchedUserData is the kind of an instance's user data in the trace: what an attacker replaces
// on an instance the team runs, to run their code at its next start.
const TouchedUserData = "instance user data"

// InstanceNow is an instance as it stands: its state and its user data as text.
type InstanceNow struct {
	State    string
	UserData string
	// Gone: EC2 no longer knows the instance.
	Gone bool
}

// InstanceNow reads an instance's state and user data (DescribeInstances, DescribeInstanceAttribute).
func (r *ReadOnly) InstanceNow(ctx context.Context, region, id string) (InstanceNow, error) {
	api := r.a.ec2Client(region)
	states, err := describeStates(ctx, api, []string{id})
	if err != nil {
		return InstanceNow{}, fmt.Errorf("ec2 DescribeInstances %s in %s: %w", id, region, err)
	}
	state, known := states[id]
	if !known || state == "terminated" {
		return InstanceNow{State: state, Gone: !known}, nil
	}
	out, err := api.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: sdk.String(id), Attribute: types.InstanceAttributeNameUserData})
	if err != nil {
		return InstanceNow{}, fmt.Errorf("ec2 DescribeInstanceAttribute userData %s in %s: %w", id, region, err)
	}
	now := InstanceNow{State: state}
	if out.UserData != nil {
		raw := sdk.ToString(out.UserData.Value)
		if decoded, err := base64.StdEncoding.DecodeString(raw); err == nil {
			now.UserData = string(decoded)
		} else {
			now.UserData = raw
		}
	}
	return now, nil
}

// instanceTouched is what an event on an existing instance touched: its user data, which lockdown
// cannot put back and the operator restores, or the instance itself (stopped, started, another
// attribute), which the scan judges and the terminate step handles.
func (e TrailEvent) instanceTouched() []Touched {
	if !e.Succeeded() {
		return nil
	}
	var out []Touched
	switch e.EventName {
	case "StopInstances", "StartInstances", "RebootInstances":
		for _, it := range items(e.rec.Request(), "instancesSet") {
			if id, _ := it["instanceId"].(string); id != "" {
				out = append(out, Touched{Kind: "instance", ID: id, ARN: e.arn("ec2", "instance/"+id)})
			}
		}
	case "ModifyInstanceAttribute":
		if id := field(e.rec.Request(), "instanceId"); id != "" {
			kind := "instance"
			if e.userDataTarget() != "" {
				kind = TouchedUserData
			}
			out = append(out, Touched{Kind: kind, ID: id, ARN: e.arn("ec2", "instance/"+id)})
		}
	}
	return out
}
