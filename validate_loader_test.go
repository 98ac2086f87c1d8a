package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// loaderCase is a scenario that one or more error sites of the scenario loader refuse: sites names
// them by their format strings, want is the place and the start of the message.
type loaderCase struct {
	name  string
	body  string // after scenarioHead
	sites []string
	want  string
}

// scenarioHead makes a file a scenario; the bodies start on its line 3. A body that starts with
// wholeFile is the whole file.
const (
	scenarioHead = "name: t\naccount: {id: \"111122223333\"}\n"
	wholeFile    = "#!whole\n"
)

const (
	siteTime     = `%q is neither an offset such as -3h or -30d nor an RFC 3339 time`
	siteAtPath   = `%s: %w`
	siteUnder    = `%s.%s: %s`
	siteUnderTop = `%s: %s`
	siteMissing  = `attached_policies[%d]: policy %s does not exist (an AWS managed policy or one of iam.policies)`
	siteNoActor  = `%q is neither an access key of the scenario nor role:NAME, service:NAME or user:NAME`
)

// loaderCases holds at least one case for every error site of the scenario loader
// (TestEveryLoaderErrorSiteHasACase keeps it so): every value drill or sim serve refuses.
var loaderCases = []loaderCase{
	// Times, wherever the format has one.
	{"a launch time that is no time", "ec2:\n  instances:\n    - {region: us-east-1, launched: yesterday-ish}\n", []string{siteTime, siteAtPath},
		`5:37: ec2.instances[0].launched: "yesterday-ish" is neither an offset`},
	{"a key's last use that is no time", "iam:\n  users:\n    - name: u\n      access_keys:\n        - last_used: {at: soon}\n", []string{siteTime, siteAtPath},
		`7:27: iam.users[0].access_keys[0].last_used.at: "soon" is neither`},
	{"an incident start that is no time", "incident_start: 3 hours ago\n", []string{siteTime, siteAtPath}, `3:17: incident_start: "3 hours ago" is neither`},
	{"a detector's disabling time", "guardduty:\n  detectors:\n    - {region: us-east-1, disabled: later}\n", []string{siteTime, siteAtPath},
		`5:37: guardduty.detectors[0].disabled: "later" is neither`},
	{"an offset of days that is no number", "alert: {seen: -xd}\n", []string{siteTime, siteAtPath}, `3:15: alert.seen: "-xd" is neither`},
	// Values of the top level.
	{"a difficulty there is not", "difficulty: trivial\n", []string{"difficulty: must be one of %s, got %q"}, `3:13: difficulty: must be one of easy, medium, hard`},
	{"an account id of 4 digits", wholeFile + "name: t\naccount: {id: \"1234\"}\n", []string{"account.id: must be 12 digits, got %q"}, `2:15: account.id: must be 12 digits`},
	{"a region's opt-in status", "regions:\n  - {name: us-east-1, opt_in: maybe}\n", []string{"regions[%d].opt_in: must be opt-in-not-required, opted-in or not-opted-in, got %q"},
		`4:31: regions[0].opt_in: must be`},
	{"a par time that is no duration", "par: {contained: soon}\n", []string{"par.%s: %w", "%q is not a positive duration such as 5m or 1h30m"}, `3:18: par.contained: "soon" is not a positive duration`},
	// validate reads a file without a key as a runbook, and says it is empty in a runbook's words.
	{"an empty file", wholeFile, []string{"%s: the scenario is empty"}, ` the scenario is empty`},
	{"a file of comments", wholeFile + "# nothing yet\n", []string{"%s: the scenario is empty"}, ` the scenario is empty`},
	// IAM.
	{"a group without a name", "iam:\n  groups:\n    - {attached_policies: [ReadOnlyAccess]}\n", []string{"%s[%d]: the name is missing"}, `5:8: iam.groups[0]: the name is missing`},
	{"a user listed twice", "iam:\n  users:\n    - name: u\n    - name: u\n", []string{"%s[%d].name: %s is listed twice"}, `6:13: iam.users[1].name: u is listed twice`},
	{"three keys for one user", "iam:\n  users:\n    - name: u\n      access_keys: [{}, {}, {}]\n", []string{"access_keys: %d access keys, IAM allows %d", siteUnder},
		`6:20: iam.users[0].access_keys: 3 access keys, IAM allows 2`},
	{"a key status there is not", "iam:\n  users:\n    - name: u\n      access_keys: [{status: Paused}]\n", []string{"access_keys[%d].status: must be Active or Inactive, got %q", siteUnder},
		`6:30: iam.users[0].access_keys[0].status: must be Active or Inactive`},
	{"a user in a group there is not", "iam:\n  users:\n    - name: u\n      groups: [admins]\n", []string{"groups[%d]: group %s is not in iam.groups", siteUnder},
		`6:16: iam.users[0].groups[0]: group admins is not in iam.groups`},
	{"a user's policy there is not", "iam:\n  users:\n    - name: u\n      attached_policies: [NoSuchPolicy]\n", []string{siteMissing, siteUnder},
		`6:27: iam.users[0].attached_policies[0]: policy NoSuchPolicy does not exist`},
	{"a group's policy there is not", "iam:\n  groups:\n    - name: g\n      attached_policies: [ReadOnlyAccess, Nope]\n", []string{siteMissing, siteUnder},
		`6:43: iam.groups[0].attached_policies[1]: policy Nope does not exist`},
	{"a role's policy there is not", "iam:\n  roles:\n    - name: r\n      attached_policies: [Nope]\n", []string{siteMissing, siteUnder},
		`6:27: iam.roles[0].attached_policies[0]: policy Nope does not exist`},
	{"one key id for two users", "iam:\n  users:\n    - name: a\n      access_keys: [{id: AKIAEXAMPLETWICE0001}]\n    - name: b\n      access_keys: [{id: AKIAEXAMPLETWICE0001}]\n",
		[]string{"id: access key %s is listed twice", siteUnder}, `8:26: iam.users[1].access_keys[0].id: access key AKIAEXAMPLETWICE0001 is listed twice`},
	{"a policy with more versions than IAM keeps", "iam:\n  policies:\n    - name: p\n      document: '{}'\n      versions: [{document: '{}'}, {document: '{}'}, {document: '{}'}, {document: '{}'}, {document: '{}'}]\n",
		[]string{"iam.policies[%d].versions: %d versions with the first, IAM allows %d"}, `7:17: iam.policies[0].versions: 6 versions with the first, IAM allows 5`},
	{"an identity provider with both a url and a name", "iam:\n  identity_providers:\n    - {url: 'https://x.example', name: x}\n",
		[]string{"iam.identity_providers[%d]: give either url (OIDC) or name (SAML)"}, `5:8: iam.identity_providers[0]: give either url`},
	{"an identity provider twice", "iam:\n  identity_providers:\n    - {url: 'https://x.example'}\n    - {url: 'https://x.example'}\n",
		[]string{"iam.identity_providers[%d]: %w"}, `6:8: iam.identity_providers[1]: EntityAlreadyExists: Provider with url https://x.example already exists`},
	{"a responder's policy there is not", "responder:\n  attached_policies: [Nope]\n", []string{siteMissing, "responder.%w"},
		`4:23: responder.attached_policies[0]: policy Nope does not exist`},
	{"a responder in a group there is not", "responder:\n  groups: [admins]\n", []string{"responder.groups[%d]: group %s is not in iam.groups"},
		`4:12: responder.groups[0]: group admins is not in iam.groups`},
	{"a break-glass identity named by nothing", "responder:\n  break_glass: {}\n",
		[]string{"responder.break_glass: name the break-glass user, or one of iam.users' access keys as access_key_id"}, `4:16: responder.break_glass: name the break-glass user`},
	{"a break-glass user there is not", "responder:\n  break_glass: {user: nobody}\n",
		[]string{"responder.break_glass.user: user %s is not in iam.users"}, `4:23: responder.break_glass.user: user nobody is not in iam.users`},
	{"a break-glass key of another user", "iam:\n  users:\n    - {name: a, access_keys: [{id: AKIAEXAMPLEBREAKGL01}]}\n    - {name: b}\nresponder:\n  break_glass: {user: b, access_key_id: AKIAEXAMPLEBREAKGL01}\n",
		[]string{"responder.break_glass.user: key %s is user %s's, not %s's"}, `8:23: responder.break_glass.user: key AKIAEXAMPLEBREAKGL01 is user a's, not b's`},
	{"the responder's own key as break-glass", "iam:\n  users:\n    - {name: kai, access_keys: [{id: AKIAEXAMPLEBREAKGL01}]}\nresponder:\n  access_key_id: AKIAEXAMPLEBREAKGL01\n  break_glass: {access_key_id: AKIAEXAMPLEBREAKGL01}\n",
		[]string{"responder.break_glass.access_key_id: key %s is the responder's own user %s: break-glass is another identity"}, `8:32: responder.break_glass.access_key_id: key AKIAEXAMPLEBREAKGL01 is the responder's own user kai`},
	{"the responder as break-glass", "responder:\n  user: r\n  break_glass: {user: r}\n",
		[]string{"responder.break_glass.user: %s is the responder: break-glass is another identity"}, `5:23: responder.break_glass.user: r is the responder`},
	{"a break-glass user with two keys already", "iam:\n  users:\n    - {name: b, access_keys: [{}, {}]}\nresponder:\n  break_glass: {user: b}\n",
		[]string{"responder.break_glass.user: %s has %d access keys already, IAM allows %d: name one as access_key_id"}, `7:23: responder.break_glass.user: b has 2 access keys already, IAM allows 2`},
	// Who made what: every by names someone.
	{"a user made by a key there is not", "iam:\n  users:\n    - {name: u, by: AKIAEXAMPLENOBODY001}\n", []string{siteNoActor, siteAtPath},
		`5:21: iam.users[0].by: "AKIAEXAMPLENOBODY001" is neither an access key`},
	{"a key made by a role there is not", "iam:\n  users:\n    - name: u\n      access_keys: [{by: 'role:nope'}]\n", []string{"role %q is not in iam.roles", siteAtPath},
		`6:26: iam.users[0].access_keys[0].by: role "nope" is not in iam.roles`},
	{"an instance launched by a user there is not", "ec2:\n  instances:\n    - {region: us-east-1, by: 'user:nobody'}\n", []string{"user %q is not in iam.users", siteAtPath},
		`5:31: ec2.instances[0].by: user "nobody" is not in iam.users`},
	// The attacker.
	{"an attacker event without an action", "attacker:\n  events:\n    - {service: ec2}\n", []string{"attacker.events[%d]: service and action are required"},
		`5:8: attacker.events[0]: service and action are required`},
	{"an attacker event every so often", "attacker:\n  events:\n    - {service: sts, action: GetCallerIdentity, every: often}\n",
		[]string{"attacker.events[%d].every: %q is not a positive duration"}, `5:56: attacker.events[0].every: "often" is not a positive duration`},
	{"a past call without a service", "attacker:\n  history:\n    - {action: RunInstances}\n", []string{"service and action are required", siteUnderTop},
		`5:8: attacker.history[0]: service and action are required`},
	{"a past call by nobody", "attacker:\n  history:\n    - {service: ec2, action: RunInstances, by: AKIAEXAMPLENOBODY001}\n", []string{"attacker.history[%d].by: %w", siteNoActor},
		`5:48: attacker.history[0].by: "AKIAEXAMPLENOBODY001" is neither`},
	{"a session of a role there is not", "attacker:\n  sessions:\n    - {role: nope}\n", []string{"role: %q is not in iam.roles", siteUnder},
		`5:14: attacker.sessions[0].role: "nope" is not in iam.roles`},
	{"a session for ever", "attacker:\n  sessions:\n    - {duration: forever}\n", []string{"duration: %q is not a positive duration such as 1h", siteUnder},
		`5:18: attacker.sessions[0].duration: "forever" is not a positive duration`},
	{"a session token asked by a key there is not", "attacker:\n  sessions:\n    - {by: AKIAEXAMPLENOBODY001}\n",
		[]string{"by: %q is not an access key of the scenario, which a session without a role (GetSessionToken) needs", siteUnder}, `5:12: attacker.sessions[0].by: "AKIAEXAMPLENOBODY001" is not an access key`},
	{"a role session asked by a key there is not", "iam:\n  roles: [{name: r}]\nattacker:\n  sessions:\n    - {role: r, by: AKIAEXAMPLENOBODY001}\n",
		[]string{"by: %w", siteUnder}, `7:21: attacker.sessions[0].by: "AKIAEXAMPLENOBODY001" is neither`},
	{"an attacker's call without a parameter its API needs", "attacker:\n  events:\n    - {service: iam, action: AttachUserPolicy, params: {UserName: u}}\n",
		[]string{"params: %s needs %s", "attacker.events[%d]%s"}, `5:57: attacker.events[0].params: AttachUserPolicy needs PolicyArn`},
	{"an attacker's call with a parameter its API does not take", "attacker:\n  events:\n    - {service: iam, action: AttachUserPolicy, params: {UserName: u, PolicyArn: p, Force: true}}\n",
		[]string{"params: %s takes no %s (it takes %s)", "attacker.events[%d]%s"}, `5:57: attacker.events[0].params: AttachUserPolicy takes no Force`},
	{"a past call without what CloudTrail records of its answer", "attacker:\n  history:\n    - service: iam\n      action: CreateRole\n      params: {roleName: r, assumeRolePolicyDocument: '{}'}\n      response: {role: {roleName: r}}\n",
		[]string{"response: CloudTrail records %s in a %s event's responseElements; it is missing", "attacker.history[%d]%s"}, `8:18: attacker.history[0].response: CloudTrail records role.arn`},
	// Grants the attacker dated.
	{"a policy attached later that there is not", "iam:\n  users:\n    - name: u\n      attach_policies: [{policy: Nope, at: -1h}]\n",
		[]string{"%s.attach_policies[%d].policy: policy %s does not exist"}, `6:34: iam.users[0].attach_policies[0].policy: policy Nope does not exist`},
	{"a policy attached later that was attached already", "iam:\n  roles:\n    - name: r\n      attached_policies: [ReadOnlyAccess]\n      attach_policies: [{policy: ReadOnlyAccess, at: -1h}]\n",
		[]string{"%s.attach_policies[%d].policy: %s is attached already (attached_policies)"}, `7:34: iam.roles[0].attach_policies[0].policy: ReadOnlyAccess is attached already`},
	{"an inline policy put later without a document", "iam:\n  users:\n    - name: u\n      put_policies: [{name: p, at: -1h}]\n",
		[]string{"%s.put_policies[%d]: name and document are required"}, `6:23: iam.users[0].put_policies[0]: name and document are required`},
	{"a user added later to a group there is not", "iam:\n  users:\n    - name: u\n      add_to_groups: [{group: admins, at: -1h}]\n",
		[]string{"add_to_groups[%d].group: group %q is not in iam.groups", siteUnder}, `6:31: iam.users[0].add_to_groups[0].group: group "admins" is not in iam.groups`},
	{"a user added later to a group it was in", "iam:\n  groups: [{name: admins}]\n  users:\n    - name: u\n      groups: [admins]\n      add_to_groups: [{group: admins, at: -1h}]\n",
		[]string{"add_to_groups[%d].group: the user is in group %s already (groups)", siteUnder}, `8:31: iam.users[0].add_to_groups[0].group: the user is in group admins already`},
	// An organization.
	{"an organization id of another shape", "organization: {id: org-1}\n", []string{"organization.id: must be o- and 10 to 32 lowercase letters or digits, got %q"},
		`3:20: organization.id: must be o- and 10 to 32`},
	{"two units of one name", "organization:\n  units: [{name: prod}, {name: prod}]\n", []string{"organization.units[%d].name: %q is empty or names another unit too"},
		`4:32: organization.units[1].name: "prod" is empty or names another unit too`},
	{"a unit id of another shape", "organization:\n  units: [{name: prod, id: prod-1}]\n", []string{"organization.units[%d].id: must start with ou-, got %q"},
		`4:28: organization.units[0].id: must start with ou-`},
	{"a unit under a unit there is not", "organization:\n  units: [{name: prod, parent: root}]\n", []string{"organization.units[%d].parent: no unit is called %q"},
		`4:32: organization.units[0].parent: no unit is called "root"`},
	{"a unit under itself", "organization:\n  units: [{name: a, parent: b}, {name: b, parent: a}]\n", []string{"organization.units[%d].parent: unit %s is its own ancestor"},
		`4:29: organization.units[0].parent: unit a is its own ancestor`},
	{"a member account id of 5 digits", "organization:\n  members: [{id: \"12345\"}]\n", []string{"%s: must be 12 digits, got %q"},
		`4:18: organization.members[0].id: must be 12 digits`},
	{"a member with the management account's id", "organization:\n  members: [{id: \"111122223333\"}]\n", []string{"%s: account %s is also %s"},
		`4:18: organization.members[0].id: account 111122223333 is also the management account`},
	{"a member in a unit there is not", "organization:\n  members: [{id: \"222233334444\", unit: prod}]\n", []string{"%s.unit: no unit is called %q (organization.units)"},
		`4:40: organization.members[0].unit: no unit is called "prod"`},
	{"a member status there is not", "organization:\n  members: [{id: \"222233334444\", status: GONE}]\n", []string{"%s.status: must be one of %s, got %q"},
		`4:42: organization.members[0].status: must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE`},
	{"a member's joining time", "organization:\n  members: [{id: \"222233334444\", joined: long ago}]\n", []string{siteTime, siteAtPath},
		`4:42: organization.members[0].joined: "long ago" is neither`},
	{"generated members from an id of 3 digits", "organization:\n  generate: [{count: 2, first_id: \"123\"}]\n", []string{"%s.first_id: must be 12 digits, got %q"},
		`4:35: organization.generate[0].first_id: must be 12 digits`},
	{"no generated members", "organization:\n  generate: [{count: 0, first_id: \"222233334444\"}]\n", []string{"%s.count: must be 1 to %d, got %d"},
		`4:22: organization.generate[0].count: must be 1 to 1000, got 0`},
	{"generated members past the last account id", "organization:\n  generate: [{count: 3, first_id: \"999999999998\"}]\n", []string{"%s.count: %d accounts from %s run past the last account id"},
		`4:22: organization.generate[0].count: 3 accounts from 999999999998 run past the last account id`},
	{"more member accounts than the limit", "organization:\n  members: [{id: \"100000000000\"}]\n  generate: [{count: 1000, first_id: \"200000000000\"}]\n",
		[]string{"organization: %d member accounts is over the limit of %d"}, `4:3: organization: 1001 member accounts is over the limit of 1000`},
	{"more instances in the organization than the limit", "organization:\n  generate:\n    - count: 2\n      first_id: \"222233334444\"\n      ec2: {generate: [{region: us-east-1, count: 60000}]}\n",
		[]string{"%s: the organization's accounts hold more than %d instances in all"}, `5:7: organization.generate[0]: the organization's accounts hold more than 100000 instances`},
	{"more attacker calls in the organization than the limit", "organization:\n  generate:\n    - count: 6\n      first_id: \"222233334444\"\n      attacker: {events: [{service: sts, action: GetCallerIdentity, every: 1m, times: 10000}]}\n",
		[]string{"%s: the attacker's events of every account add up to more than %d calls"}, `5:7: organization.generate[0]: the attacker's events of every account add up to more than 50000 calls`},
	{"a member's attacker repeating a call past the limit", "organization:\n  members:\n    - id: \"222233334444\"\n      attacker: {events: [{service: sts, action: GetCallerIdentity, every: 1m, times: 20000}]}\n",
		[]string{"%s.%s"}, `6:87: organization.members[0].attacker.events[0].times: 20000 repetitions is over the limit of 10000`},
	{"a member's user with a policy there is not", "organization:\n  members:\n    - id: \"222233334444\"\n      iam: {users: [{name: u, attached_policies: [Nope]}]}\n",
		[]string{siteMissing, siteUnder}, `6:51: organization.members[0].iam.users[0].attached_policies[0]: policy Nope does not exist`},
	{"one key in two accounts", "iam:\n  users: [{name: a, access_keys: [{id: AKIAEXAMPLESHARED001}]}]\norganization:\n  members:\n    - id: \"222233334444\"\n      iam: {users: [{name: b, access_keys: [{id: AKIAEXAMPLESHARED001}]}]}\n",
		[]string{"access key %s is in account %s and in account %s: a key belongs to one account"}, ` access key AKIAEXAMPLESHARED001 is in account`},
	// EC2 and what relaunches instances.
	{"an instance without a region", "ec2:\n  instances:\n    - {type: t3.micro}\n", []string{"an instance's region is required", siteUnderTop},
		`5:8: ec2.instances[0]: an instance's region is required`},
	{"an instance state there is not", "ec2:\n  instances:\n    - {region: us-east-1, state: sleeping}\n", []string{"state: %q is not an instance state (pending, running, stopping, stopped, shutting-down, terminated)", siteUnder},
		`5:34: ec2.instances[0].state: "sleeping" is not an instance state`},
	{"a spot request of a type there is not", "ec2:\n  instances:\n    - {region: us-east-1, spot: {type: sometimes}}\n", []string{"spot.type: must be one-time or persistent, got %q", siteUnder},
		`5:40: ec2.instances[0].spot.type: must be one-time or persistent`},
	{"an instance in a region the account does not have", "regions:\n  - {name: us-east-1, opt_in: opt-in-not-required}\nec2:\n  instances:\n    - {region: eu-west-1}\n",
		[]string{"ec2.%s[%d].region: %q is not one of the scenario's regions"}, `7:16: ec2.instances[0].region: "eu-west-1" is not one of the scenario's regions`},
	{"a fleet of no instances", "ec2:\n  generate:\n    - {region: us-east-1, count: 0}\n", []string{"ec2.generate[%d].count: must be positive, got %d"},
		`5:34: ec2.generate[0].count: must be positive, got 0`},
	{"a fleet with a fixed id", "ec2:\n  generate:\n    - {region: us-east-1, count: 2, id: i-1}\n", []string{"ec2.generate[%d]: a fleet cannot have a fixed id, a spot request or a first_launched"},
		`5:8: ec2.generate[0]: a fleet cannot have a fixed id`},
	{"a fleet with a first launch", "ec2:\n  generate:\n    - {region: us-east-1, count: 2, first_launched: -2h}\n", []string{"ec2.generate[%d]: a fleet cannot have a fixed id, a spot request or a first_launched"},
		`5:8: ec2.generate[0]: a fleet cannot have a fixed id, a spot request or a first_launched`},
	{"a first launch after the launch", "ec2:\n  instances:\n    - {region: us-east-1, launched: -3h, first_launched: -1h}\n", []string{"first_launched: is after launched: an instance is started again only after its first launch"},
		`5:58: ec2.instances[0].first_launched: is after launched`},
	{"a fleet of instances without a region", "ec2:\n  generate:\n    - {count: 2}\n", []string{"an instance's region is required", siteUnderTop},
		`5:8: ec2.generate[0]: an instance's region is required`},
	{"a key pair without a name", "ec2:\n  key_pairs:\n    - {region: us-east-1}\n", []string{"ec2.key_pairs[%d]: region and name are required"},
		`5:8: ec2.key_pairs[0]: region and name are required`},
	{"a launch template without a region", "ec2:\n  launch_templates:\n    - {name: t}\n", []string{"ec2.launch_templates[%d]: region and name are required"},
		`5:8: ec2.launch_templates[0]: region and name are required`},
	{"a spot fleet of a type there is not", "ec2:\n  spot_fleets:\n    - {region: us-east-1, target: 2, type: always}\n", []string{"%s[%d]: region, a target >= 0 and a type among %v are required"},
		`5:8: ec2.spot_fleets[0]: region, a target >= 0 and a type among [maintain request] are required`},
	{"an auto scaling group without a template", "autoscaling:\n  groups:\n    - {region: us-east-1, name: g}\n", []string{"autoscaling.groups[%d]: region, name and launch_template are required"},
		`5:8: autoscaling.groups[0]: region, name and launch_template are required`},
	{"an auto scaling group larger than its maximum", "autoscaling:\n  groups:\n    - {region: us-east-1, name: g, launch_template: t, min: 1, max: 2, desired: 3}\n",
		[]string{"autoscaling.groups[%d]: need 0 <= min <= desired <= max"}, `5:8: autoscaling.groups[0]: need 0 <= min <= desired <= max`},
	{"an auto scaling group of a template there is not", "autoscaling:\n  groups:\n    - {region: us-east-1, name: g, launch_template: t, max: 1}\n",
		[]string{"launch_template: %q is not in ec2.launch_templates of %s", siteUnder}, `5:53: autoscaling.groups[0].launch_template: "t" is not in ec2.launch_templates of us-east-1`},
	// What exposes the account: security groups, snapshots and AMIs shared, Access Analyzer.
	{"a security group without a region", "ec2:\n  security_groups:\n    - {name: web}\n", []string{"ec2.security_groups[%d]: a group's region is required"},
		`5:8: ec2.security_groups[0]: a group's region is required`},
	{"a security group id of another shape", "ec2:\n  security_groups:\n    - {region: us-east-1, id: web}\n", []string{"ec2.security_groups[%d].id: %q must start with sg-"},
		`5:31: ec2.security_groups[0].id: "web" must start with sg-`},
	{"two security groups of one name", "ec2:\n  security_groups:\n    - {region: us-east-1, name: web}\n    - {region: us-east-1, name: web}\n",
		[]string{"ec2.security_groups[%d].name: a second group called %q in %s"}, `6:33: ec2.security_groups[1].name: a second group called "web" in us-east-1`},
	{"a rule of a protocol there is not", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{protocol: gre, port: 22, cidr: 0.0.0.0/0}]\n",
		[]string{"protocol: must be tcp, udp, icmp or all, got %q", siteUnder}, `6:26: ec2.security_groups[0].rules[0].protocol: must be tcp, udp, icmp or all, got "gre"`},
	{"a rule without a source", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{port: 22}]\n",
		[]string{"give the rule one source: cidr or source_group", siteUnderTop}, `6:16: ec2.security_groups[0].rules[0]: give the rule one source`},
	{"a rule from a CIDR that is none", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{port: 22, cidr: everywhere}]\n",
		[]string{"cidr: %q is not an IPv4 or IPv6 CIDR block", siteUnder}, `6:32: ec2.security_groups[0].rules[0].cidr: "everywhere" is not an IPv4`},
	{"a rule with a port and a range", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{port: 22, from_port: 20, to_port: 23, cidr: 0.0.0.0/0}]\n",
		[]string{"port: give port, or from_port and to_port, not both", siteUnder}, `6:22: ec2.security_groups[0].rules[0].port: give port, or from_port`},
	{"a rule id of another shape", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{id: r-1, port: 22, cidr: 0.0.0.0/0}]\n",
		[]string{"id: %q must start with sgr-", siteUnder}, `6:20: ec2.security_groups[0].rules[0].id: "r-1" must start with sgr-`},
	{"a rule listed twice", "ec2:\n  security_groups:\n    - region: us-east-1\n      rules: [{port: 22, cidr: 0.0.0.0/0}, {port: 22, cidr: 0.0.0.0/0}]\n",
		[]string{"ec2.security_groups[%d].rules[%d]: %w"}, `6:45: ec2.security_groups[0].rules[1]: InvalidPermission.Duplicate`},
	{"a security group in a region the account does not have", "regions:\n  - {name: us-east-1, opt_in: opt-in-not-required}\nec2:\n  security_groups:\n    - {region: eu-west-1}\n",
		[]string{"ec2.%s[%d].region: %q is not one of the scenario's regions"}, `7:16: ec2.security_groups[0].region: "eu-west-1" is not one of the scenario's regions`},
	{"a snapshot without a region", "ec2:\n  snapshots:\n    - {id: snap-1}\n", []string{"a snapshot's or AMI's region is required", siteUnderTop},
		`5:8: ec2.snapshots[0]: a snapshot's or AMI's region is required`},
	{"an AMI id of another shape", "ec2:\n  images:\n    - {region: us-east-1, id: snap-1}\n", []string{"id: %q must start with %s", siteUnder},
		`5:31: ec2.images[0].id: "snap-1" must start with ami-`},
	{"a snapshot shared with no account", "ec2:\n  snapshots:\n    - {region: us-east-1, shares: [{with: partner}]}\n",
		[]string{"shares[%d].with: must be an account id (12 digits) or all, got %q", siteUnder}, `5:43: ec2.snapshots[0].shares[0].with: must be an account id`},
	{"an encrypted snapshot made public", "ec2:\n  snapshots:\n    - {region: us-east-1, encrypted: true, shares: [{with: all}]}\n",
		[]string{"ec2.snapshots[%d].shares[%d].with: an encrypted snapshot cannot be public (AWS refuses it)"}, `5:60: ec2.snapshots[0].shares[0].with: an encrypted snapshot cannot be public`},
	{"a past rule in a group id of another shape", "iam:\n  users: [{name: u}]\nattacker:\n  history:\n    - {service: ec2, action: AuthorizeSecurityGroupIngress, by: 'user:u', params: {groupId: web}}\n",
		[]string{"params: groupId %q is not a security group id", siteUnder}, `7:84: attacker.history[0].params: groupId "web" is not a security group id`},
	{"a past rule the group has already", "ec2:\n  security_groups:\n    - region: us-east-1\n      id: sg-0123456789abcdef0\n      rules: [{port: 22, cidr: 0.0.0.0/0}]\niam:\n  users: [{name: u}]\nattacker:\n  history:\n" +
		"    - service: ec2\n      action: AuthorizeSecurityGroupIngress\n      region: us-east-1\n      by: 'user:u'\n" +
		"      params: {groupId: sg-0123456789abcdef0, ipPermissions: {items: [{ipProtocol: tcp, fromPort: 22, toPort: 22, ipRanges: {items: [{cidrIp: 0.0.0.0/0}]}}]}}\n",
		[]string{"params: %w", siteUnder}, `16:16: attacker.history[0].params: InvalidPermission.Duplicate`},
	{"an analyzer without a name", "access_analyzer:\n  analyzers:\n    - {region: us-east-1}\n", []string{"access_analyzer.analyzers[%d]: region and name are required"},
		`5:8: access_analyzer.analyzers[0]: region and name are required`},
	{"an analyzer of a type there is not", "access_analyzer:\n  analyzers:\n    - {region: us-east-1, name: a, type: EVERYTHING}\n",
		[]string{"access_analyzer.analyzers[%d].type: must be one of %v, got %q"}, `5:42: access_analyzer.analyzers[0].type: must be one of`},
	{"an analyzer of a status there is not", "access_analyzer:\n  analyzers:\n    - {region: us-east-1, name: a, status: ON}\n",
		[]string{"access_analyzer.analyzers[%d].status: must be one of %v, got %q"}, `5:44: access_analyzer.analyzers[0].status: must be one of`},
	{"an analyzer in a region the account does not have", "regions:\n  - {name: us-east-1, opt_in: opt-in-not-required}\naccess_analyzer:\n  analyzers:\n    - {region: eu-west-1, name: a}\n",
		[]string{"access_analyzer.%s[%d].region: %q is not one of the scenario's regions"}, `7:16: access_analyzer.analyzers[0].region: "eu-west-1" is not one of the scenario's regions`},
	{"a finding without a resource", "access_analyzer:\n  findings:\n    - {region: us-east-1, principal: '*'}\n",
		[]string{"access_analyzer.findings[%d]: region, resource and resource_type are required"}, `5:8: access_analyzer.findings[0]: region, resource and resource_type are required`},
	{"a finding for nobody", "access_analyzer:\n  findings:\n    - {region: us-east-1, resource: b, resource_type: 'AWS::S3::Bucket', principal: partner}\n",
		[]string{"access_analyzer.findings[%d].principal: must be an account id or *, got %q"}, `5:85: access_analyzer.findings[0].principal: must be an account id or *`},
	{"a finding of a status there is not", "access_analyzer:\n  findings:\n    - {region: us-east-1, resource: b, resource_type: 'AWS::S3::Bucket', principal: '*', status: OPEN}\n",
		[]string{"access_analyzer.findings[%d].status: must be one of %v, got %q"}, `5:98: access_analyzer.findings[0].status: must be one of`},
	// Logging.
	{"a trail without a name", "cloudtrail:\n  trails:\n    - {home_region: us-east-1}\n", []string{"name: a trail's name is required", siteUnderTop},
		`5:8: cloudtrail.trails[0].name: a trail's name is required`},
	{"a trail's management events", "cloudtrail:\n  trails:\n    - {name: t, management_events: some}\n", []string{"management_events: must be all, read-only, write-only or none, got %q", siteUnder},
		`5:36: cloudtrail.trails[0].management_events: must be all`},
	{"a detector without a region", "guardduty:\n  detectors:\n    - {created: -1d}\n", []string{"guardduty.detectors[%d].region: a detector's region is required"},
		`5:8: guardduty.detectors[0].region: a detector's region is required`},
	{"two detectors in a region", "guardduty:\n  detectors:\n    - {region: us-east-1}\n    - {region: us-east-1}\n",
		[]string{"guardduty.detectors[%d].region: a region has at most one detector, %s has two"}, `6:16: guardduty.detectors[1].region: a region has at most one detector`},
	{"a detector id that is not 32 hex digits", "guardduty:\n  detectors:\n    - {region: us-east-1, id: abc}\n",
		[]string{"guardduty.detectors[%d].id: must be 32 lower-case hex digits, got %q"}, `5:31: guardduty.detectors[0].id: must be 32 lower-case hex digits`},
	{"selectors neither basic nor advanced", "cloudtrail:\n  trails:\n    - {name: a, selectors: fancy}\n",
		[]string{"selectors: must be basic or advanced, got %q", siteUnder}, `5:28: cloudtrail.trails[0].selectors: must be basic or advanced`},
	{"basic selectors leaving out S3", "cloudtrail:\n  trails:\n    - {name: a, excluded_sources: [s3.amazonaws.com]}\n",
		[]string{"excluded_sources: basic selectors can leave out only kms.amazonaws.com or rdsdata.amazonaws.com, not %q", siteUnder},
		`5:35: cloudtrail.trails[0].excluded_sources: basic selectors can leave out only`},
	{"a trail made by nobody", "cloudtrail:\n  trails:\n    - {name: a, created_by: AKIAEXAMPLENOBODY000}\n", []string{siteNoActor, siteAtPath},
		`5:29: cloudtrail.trails[0].created_by: "AKIAEXAMPLENOBODY000" is neither`},
	{"a bucket listed twice", "s3:\n  buckets:\n    - {name: b}\n    - {name: b}\n",
		[]string{"s3.buckets[%d].name: bucket %q is unnamed or listed twice"}, `6:14: s3.buckets[1].name: bucket "b" is unnamed or listed twice`},
	{"a lifecycle rule that expires nothing", "s3:\n  buckets:\n    - name: b\n      lifecycle: [{id: r}]\n",
		[]string{"lifecycle[%d].expiration_days: rule %q expires nothing: give expiration_days or noncurrent_days", siteUnder},
		`6:20: s3.buckets[0].lifecycle[0].expiration_days: rule "r" expires nothing`},
	// Faults.
	{"a latency that is no duration", "faults:\n  - {latency: slow}\n", []string{"latency: %q is not a duration such as 100ms", siteUnder}, `4:15: faults[0].latency: "slow" is not a duration`},
	{"a latency over the limit", "faults:\n  - {latency: 1h}\n", []string{"latency: %s is over the limit of %s (use hang for a region that never answers)", siteUnder},
		`4:15: faults[0].latency: 1h0m0s is over the limit`},
	{"a throttling share over 1", "faults:\n  - {throttle: 2}\n", []string{"throttle: a share between 0 and 1, got %v", siteUnder}, `4:16: faults[0].throttle: a share between 0 and 1, got 2`},
	{"a rate under 0", "faults:\n  - {status: 500, rate: -1}\n", []string{"rate: a share between 0 and 1, got %v", siteUnder}, `4:25: faults[0].rate: a share between 0 and 1, got -1`},
	{"a status that is not a server error", "faults:\n  - {status: 404}\n", []string{"status: must be 500 or 503, got %d", siteUnder}, `4:14: faults[0].status: must be 500 or 503, got 404`},
	{"an answer lost some other way", "faults:\n  - {lose_answer: later}\n", []string{"lose_answer: must be drop or error, got %q", siteUnder}, `4:19: faults[0].lose_answer: must be drop or error`},
	{"two faults in one", "faults:\n  - {deny: true, hang: true}\n", []string{"deny, status, lose_answer and hang are separate faults: give each its own entry", siteUnderTop},
		`4:6: faults[0]: deny, status, lose_answer and hang are separate faults`},
}

