package sim_test

import (
	"context"
	"errors"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/smithy-go"
)

// TestAThrottledGuardDutyCallIsA429TheSDKRetries: GuardDuty's REST API throttles with HTTP 429
// TooManyRequestsException. A 400 BadRequestException, which the SDK does not retry, turned a
// scenario's throttling into logging that could not be read.
func TestAThrottledGuardDutyCallIsA429TheSDKRetries(t *testing.T) {
	t.Parallel()
	srv, url, tr := serveFile(t, `name: busy
account: {id: "111122223333"}
guardduty:
  detectors: [{region: us-east-1, created: -10d}]
faults:
  - {service: guardduty, throttle: 1}
`)
	_, err := guardduty.NewFromConfig(oneAttempt(srv, url, "us-east-1", tr)).ListDetectors(context.Background(), &guardduty.ListDetectorsInput{})
	var apiErr smithy.APIError
	var httpErr *awshttp.ResponseError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "TooManyRequestsException" || !errors.As(err, &httpErr) || httpErr.HTTPStatusCode() != 429 {
		t.Fatalf("a throttled ListDetectors answered %v; want 429 TooManyRequestsException", err)
	}
}
