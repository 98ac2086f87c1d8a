package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TerminationProtected reads an instance's termination protection (disableApiTermination): with it
// on, TerminateInstances is refused, while a DryRun of it still answers that it would succeed, so
// only this read tells a plan that the instance needs protection disabled first.
func TerminationProtected(ctx context.Context, api InstanceAttributeAPI, id string) (bool, error) {
	out, err := api.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: sdk.String(id),
		Attribute: types.InstanceAttributeNameDisableApiTermination})
	if err != nil {
		return false, fmt.Errorf("ec2 DescribeInstanceAttribute %s disableApiTermination: %w", id, err)
	}
	return out.DisableApiTermination != nil && sdk.ToBool(out.DisableApiTermination.Value), nil
}
