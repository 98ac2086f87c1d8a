package sim_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func protection(t *testing.T, client *ec2.Client, id string) (bool, error) {
	t.Helper()
	out, err := client.DescribeInstanceAttribute(context.Background(), &ec2.DescribeInstanceAttributeInput{
		InstanceId: sdk.String(id), Attribute: types.InstanceAttributeNameDisableApiTermination})
	if err != nil {
		return false, err
	}
	if sdk.ToString(out.InstanceId) != id || out.DisableApiTermination == nil {
		t.Fatalf("answer does not carry the attribute: %+v", out)
	}
	return sdk.ToBool(out.DisableApiTermination.Value), nil
}

func TestDescribeInstanceAttributeReadsTerminationProtectionAsModified(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	ctx := context.Background()
	if on, err := protection(t, client, "i-000000000000guard"); err != nil || !on {
		t.Fatalf("protected instance reads %v, %v", on, err)
	}
	if on, err := protection(t, client, "i-0000000000000web1"); err != nil || on {
		t.Fatalf("unprotected instance reads %v, %v", on, err)
	}
	if _, err := client.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{
		InstanceId: sdk.String("i-000000000000guard"), DisableApiTermination: &types.AttributeBooleanValue{Value: sdk.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if on, err := protection(t, client, "i-000000000000guard"); err != nil || on {
		t.Fatalf("after ModifyInstanceAttribute: %v, %v", on, err)
	}
	typ, err := client.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: sdk.String("i-0000000000000web1"), Attribute: types.InstanceAttributeNameInstanceType})
	if err != nil || sdk.ToString(typ.InstanceType.Value) != "m5.large" {
		t.Fatalf("instanceType: %+v %v", typ, err)
	}
}

func TestDescribeInstanceAttributeErrorsAreEC2s(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	tests := []struct {
		name, id, region string
		attr             types.InstanceAttributeName
		want             string
	}{
		{"an unknown instance", "i-0123456789abcdef0", "us-east-1", types.InstanceAttributeNameDisableApiTermination, "InvalidInstanceID.NotFound"},
		{"an instance in another region", "i-000000000000guard", "eu-west-1", types.InstanceAttributeNameDisableApiTermination, "InvalidInstanceID.NotFound"},
		{"an unknown attribute", "i-000000000000guard", "us-east-1", "colour", "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ec2Client(t, srv, url, tt.region)
			if tt.region == "us-east-1" {
				c = client
			}
			in := &ec2.DescribeInstanceAttributeInput{InstanceId: sdk.String(tt.id), Attribute: tt.attr}
			_, err := c.DescribeInstanceAttribute(context.Background(), in)
			if apiCode(err) != tt.want {
				t.Fatalf("want %s, got %v", tt.want, err)
			}
		})
	}
}

func TestDescribeInstanceAttributeDryRunAnswersDryRunOperation(t *testing.T) {
	srv, url := startScenario(t, estate)
	_, err := ec2Client(t, srv, url, "us-east-1").DescribeInstanceAttribute(context.Background(), &ec2.DescribeInstanceAttributeInput{
		InstanceId: sdk.String("i-000000000000guard"), Attribute: types.InstanceAttributeNameDisableApiTermination, DryRun: sdk.Bool(true)})
	if apiCode(err) != "DryRunOperation" {
		t.Fatalf("want DryRunOperation, got %v", err)
	}
}
