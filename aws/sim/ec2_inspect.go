package sim

import "time"

// EC2Instance is a snapshot of one simulated instance, for tests and drill debriefs that need to
// know the truth without going through the API.
type EC2Instance struct {
	ID, Region, Type, State, KeyName, SpotRequest string
	Launched                                      time.Time
	Protected                                     bool
	Tags                                          map[string]string
}

// EC2Instances returns every instance of region (all regions when region is ""), terminated ones
// included, in launch order per region.
func (s *Server) EC2Instances(region string) []EC2Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []EC2Instance
	for _, rs := range s.regions {
		if region != "" && rs.Name != region {
			continue
		}
		r, ok := s.ec2.regions[rs.Name]
		if !ok {
			continue
		}
		for _, inst := range r.instances {
			snap := EC2Instance{ID: inst.ID, Region: rs.Name, Type: inst.Type, State: inst.State, KeyName: inst.KeyName,
				SpotRequest: inst.SpotRequest, Launched: inst.Launched, Protected: inst.Protected, Tags: map[string]string{}}
			for _, t := range inst.Tags {
				snap.Tags[t.Key] = t.Value
			}
			out = append(out, snap)
		}
	}
	return out
}

// SpotRequestState returns the state of a spot request ("active", "cancelled", ...), or "".
func (s *Server) SpotRequestState(region, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.ec2.regions[region]; ok {
		if sr, ok := r.spotByID[id]; ok {
			return sr.State
		}
	}
	return ""
}
