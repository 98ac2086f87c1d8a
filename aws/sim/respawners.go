package sim

import (
	"fmt"
	"time"
)

// Respawners are what launches instances again after they are terminated: Auto Scaling groups,
// spot fleets and EC2 fleets of type maintain, and persistent spot requests (ec2_state.go). Their
// launch templates are kept with them, since an attacker's template is how a group is re-created.

// AutoScalingSpec is the scenario's Auto Scaling groups.
type AutoScalingSpec struct {
	Groups []AutoScalingGroupSpec `yaml:"groups"`
}

// AutoScalingGroupSpec is one group. Scenario instances of its region tagged
// aws:autoscaling:groupName=<name> are its instances; more are launched at its creation until it
// has Desired. By is who created it, for its CloudTrail history.
type AutoScalingGroupSpec struct {
	Region         string `yaml:"region"`
	Name           string `yaml:"name"`
	LaunchTemplate string `yaml:"launch_template"`
	Min            int    `yaml:"min"`
	Max            int    `yaml:"max"`
	Desired        int    `yaml:"desired"`
	Created        When   `yaml:"created"`
	By             string `yaml:"by"`
}

// LaunchTemplateSpec is one EC2 launch template.
type LaunchTemplateSpec struct {
	Region  string `yaml:"region"`
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	KeyName string `yaml:"key_name"`
	Created When   `yaml:"created"`
	By      string `yaml:"by"`
}

// FleetRequestSpec is one spot fleet request (spot_fleets) or EC2 fleet (fleets): Target
// instances of Type launched at its creation, replaced while a maintain fleet is active.
type FleetRequestSpec struct {
	Region  string `yaml:"region"`
	Type    string `yaml:"type"`
	Target  int    `yaml:"target"`
	Machine string `yaml:"instance_type"`
	Created When   `yaml:"created"`
	By      string `yaml:"by"`
}

// The tags AWS puts on the instances a group or fleet launches.
const (
	groupTag     = "aws:autoscaling:groupName"
	spotFleetTag = "aws:ec2spot:fleet-request-id"
	ec2FleetTag  = "aws:ec2:fleet-id"
)

type launchTemplate struct {
	ID, Name string
	Created  time.Time
	launch   launchSpec
	deleted  bool
	by       string
}

// scalingGroup is one Auto Scaling group. members are its instances in launch order; an instance
// scaled in stays a member, Terminating, until its scale-in completes.
type scalingGroup struct {
	Name, ARN, Template string
	Min, Max, Desired   int
	Created             time.Time
	members             []*groupMember
	launch              launchSpec
	by                  string
}

type groupMember struct {
	inst *instance
	// terminatingSince is when scale-in began, zero while the instance is in service.
	terminatingSince time.Time
}

// fleet is a spot fleet request or an EC2 fleet.
type fleet struct {
	ID, Kind, Type, State string // Kind is spotFleetTag or ec2FleetTag
	Target                int
	Created               time.Time
	launch                launchSpec
	by                    string
}

// respawnerState is one region's groups, templates and fleets, in creation order (paging is
// stable).
type respawnerState struct {
	groups    []*scalingGroup
	templates []*launchTemplate
	fleets    []*fleet
}

func (sp *AutoScalingSpec) validate() error {
	for i, g := range sp.Groups {
		if g.Region == "" || g.Name == "" || g.LaunchTemplate == "" {
			return fmt.Errorf("autoscaling.groups[%d]: region, name and launch_template are required", i)
		}
		if g.Min < 0 || g.Min > g.Max || g.Desired < g.Min || g.Desired > g.Max {
			return fmt.Errorf("autoscaling.groups[%d]: need 0 <= min <= desired <= max", i)
		}
	}
	return nil
}

func validateFleets(what string, list []FleetRequestSpec, types ...string) error {
	for i, f := range list {
		if f.Region == "" || f.Target < 0 || !contains(types, f.Type) {
			return fmt.Errorf("%s[%d]: region, a target >= 0 and a type among %v are required", what, i, types)
		}
	}
	return nil
}

// seedRespawners adds the scenario's templates, groups and fleets, after its instances.
func (s *Server) seedRespawners(sc *Scenario) error {
	for _, ts := range sc.EC2.LaunchTemplates {
		r := s.ec2.region(ts.Region)
		r.addTemplate(s, ts.Name, resolveChecked(ts.Created, s.start), launchSpec{Type: ts.Type, KeyName: ts.KeyName}).by = ts.By
	}
	for i, gs := range sc.AutoScaling.Groups {
		if err := s.seedGroup(gs); err != nil {
			return under(fmt.Sprintf("autoscaling.groups[%d]", i), err)
		}
	}
	for _, kind := range []string{spotFleetTag, ec2FleetTag} {
		list := sc.EC2.SpotFleets
		if kind == ec2FleetTag {
			list = sc.EC2.Fleets
		}
		for _, fs := range list {
			r := s.ec2.region(fs.Region)
			r.addFleet(s, kind, fs.Type, fs.Target, resolveChecked(fs.Created, s.start), launchSpec{Type: fs.Machine}).by = fs.By
		}
	}
	return nil
}

