package moto

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// Seed is a simulator scenario's account built in moto as far as moto supports it: groups,
// users with their keys, passwords, MFA and policies, roles, key pairs and instances. moto cannot
// back-date anything, so what the scenario dates before T0 is created first, T0 is taken after a
// pause, and the rest after another (IAM dates have whole seconds). Signing certificates, SSH keys
// and service credentials are left out.
type Seed struct {
	t        testing.TB
	sc       *sim.Scenario
	cfg      sdk.Config
	start    time.Time // the scenario's clock, to place its relative times before or after T0
	t0       time.Time // T0 in the scenario's clock
	Since    time.Time // T0 in moto's clock
	Leaked   string    // moto's key id for the scenario's leaked key
	leakedSK string
	Regions  []string // regions holding seeded EC2 resources
}

// SeedScenario builds sc's account in the moto server at url, signing as a moto-only key.
func SeedScenario(t testing.TB, url string, sc *sim.Scenario) *Seed {
	t.Helper()
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	s := &Seed{t: t, sc: sc, start: time.Now().UTC(), cfg: sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(url),
		HTTPClient:  &http.Client{Transport: transport},
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLEMOTOSEED0", "moto-seed-secret", "")}}
	t0, err := sc.IncidentStart.Resolve(s.start)
	s.must(err)
	s.t0 = t0
	s.phase(false)
	time.Sleep(1100 * time.Millisecond)
	s.Since = time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	s.phase(true)
	if s.Leaked != "" {
		// The leaked key is used after T0, as the attacker did.
		leaked := iam.NewFromConfig(s.cfg, func(o *iam.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(s.Leaked, s.leakedSK, "")
		})
		_, err := leaked.ListUsers(context.Background(), &iam.ListUsersInput{})
		s.must(err)
	}
	return s
}

func (s *Seed) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("seeding moto: %v", err)
	}
}

// afterT0 says whether a scenario time falls after the incident start.
func (s *Seed) afterT0(w sim.When) bool {
	at, err := w.Resolve(s.start)
	s.must(err)
	return at.After(s.t0)
}

func policyARN(name string) *string {
	if strings.HasPrefix(name, "arn:") {
		return sdk.String(name)
	}
	return sdk.String("arn:aws:iam::aws:policy/" + name)
}

// phase creates what the scenario dates before T0 (after false) or after it (after true).
func (s *Seed) phase(after bool) {
	ctx, c := context.Background(), iam.NewFromConfig(s.cfg)
	if !after {
		for _, g := range s.sc.IAM.Groups {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: sdk.String(g.Name)})
			s.must(err)
			for _, p := range g.AttachedPolicies {
				_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: sdk.String(g.Name), PolicyArn: policyARN(p)})
				s.must(err)
			}
		}
	}
	for _, u := range s.sc.IAM.Users {
		name := sdk.String(u.Name)
		if s.afterT0(u.Created) == after {
			s.createUser(ctx, c, u)
		}
		for _, k := range u.AccessKeys {
			if s.afterT0(k.Created) != after {
				continue
			}
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
			s.must(err)
			if k.ID != "" && k.ID == s.sc.Attacker.AccessKeyID {
				s.Leaked, s.leakedSK = *out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey
			}
		}
	}
	for _, r := range s.sc.IAM.Roles {
		if r.ServiceLinked == "" && s.afterT0(r.Created) == after {
			s.createRole(ctx, c, r)
		}
	}
	s.seedEC2(ctx, after)
}

func (s *Seed) createUser(ctx context.Context, c *iam.Client, u sim.UserSpec) {
	name := sdk.String(u.Name)
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name})
	s.must(err)
	for _, g := range u.Groups {
		_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: name, GroupName: sdk.String(g)})
		s.must(err)
	}
	if u.Password != nil {
		_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: name, Password: sdk.String("Seeded-password-1")})
		s.must(err)
	}
	for _, m := range u.MFADevices {
		dev, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: sdk.String(m.Name)})
		s.must(err)
		_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: name, SerialNumber: dev.VirtualMFADevice.SerialNumber,
			AuthenticationCode1: sdk.String("123456"), AuthenticationCode2: sdk.String("654321")})
		s.must(err)
	}
	for policy, doc := range u.InlinePolicies {
		_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: sdk.String(policy), PolicyDocument: sdk.String(doc)})
		s.must(err)
	}
	for _, p := range u.AttachedPolicies {
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: policyARN(p)})
		s.must(err)
	}
}

