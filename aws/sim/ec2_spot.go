package sim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) registerEC2Spot() {
	s.handle("ec2", "DescribeSpotInstanceRequests", false, s.describeSpotRequests)
	s.handle("ec2", "CancelSpotInstanceRequests", true, s.cancelSpotRequests)
	s.handle("ec2", "DescribeKeyPairs", false, s.describeKeyPairs)
	s.handle("ec2", "CreateKeyPair", true, s.createKeyPair)
}

// describeSpotRequests pages like DescribeInstances and supports the state, instance-id and
// spot-instance-request-id filters.
func (s *Server) describeSpotRequests(c *Call) (any, error) {
	ids := listParam(c.Params, "SpotInstanceRequestId")
	size, err := pageSize(c.Params, false)
	if err != nil {
		return nil, err
	}
	start, err := pageStart(c.Params.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	filters := filterParams(c.Params)
	for name := range filters {
		if name != "state" && name != "instance-id" && name != "spot-instance-request-id" {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	r := s.ec2.region(c.Region)
	if err := r.spotMustExist(ids); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var out describeSpotXML
	for i := start; i < len(r.spot); i++ {
		sr := r.spot[i]
		if !spotMatches(sr, ids, filters) {
			continue
		}
		if len(out.Requests) == size {
			out.NextToken = "page-" + strconv.Itoa(i)
			break
		}
		out.Requests = append(out.Requests, spotXML(sr, r.name+"a"))
	}
	return out, nil
}

func spotMatches(sr *spotRequest, ids []string, filters map[string][]string) bool {
	if len(ids) > 0 && !contains(ids, sr.ID) {
		return false
	}
	if v, ok := filters["state"]; ok && !contains(v, sr.State) {
		return false
	}
	if v, ok := filters["instance-id"]; ok && !contains(v, sr.InstanceID) {
		return false
	}
	if v, ok := filters["spot-instance-request-id"]; ok && !contains(v, sr.ID) {
		return false
	}
	return true
}

func (r *ec2Region) spotMustExist(ids []string) *APIError {
	for _, id := range ids {
		if !isSpotID(id) {
			return Errorf(http.StatusBadRequest, "InvalidSpotInstanceRequestID.Malformed", "Invalid id: \"%s\"", id)
		}
		if _, ok := r.spotByID[id]; !ok {
			return Errorf(http.StatusBadRequest, "InvalidSpotInstanceRequestID.NotFound", "The spot instance request ID '%s' does not exist", id)
		}
	}
	return nil
}

// cancelSpotRequests cancels requests and leaves their instances running, as AWS does; cancelling
// a cancelled request succeeds again.
func (s *Server) cancelSpotRequests(c *Call) (any, error) {
	ids := listParam(c.Params, "SpotInstanceRequestId")
	if len(ids) == 0 {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter SpotInstanceRequestId")
	}
	r := s.ec2.region(c.Region)
	if err := r.spotMustExist(ids); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var out cancelSpotXML
	for _, id := range ids {
		sr := r.spotByID[id]
		if sr.State == "open" || sr.State == "active" {
			sr.StatusCode = "request-canceled-and-instance-running"
			if sr.InstanceID == "" {
				sr.StatusCode = "canceled-before-fulfillment"
			}
			sr.State = "cancelled"
		}
		out.Requests = append(out.Requests, cancelledSpotXML{ID: id, State: sr.State})
	}
	return out, nil
}

// describeKeyPairs lists the region's key pairs; EC2 does not page this call.
func (s *Server) describeKeyPairs(c *Call) (any, error) {
	names := listParam(c.Params, "KeyName")
	filters := filterParams(c.Params)
	for name := range filters {
		if name != "key-name" {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	r := s.ec2.region(c.Region)
	for _, n := range names {
		if r.keyPair(n) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", n)
		}
	}
	ids := listParam(c.Params, "KeyPairId")
	for _, id := range ids {
		if !slices.ContainsFunc(r.keyPairs, func(k *keyPair) bool { return k.ID == id }) {
			return nil, Errorf(http.StatusBadRequest, "InvalidKeyPair.NotFound", "The key pair ID '%s' does not exist", id)
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var out describeKeyPairsXML
	for _, k := range r.keyPairs {
		if (len(names) > 0 && !contains(names, k.Name)) || (len(ids) > 0 && !contains(ids, k.ID)) || (filters["key-name"] != nil && !contains(filters["key-name"], k.Name)) {
			continue
		}
		out.Keys = append(out.Keys, keyPairXML{ID: k.ID, Name: k.Name, Fingerprint: k.Fingerprint, Type: "rsa", CreateTime: awsTime(k.Created)})
	}
	return out, nil
}

// createKeyPair lets the attacker bring their own key, as a real intruder would.
func (s *Server) createKeyPair(c *Call) (any, error) {
	name := c.Params.Get("KeyName")
	if name == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter KeyName")
	}
	r := s.ec2.region(c.Region)
	if r.keyPair(name) != nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	k := r.addKeyPair(s, name, c.Now)
	material := "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("SIMULATED", 8) + "\n-----END RSA PRIVATE KEY-----"
	return createKeyPairXML{Name: k.Name, Fingerprint: k.Fingerprint, Material: material, ID: k.ID}, nil
}
