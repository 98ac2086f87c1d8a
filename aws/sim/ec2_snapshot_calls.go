package sim

import (
	"net/http"
	"slices"
	"strconv"
)

func (s *Server) registerSnapshots() {
	s.handle("ec2", "DescribeSnapshots", false, s.describeSnapshots)
	s.handle("ec2", "DescribeSnapshotAttribute", false, s.describeSnapshotAttribute)
	s.handle("ec2", "ModifySnapshotAttribute", true, s.modifySnapshotAttribute)
	s.handle("ec2", "DescribeImages", false, s.describeImages)
	s.handle("ec2", "DescribeImageAttribute", false, s.describeImageAttribute)
	s.handle("ec2", "ModifyImageAttribute", true, s.modifyImageAttribute)
}

type permissionXML struct {
	UserID string `xml:"userId,omitempty"`
	Group  string `xml:"group,omitempty"`
}

func permissionsXML(shares []string) []permissionXML {
	out := []permissionXML{}
	for _, who := range shares {
		if who == "all" {
			out = append(out, permissionXML{Group: who})
		} else {
			out = append(out, permissionXML{UserID: who})
		}
	}
	return out
}

type snapshotXML struct {
	ID          string `xml:"snapshotId"`
	VolumeID    string `xml:"volumeId"`
	Status      string `xml:"status"`
	StartTime   string `xml:"startTime"`
	Progress    string `xml:"progress"`
	OwnerID     string `xml:"ownerId"`
	VolumeSize  int    `xml:"volumeSize"`
	Description string `xml:"description"`
	Encrypted   bool   `xml:"encrypted"`
	StorageTier string `xml:"storageTier"`
}

type describeSnapshotsXML struct {
	Snapshots []snapshotXML `xml:"snapshotSet>item"`
	NextToken string        `xml:"nextToken,omitempty"`
}

type snapshotAttributeXML struct {
	SnapshotID  string          `xml:"snapshotId"`
	Permissions []permissionXML `xml:"createVolumePermission>item"`
}

type imageXML struct {
	ID             string `xml:"imageId"`
	Location       string `xml:"imageLocation"`
	State          string `xml:"imageState"`
	OwnerID        string `xml:"imageOwnerId"`
	CreationDate   string `xml:"creationDate"`
	Public         bool   `xml:"isPublic"`
	Architecture   string `xml:"architecture"`
	Type           string `xml:"imageType"`
	Name           string `xml:"name"`
	Description    string `xml:"description,omitempty"`
	RootDeviceType string `xml:"rootDeviceType"`
	RootDeviceName string `xml:"rootDeviceName"`
	Virtualization string `xml:"virtualizationType"`
	Hypervisor     string `xml:"hypervisor"`
}

type describeImagesXML struct {
	Images    []imageXML `xml:"imagesSet>item"`
	NextToken string     `xml:"nextToken,omitempty"`
}

type imageAttributeXML struct {
	ImageID     string          `xml:"imageId"`
	Permissions []permissionXML `xml:"launchPermission>item"`
	Description *attributeValue `xml:"description,omitempty"`
}

// sharesChanged answers a Modify*Attribute that changed who may use a snapshot or an AMI; its
// CloudTrail record names what was added and removed.
type sharesChanged struct {
	resource, attribute string
	change              permissionChange
}

// ownedBy reports whether an Owner.N (or owner-id filter) list names this account.
func (s *Server) ownedBy(owners []string) bool {
	return len(owners) == 0 || slices.Contains(owners, "self") || slices.Contains(owners, s.Account())
}

// restorableBy reports whether every account in who may use something shared with shares: the
// owner always, others when named, anyone when it is public.
func (s *Server) restorableBy(who, shares []string) bool {
	for _, w := range who {
		if w != "self" && w != s.Account() && !slices.Contains(shares, w) && !slices.Contains(shares, "all") {
			return false
		}
	}
	return true
}

