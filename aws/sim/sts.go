package sim

func (s *Server) registerSTS() {
	s.handle("sts", "GetCallerIdentity", false, s.getCallerIdentity)
}

type getCallerIdentityResult struct {
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
}

func (s *Server) getCallerIdentity(c *Call) (any, error) {
	return getCallerIdentityResult{Account: s.Account(), Arn: c.Caller.arn(s.Account()), UserID: c.Caller.userID()}, nil
}
