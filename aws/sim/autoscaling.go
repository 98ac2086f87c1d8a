package sim

import (
	"net/http"
	"strconv"
	"time"
)

// scaleInTime is how long a scaled-in instance stays Terminating in its group before it is gone:
// until then DeleteAutoScalingGroup without ForceDelete is refused, as AWS refuses it while a
// scaling activity runs.
const scaleInTime = 2 * time.Minute

func (s *Server) registerRespawners() {
	s.handle("autoscaling", "DescribeAutoScalingGroups", false, s.describeGroups)
	s.handle("autoscaling", "UpdateAutoScalingGroup", true, s.updateGroup)
	s.handle("autoscaling", "DeleteAutoScalingGroup", true, s.deleteGroup)
	s.handle("ec2", "DescribeLaunchTemplates", false, s.describeTemplates)
	s.handle("ec2", "DeleteLaunchTemplate", true, s.deleteTemplate)
	s.handle("ec2", "DescribeSpotFleetRequests", false, func(c *Call) (any, error) { return s.describeFleets(c, spotFleetTag) })
	s.handle("ec2", "CancelSpotFleetRequests", true, func(c *Call) (any, error) { return s.cancelFleets(c, spotFleetTag) })
	s.handle("ec2", "DescribeFleets", false, func(c *Call) (any, error) { return s.describeFleets(c, ec2FleetTag) })
	s.handle("ec2", "DeleteFleets", true, func(c *Call) (any, error) { return s.cancelFleets(c, ec2FleetTag) })
}

type groupInstanceXML struct {
	ID             string `xml:"InstanceId"`
	Type           string `xml:"InstanceType"`
	Zone           string `xml:"AvailabilityZone"`
	LifecycleState string `xml:"LifecycleState"`
	HealthStatus   string `xml:"HealthStatus"`
	Protected      bool   `xml:"ProtectedFromScaleIn"`
}

type groupTemplateXML struct {
	ID      string `xml:"LaunchTemplateId,omitempty"`
	Name    string `xml:"LaunchTemplateName"`
	Version string `xml:"Version"`
}

type scalingGroupXML struct {
	Name        string             `xml:"AutoScalingGroupName"`
	ARN         string             `xml:"AutoScalingGroupARN"`
	Template    groupTemplateXML   `xml:"LaunchTemplate"`
	Min         int                `xml:"MinSize"`
	Max         int                `xml:"MaxSize"`
	Desired     int                `xml:"DesiredCapacity"`
	Cooldown    int                `xml:"DefaultCooldown"`
	Zones       []string           `xml:"AvailabilityZones>member"`
	HealthCheck string             `xml:"HealthCheckType"`
	Created     string             `xml:"CreatedTime"`
	Instances   []groupInstanceXML `xml:"Instances>member"`
}

type describeScalingGroupsXML struct {
	Groups    []scalingGroupXML `xml:"AutoScalingGroups>member"`
	NextToken string            `xml:"NextToken,omitempty"`
}

// describeGroups pages by MaxRecords (at most 100, 50 by default); names it does not know are
// left out of the answer, as AWS leaves them.
func (s *Server) describeGroups(c *Call) (any, error) {
	names := listParam(c.Params, "AutoScalingGroupNames.member")
	if _, ok := c.Params["Filters.member.1.Name"]; ok {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "The simulator does not support Filters in DescribeAutoScalingGroups")
	}
	size := 50
	if v := c.Params.Get("MaxRecords"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100", v)
		}
		size = n
	}
	start, err := pageStart(c.Params.Get("NextToken"))
	if err != nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidNextToken", "The token '%s' is invalid.", c.Params.Get("NextToken"))
	}
	r := s.ec2.region(c.Region)
	r.settleScaleIn(c.Now)
	var out describeScalingGroupsXML
	for i := start; i < len(r.groups); i++ {
		g := r.groups[i]
		if len(names) > 0 && !contains(names, g.Name) {
			continue
		}
		if len(out.Groups) == size {
			out.NextToken = "page-" + strconv.Itoa(i)
			break
		}
		out.Groups = append(out.Groups, r.groupAnswer(g))
	}
	return out, nil
}

