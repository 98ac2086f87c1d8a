package sim

import (
	"net/http"
	"slices"
	"time"
)

// The credentials other than access keys: console password, MFA devices, signing certificates,
// SSH public keys and service-specific credentials. Each blocks DeleteUser until removed.
func (s *Server) registerIAMCredentials() {
	s.handle("iam", "GetLoginProfile", false, s.getLoginProfile)
	s.handle("iam", "CreateLoginProfile", true, s.createLoginProfile)
	s.handle("iam", "DeleteLoginProfile", true, s.deleteLoginProfile)
	s.handle("iam", "ListMFADevices", false, s.listMFADevices)
	s.handle("iam", "DeactivateMFADevice", true, s.deactivateMFADevice)
	s.handle("iam", "DeleteVirtualMFADevice", true, s.deleteVirtualMFADevice)
	s.handle("iam", "ListSigningCertificates", false, s.listSigningCertificates)
	s.handle("iam", "DeleteSigningCertificate", true, s.deleteSigningCertificate)
	s.handle("iam", "ListSSHPublicKeys", false, s.listSSHPublicKeys)
	s.handle("iam", "DeleteSSHPublicKey", true, s.deleteSSHPublicKey)
	s.handle("iam", "ListServiceSpecificCredentials", false, s.listServiceSpecificCredentials)
	s.handle("iam", "DeleteServiceSpecificCredential", true, s.deleteServiceSpecificCredential)
}

type loginProfileResult struct {
	LoginProfile struct {
		UserName              string    `xml:"UserName"`
		CreateDate            time.Time `xml:"CreateDate"`
		PasswordResetRequired bool      `xml:"PasswordResetRequired"`
	} `xml:"LoginProfile"`
}

func (s *Server) getLoginProfile(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Login Profile for User %s cannot be found.", u.Name)
	}
	var out loginProfileResult
	out.LoginProfile.UserName, out.LoginProfile.CreateDate = u.Name, *u.Login
	out.LoginProfile.PasswordResetRequired = u.PasswordResetRequired
	return out, nil
}

func (s *Server) createLoginProfile(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	if u.Login != nil {
		return nil, Errorf(http.StatusConflict, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.Name)
	}
	now := c.Now
	u.Login = &now
	u.PasswordResetRequired = c.Params.Get("PasswordResetRequired") == "true"
	var out loginProfileResult
	out.LoginProfile.UserName, out.LoginProfile.CreateDate = u.Name, now
	return out, nil
}

func (s *Server) deleteLoginProfile(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Login Profile for User %s cannot be found.", u.Name)
	}
	u.Login, u.PasswordResetRequired = nil, false
	return nil, nil
}

type mfaXML struct {
	UserName     string    `xml:"UserName"`
	SerialNumber string    `xml:"SerialNumber"`
	EnableDate   time.Time `xml:"EnableDate"`
}

type listMFAResult struct {
	MFADevices []mfaXML `xml:"MFADevices>member"`
	page
}

func (s *Server) listMFADevices(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	devs, pg, err := paginate(c, slices.Clone(u.MFA), func(d *mfaDevice) string { return d.Serial })
	if err != nil {
		return nil, err
	}
	out := listMFAResult{page: pg}
	for _, d := range devs {
		out.MFADevices = append(out.MFADevices, mfaXML{UserName: u.Name, SerialNumber: d.Serial, EnableDate: d.Enabled})
	}
	return out, nil
}

// deactivateMFADevice unassigns the device; a virtual device lives on until deleted.
func (s *Server) deactivateMFADevice(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	serial := c.Params.Get("SerialNumber")
	i := slices.IndexFunc(u.MFA, func(d *mfaDevice) bool { return d.Serial == serial })
	if i < 0 {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "MFA Device with serial number %s not found for user %s.", serial, u.Name)
	}
	d := u.MFA[i]
	d.User = ""
	s.iam.virtualMFA[d.Serial] = d
	u.MFA = slices.Delete(u.MFA, i, i+1)
	return nil, nil
}

