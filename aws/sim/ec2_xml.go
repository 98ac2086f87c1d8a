package sim

import (
	"net/http"
	"strings"
	"time"
)

// The EC2 query API's response shapes, element for element, so the real SDK parses them. Lists are
// "xxxSet" elements holding "item"s.

type instanceStateXML struct {
	Code int32  `xml:"code"`
	Name string `xml:"name"`
}

type tagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type instanceXML struct {
	InstanceID            string           `xml:"instanceId"`
	ImageID               string           `xml:"imageId"`
	State                 instanceStateXML `xml:"instanceState"`
	KeyName               string           `xml:"keyName,omitempty"`
	InstanceType          string           `xml:"instanceType"`
	LaunchTime            string           `xml:"launchTime"`
	AvailabilityZone      string           `xml:"placement>availabilityZone"`
	InstanceLifecycle     string           `xml:"instanceLifecycle,omitempty"`
	SpotInstanceRequestID string           `xml:"spotInstanceRequestId,omitempty"`
	Tags                  []tagXML         `xml:"tagSet>item"`
	NetworkInterfaces     []eniXML         `xml:"networkInterfaceSet>item"`
}

// eniXML is an instance's network interface, with its attachment: the primary one (device index
// 0) was attached at the instance's first launch.
type eniXML struct {
	ID         string `xml:"networkInterfaceId"`
	Status     string `xml:"status"`
	Attachment struct {
		ID                  string `xml:"attachmentId"`
		DeviceIndex         int    `xml:"deviceIndex"`
		Status              string `xml:"status"`
		AttachTime          string `xml:"attachTime"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"attachment"`
}

type reservationXML struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Instances     []instanceXML `xml:"instancesSet>item"`
}

type describeInstancesXML struct {
	Reservations []reservationXML `xml:"reservationSet>item"`
	NextToken    string           `xml:"nextToken,omitempty"`
}

type stateChangeXML struct {
	InstanceID    string           `xml:"instanceId"`
	CurrentState  instanceStateXML `xml:"currentState"`
	PreviousState instanceStateXML `xml:"previousState"`
}

type terminateInstancesXML struct {
	Instances []stateChangeXML `xml:"instancesSet>item"`
}

type returnXML struct {
	Return bool `xml:"return"`
}

type spotRequestXML struct {
	ID               string `xml:"spotInstanceRequestId"`
	SpotPrice        string `xml:"spotPrice,omitempty"`
	Type             string `xml:"type,omitempty"`
	State            string `xml:"state"`
	StatusCode       string `xml:"status>code,omitempty"`
	CreateTime       string `xml:"createTime,omitempty"`
	InstanceID       string `xml:"instanceId,omitempty"`
	InstanceType     string `xml:"launchSpecification>instanceType,omitempty"`
	KeyName          string `xml:"launchSpecification>keyName,omitempty"`
	LaunchedZone     string `xml:"launchedAvailabilityZone,omitempty"`
	ProductDescribed string `xml:"productDescription,omitempty"`
}

type describeSpotXML struct {
	Requests  []spotRequestXML `xml:"spotInstanceRequestSet>item"`
	NextToken string           `xml:"nextToken,omitempty"`
}

type cancelledSpotXML struct {
	ID    string `xml:"spotInstanceRequestId"`
	State string `xml:"state"`
}

type cancelSpotXML struct {
	Requests []cancelledSpotXML `xml:"spotInstanceRequestSet>item"`
}

type keyPairXML struct {
	ID          string `xml:"keyPairId"`
	Name        string `xml:"keyName"`
	Fingerprint string `xml:"keyFingerprint"`
	Type        string `xml:"keyType"`
	CreateTime  string `xml:"createTime"`
}

type describeKeyPairsXML struct {
	Keys []keyPairXML `xml:"keySet>item"`
}

type createKeyPairXML struct {
	Name        string `xml:"keyName"`
	Fingerprint string `xml:"keyFingerprint"`
	Material    string `xml:"keyMaterial"`
	ID          string `xml:"keyPairId"`
}

func (s *Server) instanceXML(inst *instance) instanceXML {
	out := instanceXML{
		InstanceID: inst.ID, ImageID: inst.Image, KeyName: inst.KeyName, InstanceType: inst.Type,
		State:            instanceStateXML{Code: instanceStates[inst.State], Name: inst.State},
		LaunchTime:       awsTime(inst.Launched),
		AvailabilityZone: inst.Zone,
		Tags:             make([]tagXML, len(inst.Tags)),
	}
	if inst.SpotRequest != "" {
		out.InstanceLifecycle, out.SpotInstanceRequestID = "spot", inst.SpotRequest
	}
	for i, t := range inst.Tags {
		out.Tags[i] = tagXML(t)
	}
	if inst.State != "terminated" && inst.ENI != "" {
		eni := eniXML{ID: inst.ENI, Status: "in-use"}
		eni.Attachment.ID = strings.Replace(inst.ENI, "eni-", "eni-attach-", 1)
		eni.Attachment.Status, eni.Attachment.AttachTime, eni.Attachment.DeleteOnTermination = "attached", awsTime(inst.Attached), true
		out.NetworkInterfaces = []eniXML{eni}
	}
	return out
}

func spotXML(sr *spotRequest, zone string) spotRequestXML {
	out := spotRequestXML{ID: sr.ID, SpotPrice: "3.060000", Type: sr.Type, State: sr.State, StatusCode: sr.StatusCode,
		CreateTime: awsTime(sr.Created), InstanceID: sr.InstanceID, InstanceType: sr.launch.Type,
		KeyName: sr.launch.KeyName, ProductDescribed: "Linux/UNIX"}
	if sr.InstanceID != "" {
		out.LaunchedZone = zone
	}
	return out
}

// awsTime is the timestamp format EC2 answers with.
func awsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// dryRunOK is how EC2 says a DryRun request had the permissions it needed.
func dryRunOK() *APIError {
	return Errorf(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
}