func (r *ec2Region) groupAnswer(g *scalingGroup) scalingGroupXML {
	x := scalingGroupXML{Name: g.Name, ARN: g.ARN, Min: g.Min, Max: g.Max, Desired: g.Desired, Cooldown: 300,
		Zones: []string{r.name + "a"}, HealthCheck: "EC2", Created: awsTime(g.Created),
		Template: groupTemplateXML{Name: g.Template, Version: "$Default"}}
	if t := r.templateNamed(g.Template); t != nil {
		x.Template.ID = t.ID
	}
	for _, m := range g.members {
		state := "InService"
		if !m.terminatingSince.IsZero() {
			state = "Terminating"
		}
		x.Instances = append(x.Instances, groupInstanceXML{ID: m.inst.ID, Type: m.inst.Type, Zone: m.inst.Zone,
			LifecycleState: state, HealthStatus: "Healthy"})
	}
	return x
}

// settleScaleIn finishes the scale-ins that have run their course: the instance is terminated and
// leaves its group.
func (r *ec2Region) settleScaleIn(now time.Time) {
	for _, g := range r.groups {
		kept := g.members[:0]
		for _, m := range g.members {
			if !m.terminatingSince.IsZero() && !now.Before(m.terminatingSince.Add(scaleInTime)) {
				m.inst.end("terminated", m.terminatingSince, "")
				continue
			}
			kept = append(kept, m)
		}
		g.members = kept
	}
}

func (r *ec2Region) mustFindGroup(name string) (*scalingGroup, *APIError) {
	if name == "" {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
	}
	g := r.groupNamed(name)
	if g == nil {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup '%s' not found", name)
	}
	return g, nil
}

// updateGroup changes the sizes. A smaller desired capacity scales in at once: the newest
// instances in service begin Terminating; a larger one launches instances.
func (s *Server) updateGroup(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	r.settleScaleIn(c.Now)
	g, apiErr := r.mustFindGroup(c.Params.Get("AutoScalingGroupName"))
	if apiErr != nil {
		return nil, apiErr
	}
	sizes := map[string]*int{"MinSize": new(int), "MaxSize": new(int), "DesiredCapacity": new(int)}
	*sizes["MinSize"], *sizes["MaxSize"], *sizes["DesiredCapacity"] = g.Min, g.Max, g.Desired
	for name, v := range sizes {
		raw := c.Params.Get(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return nil, Errorf(http.StatusBadRequest, "ValidationError", "Value '%s' for %s is invalid", raw, name)
		}
		*v = n
	}
	minSize, maxSize, desired := *sizes["MinSize"], *sizes["MaxSize"], *sizes["DesiredCapacity"]
	if c.Params.Get("DesiredCapacity") == "" {
		desired = max(minSize, min(desired, maxSize))
	}
	if minSize > maxSize {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "The parameter MaxSize must be greater than or equal to MinSize")
	}
	if desired < minSize || desired > maxSize {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, minSize, maxSize)
	}
	g.Min, g.Max, g.Desired = minSize, maxSize, desired
	for i := len(g.members) - 1; i >= 0 && g.inService() > g.Desired; i-- {
		if m := g.members[i]; m.terminatingSince.IsZero() {
			m.terminatingSince = c.Now
			m.inst.end("shutting-down", c.Now, c.callerKeyID())
		}
	}
	r.fillGroup(s, g, c.Now)
	return nil, nil
}

// deleteGroup refuses a group that still has instances, unless ForceDelete terminates them with
// it: ResourceInUse while some are in service, ScalingActivityInProgress while some terminate.
func (s *Server) deleteGroup(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	r.settleScaleIn(c.Now)
	g, apiErr := r.mustFindGroup(c.Params.Get("AutoScalingGroupName"))
	if apiErr != nil {
		return nil, apiErr
	}
	if c.Params.Get("ForceDelete") != "true" {
		switch {
		case g.inService() > 0:
			return nil, Errorf(http.StatusBadRequest, "ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
		case len(g.members) > 0:
			return nil, Errorf(http.StatusBadRequest, "ScalingActivityInProgress", "You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.")
		}
	}
	for _, m := range g.members {
		m.inst.end("terminated", c.Now, c.callerKeyID())
	}
	for i, x := range r.groups {
		if x == g {
			r.groups = append(r.groups[:i], r.groups[i+1:]...)
			break
		}
	}
	return nil, nil
}