func (s *Server) deleteVirtualMFADevice(c *Call) (any, error) {
	serial := c.Params.Get("SerialNumber")
	for _, u := range s.iam.users {
		if slices.ContainsFunc(u.MFA, func(d *mfaDevice) bool { return d.Serial == serial }) {
			return nil, Errorf(http.StatusConflict, "DeleteConflict", "MFA device is still in use by user %s.", u.Name)
		}
	}
	if _, ok := s.iam.virtualMFA[serial]; !ok {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	delete(s.iam.virtualMFA, serial)
	return nil, nil
}

type certificateXML struct {
	UserName        string    `xml:"UserName"`
	CertificateID   string    `xml:"CertificateId"`
	CertificateBody string    `xml:"CertificateBody"`
	Status          string    `xml:"Status"`
	UploadDate      time.Time `xml:"UploadDate"`
}

type listCertificatesResult struct {
	Certificates []certificateXML `xml:"Certificates>member"`
	page
}

func (s *Server) listSigningCertificates(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	certs, pg, err := paginate(c, slices.Clone(u.Certs), func(x *uploaded) string { return x.ID })
	if err != nil {
		return nil, err
	}
	out := listCertificatesResult{page: pg}
	for _, x := range certs {
		out.Certificates = append(out.Certificates, certificateXML{UserName: u.Name, CertificateID: x.ID,
			CertificateBody: "-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----", Status: x.Status, UploadDate: x.Uploaded})
	}
	return out, nil
}

func (s *Server) deleteSigningCertificate(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	return nil, removeUploaded(&u.Certs, c.Params.Get("CertificateId"), "The Certificate with id %s cannot be found.")
}

type sshKeyXML struct {
	UserName       string    `xml:"UserName"`
	SSHPublicKeyID string    `xml:"SSHPublicKeyId"`
	Status         string    `xml:"Status"`
	UploadDate     time.Time `xml:"UploadDate"`
}

type listSSHKeysResult struct {
	SSHPublicKeys []sshKeyXML `xml:"SSHPublicKeys>member"`
	page
}

func (s *Server) listSSHPublicKeys(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	keys, pg, err := paginate(c, slices.Clone(u.SSHKeys), func(x *uploaded) string { return x.ID })
	if err != nil {
		return nil, err
	}
	out := listSSHKeysResult{page: pg}
	for _, x := range keys {
		out.SSHPublicKeys = append(out.SSHPublicKeys, sshKeyXML{UserName: u.Name, SSHPublicKeyID: x.ID, Status: x.Status, UploadDate: x.Uploaded})
	}
	return out, nil
}

func (s *Server) deleteSSHPublicKey(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	return nil, removeUploaded(&u.SSHKeys, c.Params.Get("SSHPublicKeyId"), "The Public Key with id %s cannot be found.")
}

func removeUploaded(list *[]*uploaded, id, notFound string) error {
	i := slices.IndexFunc(*list, func(x *uploaded) bool { return x.ID == id })
	if i < 0 {
		return Errorf(http.StatusNotFound, "NoSuchEntity", notFound, id)
	}
	*list = slices.Delete(*list, i, i+1)
	return nil
}

type serviceCredXML struct {
	UserName                    string    `xml:"UserName"`
	Status                      string    `xml:"Status"`
	ServiceUserName             string    `xml:"ServiceUserName"`
	CreateDate                  time.Time `xml:"CreateDate"`
	ServiceSpecificCredentialID string    `xml:"ServiceSpecificCredentialId"`
	ServiceName                 string    `xml:"ServiceName"`
}

type listServiceCredsResult struct {
	ServiceSpecificCredentials []serviceCredXML `xml:"ServiceSpecificCredentials>member"`
	page
}

func (s *Server) listServiceSpecificCredentials(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	creds, pg, err := paginate(c, slices.Clone(u.ServiceCreds), func(x *serviceCred) string { return x.ID })
	if err != nil {
		return nil, err
	}
	out := listServiceCredsResult{page: pg}
	for _, x := range creds {
		out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, serviceCredXML{UserName: u.Name, Status: x.Status,
			ServiceUserName: x.ServiceUser, CreateDate: x.Created, ServiceSpecificCredentialID: x.ID, ServiceName: x.Service})
	}
	return out, nil
}

func (s *Server) deleteServiceSpecificCredential(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	id := c.Params.Get("ServiceSpecificCredentialId")
	i := slices.IndexFunc(u.ServiceCreds, func(x *serviceCred) bool { return x.ID == id })
	if i < 0 {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "No such credential %s exists.", id)
	}
	u.ServiceCreds = slices.Delete(u.ServiceCreds, i, i+1)
	return nil, nil
}