func (s *Seed) createRole(ctx context.Context, c *iam.Client, r sim.RoleSpec) {
	principals := []string{"arn:aws:iam::123456789012:root"}
	if len(r.Trust) > 0 {
		principals = nil
		for _, p := range r.Trust {
			if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
				p = "arn:aws:iam::" + p + ":root"
			}
			principals = append(principals, p)
		}
	}
	trust, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": principals}}}})
	s.must(err)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdk.String(r.Name), AssumeRolePolicyDocument: sdk.String(string(trust))})
	s.must(err)
	for _, p := range r.AttachedPolicies {
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdk.String(r.Name), PolicyArn: policyARN(p)})
		s.must(err)
	}
}

func (s *Seed) seedEC2(ctx context.Context, after bool) {
	for _, k := range s.sc.EC2.KeyPairs {
		if s.afterT0(k.Created) == after {
			_, err := s.ec2(k.Region).CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdk.String(k.Name)})
			s.must(err)
			s.noteRegion(k.Region)
		}
	}
	for _, in := range s.sc.EC2.Instances {
		if in.State == "" || in.State == "running" {
			if s.afterT0(in.Launched) == after {
				s.launch(ctx, in, 1)
			}
		}
	}
	for _, f := range s.sc.EC2.Generate {
		if s.afterT0(f.Launched) == after {
			s.launch(ctx, f.InstanceSpec, int32(min(f.Count, 5)))
		}
	}
}

func (s *Seed) launch(ctx context.Context, in sim.InstanceSpec, n int32) {
	kind := in.Type
	if kind == "" {
		kind = "t3.micro"
	}
	input := &ec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"), InstanceType: ec2types.InstanceType(kind),
		MinCount: sdk.Int32(n), MaxCount: sdk.Int32(n)}
	if in.KeyName != "" {
		input.KeyName = sdk.String(in.KeyName)
	}
	if len(in.Tags) > 0 {
		spec := ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance}
		for k, v := range in.Tags {
			spec.Tags = append(spec.Tags, ec2types.Tag{Key: sdk.String(k), Value: sdk.String(v)})
		}
		input.TagSpecifications = []ec2types.TagSpecification{spec}
	}
	out, err := s.ec2(in.Region).RunInstances(ctx, input)
	s.must(err)
	s.noteRegion(in.Region)
	if in.Protected {
		for _, i := range out.Instances {
			_, err := s.ec2(in.Region).ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: i.InstanceId,
				DisableApiTermination: &ec2types.AttributeBooleanValue{Value: sdk.Bool(true)}})
			s.must(err)
		}
	}
}

func (s *Seed) ec2(region string) *ec2.Client {
	return ec2.NewFromConfig(s.cfg, func(o *ec2.Options) { o.Region = region })
}

func (s *Seed) noteRegion(r string) {
	if !slices.Contains(s.Regions, r) {
		s.Regions = append(s.Regions, r)
	}
}

// OtherRegions are moto's regions without seeded resources: left out of plan and scan, since
// moto sets up each region slowly on its first call and nothing there can be found.
func (s *Seed) OtherRegions() []string {
	out, err := s.ec2("us-east-1").DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	s.must(err)
	var others []string
	for _, r := range out.Regions {
		if name := sdk.ToString(r.RegionName); !slices.Contains(s.Regions, name) && name != "us-east-1" {
			others = append(others, name)
		}
	}
	return others
}

// StartSeeded runs moto for one test with sc's account seeded into it, behind a wire recorder
// that has seen the seeding's changes (so its silence later means something) and is then reset.
// moto answers ListServiceSpecificCredentials, an operation it lacks, with a bare 500 page that
// lockdown's retry policy rightly rides out as an outage; the proxy answers it as what it is,
// 501 Not Implemented.
func StartSeeded(t testing.TB, sc *sim.Scenario) (*wiretest.Proxy, *Seed) {
	t.Helper()
	wire := wiretest.StartProxy(t, Start(t), wiretest.Rule{Service: "iam", Action: "ListServiceSpecificCredentials",
		Fault: wiretest.ServerError(http.StatusNotImplemented)})
	seed := SeedScenario(t, wire.URL, sc)
	if len(wire.Changes()) == 0 {
		t.Fatal("the recorder saw none of the seeding's changes")
	}
	wire.Reset()
	return wire, seed
}
