package aws

import "github.com/aws/aws-sdk-go-v2/service/cloudtrail"

// SeedTrails is the raw CloudTrail client of region, for tests that build trails by hand.
func SeedTrails(a *Account, region string) *cloudtrail.Client { return a.trailClient(region) }
