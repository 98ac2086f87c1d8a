package sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxLaunch bounds one RunInstances call, and maxInstancesPerRegion a region (terminated
// instances included, as the simulator keeps them listed), like an account's quota would: an
// attacker's timeline cannot grow the simulator without bound.
const (
	maxLaunch             = 1000
	maxInstancesPerRegion = 200_000
)

// runInstances launches MaxCount instances (the simulator always has capacity), optionally as spot
// instances behind a new spot request. The attacker's launches come through here too.
func (s *Server) runInstances(c *Call) (any, error) {
	spec, count, apiErr := launchParams(c)
	if apiErr != nil {
		return nil, apiErr
	}
	r := s.ec2.region(c.Region)
	if len(r.instances)+count > maxInstancesPerRegion {
		return nil, Errorf(http.StatusBadRequest, "InstanceLimitExceeded",
			"You have requested more instances (%d) than your current instance limit of %d allows", len(r.instances)+count, maxInstancesPerRegion)
	}
	if spec.KeyName != "" && r.keyPair(spec.KeyName) == nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", spec.KeyName)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	spec.By = c.callerKeyID()
	spotType := ""
	if c.Params.Get("InstanceMarketOptions.MarketType") == "spot" {
		spotType = c.Params.Get("InstanceMarketOptions.SpotOptions.SpotInstanceType")
		if spotType == "" {
			spotType = "one-time"
		}
	}
	res := reservationXML{ReservationID: s.ids.hex("r-", 17), OwnerID: s.Account()}
	for n := 0; n < count; n++ {
		inst := r.launch(s, spec, c.Now, "running", "", res.ReservationID)
		if spotType != "" {
			r.addSpotRequest(s, spotType, c.Now, spec).fulfil(inst)
		}
		res.Instances = append(res.Instances, s.instanceXML(inst))
	}
	return res, nil
}

func launchParams(c *Call) (launchSpec, int, *APIError) {
	spec := launchSpec{Type: c.Params.Get("InstanceType"), KeyName: c.Params.Get("KeyName"), Image: c.Params.Get("ImageId"),
		Protected: c.Params.Get("DisableApiTermination") == "true", UserData: c.Params.Get("UserData")}
	if spec.Image == "" {
		return spec, 0, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter ImageId")
	}
	minCount, err1 := strconv.Atoi(c.Params.Get("MinCount"))
	maxCount, err2 := strconv.Atoi(c.Params.Get("MaxCount"))
	if err1 != nil || err2 != nil || minCount < 1 || maxCount < minCount {
		return spec, 0, Errorf(http.StatusBadRequest, "InvalidParameterValue", "MinCount and MaxCount must be whole numbers with 1 <= MinCount <= MaxCount")
	}
	if minCount > maxLaunch {
		return spec, 0, Errorf(http.StatusBadRequest, "InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows", minCount, maxLaunch)
	}
	spec.Tags = instanceTags(c.Params)
	return spec, min(maxCount, maxLaunch), nil
}

// instanceTags reads TagSpecification.N.Tag.M.Key/Value for the instance resource type.
func instanceTags(p map[string][]string) []tag {
	var tags []tag
	for i := 1; ; i++ {
		prefix := "TagSpecification." + itoa(i) + "."
		kind, ok := p[prefix+"ResourceType"]
		if !ok {
			break
		}
		if len(kind) == 0 || kind[0] != "instance" {
			continue
		}
		for j := 1; ; j++ {
			key, ok := p[prefix+"Tag."+itoa(j)+".Key"]
			if !ok || len(key) == 0 {
				break
			}
			var value string
			if v := p[prefix+"Tag."+itoa(j)+".Value"]; len(v) > 0 {
				value = v[0]
			}
			tags = append(tags, tag{key[0], value})
		}
	}
	sortTags(tags)
	return tags
}

// terminateInstances is as strict as AWS: unknown ids fail the whole call, and so does a single
// instance with termination protection, which then terminates nothing. Terminating an instance that
// is already terminated succeeds and says so in previousState.
func (s *Server) terminateInstances(c *Call) (any, error) {
	ids := listParam(c.Params, "InstanceId")
	if len(ids) == 0 {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter InstanceId")
	}
	if len(ids) > maxLaunch {
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Too many instance ids: %d (at most %d)", len(ids), maxLaunch)
	}
	r := s.ec2.region(c.Region)
	if err := r.mustExist(ids); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	for _, id := range ids {
		if inst := r.byID[id]; inst.Protected && inst.State != "terminated" {
			return nil, Errorf(http.StatusBadRequest, "OperationNotPermitted",
				"The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", id)
		}
	}
	var out terminateInstancesXML
	for _, id := range ids {
		inst := r.byID[id]
		change := stateChangeXML{InstanceID: id, PreviousState: instanceStateXML{instanceStates[inst.State], inst.State}}
		current := "terminated"
		if inst.State != "terminated" {
			current = "shutting-down"
			inst.end("terminated", c.Now, c.callerKeyID())
			s.respawn(r, inst, c.Now)
			s.relaunch(r, inst, c.Now)
		}
		change.CurrentState = instanceStateXML{instanceStates[current], current}
		out.Instances = append(out.Instances, change)
	}
	return out, nil
}

// respawn is what a spot request does when its instance goes away: a persistent request that is
// still active launches a replacement at once; a one-time request closes.
func (s *Server) respawn(r *ec2Region, gone *instance, now time.Time) {
	sr, ok := r.spotByID[gone.SpotRequest]
	if !ok || sr.State != "active" || sr.InstanceID != gone.ID {
		return
	}
	if sr.Type != "persistent" {
		sr.State, sr.StatusCode, sr.InstanceID = "closed", "instance-terminated-by-user", ""
		return
	}
	sr.fulfil(r.launch(s, sr.launch, now, "running", "", s.ids.hex("r-", 17)))
}

// isSpotID reports whether id looks like a spot instance request id.
func isSpotID(id string) bool { return strings.HasPrefix(id, "sir-") }