func (s *Server) describeSnapshots(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	ids := listParam(c.Params, "SnapshotId")
	for _, id := range ids {
		if r.snapshot(id) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
		}
	}
	filters := filterParams(c.Params)
	for name := range filters {
		if !slices.Contains([]string{"snapshot-id", "volume-id", "status", "owner-id", "encrypted"}, name) {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	var match []*snapshot
	if s.ownedBy(listParam(c.Params, "Owner")) && s.ownedBy(filters["owner-id"]) {
		for _, sn := range r.snapshots {
			ok := (len(ids) == 0 || slices.Contains(ids, sn.ID)) && s.restorableBy(listParam(c.Params, "RestorableBy"), sn.shares)
			for name, v := range filters {
				switch name {
				case "snapshot-id":
					ok = ok && contains(v, sn.ID)
				case "volume-id":
					ok = ok && contains(v, sn.VolumeID)
				case "status":
					ok = ok && contains(v, "completed")
				case "encrypted":
					ok = ok && contains(v, strconv.FormatBool(sn.Encrypted))
				}
			}
			if ok {
				match = append(match, sn)
			}
		}
	}
	start, end, next, err := pageOf(c.Params, len(match), len(ids) > 0, "snapshotIds")
	if err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := describeSnapshotsXML{NextToken: next}
	for _, sn := range match[start:end] {
		out.Snapshots = append(out.Snapshots, snapshotXML{ID: sn.ID, VolumeID: sn.VolumeID, Status: "completed", StartTime: awsTime(sn.Created),
			Progress: "100%", OwnerID: s.Account(), VolumeSize: sn.Size, Description: sn.Description, Encrypted: sn.Encrypted, StorageTier: "standard"})
	}
	return out, nil
}

// snapshotFor finds the snapshot a call names, as EC2 refuses an unknown or missing one.
func (r *ec2Region) snapshotFor(c *Call) (*snapshot, error) {
	id := c.Params.Get("SnapshotId")
	if id == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter snapshotId")
	}
	if sn := r.snapshot(id); sn != nil {
		return sn, nil
	}
	return nil, Errorf(http.StatusBadRequest, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
}

func (s *Server) describeSnapshotAttribute(c *Call) (any, error) {
	sn, err := s.ec2.region(c.Region).snapshotFor(c)
	if err != nil {
		return nil, err
	}
	out := snapshotAttributeXML{SnapshotID: sn.ID}
	switch attr := c.Params.Get("Attribute"); attr {
	case "createVolumePermission":
		out.Permissions = permissionsXML(sn.shares)
	case "productCodes":
	default:
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Valid values are createVolumePermission and productCodes.", attr)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	return out, nil
}

func (s *Server) modifySnapshotAttribute(c *Call) (any, error) {
	sn, err := s.ec2.region(c.Region).snapshotFor(c)
	if err != nil {
		return nil, err
	}
	ch, err := permissionChangeParams(c.Params, "createVolumePermission", "CreateVolumePermission")
	if err != nil {
		return nil, err
	}
	if sn.Encrypted && slices.Contains(ch.Add, "all") {
		return nil, Errorf(http.StatusBadRequest, "OperationNotPermitted", "Encrypted snapshots cannot be made public.")
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	sn.shares = ch.apply(sn.shares)
	return sharesChanged{resource: sn.ID, attribute: "createVolumePermission", change: ch}, nil
}

func (s *Server) describeImages(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	ids := listParam(c.Params, "ImageId")
	for _, id := range ids {
		if r.image(id) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
		}
	}
	filters := filterParams(c.Params)
	for name := range filters {
		if !slices.Contains([]string{"image-id", "is-public", "name", "owner-id", "state"}, name) {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	var match []*image
	if s.ownedBy(listParam(c.Params, "Owner")) && s.ownedBy(filters["owner-id"]) {
		for _, img := range r.images {
			ok := (len(ids) == 0 || slices.Contains(ids, img.ID)) && s.restorableBy(listParam(c.Params, "ExecutableBy"), img.shares)
			for name, v := range filters {
				switch name {
				case "image-id":
					ok = ok && contains(v, img.ID)
				case "is-public":
					ok = ok && contains(v, strconv.FormatBool(slices.Contains(img.shares, "all")))
				case "name":
					ok = ok && contains(v, img.Name)
				case "state":
					ok = ok && contains(v, "available")
				}
			}
			if ok {
				match = append(match, img)
			}
		}
	}
	start, end, next, err := pageOf(c.Params, len(match), len(ids) > 0, "imageIds")
	if err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := describeImagesXML{NextToken: next}
	for _, img := range match[start:end] {
		out.Images = append(out.Images, imageXML{ID: img.ID, Location: s.Account() + "/" + img.Name, State: "available", OwnerID: s.Account(),
			CreationDate: awsTime(img.Created), Public: slices.Contains(img.shares, "all"), Architecture: "x86_64", Type: "machine",
			Name: img.Name, Description: img.Description, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", Virtualization: "hvm", Hypervisor: "xen"})
	}
	return out, nil
}

func (r *ec2Region) imageFor(c *Call) (*image, error) {
	id := c.Params.Get("ImageId")
	if id == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter imageId")
	}
	if img := r.image(id); img != nil {
		return img, nil
	}
	return nil, Errorf(http.StatusBadRequest, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
}

func (s *Server) describeImageAttribute(c *Call) (any, error) {
	img, err := s.ec2.region(c.Region).imageFor(c)
	if err != nil {
		return nil, err
	}
	out := imageAttributeXML{ImageID: img.ID}
	switch attr := c.Params.Get("Attribute"); attr {
	case "launchPermission":
		out.Permissions = permissionsXML(img.shares)
	case "description":
		out.Description = &attributeValue{Value: img.Description}
	default:
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	return out, nil
}

func (s *Server) modifyImageAttribute(c *Call) (any, error) {
	img, err := s.ec2.region(c.Region).imageFor(c)
	if err != nil {
		return nil, err
	}
	if v := c.Params.Get("Description.Value"); v != "" || c.Params.Get("Attribute") == "description" {
		if v == "" {
			v = c.Params.Get("Value")
		}
		if c.DryRun() {
			return nil, dryRunOK()
		}
		img.Description = v
		return struct{}{}, nil
	}
	ch, err := permissionChangeParams(c.Params, "launchPermission", "LaunchPermission")
	if err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	img.shares = ch.apply(img.shares)
	return sharesChanged{resource: img.ID, attribute: "launchPermission", change: ch}, nil
}
