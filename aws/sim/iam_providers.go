package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Identity providers let people from outside sign in through a role that trusts the provider: an
// attacker who adds an OIDC provider (a CI system they control) or a SAML provider (their own
// identity provider) can come back without any key. IAM lists them unpaged, refuses a second
// provider for the same URL or name (EntityAlreadyExists), and answers NoSuchEntity for one that
// is gone.
func (s *Server) registerIAMProviders() {
	s.handle("iam", "ListOpenIDConnectProviders", false, s.listOIDCProviders)
	s.handle("iam", "GetOpenIDConnectProvider", false, s.getOIDCProvider)
	s.handle("iam", "CreateOpenIDConnectProvider", true, s.createOIDCProvider)
	s.handle("iam", "DeleteOpenIDConnectProvider", true, s.deleteOIDCProvider)
	s.handle("iam", "ListSAMLProviders", false, s.listSAMLProviders)
	s.handle("iam", "CreateSAMLProvider", true, s.createSAMLProvider)
	s.handle("iam", "DeleteSAMLProvider", true, s.deleteSAMLProvider)
}

// identityProvider is an OIDC provider (URL set) or a SAML provider (Name set).
type identityProvider struct {
	ARN, URL, Name string
	ClientIDs      []string
	Created        time.Time
}

func (st *iamState) oidcARN(account, rawURL string) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", account, strings.TrimPrefix(rawURL, "https://"))
}

// addProvider adds an OIDC provider for url, or a SAML provider called name.
func (st *iamState) addProvider(account, rawURL, name string, at time.Time) (*identityProvider, error) {
	p := &identityProvider{URL: rawURL, Name: name, Created: at, ClientIDs: []string{"sts.amazonaws.com"}}
	if rawURL != "" {
		p.ARN = st.oidcARN(account, rawURL)
	} else {
		p.ARN = fmt.Sprintf("arn:aws:iam::%s:saml-provider/%s", account, name)
	}
	if st.providers[p.ARN] != nil {
		return nil, Errorf(http.StatusConflict, "EntityAlreadyExists", "Provider with url %s already exists.", firstNonEmpty(rawURL, name))
	}
	st.providers[p.ARN] = p
	return p, nil
}

func (st *iamState) provider(arn string, saml bool) (*identityProvider, error) {
	p, ok := st.providers[arn]
	if !ok || (p.URL == "") != saml {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Provider %s does not exist.", arn)
	}
	return p, nil
}

func (st *iamState) sortedProviders(saml bool) []*identityProvider {
	var out []*identityProvider
	for _, p := range st.providers {
		if (p.URL == "") == saml {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *identityProvider) int { return strings.Compare(a.ARN, b.ARN) })
	return out
}

type oidcListResult struct {
	Providers []struct {
		Arn string `xml:"Arn"`
	} `xml:"OpenIDConnectProviderList>member"`
}

func (s *Server) listOIDCProviders(*Call) (any, error) {
	var out oidcListResult
	for _, p := range s.iam.sortedProviders(false) {
		out.Providers = append(out.Providers, struct {
			Arn string `xml:"Arn"`
		}{p.ARN})
	}
	return out, nil
}

type oidcResult struct {
	URL            string    `xml:"Url"`
	ClientIDList   []string  `xml:"ClientIDList>member"`
	ThumbprintList []string  `xml:"ThumbprintList>member"`
	CreateDate     time.Time `xml:"CreateDate"`
}

func (s *Server) getOIDCProvider(c *Call) (any, error) {
	p, err := s.iam.provider(c.Params.Get("OpenIDConnectProviderArn"), false)
	if err != nil {
		return nil, err
	}
	return oidcResult{URL: strings.TrimPrefix(p.URL, "https://"), ClientIDList: p.ClientIDs, CreateDate: p.Created}, nil
}

type oidcCreateResult struct {
	Arn string `xml:"OpenIDConnectProviderArn"`
}

func (s *Server) createOIDCProvider(c *Call) (any, error) {
	u := c.Params.Get("Url")
	if !strings.HasPrefix(u, "https://") {
		return nil, Errorf(http.StatusBadRequest, "InvalidInput", "Invalid value for Url: it must begin with https://.")
	}
	p, err := s.iam.addProvider(s.Account(), u, "", c.Now)
	if err != nil {
		return nil, err
	}
	return oidcCreateResult{Arn: p.ARN}, nil
}

func (s *Server) deleteOIDCProvider(c *Call) (any, error) {
	p, err := s.iam.provider(c.Params.Get("OpenIDConnectProviderArn"), false)
	if err != nil {
		return nil, err
	}
	delete(s.iam.providers, p.ARN)
	return nil, nil
}

type samlXML struct {
	Arn        string    `xml:"Arn"`
	ValidUntil time.Time `xml:"ValidUntil"`
	CreateDate time.Time `xml:"CreateDate"`
}

type samlListResult struct {
	Providers []samlXML `xml:"SAMLProviderList>member"`
}

func (s *Server) listSAMLProviders(*Call) (any, error) {
	var out samlListResult
	for _, p := range s.iam.sortedProviders(true) {
		out.Providers = append(out.Providers, samlXML{Arn: p.ARN, CreateDate: p.Created, ValidUntil: p.Created.AddDate(10, 0, 0)})
	}
	return out, nil
}

type samlCreateResult struct {
	Arn string `xml:"SAMLProviderArn"`
}

func (s *Server) createSAMLProvider(c *Call) (any, error) {
	name := c.Params.Get("Name")
	if name == "" || c.Params.Get("SAMLMetadataDocument") == "" {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "Name and SAMLMetadataDocument are required")
	}
	p, err := s.iam.addProvider(s.Account(), "", name, c.Now)
	if err != nil {
		return nil, err
	}
	return samlCreateResult{Arn: p.ARN}, nil
}

func (s *Server) deleteSAMLProvider(c *Call) (any, error) {
	p, err := s.iam.provider(c.Params.Get("SAMLProviderArn"), true)
	if err != nil {
		return nil, err
	}
	delete(s.iam.providers, p.ARN)
	return nil, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
