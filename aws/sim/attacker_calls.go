package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The attacker's calls whose effect lockdown re-checks are held to the parameters AWS takes, so a
// scenario cannot plant an event that AWS would never have recorded: a timed call names its
// parameters as the API does (UserName, PolicyArn; a JSON service's own members), and a call of
// the history names them as CloudTrail records them (userName, policyArn), with the response
// elements a trace reads. Other calls are taken as they are.

// callShape is what one call takes: required parameters (any one of a group separated by "|"),
// optional ones, and for the history the response elements CloudTrail records.
type callShape struct {
	required, optional []string
	response           []string
}

var callShapes = map[string]callShape{
	"iam:CreateRole":               {required: []string{"RoleName", "AssumeRolePolicyDocument"}, optional: []string{"Path", "Description", "MaxSessionDuration", "PermissionsBoundary"}, response: []string{"role.roleName", "role.arn"}},
	"iam:AttachRolePolicy":         {required: []string{"RoleName", "PolicyArn"}},
	"iam:AttachUserPolicy":         {required: []string{"UserName", "PolicyArn"}},
	"iam:AttachGroupPolicy":        {required: []string{"GroupName", "PolicyArn"}},
	"iam:AddUserToGroup":           {required: []string{"GroupName", "UserName"}},
	"iam:PutUserPolicy":            {required: []string{"UserName", "PolicyName", "PolicyDocument"}},
	"iam:PutRolePolicy":            {required: []string{"RoleName", "PolicyName", "PolicyDocument"}},
	"iam:PutGroupPolicy":           {required: []string{"GroupName", "PolicyName", "PolicyDocument"}},
	"cloudtrail:DeleteTrail":       {required: []string{"Name"}},
	"cloudtrail:StopLogging":       {required: []string{"Name"}},
	"cloudtrail:PutEventSelectors": {required: []string{"TrailName", "EventSelectors|AdvancedEventSelectors"}},
	"guardduty:DeleteDetector":     {required: []string{"detectorId"}},
	"guardduty:UpdateDetector":     {required: []string{"detectorId"}, optional: []string{"enable", "findingPublishingFrequency", "dataSources", "features"}},
}

// checkTimedCall checks the parameters of an attacker event as its API takes them.
func checkTimedCall(e AttackEvent) error {
	shape, ok := callShapes[e.Service+":"+e.Action]
	if !ok {
		return nil
	}
	return shape.check(e.Action, e.Params, func(s string) string { return s })
}

// checkPastCall checks a call of the history as CloudTrail records it.
func checkPastCall(c PastCall) error {
	shape, ok := callShapes[c.Service+":"+c.Action]
	if !ok {
		return nil
	}
	if err := shape.check(c.Action, c.Params, lowerFirst); err != nil {
		return err
	}
	for _, path := range shape.response {
		if !hasPath(c.Response, strings.Split(path, ".")) {
			return fmt.Errorf("response: CloudTrail records %s in a %s event's responseElements; it is missing", path, c.Action)
		}
	}
	return nil
}

// check refuses a missing required parameter and one the call does not take, naming them as name does.
func (sh callShape) check(action string, params map[string]any, name func(string) string) error {
	var known []string
	for _, r := range sh.required {
		alternatives := strings.Split(r, "|")
		found := false
		for _, a := range alternatives {
			known = append(known, name(a))
			_, has := params[name(a)]
			found = found || has
		}
		if !found {
			var want []string
			for _, a := range alternatives {
				want = append(want, name(a))
			}
			return fmt.Errorf("params: %s needs %s", action, strings.Join(want, " or "))
		}
	}
	for _, o := range sh.optional {
		known = append(known, name(o))
	}
	var unknown []string
	for k := range params {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("params: %s takes no %s (it takes %s)", action, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}

func hasPath(m map[string]any, path []string) bool {
	for i, p := range path {
		v, ok := m[p]
		if !ok {
			return false
		}
		if i == len(path)-1 {
			return v != nil && v != ""
		}
		if m, ok = v.(map[string]any); !ok {
			return false
		}
	}
	return false
}
