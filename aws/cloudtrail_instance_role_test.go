package aws_test

import (
	"context"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// TestAnInstanceRolesStolenSessionNamesTheServiceThatObtainedIt: the credentials of an instance
// role are issued to EC2, whose AssumeRole event carries no access key, only who invoked it.
func TestAnInstanceRolesStolenSessionNamesTheServiceThatObtainedIt(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "temporary-credentials", traceStart)
	acct := s.Account(t, aws.Options{LookupInterval: time.Millisecond})
	o, err := acct.FindSession(context.Background(), "ASIAEXAMPLEAPPSRV001")
	if err != nil || o == nil {
		t.Fatalf("session %+v, %v", o, err)
	}
	if o.Role != "arn:aws:iam::666677778888:role/app-server" || o.IssuedBy != "ec2.amazonaws.com" || o.SessionName != "i-0a1b2c3d4e5f60718" {
		t.Errorf("session of role %q issued by %q, named %q; want app-server's, by ec2.amazonaws.com, named after the instance",
			o.Role, o.IssuedBy, o.SessionName)
	}
}
