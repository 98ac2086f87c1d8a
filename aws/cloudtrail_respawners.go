package aws

// The CloudTrail events that create or change a respawner, as the trace reads them. Kinds are the
// words the trace's timeline shows.
const (
	TouchedScalingGroup   = "auto scaling group"
	TouchedLaunchTemplate = "launch template"
	TouchedSpotFleet      = "spot fleet"
	TouchedEC2Fleet       = "ec2 fleet"
)

// respawnerCreated is the respawner an event created, if any.
func (e TrailEvent) respawnerCreated() []Created {
	req, resp := e.rec.Request(), e.rec.Response()
	var kind, id string
	switch e.EventName {
	case "CreateAutoScalingGroup":
		kind, id = TouchedScalingGroup, field(req, "autoScalingGroupName")
	case "CreateLaunchTemplate":
		kind, id = TouchedLaunchTemplate, firstOf(field(resp, "CreateLaunchTemplateResponse", "launchTemplate", "launchTemplateId"),
			field(resp, "launchTemplate", "launchTemplateId"))
	case "RequestSpotFleet":
		kind, id = TouchedSpotFleet, firstOf(field(resp, "RequestSpotFleetResponse", "spotFleetRequestId"), field(resp, "spotFleetRequestId"))
	case "CreateFleet":
		kind, id = TouchedEC2Fleet, firstOf(field(resp, "CreateFleetResponse", "fleetId"), field(resp, "fleetId"))
	}
	if id == "" {
		return nil
	}
	return []Created{{Kind: kind, ID: id}}
}

// respawnerTouched is the respawner an event changed without creating it.
func (e TrailEvent) respawnerTouched(req map[string]any) (Touched, bool) {
	switch e.EventName {
	case "UpdateAutoScalingGroup", "AttachInstances", "SetDesiredCapacity", "PutScalingPolicy", "PutScheduledUpdateGroupAction":
		if g := field(req, "autoScalingGroupName"); g != "" {
			return Touched{Kind: TouchedScalingGroup, ID: g}, true
		}
	case "CreateLaunchTemplateVersion", "ModifyLaunchTemplate":
		id := firstOf(field(req, "CreateLaunchTemplateVersionRequest", "LaunchTemplateId"), field(req, "ModifyLaunchTemplateRequest", "LaunchTemplateId"))
		if id != "" {
			return Touched{Kind: TouchedLaunchTemplate, ID: id}, true
		}
	}
	return Touched{}, false
}
