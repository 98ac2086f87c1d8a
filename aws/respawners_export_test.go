package aws

import "github.com/aws/aws-sdk-go-v2/service/autoscaling"

// SeedScaling is the raw Auto Scaling client of region, for tests that build groups by hand.
func SeedScaling(a *Account, region string) *autoscaling.Client { return a.scalingClient(region) }
