package sim

import (
	"fmt"
)

// PastCall is a call the attacker made before the drill, recorded in CloudTrail's history the way
// AWS records it. Where the simulator models the action (a security group rule, a snapshot or AMI
// shared) the account holds its effect too; otherwise (a Lambda function) it exists only in the
// history, so a trace finds it and lockdown has to leave it to the operator. Params
// and Response are the record's requestParameters and responseElements; By is the credential
// that made it (default: the leaked key).
type PastCall struct {
	At        When           `yaml:"at"`
	By        string         `yaml:"by"`
	Note      string         `yaml:"note"`
	Service   string         `yaml:"service"`
	Region    string         `yaml:"region"`
	Action    string         `yaml:"action"`
	Params    map[string]any `yaml:"params"`
	Response  map[string]any `yaml:"response"`
	Resources []PastResource `yaml:"resources"`
}

// PastResource is a resource LookupEvents names for a past call: its CloudTrail resource type
// (AWS::EC2::SecurityGroup) and name.
type PastResource struct {
	Type string `yaml:"type"`
	Name string `yaml:"name"`
}

func (c PastCall) validate() error {
	if c.Service == "" || c.Action == "" {
		return fmt.Errorf("service and action are required")
	}
	return checkPastCall(c)
}

// seedPastCalls records the attacker's past calls; by then every scenario key and session exists.
func (s *Server) seedPastCalls(sc *Scenario) error {
	for i, c := range sc.Attacker.History {
		at := resolveChecked(c.At, s.start)
		by := c.By
		if by == "" {
			by = sc.Attacker.AccessKeyID
		}
		var resources []lookupResource
		for _, r := range c.Resources {
			resources = append(resources, lookupResource(r))
		}
		if err := s.historyEvent(by, at, c.Region, c.Service, c.Action, c.Params, c.Response, resources); err != nil {
			// Without a by of its own, the call was made with the attacker's key.
			return fmt.Errorf("attacker.history[%d].by: %w", i, err)
		}
		if err := s.applyPastCall(c, at, by); err != nil {
			return under(fmt.Sprintf("attacker.history[%d]", i), err)
		}
	}
	return nil
}
