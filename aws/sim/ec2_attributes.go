package sim

import (
	"net/http"
	"strconv"
)

// attributeValue is EC2's <attr><value>…</value></attr> shape.
type attributeValue struct {
	Value string `xml:"value"`
}

type instanceAttributeXML struct {
	InstanceID                        string          `xml:"instanceId"`
	DisableAPITermination             *attributeValue `xml:"disableApiTermination,omitempty"`
	DisableAPIStop                    *attributeValue `xml:"disableApiStop,omitempty"`
	InstanceType                      *attributeValue `xml:"instanceType,omitempty"`
	InstanceInitiatedShutdownBehavior *attributeValue `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	SourceDestCheck                   *attributeValue `xml:"sourceDestCheck,omitempty"`
	EbsOptimized                      *attributeValue `xml:"ebsOptimized,omitempty"`
	RootDeviceName                    *attributeValue `xml:"rootDeviceName,omitempty"`
	UserData                          *userDataXML    `xml:"userData,omitempty"`
}

// userDataXML is an instance's user data, base64; EC2 sends an empty element when it has none.
type userDataXML struct {
	Value string `xml:"value,omitempty"`
}

// describeInstanceAttribute answers for one attribute of one instance, as EC2 does; the ones the
// simulator does not model read as a fresh instance's.
func (s *Server) describeInstanceAttribute(c *Call) (any, error) {
	id, attr := c.Params.Get("InstanceId"), c.Params.Get("Attribute")
	if id == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter InstanceId")
	}
	if attr == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter attribute")
	}
	r := s.ec2.region(c.Region)
	if err := r.mustExist([]string{id}); err != nil {
		return nil, err
	}
	inst := r.byID[id]
	out := instanceAttributeXML{InstanceID: id}
	v := func(s string) *attributeValue { return &attributeValue{Value: s} }
	switch attr {
	case "disableApiTermination":
		out.DisableAPITermination = v(strconv.FormatBool(inst.Protected))
	case "disableApiStop":
		out.DisableAPIStop = v("false")
	case "instanceType":
		out.InstanceType = v(inst.Type)
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = v("stop")
	case "sourceDestCheck":
		out.SourceDestCheck = v("true")
	case "ebsOptimized":
		out.EbsOptimized = v("false")
	case "rootDeviceName":
		out.RootDeviceName = v("/dev/xvda")
	case "userData":
		out.UserData = &userDataXML{Value: inst.UserData}
	default:
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	return out, nil
}
