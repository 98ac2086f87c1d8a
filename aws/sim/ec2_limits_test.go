package sim

import (
	"context"
	"errors"
	"net/http"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

func TestARegionFullOfInstancesRefusesMoreWithInstanceLimitExceeded(t *testing.T) {
	sc, err := ParseScenario("full", []byte("name: full\naccount: {id: \"111122223333\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A region one instance short of the quota, without paying for a scenario that launches them.
	r := srv.ec2.region("us-east-1")
	filler := &instance{ID: "i-0filler", State: "running"}
	for len(r.instances) < maxInstancesPerRegion-1 {
		r.instances = append(r.instances, filler)
	}
	l, err := Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	defer func() { transport.CloseIdleConnections(); _ = l.Close() }()
	id, secret := srv.ResponderCredentials()
	client := ec2.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(l.URL), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: transport}, Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	launch := func(n int32) error {
		_, err := client.RunInstances(context.Background(), &ec2.RunInstancesInput{ImageId: sdk.String("ami-1"),
			InstanceType: "t3.micro", MinCount: sdk.Int32(n), MaxCount: sdk.Int32(n)})
		return err
	}
	var apiErr smithy.APIError
	if err := launch(2); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InstanceLimitExceeded" {
		t.Fatalf("want InstanceLimitExceeded, got %v", err)
	}
	if err := launch(1); err != nil {
		t.Fatalf("the last instance under the quota: %v", err)
	}
}