// seedGroup adds an Auto Scaling group; its errors start with the field they are about.
func (s *Server) seedGroup(gs AutoScalingGroupSpec) error {
	created := resolveChecked(gs.Created, s.start)
	r := s.ec2.region(gs.Region)
	t := r.templateNamed(gs.LaunchTemplate)
	if t == nil {
		return fmt.Errorf("launch_template: %q is not in ec2.launch_templates of %s", gs.LaunchTemplate, gs.Region)
	}
	g := &scalingGroup{Name: gs.Name, Template: t.Name, Min: gs.Min, Max: gs.Max, Desired: gs.Desired,
		Created: created.UTC().Truncate(time.Second), launch: t.launch, by: gs.By,
		ARN: fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s", gs.Region, s.Account(), s.ids.uuid(), gs.Name)}
	g.launch.Tags = append(append([]tag(nil), g.launch.Tags...), tag{groupTag, gs.Name})
	g.launch.Launcher = HoldingKey(HoldingGroup, gs.Region, gs.Name)
	for _, inst := range r.instances {
		if tagValue(inst.Tags, groupTag) == gs.Name && inst.State != "terminated" {
			g.members = append(g.members, &groupMember{inst: inst})
			if inst.Launcher == "" {
				inst.Launcher = g.launch.Launcher
			}
		}
	}
	r.groups = append(r.groups, g)
	r.fillGroup(s, g, g.Created.Add(time.Minute))
	return nil
}

func (r *ec2Region) addTemplate(s *Server, name string, created time.Time, spec launchSpec) *launchTemplate {
	t := &launchTemplate{ID: s.ids.hex("lt-", 17), Name: name, Created: created.UTC().Truncate(time.Second), launch: spec}
	r.templates = append(r.templates, t)
	return t
}

func (r *ec2Region) templateNamed(name string) *launchTemplate {
	for _, t := range r.templates {
		if t.Name == name && !t.deleted {
			return t
		}
	}
	return nil
}

func (r *ec2Region) addFleet(s *Server, kind, typ string, target int, created time.Time, spec launchSpec) *fleet {
	f := &fleet{Kind: kind, Type: typ, State: "active", Target: target, Created: created.UTC().Truncate(time.Second), launch: spec}
	if kind == spotFleetTag {
		f.ID = "sfr-" + s.ids.uuid()
	} else {
		f.ID = "fleet-" + s.ids.uuid()
	}
	f.launch.Tags = []tag{{kind, f.ID}}
	f.launch.Launcher = HoldingKey(HoldingFleet, r.name, f.ID)
	r.fleets = append(r.fleets, f)
	for n := 0; n < target; n++ {
		r.launch(s, f.launch, f.Created.Add(time.Minute), "running", "", s.ids.hex("r-", 17))
	}
	return f
}

// fillGroup launches instances until the group has its desired number in service.
func (r *ec2Region) fillGroup(s *Server, g *scalingGroup, at time.Time) {
	for g.inService() < g.Desired {
		inst := r.launch(s, g.launch, at, "running", "", s.ids.hex("r-", 17))
		g.members = append(g.members, &groupMember{inst: inst})
	}
}

func (g *scalingGroup) inService() int {
	n := 0
	for _, m := range g.members {
		if m.terminatingSince.IsZero() {
			n++
		}
	}
	return n
}

// relaunch is what a group or fleet does when one of its instances is terminated by hand: a group
// drops the instance and launches a replacement while it wants more; an active maintain fleet
// launches a replacement.
func (s *Server) relaunch(r *ec2Region, gone *instance, now time.Time) {
	if g := r.groupNamed(tagValue(gone.Tags, groupTag)); g != nil {
		for i, m := range g.members {
			if m.inst == gone {
				g.members = append(g.members[:i], g.members[i+1:]...)
				r.fillGroup(s, g, now)
				break
			}
		}
	}
	for _, kind := range []string{spotFleetTag, ec2FleetTag} {
		if f := r.fleetByID(tagValue(gone.Tags, kind)); f != nil && f.Type == "maintain" && f.State == "active" {
			r.launch(s, f.launch, now, "running", "", s.ids.hex("r-", 17))
		}
	}
}

func (r *ec2Region) groupNamed(name string) *scalingGroup {
	for _, g := range r.groups {
		if g.Name == name && name != "" {
			return g
		}
	}
	return nil
}

func (r *ec2Region) fleetByID(id string) *fleet {
	for _, f := range r.fleets {
		if f.ID == id && id != "" {
			return f
		}
	}
	return nil
}

func tagValue(tags []tag, key string) string {
	for _, t := range tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

// uuid returns a random-looking version-4 UUID, as in fleet ids and group ARNs.
func (s *idSource) uuid() string {
	h := s.hex("", 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}