// TestEveryValueDrillRefusesValidateRefusesAtItsPlace feeds every case through validate, sim serve
// and drill: each refuses the file with the same file:line:col message.
func TestEveryValueDrillRefusesValidateRefusesAtItsPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, tt := range loaderCases {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "s"+strconv.Itoa(i)+".yaml")
			text, whole := strings.CutPrefix(tt.body, wholeFile)
			if !whole {
				text = scenarioHead + tt.body
			}
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			want := path + ":" + tt.want
			commands := [][]string{{"sim", "serve", "--scenario", path, "--addr", "127.0.0.1:0"}, {"drill", "--scenario", path}}
			if strings.TrimSpace(text) != "" && !strings.HasPrefix(text, "#") {
				commands = append(commands, []string{"validate", path})
			}
			for _, args := range commands {
				var stdout, stderr bytes.Buffer
				code := run(args, &stdout, &stderr)
				wantCode := exitUsage
				if args[0] == "validate" {
					wantCode = exitFailed
				}
				if code != wantCode || !strings.Contains(stderr.String(), want) {
					t.Errorf("%s: exit %d, want %d and\n%s\ngot:\n%s%s", args[0], code, wantCode, want, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// notScenarioValues are error sites of the simulator's package that refuse no value of a scenario
// file, each with why.
var notScenarioValues = map[string]string{
	"pace %q is not a speed such as 1x, 2.5x or 10x":      "drill --pace",
	"pace %q is out of range: from 1x (real time) to %dx": "drill --pace",
	"address %q: %w": "sim serve --addr",
	"address %q: the simulator only listens on loopback (127.0.0.1, ::1 or localhost)": "sim serve --addr",
	"no scenario called %q (built in: %s)":                                             "a scenario name that is neither built in nor a file",
	"%s: %w":                                                                           "names the file, or the path, in front of any problem",
	"%s:%w":                                                                            "names the file in front of a problem placed by the shape check",
	"%s: %s":                                                                           "names the file in front of a YAML syntax error, or an item's path in front of its problem",
	"the YAML decoder failed on this file (%v); simplify the values around the last change": "a panic of the YAML library, which the tag check forestalls (seed tag-where-a-list-belongs)",
	"responder.access_key_id: %w":                              "cannot happen: a responder key that is a user's key is that key",
	"responder.break_glass.access_key_id: %w":                  "cannot happen: a break-glass key that is a user's key is that key",
	"scenario %s describes one account, not an organization":   "a caller's mistake: NewOrganization of a scenario without one",
	"attacker.sessions: the session of role %s was not opened": "cannot happen: seedSession opened every session of a member before its echo is written",
	"key pair %s in %s: %w":                                    "cannot happen: a key pair's by is checked, at its place, before its history is written",
}

// TestEveryLoaderErrorSiteHasACase reads the simulator's source for every error it makes and
// requires a case of loaderCases for each one that refuses a value of a scenario file, so a check
// added to the loader is fed through validate, drill and sim serve too.
func TestEveryLoaderErrorSiteHasACase(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, c := range loaderCases {
		for _, s := range c.sites {
			covered[s] = true
		}
	}
	files, err := filepath.Glob(filepath.Join("aws", "sim", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no source of the simulator: %v", err)
	}
	found := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			format, ok := errorFormat(n)
			if !ok {
				return true
			}
			found[format] = true
			if !covered[format] && notScenarioValues[format] == "" {
				t.Errorf("%s: the loader's error %q has no case in loaderCases", fset.Position(n.Pos()), format)
			}
			return true
		})
	}
	for s := range covered {
		if !found[s] {
			t.Errorf("loaderCases names %q, which no error of the loader has any more", s)
		}
	}
	if len(found) < 40 {
		t.Errorf("only %d error sites found: is the source still where this test looks?", len(found))
	}
}

// errorFormat is the format of a call of fmt.Errorf or errors.New.
func errorFormat(n ast.Node) (string, bool) {
	call, ok := n.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || !slices.Contains([]string{"fmt.Errorf", "errors.New"}, pkg.Name+"."+sel.Sel.Name) {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok {
		return "(not a literal)", true
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
