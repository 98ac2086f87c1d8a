package sim

import (
	"net/http"
	"slices"
	"time"
)

func (s *Server) registerIAMKeys() {
	s.handle("iam", "ListAccessKeys", false, s.listAccessKeys)
	s.handle("iam", "CreateAccessKey", true, s.createAccessKey)
	s.handle("iam", "UpdateAccessKey", true, s.updateAccessKey)
	s.handle("iam", "DeleteAccessKey", true, s.deleteAccessKey)
	s.handle("iam", "GetAccessKeyLastUsed", false, s.getAccessKeyLastUsed)
}

// userOrCaller returns the named user, or the caller's own user when no name is given, as the
// key operations do in IAM.
func (s *Server) userOrCaller(c *Call) (*iamUser, error) {
	if name := c.Params.Get("UserName"); name != "" {
		return s.iam.user(name)
	}
	if c.Caller.User == nil {
		return nil, errNotUser
	}
	return c.Caller.User, nil
}

type keyMetadataXML struct {
	UserName    string    `xml:"UserName"`
	AccessKeyID string    `xml:"AccessKeyId"`
	Status      string    `xml:"Status"`
	CreateDate  time.Time `xml:"CreateDate"`
}

type listAccessKeysResult struct {
	AccessKeyMetadata []keyMetadataXML `xml:"AccessKeyMetadata>member"`
	page
}

func (s *Server) listAccessKeys(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	keys, pg, err := paginate(c, slices.Clone(u.Keys), func(k *accessKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	out := listAccessKeysResult{page: pg}
	for _, k := range keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, keyMetadataXML{UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, CreateDate: k.Created})
	}
	return out, nil
}

type createAccessKeyResult struct {
	AccessKey struct {
		UserName        string    `xml:"UserName"`
		AccessKeyID     string    `xml:"AccessKeyId"`
		Status          string    `xml:"Status"`
		SecretAccessKey string    `xml:"SecretAccessKey"`
		CreateDate      time.Time `xml:"CreateDate"`
	} `xml:"AccessKey"`
}

func (s *Server) createAccessKey(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	if len(u.Keys) >= maxKeysPerUser {
		return nil, Errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	k, err := s.iam.addKey(s, u, KeySpec{Created: When(c.Now.Format(time.RFC3339))})
	if err != nil {
		return nil, err
	}
	k.Created = c.Now
	var out createAccessKeyResult
	out.AccessKey.UserName, out.AccessKey.AccessKeyID, out.AccessKey.Status = u.Name, k.ID, k.Status
	out.AccessKey.SecretAccessKey, out.AccessKey.CreateDate = k.Secret, k.Created
	return out, nil
}

func (s *Server) userKey(c *Call) (*iamUser, *accessKey, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, nil, err
	}
	id := c.Params.Get("AccessKeyId")
	for _, k := range u.Keys {
		if k.ID == id {
			return u, k, nil
		}
	}
	return nil, nil, Errorf(http.StatusNotFound, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
}

func (s *Server) updateAccessKey(c *Call) (any, error) {
	_, k, err := s.userKey(c)
	if err != nil {
		return nil, err
	}
	status := c.Params.Get("Status")
	if status != statusActive && status != statusInactive {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	k.Status = status
	return nil, nil
}

func (s *Server) deleteAccessKey(c *Call) (any, error) {
	u, k, err := s.userKey(c)
	if err != nil {
		return nil, err
	}
	u.Keys = slices.DeleteFunc(u.Keys, func(x *accessKey) bool { return x == k })
	delete(s.iam.keys, k.ID)
	return nil, nil
}

type lastUsedResult struct {
	UserName          string `xml:"UserName"`
	AccessKeyLastUsed struct {
		LastUsedDate *time.Time `xml:"LastUsedDate,omitempty"`
		ServiceName  string     `xml:"ServiceName"`
		Region       string     `xml:"Region"`
	} `xml:"AccessKeyLastUsed"`
}

// getAccessKeyLastUsed answers for any key in the account, as AWS does; a key never used reads
// "N/A" for service and region.
func (s *Server) getAccessKeyLastUsed(c *Call) (any, error) {
	id := c.Params.Get("AccessKeyId")
	k, ok := s.iam.keys[id]
	if !ok {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
	}
	var out lastUsedResult
	out.UserName = k.User
	out.AccessKeyLastUsed.ServiceName, out.AccessKeyLastUsed.Region = "N/A", "N/A"
	if k.LastUsed != nil {
		t := k.LastUsed.Time
		out.AccessKeyLastUsed.LastUsedDate = &t
		out.AccessKeyLastUsed.ServiceName, out.AccessKeyLastUsed.Region = k.LastUsed.Service, k.LastUsed.Region
	}
	return out, nil
}
