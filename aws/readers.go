package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// EC2Reader is every EC2 call lockdown makes that only reads. It has no mutating method, so code
// holding one cannot change the account, whatever the mode.
type EC2Reader interface {
	RegionsAPI
	RegionScanAPI
	InstanceAttributeAPI
	ExposureReadAPI
}

// InstanceAttributeAPI reads one attribute of an instance, such as its termination protection.
type InstanceAttributeAPI interface {
	DescribeInstanceAttribute(ctx context.Context, in *ec2.DescribeInstanceAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstanceAttributeOutput, error)
}

// IAMReader is every IAM call lockdown makes that only reads.
type IAMReader interface {
	InventoryAPI
	UserPartsAPI
	PolicyReadAPI
	RoleReadAPI
	RoleChangeAPI
	IAMPersistenceReadAPI
	GrantReadAPI
	AliasAPI
	SimulateAPI
}

// STSReader is every STS call lockdown makes.
type STSReader interface {
	IdentityAPI
}

// The readers wrap the SDK clients so that a type assertion cannot recover the client, and with
// it the mutating methods.
type (
	ec2Reader struct{ EC2Reader }
	iamReader struct{ IAMReader }
	stsReader struct{ STSReader }
)

// EC2 returns a reader of region's EC2.
func (a *Account) EC2(region string) EC2Reader { return ec2Reader{a.ec2Client(region)} }

// IAM returns a reader of the account's IAM.
func (a *Account) IAM() IAMReader { return iamReader{a.iamClient()} }

// STS returns a reader of STS in the home region.
func (a *Account) STS() STSReader { return stsReader{a.stsClient()} }

// ReadOnly is the account as Inspect and Plan see it: its readers, its mode and its confirmed
// identity, and nothing that changes it. It cannot be turned back into the Account.
type ReadOnly struct{ a *Account }

// ReadOnly returns the read-only view of the account.
func (a *Account) ReadOnly() *ReadOnly { return &ReadOnly{a: a} }

// EC2 returns a reader of region's EC2.
func (r *ReadOnly) EC2(region string) EC2Reader { return r.a.EC2(region) }

// IAM returns a reader of the account's IAM.
func (r *ReadOnly) IAM() IAMReader { return r.a.IAM() }

// Guard is the account's guard, to read the mode and the confirmed and expected accounts.
func (r *ReadOnly) Guard() *Guard { return r.a.guard }

// Mode is the run's mode.
func (r *ReadOnly) Mode() Mode { return r.a.guard.Mode() }

// HomeRegion is the region used for IAM, STS and DescribeRegions.
func (r *ReadOnly) HomeRegion() string { return r.a.HomeRegion() }

// Endpoint is the custom endpoint in use, or "" for AWS itself.
func (r *ReadOnly) Endpoint() string { return r.a.Endpoint() }

// WhoAmI confirms the account (see Account.WhoAmI).
func (r *ReadOnly) WhoAmI(ctx context.Context) (Identity, error) { return r.a.WhoAmI(ctx) }

// ScanInstances scans every enabled region (see Account.ScanInstances).
func (r *ReadOnly) ScanInstances(ctx context.Context, opts ScanOptions, report func(RegionScan)) (*InstanceScan, error) {
	return r.a.ScanInstances(ctx, opts, report)
}

// SimulateAPI asks IAM whether a principal's policies allow actions, without doing them.
type SimulateAPI interface {
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}
