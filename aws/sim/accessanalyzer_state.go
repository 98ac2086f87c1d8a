package sim

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// AccessAnalyzerSpec is the account's IAM Access Analyzer: analyzers, one or more per region, and
// the findings of external access they report. Besides the findings listed here (a bucket policy,
// a KMS key, a Lambda function: resources the simulator does not model), an analyzer reports every
// snapshot of its region shared with another account or the public, from the account's state.
type AccessAnalyzerSpec struct {
	Analyzers []AnalyzerSpec `yaml:"analyzers"`
	Findings  []FindingSpec  `yaml:"findings"`
}

// AnalyzerSpec is one analyzer. Type is ACCOUNT (default) or ORGANIZATION for external access, or
// ACCOUNT_UNUSED_ACCESS or ORGANIZATION_UNUSED_ACCESS; Status is ACTIVE (default), CREATING,
// DISABLED or FAILED.
type AnalyzerSpec struct {
	Region  string `yaml:"region"`
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Status  string `yaml:"status"`
	Created When   `yaml:"created"`
}

// FindingSpec is one finding of external access: Resource (an ARN) of ResourceType can be used by
// Principal (an account id, or * for anyone) for Actions. Status is ACTIVE (default), ARCHIVED
// or RESOLVED.
type FindingSpec struct {
	Region       string   `yaml:"region"`
	Resource     string   `yaml:"resource"`
	ResourceType string   `yaml:"resource_type"`
	Principal    string   `yaml:"principal"`
	Actions      []string `yaml:"actions"`
	Status       string   `yaml:"status"`
	Created      When     `yaml:"created"`
}

var (
	analyzerTypes    = []string{"ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"}
	analyzerStatuses = []string{"ACTIVE", "CREATING", "DISABLED", "FAILED"}
	findingStatuses  = []string{"ACTIVE", "ARCHIVED", "RESOLVED"}
)

// validate checks the analyzers and findings; their times were checked with every other
// (checkTimes). Each error starts with the YAML path of its value.
func (sp *AccessAnalyzerSpec) validate() error {
	for i, a := range sp.Analyzers {
		switch {
		case a.Region == "" || a.Name == "":
			return fmt.Errorf("access_analyzer.analyzers[%d]: region and name are required", i)
		case a.Type != "" && !slices.Contains(analyzerTypes, a.Type):
			return fmt.Errorf("access_analyzer.analyzers[%d].type: must be one of %v, got %q", i, analyzerTypes, a.Type)
		case a.Status != "" && !slices.Contains(analyzerStatuses, a.Status):
			return fmt.Errorf("access_analyzer.analyzers[%d].status: must be one of %v, got %q", i, analyzerStatuses, a.Status)
		}
	}
	for i, f := range sp.Findings {
		switch {
		case f.Region == "" || f.Resource == "" || f.ResourceType == "":
			return fmt.Errorf("access_analyzer.findings[%d]: region, resource and resource_type are required", i)
		case f.Principal != "*" && !isAccountID(f.Principal):
			return fmt.Errorf("access_analyzer.findings[%d].principal: must be an account id or *, got %q", i, f.Principal)
		case f.Status != "" && !slices.Contains(findingStatuses, f.Status):
			return fmt.Errorf("access_analyzer.findings[%d].status: must be one of %v, got %q", i, findingStatuses, f.Status)
		}
	}
	return nil
}

// analyzer is one analyzer of one region.
type analyzer struct {
	ARN, Name, Type, Status, Region string
	Created                         time.Time
}

// external reports whether the analyzer finds external access (the others find unused access).
func (a *analyzer) external() bool { return a.Type == "ACCOUNT" || a.Type == "ORGANIZATION" }

// finding is one finding of external access. Planted findings keep their status; the status of a
// derived one (a shared snapshot) is the operator's archive decision, by id.
type finding struct {
	ID, Region, Resource, ResourceType, Principal, Status string
	Actions                                               []string
	Created                                               time.Time
}

// analyzerState is the account's analyzers and planted findings, and the statuses the operator
// gave findings by id (UpdateFindings).
type analyzerState struct {
	analyzers []*analyzer
	findings  []*finding
	status    map[string]string
}

func newAnalyzerState(s *Server, spec AccessAnalyzerSpec) (*analyzerState, error) {
	st := &analyzerState{status: map[string]string{}}
	known := map[string]bool{}
	for _, r := range s.regions {
		known[r.Name] = true
	}
	check := func(list string, i int, region string) error {
		if !known[region] {
			return fmt.Errorf("access_analyzer.%s[%d].region: %q is not one of the scenario's regions", list, i, region)
		}
		return nil
	}
	for i, as := range spec.Analyzers {
		if err := check("analyzers", i, as.Region); err != nil {
			return nil, err
		}
		created := resolveChecked(as.Created, s.start)
		a := &analyzer{Name: as.Name, Type: as.Type, Status: as.Status, Region: as.Region, Created: created.UTC().Truncate(time.Second)}
		if a.Type == "" {
			a.Type = "ACCOUNT"
		}
		if a.Status == "" {
			a.Status = "ACTIVE"
		}
		a.ARN = "arn:aws:access-analyzer:" + a.Region + ":" + s.Account() + ":analyzer/" + a.Name
		st.analyzers = append(st.analyzers, a)
	}
	for i, fs := range spec.Findings {
		if err := check("findings", i, fs.Region); err != nil {
			return nil, err
		}
		created := resolveChecked(fs.Created, s.start)
		f := &finding{Region: fs.Region, Resource: fs.Resource, ResourceType: fs.ResourceType, Principal: fs.Principal,
			Status: fs.Status, Actions: fs.Actions, Created: created.UTC().Truncate(time.Second)}
		if f.Status == "" {
			f.Status = "ACTIVE"
		}
		f.ID = findingID(f.Region, f.Resource, f.Principal)
		st.findings = append(st.findings, f)
	}
	return st, nil
}

// findingID is a stable, UUID-shaped id for what a finding is about.
func findingID(parts ...string) string {
	h := fnv.New128a()
	for _, p := range parts {
		h.Write([]byte(p + "\x00"))
	}
	b := fmt.Sprintf("%x", h.Sum(nil))
	return b[0:8] + "-" + b[8:12] + "-" + b[12:16] + "-" + b[16:20] + "-" + b[20:32]
}

// regionFindings are a region's findings now: the planted ones and one for each snapshot shared
// outside the account, per grantee; a status the operator set by id wins.
func (s *Server) regionFindings(region string) []*finding {
	st := s.analyzers
	var out []*finding
	for _, f := range st.findings {
		if f.Region == region {
			out = append(out, f)
		}
	}
	if r, ok := s.ec2.regions[region]; ok {
		for _, sn := range r.snapshots {
			for _, who := range sn.shares {
				principal := who
				if who == "all" {
					principal = "*"
				}
				arn := "arn:aws:ec2:" + region + ":" + s.Account() + ":snapshot/" + sn.ID
				out = append(out, &finding{ID: findingID(region, arn, principal), Region: region, Resource: arn, ResourceType: "AWS::EC2::Snapshot",
					Principal: principal, Status: "ACTIVE", Actions: []string{"ec2:CreateVolume"}, Created: sn.Created})
			}
		}
	}
	for _, f := range out {
		if status, ok := st.status[f.ID]; ok {
			f.Status = status
		}
	}
	return out
}
