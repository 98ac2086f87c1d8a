package sim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func (s *Server) registerEC2Instances() {
	s.handle("ec2", "DescribeInstances", false, s.describeInstances)
	s.handle("ec2", "RunInstances", true, s.runInstances)
	s.handle("ec2", "TerminateInstances", true, s.terminateInstances)
	s.handle("ec2", "ModifyInstanceAttribute", true, s.modifyInstanceAttribute)
	s.handle("ec2", "DescribeInstanceAttribute", false, s.describeInstanceAttribute)
}

// defaultPage is the page size when a caller sends no MaxResults. AWS may return everything at once
// then; the simulator pages anyway, so a caller that ignores NextToken is caught by the tests.
const defaultPage = 1000

// describeInstances pages by instances, as AWS does, grouping each page into reservations.
func (s *Server) describeInstances(c *Call) (any, error) {
	ids := listParam(c.Params, "InstanceId")
	size, err := pageSize(c.Params, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	start, err := pageStart(c.Params.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	match, err := instanceFilter(filterParams(c.Params))
	if err != nil {
		return nil, err
	}
	r := s.ec2.region(c.Region)
	if err := r.mustExist(ids); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var page []*instance
	out := describeInstancesXML{}
	for i := start; i < len(r.instances); i++ {
		inst := r.instances[i]
		if (len(ids) > 0 && !contains(ids, inst.ID)) || !match(inst) {
			continue
		}
		if len(page) == size {
			out.NextToken = "page-" + strconv.Itoa(i)
			break
		}
		page = append(page, inst)
	}
	out.Reservations = s.reservations(page)
	return out, nil
}

// reservations groups consecutive instances of one reservation, as EC2's reservationSet does.
func (s *Server) reservations(page []*instance) []reservationXML {
	var out []reservationXML
	for _, inst := range page {
		if n := len(out); n == 0 || out[n-1].ReservationID != inst.Reservation {
			out = append(out, reservationXML{ReservationID: inst.Reservation, OwnerID: s.Account()})
		}
		last := &out[len(out)-1]
		last.Instances = append(last.Instances, s.instanceXML(inst))
	}
	return out
}

// pageSize reads MaxResults: EC2 accepts 5 to 1000, and not together with explicit ids.
func pageSize(p map[string][]string, withIDs bool) (int, error) {
	v, ok := p["MaxResults"]
	if !ok || len(v) == 0 {
		return defaultPage, nil
	}
	if withIDs {
		return 0, Errorf(http.StatusBadRequest, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 5 || n > 1000 {
		return 0, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value ( %s ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", v[0])
	}
	return n, nil
}

// pageStart decodes the simulator's NextToken: the index of the first item of the next page.
func pageStart(token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(token, "page-"))
	if err != nil || !strings.HasPrefix(token, "page-") || n < 0 {
		return 0, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid value '%s' for nextToken", token)
	}
	return n, nil
}

// instanceFilter compiles DescribeInstances filters; an unsupported name is refused as EC2 refuses
// an unknown one, so a test never passes on a filter the simulator silently ignored.
func instanceFilter(filters map[string][]string) (func(*instance) bool, error) {
	var checks []func(*instance) bool
	for name, values := range filters {
		values := values
		var check func(*instance) bool
		switch {
		case name == "instance-state-name":
			check = func(i *instance) bool { return contains(values, i.State) }
		case name == "instance-id":
			check = func(i *instance) bool { return contains(values, i.ID) }
		case name == "instance-type":
			check = func(i *instance) bool { return contains(values, i.Type) }
		case name == "key-name":
			check = func(i *instance) bool { return contains(values, i.KeyName) }
		case name == "reservation-id":
			check = func(i *instance) bool { return contains(values, i.Reservation) }
		case name == "tag-key":
			check = func(i *instance) bool { return hasTag(i.Tags, func(t tag) bool { return contains(values, t.Key) }) }
		case strings.HasPrefix(name, "tag:"):
			key := strings.TrimPrefix(name, "tag:")
			check = func(i *instance) bool {
				return hasTag(i.Tags, func(t tag) bool { return t.Key == key && contains(values, t.Value) })
			}
		default:
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		checks = append(checks, check)
	}
	return func(i *instance) bool {
		for _, c := range checks {
			if !c(i) {
				return false
			}
		}
		return true
	}, nil
}

func hasTag(tags []tag, pred func(tag) bool) bool {
	for _, t := range tags {
		if pred(t) {
			return true
		}
	}
	return false
}

func sortTags(tags []tag) { sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key }) }

// mustExist fails the whole call when any id is unknown, naming them as EC2 does.
func (r *ec2Region) mustExist(ids []string) *APIError {
	var missing []string
	for _, id := range ids {
		if !strings.HasPrefix(id, "i-") {
			return Errorf(http.StatusBadRequest, "InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		if _, ok := r.byID[id]; !ok {
			missing = append(missing, id)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return Errorf(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	}
	return Errorf(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
}

// modifyInstanceAttribute supports disableApiTermination (what lockdown changes) and userData
// (what an attacker changes, on a stopped instance), each sent either as Name.Value or as
// Attribute/Value.
func (s *Server) modifyInstanceAttribute(c *Call) (any, error) {
	id := c.Params.Get("InstanceId")
	if id == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter InstanceId")
	}
	value := c.Params.Get("DisableApiTermination.Value")
	userData, setsUserData := c.Params["UserData.Value"]
	if attr := c.Params.Get("Attribute"); attr != "" {
		switch attr {
		case "disableApiTermination":
		case "userData":
			userData, setsUserData = c.Params["Value"], true
		default:
			return nil, Errorf(http.StatusBadRequest, "UnsupportedOperation", "The simulator only modifies disableApiTermination and userData, not %s", attr)
		}
		value = c.Params.Get("Value")
	}
	if setsUserData {
		r := s.ec2.region(c.Region)
		if err := r.mustExist([]string{id}); err != nil {
			return nil, err
		}
		v := ""
		if len(userData) > 0 {
			v = userData[0]
		}
		return modifyUserData(r.byID[id], v, c.DryRun())
	}
	if value != "true" && value != "false" {
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterCombination", "No attribute specified.")
	}
	r := s.ec2.region(c.Region)
	if err := r.mustExist([]string{id}); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	r.byID[id].Protected = value == "true"
	return returnXML{Return: true}, nil
}
