package sim

import (
	"fmt"
	"strings"
)

// SecurityGroupSpec is one security group and its rules. Every enabled region also has a group
// called default (in its default VPC) unless the scenario names one; every group has AWS's default
// outbound rule to everywhere.
type SecurityGroupSpec struct {
	Region      string `yaml:"region"`
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// VPCID places the group in a VPC of its own; by default it is in the region's default VPC,
	// where revoking a rule that does not exist is not an error.
	VPCID string     `yaml:"vpc_id"`
	Rules []RuleSpec `yaml:"rules"`
}

// RuleSpec is one security group rule. Protocol is tcp (default), udp, icmp or all; Port, or
// FromPort and ToPort, the ports; the source is CIDR (IPv4 or IPv6) or SourceGroup. At and By say
// when and by whom it was added: with By, its AuthorizeSecurityGroupIngress event (naming the
// rule's id, as AWS records it) is written into CloudTrail's history.
type RuleSpec struct {
	ID          string `yaml:"id"`
	Egress      bool   `yaml:"egress"`
	Protocol    string `yaml:"protocol"`
	Port        int    `yaml:"port"`
	FromPort    int    `yaml:"from_port"`
	ToPort      int    `yaml:"to_port"`
	CIDR        string `yaml:"cidr"`
	SourceGroup string `yaml:"source_group"`
	Description string `yaml:"description"`
	At          When   `yaml:"at"`
	By          string `yaml:"by"`
}

// SnapshotSpec is one EBS snapshot the account owns, and whom it is shared with.
type SnapshotSpec struct {
	Region      string      `yaml:"region"`
	ID          string      `yaml:"id"`
	VolumeID    string      `yaml:"volume_id"`
	Description string      `yaml:"description"`
	Size        int         `yaml:"size"`
	Encrypted   bool        `yaml:"encrypted"`
	Created     When        `yaml:"created"`
	Shares      []ShareSpec `yaml:"shares"`
}

// ImageSpec is one AMI the account owns, and whom it is shared with.
type ImageSpec struct {
	Region      string      `yaml:"region"`
	ID          string      `yaml:"id"`
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Created     When        `yaml:"created"`
	Shares      []ShareSpec `yaml:"shares"`
}

// ShareSpec gives another account (12 digits), or everyone ("all": public), the use of a snapshot
// (createVolumePermission) or an AMI (launchPermission). With By, its ModifySnapshotAttribute or
// ModifyImageAttribute event is written into CloudTrail's history at At.
type ShareSpec struct {
	With string `yaml:"with"`
	At   When   `yaml:"at"`
	By   string `yaml:"by"`
}

// validateExposure checks the security groups, snapshots and AMIs of the EC2 spec. Their times
// were checked with every other (checkTimes); each error starts with the YAML path of its value.
func (sp *EC2Spec) validateExposure() error {
	groups := map[string]bool{}
	for i, g := range sp.SecurityGroups {
		if g.Region == "" {
			return fmt.Errorf("ec2.security_groups[%d]: a group's region is required", i)
		}
		if g.ID != "" && !strings.HasPrefix(g.ID, "sg-") {
			return fmt.Errorf("ec2.security_groups[%d].id: %q must start with sg-", i, g.ID)
		}
		key := g.Region + "/" + g.Name
		if g.Name != "" && groups[key] {
			return fmt.Errorf("ec2.security_groups[%d].name: a second group called %q in %s", i, g.Name, g.Region)
		}
		groups[key] = true
		for j, r := range g.Rules {
			if err := r.validate(); err != nil {
				return under(fmt.Sprintf("ec2.security_groups[%d].rules[%d]", i, j), err)
			}
		}
	}
	for i, s := range sp.Snapshots {
		if err := validateOwned(s.Region, s.ID, "snap-", s.Shares); err != nil {
			return under(fmt.Sprintf("ec2.snapshots[%d]", i), err)
		}
		for j, sh := range s.Shares {
			if sh.With == "all" && s.Encrypted {
				return fmt.Errorf("ec2.snapshots[%d].shares[%d].with: an encrypted snapshot cannot be public (AWS refuses it)", i, j)
			}
		}
	}
	for i, img := range sp.Images {
		if err := validateOwned(img.Region, img.ID, "ami-", img.Shares); err != nil {
			return under(fmt.Sprintf("ec2.images[%d]", i), err)
		}
	}
	return nil
}

// validateOwned checks a snapshot or an AMI; its errors start with the field they are about.
func validateOwned(region, id, prefix string, shares []ShareSpec) error {
	if region == "" {
		return fmt.Errorf("a snapshot's or AMI's region is required")
	}
	if id != "" && !strings.HasPrefix(id, prefix) {
		return fmt.Errorf("id: %q must start with %s", id, prefix)
	}
	for j, sh := range shares {
		if !validGrantee(sh.With) {
			return fmt.Errorf("shares[%d].with: must be an account id (12 digits) or all, got %q", j, sh.With)
		}
	}
	return nil
}

// validGrantee is who a snapshot or AMI can be shared with: an account, or all.
func validGrantee(who string) bool {
	return who == "all" || isAccountID(who)
}

func isAccountID(s string) bool { return len(s) == 12 && strings.Trim(s, "0123456789") == "" }

// validate checks a rule; its errors start with the field they are about.
func (r RuleSpec) validate() error {
	if _, ok := normalProtocol(r.Protocol); !ok {
		return fmt.Errorf("protocol: must be tcp, udp, icmp or all, got %q", r.Protocol)
	}
	if (r.CIDR == "") == (r.SourceGroup == "") {
		return fmt.Errorf("give the rule one source: cidr or source_group")
	}
	if r.CIDR != "" && !validCIDR(r.CIDR) {
		return fmt.Errorf("cidr: %q is not an IPv4 or IPv6 CIDR block", r.CIDR)
	}
	if r.Port != 0 && (r.FromPort != 0 || r.ToPort != 0) {
		return fmt.Errorf("port: give port, or from_port and to_port, not both")
	}
	if r.ID != "" && !strings.HasPrefix(r.ID, "sgr-") {
		return fmt.Errorf("id: %q must start with sgr-", r.ID)
	}
	return nil
}

// ports are the rule's port range as EC2 stores it: -1 for all traffic.
func (r RuleSpec) ports() (from, to int32) {
	if p, _ := normalProtocol(r.Protocol); p == "-1" {
		return -1, -1
	}
	if r.Port != 0 {
		return int32(r.Port), int32(r.Port)
	}
	return int32(r.FromPort), int32(r.ToPort)
}

// checkExposureRegions refuses groups, snapshots and AMIs in a region the account does not have.
func (sp *EC2Spec) checkExposureRegions(check func(list string, i int, region string) error) error {
	for i, g := range sp.SecurityGroups {
		if err := check("security_groups", i, g.Region); err != nil {
			return err
		}
	}
	for i, s := range sp.Snapshots {
		if err := check("snapshots", i, s.Region); err != nil {
			return err
		}
	}
	for i, img := range sp.Images {
		if err := check("images", i, img.Region); err != nil {
			return err
		}
	}
	return nil
}
