package sim

import (
	"encoding/base64"
	"net/http"
)

// Stopping and starting an instance, and its user data, as EC2 has them: StopInstances and
// StartInstances change its state, and a start sets LaunchTime anew, while its primary network
// interface keeps the attachment time of its first launch. User data can be changed only while the
// instance is stopped, which is why an attacker who replaces it must stop and start the instance.

func (s *Server) registerEC2Restarts() {
	s.handle("ec2", "StopInstances", true, s.stopInstances)
	s.handle("ec2", "StartInstances", true, s.startInstances)
}

// stopInstances stops running instances; one that cannot be stopped (terminated, a one-time spot
// instance) fails the whole call, as in EC2.
func (s *Server) stopInstances(c *Call) (any, error) {
	r, ids, err := s.namedInstances(c)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		inst := r.byID[id]
		switch {
		case inst.State == "terminated" || inst.State == "shutting-down":
			return nil, Errorf(http.StatusBadRequest, "IncorrectInstanceState", "This instance '%s' is not in a state from which it can be stopped.", id)
		case inst.SpotRequest != "" && r.spotByID[inst.SpotRequest] != nil && r.spotByID[inst.SpotRequest].Type == "one-time":
			return nil, Errorf(http.StatusBadRequest, "UnsupportedOperation", "You can't stop the Spot Instance '%s' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.", id)
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := stopInstancesXML{}
	for _, id := range ids {
		inst := r.byID[id]
		change := stateChangeXML{InstanceID: id, PreviousState: instanceStateXML{instanceStates[inst.State], inst.State}}
		if inst.State != "stopped" {
			inst.State = "stopped"
			change.CurrentState = instanceStateXML{instanceStates["stopping"], "stopping"}
		} else {
			change.CurrentState = change.PreviousState
		}
		out.Instances = append(out.Instances, change)
	}
	return out, nil
}

// startInstances starts stopped instances: each gets a new LaunchTime.
func (s *Server) startInstances(c *Call) (any, error) {
	r, ids, err := s.namedInstances(c)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if st := r.byID[id].State; st == "terminated" || st == "shutting-down" || st == "stopping" {
			return nil, Errorf(http.StatusBadRequest, "IncorrectInstanceState", "The instance '%s' is not in a state from which it can be started.", id)
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := startInstancesXML{}
	for _, id := range ids {
		inst := r.byID[id]
		change := stateChangeXML{InstanceID: id, PreviousState: instanceStateXML{instanceStates[inst.State], inst.State}}
		if inst.State == "stopped" {
			inst.State, inst.Launched = "running", c.Now.UTC().Truncate(1e9)
			change.CurrentState = instanceStateXML{instanceStates["pending"], "pending"}
		} else {
			change.CurrentState = change.PreviousState
		}
		out.Instances = append(out.Instances, change)
	}
	return out, nil
}

// namedInstances are the instances a call names (InstanceId.N), every one known in its region.
func (s *Server) namedInstances(c *Call) (*ec2Region, []string, error) {
	ids := listParam(c.Params, "InstanceId")
	if len(ids) == 0 {
		return nil, nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter InstanceId")
	}
	r := s.ec2.region(c.Region)
	if err := r.mustExist(ids); err != nil {
		return nil, nil, err
	}
	return r, ids, nil
}

type stopInstancesXML struct {
	Instances []stateChangeXML `xml:"instancesSet>item"`
}

type startInstancesXML struct {
	Instances []stateChangeXML `xml:"instancesSet>item"`
}

// modifyUserData replaces a stopped instance's user data (base64), as EC2 allows only then.
func modifyUserData(inst *instance, value string, dryRun bool) (any, error) {
	if inst.State != "stopped" {
		return nil, Errorf(http.StatusBadRequest, "IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", inst.ID)
	}
	if _, err := base64.StdEncoding.DecodeString(value); err != nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "User data must be base64 encoded")
	}
	if dryRun {
		return nil, dryRunOK()
	}
	inst.UserData = value
	return returnXML{Return: true}, nil
}

// encodeUserData is a scenario's user data as EC2 keeps it.
func encodeUserData(text string) string {
	if text == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(text))
}

// restartParameters are the request parameters CloudTrail records for stopping, starting and
// changing an instance's user data, in its own shapes: instancesSet items, and the user data's
// value (the new user data is in the record). nil for any other call.
func restartParameters(action string, form map[string][]string) map[string]any {
	switch action {
	case "StopInstances", "StartInstances":
		var items []any
		for _, id := range listParam(form, "InstanceId") {
			items = append(items, map[string]any{"instanceId": id})
		}
		return map[string]any{"instancesSet": map[string]any{"items": items}}
	case "ModifyInstanceAttribute":
		value, ok := form["UserData.Value"]
		if !ok && firstValue(form["Attribute"]) == "userData" {
			value, ok = form["Value"], true
		}
		if !ok {
			return nil
		}
		return map[string]any{"instanceId": firstValue(form["InstanceId"]), "userData": map[string]any{"value": firstValue(value)}}
	}
	return nil
}

func firstValue(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
