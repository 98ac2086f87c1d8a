package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// Launch templates, spot fleet requests and EC2 fleets, as strict as EC2: unknown ids fail a
// describe, DryRun is honoured, and every list pages.

type launchTemplateXML struct {
	ID      string `xml:"launchTemplateId"`
	Name    string `xml:"launchTemplateName"`
	Created string `xml:"createTime"`
	Default int    `xml:"defaultVersionNumber"`
	Latest  int    `xml:"latestVersionNumber"`
}

type describeTemplatesXML struct {
	Templates []launchTemplateXML `xml:"launchTemplates>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type deleteTemplateXML struct {
	Template launchTemplateXML `xml:"launchTemplate"`
}

func templateXML(t *launchTemplate) launchTemplateXML {
	return launchTemplateXML{ID: t.ID, Name: t.Name, Created: awsTime(t.Created), Default: 1, Latest: 1}
}

func (s *Server) describeTemplates(c *Call) (any, error) {
	ids, names := listParam(c.Params, "LaunchTemplateId"), listParam(c.Params, "LaunchTemplateName")
	size, start, err := ec2Page(c)
	if err != nil {
		return nil, err
	}
	r := s.ec2.region(c.Region)
	for _, id := range ids {
		if _, apiErr := r.templateByID(id); apiErr != nil {
			return nil, apiErr
		}
	}
	for _, n := range names {
		if r.templateNamed(n) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var out describeTemplatesXML
	for i := start; i < len(r.templates); i++ {
		t := r.templates[i]
		if t.deleted || (len(ids) > 0 && !contains(ids, t.ID)) || (len(names) > 0 && !contains(names, t.Name)) {
			continue
		}
		if len(out.Templates) == size {
			out.NextToken = "page-" + strconv.Itoa(i)
			break
		}
		out.Templates = append(out.Templates, templateXML(t))
	}
	return out, nil
}

func (r *ec2Region) templateByID(id string) (*launchTemplate, *APIError) {
	if !strings.HasPrefix(id, "lt-") {
		return nil, Errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template (%s) is malformed.", id)
	}
	for _, t := range r.templates {
		if t.ID == id && !t.deleted {
			return t, nil
		}
	}
	return nil, Errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
}

// deleteTemplate deletes by id or by name. AWS lets a template a group uses be deleted; the group
// then fails to launch, which is why lockdown deletes the group first.
func (s *Server) deleteTemplate(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	var t *launchTemplate
	switch id, name := c.Params.Get("LaunchTemplateId"), c.Params.Get("LaunchTemplateName"); {
	case id != "":
		var apiErr *APIError
		if t, apiErr = r.templateByID(id); apiErr != nil {
			return nil, apiErr
		}
	case name != "":
		if t = r.templateNamed(name); t == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
		}
	default:
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must include either the LaunchTemplateId or LaunchTemplateName parameter.")
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	t.deleted = true
	return deleteTemplateXML{Template: templateXML(t)}, nil
}

// fleetAPI names the parts of the two fleet APIs that differ.
type fleetAPI struct {
	idParam, idPrefix, notFound, missingCode, stateDone, stateRunning string
}

var fleetAPIs = map[string]fleetAPI{
	spotFleetTag: {idParam: "SpotFleetRequestId", idPrefix: "sfr-", notFound: "InvalidSpotFleetRequestId.NotFound",
		missingCode: "fleetRequestIdDoesNotExist", stateDone: "cancelled", stateRunning: "cancelled_running"},
	ec2FleetTag: {idParam: "FleetId", idPrefix: "fleet-", notFound: "InvalidFleetId.NotFound",
		missingCode: "fleetIdDoesNotExist", stateDone: "deleted", stateRunning: "deleted_running"},
}

type spotFleetConfigXML struct {
	Target int    `xml:"targetCapacity"`
	Type   string `xml:"type"`
	Role   string `xml:"iamFleetRole"`
}

type spotFleetXML struct {
	ID       string             `xml:"spotFleetRequestId"`
	State    string             `xml:"spotFleetRequestState"`
	Created  string             `xml:"createTime"`
	Activity string             `xml:"activityStatus"`
	Config   spotFleetConfigXML `xml:"spotFleetRequestConfig"`
}

type ec2FleetXML struct {
	ID      string `xml:"fleetId"`
	State   string `xml:"fleetState"`
	Created string `xml:"createTime"`
	Type    string `xml:"type"`
	Target  int    `xml:"targetCapacitySpecification>totalTargetCapacity"`
}

type describeSpotFleetsXML struct {
	Fleets    []spotFleetXML `xml:"spotFleetRequestConfigSet>item"`
	NextToken string         `xml:"nextToken,omitempty"`
}

type describeEC2FleetsXML struct {
	Fleets    []ec2FleetXML `xml:"fleetSet>item"`
	NextToken string        `xml:"nextToken,omitempty"`
}

func (s *Server) describeFleets(c *Call, kind string) (any, error) {
	api := fleetAPIs[kind]
	ids := listParam(c.Params, api.idParam)
	size, start, err := ec2Page(c)
	if err != nil {
		return nil, err
	}
	r := s.ec2.region(c.Region)
	for _, id := range ids {
		if f := r.fleetByID(id); f == nil || f.Kind != kind {
			return nil, Errorf(http.StatusBadRequest, api.notFound, "The fleet request ID '%s' does not exist", id)
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	var spot describeSpotFleetsXML
	var fleets describeEC2FleetsXML
	n := 0
	for i := start; i < len(r.fleets); i++ {
		f := r.fleets[i]
		if f.Kind != kind || (len(ids) > 0 && !contains(ids, f.ID)) {
			continue
		}
		if n == size {
			spot.NextToken, fleets.NextToken = "page-"+strconv.Itoa(i), "page-"+strconv.Itoa(i)
			break
		}
		n++
		spot.Fleets = append(spot.Fleets, spotFleetXML{ID: f.ID, State: f.State, Created: awsTime(f.Created), Activity: "fulfilled",
			Config: spotFleetConfigXML{Target: f.Target, Type: f.Type, Role: "arn:aws:iam::" + s.Account() + ":role/aws-ec2-spot-fleet-tagging-role"}})
		fleets.Fleets = append(fleets.Fleets, ec2FleetXML{ID: f.ID, State: f.State, Created: awsTime(f.Created), Type: f.Type, Target: f.Target})
	}
	if kind == spotFleetTag {
		return spot, nil
	}
	return fleets, nil
}

type fleetErrorXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type spotFleetDoneXML struct {
	ID       string `xml:"spotFleetRequestId"`
	Current  string `xml:"currentSpotFleetRequestState"`
	Previous string `xml:"previousSpotFleetRequestState"`
}

type spotFleetFailedXML struct {
	ID    string        `xml:"spotFleetRequestId"`
	Error fleetErrorXML `xml:"error"`
}

type cancelSpotFleetsXML struct {
	Done   []spotFleetDoneXML   `xml:"successfulFleetRequestSet>item"`
	Failed []spotFleetFailedXML `xml:"unsuccessfulFleetRequestSet>item"`
}

type ec2FleetDoneXML struct {
	ID       string `xml:"fleetId"`
	Current  string `xml:"currentFleetState"`
	Previous string `xml:"previousFleetState"`
}

type ec2FleetFailedXML struct {
	ID    string        `xml:"fleetId"`
	Error fleetErrorXML `xml:"error"`
}

type deleteEC2FleetsXML struct {
	Done   []ec2FleetDoneXML   `xml:"successfulFleetDeletionSet>item"`
	Failed []ec2FleetFailedXML `xml:"unsuccessfulFleetDeletionSet>item"`
}

func fleetChangesXML(kind string, done, failed []map[string]string) any {
	if kind == spotFleetTag {
		var out cancelSpotFleetsXML
		for _, d := range done {
			out.Done = append(out.Done, spotFleetDoneXML{ID: d["id"], Current: d["current"], Previous: d["previous"]})
		}
		for _, f := range failed {
			out.Failed = append(out.Failed, spotFleetFailedXML{ID: f["id"], Error: fleetErrorXML{Code: f["code"], Message: f["message"]}})
		}
		return out
	}
	var out deleteEC2FleetsXML
	for _, d := range done {
		out.Done = append(out.Done, ec2FleetDoneXML{ID: d["id"], Current: d["current"], Previous: d["previous"]})
	}
	for _, f := range failed {
		out.Failed = append(out.Failed, ec2FleetFailedXML{ID: f["id"], Error: fleetErrorXML{Code: f["code"], Message: f["message"]}})
	}
	return out
}

// cancelFleets cancels spot fleet requests or deletes EC2 fleets. TerminateInstances is required;
// with it the fleet's instances are terminated at once. A fleet that is unknown or already
// cancelled is answered in the unsuccessful set, not as an error of the call.
func (s *Server) cancelFleets(c *Call, kind string) (any, error) {
	api := fleetAPIs[kind]
	ids := listParam(c.Params, api.idParam)
	if len(ids) == 0 {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s", api.idParam)
	}
	terminate := c.Params.Get("TerminateInstances")
	if terminate == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter TerminateInstances")
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	r := s.ec2.region(c.Region)
	var done, failed []map[string]string
	for _, id := range ids {
		f := r.fleetByID(id)
		switch {
		case f == nil || f.Kind != kind:
			failed = append(failed, map[string]string{"id": id, "code": api.missingCode, "message": "The fleet " + id + " does not exist"})
			continue
		case f.State != "active" && f.State != "submitted" && f.State != "modifying":
			code := strings.Replace(api.missingCode, "DoesNotExist", "NotIn", 1) + "CancellableState"
			failed = append(failed, map[string]string{"id": id, "code": code, "message": "The fleet " + id + " is " + f.State})
			continue
		}
		previous := f.State
		f.State = api.stateRunning
		if terminate == "true" {
			f.State = api.stateDone
			for _, inst := range r.instances {
				if tagValue(inst.Tags, kind) == f.ID && inst.State != "terminated" {
					inst.end("terminated", c.Now, c.callerKeyID())
				}
			}
		}
		done = append(done, map[string]string{"id": id, "current": f.State, "previous": previous})
	}
	return fleetChangesXML(kind, done, failed), nil
}

// ec2Page reads an EC2 list call's MaxResults and NextToken.
func ec2Page(c *Call) (size, start int, err error) {
	if size, err = pageSize(c.Params, false); err != nil {
		return 0, 0, err
	}
	start, err = pageStart(c.Params.Get("NextToken"))
	return size, start, err
}
