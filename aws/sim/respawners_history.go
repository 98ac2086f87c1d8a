package sim

import (
	"sort"
)

// seedRespawnerHistory writes the CloudTrail events that created the scenario's launch templates,
// Auto Scaling groups and fleets that have a `by`, region by region.
func (s *Server) seedRespawnerHistory() error {
	names := make([]string, 0, len(s.ec2.regions))
	for name := range s.ec2.regions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := s.ec2.regions[name]
		for _, t := range r.templates {
			if t.by == "" {
				continue
			}
			err := s.historyEvent(t.by, t.Created, name, "ec2", "CreateLaunchTemplate",
				map[string]any{"CreateLaunchTemplateRequest": map[string]any{"LaunchTemplateName": t.Name,
					"LaunchTemplateData": map[string]any{"InstanceType": t.launch.Type, "KeyName": t.launch.KeyName}}},
				map[string]any{"CreateLaunchTemplateResponse": map[string]any{"launchTemplate": map[string]any{
					"launchTemplateId": t.ID, "launchTemplateName": t.Name, "createTime": awsTime(t.Created)}}},
				[]lookupResource{{"AWS::EC2::LaunchTemplate", t.ID}})
			if err != nil {
				return err // every by was checked at its place (checkActors)
			}
		}
		for _, g := range r.groups {
			if g.by == "" {
				continue
			}
			err := s.historyEvent(g.by, g.Created, name, "autoscaling", "CreateAutoScalingGroup",
				map[string]any{"autoScalingGroupName": g.Name, "minSize": g.Min, "maxSize": g.Max, "desiredCapacity": g.Desired,
					"launchTemplate": map[string]any{"launchTemplateName": g.Template, "version": "$Default"}},
				nil, []lookupResource{{"AWS::AutoScaling::AutoScalingGroup", g.ARN}})
			if err != nil {
				return err
			}
		}
		for _, f := range r.fleets {
			if f.by == "" {
				continue
			}
			action, kind := "RequestSpotFleet", "AWS::EC2::SpotFleetRequest"
			response := map[string]any{"RequestSpotFleetResponse": map[string]any{"spotFleetRequestId": f.ID}}
			if f.Kind == ec2FleetTag {
				action, kind = "CreateFleet", "AWS::EC2::Fleet"
				response = map[string]any{"CreateFleetResponse": map[string]any{"fleetId": f.ID}}
			}
			err := s.historyEvent(f.by, f.Created, name, "ec2", action,
				map[string]any{"type": f.Type, "targetCapacity": f.Target}, response, []lookupResource{{kind, f.ID}})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
