package aws_test

import (
	"context"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// support-sync holds one service-specific credential in the drill.
const credentialHolder = "support-sync"

func serviceCredentialParts(parts []aws.UserPart) int {
	n := 0
	for _, p := range parts {
		if p.Kind == aws.PartServiceCredential {
			n++
		}
	}
	return n
}

func TestABurstOfServerErrorsOnServiceCredentialsIsRetriedNotTakenForNotImplemented(t *testing.T) {
	acct, _, _ := openThroughProxy(t, aws.DryRun,
		wiretest.Rule{Action: "ListServiceSpecificCredentials", Fault: wiretest.ServerError(500), Times: 2})
	parts, notes, err := aws.UserParts(context.Background(), acct.IAM(), credentialHolder)
	if err != nil || len(notes) != 0 || serviceCredentialParts(parts) != 1 {
		t.Fatalf("parts %v, notes %v, err %v: want the credential, found after the burst", parts, notes, err)
	}
}

func TestAServiceCredentialsListThatKeepsFailingIsAFailureNotANote(t *testing.T) {
	acct, _, s := openThroughProxy(t, aws.DryRun)
	if err := s.Server.AddFault(sim.Fault{Service: "iam", Action: "ListServiceSpecificCredentials", Status: 500}); err != nil {
		t.Fatal(err)
	}
	_, notes, err := aws.UserParts(context.Background(), acct.IAM(), credentialHolder)
	if err == nil {
		t.Fatalf("AWS kept answering InternalError, yet the parts were listed with notes %v: the credential would be missed", notes)
	}
}
