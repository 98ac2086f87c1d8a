package sim

import (
	"net/http"
	"strings"
)

func (s *Server) registerEC2() {
	s.handle("ec2", "DescribeRegions", false, s.describeRegions)
	s.registerEC2Instances()
	s.registerEC2Restarts()
	s.registerEC2Spot()
	s.registerSecurityGroups()
	s.registerSnapshots()
}

type regionItem struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	Regions []regionItem `xml:"regionInfo>item"`
}

// describeRegions lists enabled regions, or every region with AllRegions=true, honouring the
// RegionName.N parameters and the region-name and opt-in-status filters.
func (s *Server) describeRegions(c *Call) (any, error) {
	all := c.Params.Get("AllRegions") == "true"
	names := listParam(c.Params, "RegionName")
	filters := filterParams(c.Params)
	var out describeRegionsResult
	for _, r := range s.regions {
		if !all && r.OptIn == "not-opted-in" {
			continue
		}
		if len(names) > 0 && !contains(names, r.Name) {
			continue
		}
		if v, ok := filters["region-name"]; ok && !contains(v, r.Name) {
			continue
		}
		if v, ok := filters["opt-in-status"]; ok && !contains(v, r.OptIn) {
			continue
		}
		out.Regions = append(out.Regions, regionItem{RegionName: r.Name, RegionEndpoint: "ec2." + r.Name + ".amazonaws.com", OptInStatus: r.OptIn})
	}
	return out, nil
}

// regionEnabled refuses EC2 calls to a region that does not exist or is not enabled, as AWS does.
func (s *Server) regionEnabled(region string) *APIError {
	for _, r := range s.regions {
		if r.Name == region {
			if r.OptIn == "not-opted-in" {
				return Errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials (region %s is not enabled for this account)", region)
			}
			return nil
		}
	}
	return Errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid region: %s", region)
}

// listParam reads a query-protocol list: Name.1, Name.2, ...
func listParam(p map[string][]string, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[name+"."+itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// filterParams reads Filter.N.Name and Filter.N.Value.M into a map of name to values.
func filterParams(p map[string][]string) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		prefix := "Filter." + itoa(i) + "."
		name, ok := p[prefix+"Name"]
		if !ok || len(name) == 0 {
			return out
		}
		out[name[0]] = append(out[name[0]], listParam(p, prefix+"Value")...)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s || (strings.HasSuffix(v, "*") && strings.HasPrefix(s, strings.TrimSuffix(v, "*"))) {
			return true
		}
	}
	return false
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
