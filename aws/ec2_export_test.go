package aws

import "github.com/aws/aws-sdk-go-v2/service/ec2"

// StartMoto lets the external test package (which may import steps) use the moto helper.
var StartMoto = startMoto

// DryRunChangesOf lets the external tests check a live account's changes in a dry run first.
func DryRunChangesOf(a *Account) Changes { return &dryRunChanges{a: a} }

// SeedEC2 is the raw EC2 client of region, for tests that build the account's state by hand.
func SeedEC2(a *Account, region string) *ec2.Client { return a.ec2Client(region) }
