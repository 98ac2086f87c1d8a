package steps

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The attacker's replacement of an instance's user data is an item of the verification, re-checked
// by reading the instance: it fails while the instance holds the attacker's user data, stopped or
// not, and passes, with the evidence, once the team restored it by hand.
func TestAReplacedUserDataFailsTheVerificationUntilItIsRestored(t *testing.T) {
	t.Parallel()
	env, s := tracedFalsePositive(t, Drill)
	const worker = "i-0b5e11ef00a1b2c3d"
	item := func(v *Verification) VerifyCheck {
		for _, c := range v.Checks {
			if c.Check == checkByHand && strings.Contains(c.Item, worker) {
				return c
			}
		}
		t.Fatalf("no item for the worker's user data: %+v", v.Checks)
		return VerifyCheck{}
	}
	_, v := verifyNow(t, env)
	if c := item(v); c.Result != VerifyFail || !strings.Contains(c.Evidence, "runs the attacker's user data") {
		t.Fatalf("the running worker with the attacker's user data: %+v", c)
	}
	ctx := context.Background()
	if _, err := changesOf(env).StopInstance(ctx, "us-east-1", worker); err != nil {
		t.Fatal(err)
	}
	_, v = verifyNow(t, env)
	if c := item(v); c.Result != VerifyFail || !strings.Contains(c.Evidence, "restore it before it is started again") {
		t.Fatalf("stopped, it still holds the attacker's user data: %+v", c)
	}
	keyID, secret := s.Server.ResponderCredentials()
	team := ec2.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(s.URL), Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	if _, err := team.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(worker),
		UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/bash\n/opt/reports/bin/worker --queue reports --region us-east-1\n")}}); err != nil {
		t.Fatal(err)
	}
	_, v = verifyNow(t, env)
	if c := item(v); c.Result != VerifyPass || !strings.Contains(c.Evidence, "restored") {
		t.Errorf("restored by hand, the item should pass with the evidence: %+v", c)
	}
}
