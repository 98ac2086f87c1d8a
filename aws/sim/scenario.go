package sim

import (
	"embed"
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Scenario is the simulated account's starting state, its faults and its attacker, read from YAML.
// Times are offsets from the moment the simulation starts ("-3h", "-30d", "+5m") or RFC 3339.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Brief is the scenario in one line, as `drill --list` shows it.
	Brief string `yaml:"brief"`
	// Difficulty is how hard the drill is for a new on-call: easy, medium or hard.
	Difficulty string `yaml:"difficulty"`
	// Alert is the notice the on-call receives, shown on the drill's briefing screen.
	Alert AlertSpec `yaml:"alert"`
	// Goals are what the participants should achieve, shown on the briefing screen.
	Goals []string `yaml:"goals"`
	// Seed makes ids and fault dice repeatable.
	Seed    uint64      `yaml:"seed"`
	Account AccountSpec `yaml:"account"`
	// IncidentStart is T0: when the key is believed to have leaked.
	IncidentStart When          `yaml:"incident_start"`
	Responder     ResponderSpec `yaml:"responder"`
	// Regions default to AWS's commercial regions with their usual opt-in status.
	Regions []RegionSpec `yaml:"regions"`
	IAM     IAMSpec      `yaml:"iam"`
	EC2     EC2Spec      `yaml:"ec2"`
	// AutoScaling is the account's Auto Scaling groups, whose launch templates are in EC2.
	AutoScaling AutoScalingSpec `yaml:"autoscaling"`
	Faults      []Fault         `yaml:"faults"`
	Attacker    AttackerSpec    `yaml:"attacker"`
	// EnforcePermissions authorizes every call against the caller's IAM policies, as AWS does.
	// Without it only the responder's calls are checked; other principals act unchecked.
	EnforcePermissions bool `yaml:"enforce_permissions"`
	// CloudTrail switches on CloudTrail's limits; its history comes from the `by` fields.
	CloudTrail CloudTrailSpec `yaml:"cloudtrail"`
	// GuardDuty is the account's GuardDuty detectors.
	GuardDuty GuardDutySpec `yaml:"guardduty"`
	// AccessAnalyzer is the account's IAM Access Analyzer: analyzers and their findings.
	AccessAnalyzer AccessAnalyzerSpec `yaml:"access_analyzer"`
	// S3 is the account's buckets, as far as trails deliver to them.
	S3 S3Spec `yaml:"s3"`
	// Par is how fast a practised on-call handles the scenario, for the drill's score.
	Par ParSpec `yaml:"par"`
	// Organization makes the account the management account of an organization of members,
	// each simulated as an account of its own (org_spec.go).
	Organization *OrganizationSpec `yaml:"organization"`

	// member marks a member account's scenario, built from its organization: it has no responder
	// of its own (the responder comes in through the access role).
	member bool

	// source is the file the scenario was read from, to place the loader's problems in it.
	source scenarioSource
}

// scenarioSource is a scenario file's name and text.
type scenarioSource struct {
	name string
	data []byte
}

// placed puts an error of the loader, whose message starts with the YAML path of the value it
// refuses ("iam.users[2].created: ..."), at that value's line and column in the scenario's file:
// drill, sim serve and validate report it alike.
func (sc *Scenario) placed(err error) error {
	if sc.source.name == "" {
		return err
	}
	if p, ok := placeProblem(sc.source.name, sc.source.data, err.Error()); ok {
		return Problems{p}
	}
	return fmt.Errorf("%s: %w", sc.source.name, err)
}

// AlertSpec is how the incident reaches the on-call: who sent what, when, and what it cost so far.
// The leaked key id is the attacker's.
type AlertSpec struct {
	From    string `yaml:"from"`
	Subject string `yaml:"subject"`
	Text    string `yaml:"text"`
	Seen    When   `yaml:"seen"`
	Cost    string `yaml:"cost"`
}

// AccountSpec names the simulated account.
type AccountSpec struct {
	ID    string `yaml:"id"`
	Alias string `yaml:"alias"`
}

// ResponderSpec is the IAM user and key the on-call engineer signs with in a drill. Policies and
// groups given here are added to the responder's user; a responder left without any IAM policy
// has full access through a path IAM listings do not show, so a drill is not blocked by omission.
// Give them policies (an Allow of everything plus a Deny of iam:Delete*, say) to drill a responder
// with limited permissions.
type ResponderSpec struct {
	User             string            `yaml:"user"`
	AccessKeyID      string            `yaml:"access_key_id"`
	SecretAccessKey  string            `yaml:"secret_access_key"`
	AttachedPolicies []string          `yaml:"attached_policies"`
	InlinePolicies   map[string]string `yaml:"inline_policies"`
	Groups           []string          `yaml:"groups"`
	// BreakGlass is a second identity the responder can fetch, as a real one takes break-glass
	// credentials out of the team's vault once their own no longer work.
	BreakGlass *BreakGlassSpec `yaml:"break_glass"`
}

// BreakGlassSpec names the break-glass identity: an access key of one of iam.users' (with its
// secret), or a user to give one.
type BreakGlassSpec struct {
	User            string `yaml:"user"`
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
}

// RegionSpec is one region and its opt-in status: opt-in-not-required, opted-in or not-opted-in.
type RegionSpec struct {
	Name  string `yaml:"name"`
	OptIn string `yaml:"opt_in"`
}

// When is a point in simulated time: an offset from the start ("-2h", "-30d", "+90s") or RFC 3339.
type When string

// Resolve returns the absolute time relative to start; an empty When is start itself.
func (w When) Resolve(start time.Time) (time.Time, error) {
	s := strings.TrimSpace(string(w))
	if s == "" {
		return start, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := parseOffset(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an offset such as -3h or -30d nor an RFC 3339 time", s)
	}
	return start.Add(d), nil
}

// parseOffset accepts Go durations plus a day suffix: "-30d", "+2d12h".
func parseOffset(s string) (time.Duration, error) {
	sign := time.Duration(1)
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	var days time.Duration
	if i := strings.Index(s, "d"); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, err
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, err
		}
		rest = d
	}
	return sign * (days + rest), nil
}

//go:embed scenarios/*.yaml
var builtinScenarios embed.FS

// DefaultScenario is the drill a fresh machine runs.
const DefaultScenario = "crypto-miner"

// ScenarioNames lists the built-in scenarios.
func ScenarioNames() []string {
	entries, _ := builtinScenarios.ReadDir("scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltinScenarioText is the YAML of a built-in scenario.
func BuiltinScenarioText(name string) ([]byte, error) {
	return builtinScenarios.ReadFile(path.Join("scenarios", name+".yaml"))
}

// LoadScenario reads a built-in scenario by name, or a scenario file when nameOrFile names one.
func LoadScenario(nameOrFile string) (*Scenario, error) {
	if nameOrFile == "" {
		nameOrFile = DefaultScenario
	}
	if data, err := builtinScenarios.ReadFile(path.Join("scenarios", nameOrFile+".yaml")); err == nil {
		return ParseScenario("builtin:"+nameOrFile, data)
	}
	data, err := readScenarioFile(nameOrFile)
	if err != nil {
		if os.IsNotExist(err) && !strings.ContainsAny(nameOrFile, "/.") {
			return nil, fmt.Errorf("no scenario called %q (built in: %s)", nameOrFile, strings.Join(ScenarioNames(), ", "))
		}
		return nil, err
	}
	return ParseScenario(nameOrFile, data)
}

// InstanceCount is how many instances the scenario starts with, listed and generated.
func (sc *Scenario) InstanceCount() int {
	n := len(sc.EC2.Instances)
	for _, f := range sc.EC2.Generate {
		n += f.Count
	}
	return n
}

// EnabledRegions counts the regions the account can use: its own list's, or AWS's 17 that every
// account has.
func (sc *Scenario) EnabledRegions() int {
	regions := sc.Regions
	if len(regions) == 0 {
		regions = commercialRegions
	}
	n := 0
	for _, r := range regions {
		if r.OptIn != "not-opted-in" {
			n++
		}
	}
	return n
}

// LoadScenarioFile reads the scenario file at path; unlike LoadScenario it never takes the name
// for a built-in scenario's.
func LoadScenarioFile(path string) (*Scenario, error) {
	data, err := readScenarioFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(path, data)
}

// ParseScenario decodes a scenario strictly: unknown keys (every one, with the closest known
// key) and values of the wrong type are Problems with their position.
// A file too large, too deep or too long is refused before it is parsed, and counts over their
// limits are refused before anything is built; both name the place as file:line:col.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	if err := measureScenario(data); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: the scenario is empty", name)
	}
	var sc Scenario
	if err := decodeScenario(name, data, &sc); err != nil {
		return nil, err
	}
	if err := sc.checkCounts(); err != nil {
		if pe, ok := locate(data, err).(*positionedError); ok {
			return nil, fmt.Errorf("%s:%w", name, pe)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sc.source = scenarioSource{name: name, data: data}
	if err := sc.validate(); err != nil {
		return nil, sc.placed(err)
	}
	return &sc, nil
}

// Difficulties are the levels a scenario's difficulty may name, easiest first.
var Difficulties = []string{"easy", "medium", "hard"}

// validate checks the values that need nothing built to be checked; New checks the rest (references
// between them) as it builds the account. Each error starts with the YAML path of its value.
func (sc *Scenario) validate() error {
	if err := sc.checkTimes(); err != nil {
		return err
	}
	if sc.Difficulty != "" && !slices.Contains(Difficulties, sc.Difficulty) {
		return fmt.Errorf("difficulty: must be one of %s, got %q", strings.Join(Difficulties, ", "), sc.Difficulty)
	}
	if len(sc.Account.ID) != 12 || strings.Trim(sc.Account.ID, "0123456789") != "" {
		return fmt.Errorf("account.id: must be 12 digits, got %q", sc.Account.ID)
	}
	if err := sc.Par.validate(); err != nil {
		return err
	}
	for i, r := range sc.Regions {
		switch r.OptIn {
		case "opt-in-not-required", "opted-in", "not-opted-in":
		default:
			return fmt.Errorf("regions[%d].opt_in: must be opt-in-not-required, opted-in or not-opted-in, got %q", i, r.OptIn)
		}
	}
	if err := sc.IAM.validate(); err != nil {
		return err
	}
	if err := sc.EC2.validate(); err != nil {
		return err
	}
	if err := sc.AutoScaling.validate(); err != nil {
		return err
	}
	if err := sc.AccessAnalyzer.validate(); err != nil {
		return err
	}
	for i := range sc.Faults {
		// validate parses the latency into the fault itself, so it must not run on a copy.
		if err := sc.Faults[i].validate(); err != nil {
			return under(fmt.Sprintf("faults[%d]", i), err)
		}
	}
	if err := sc.Attacker.validate(); err != nil {
		return err
	}
	if sc.Organization != nil {
		return sc.Organization.validate(sc)
	}
	return nil
}

// commercialRegions are AWS's commercial regions; the first 17 are enabled in every account.
var commercialRegions = []RegionSpec{
	{"us-east-1", "opt-in-not-required"}, {"us-east-2", "opt-in-not-required"},
	{"us-west-1", "opt-in-not-required"}, {"us-west-2", "opt-in-not-required"},
	{"ap-south-1", "opt-in-not-required"}, {"ap-northeast-1", "opt-in-not-required"},
	{"ap-northeast-2", "opt-in-not-required"}, {"ap-northeast-3", "opt-in-not-required"},
	{"ap-southeast-1", "opt-in-not-required"}, {"ap-southeast-2", "opt-in-not-required"},
	{"ca-central-1", "opt-in-not-required"}, {"eu-central-1", "opt-in-not-required"},
	{"eu-west-1", "opt-in-not-required"}, {"eu-west-2", "opt-in-not-required"},
	{"eu-west-3", "opt-in-not-required"}, {"eu-north-1", "opt-in-not-required"},
	{"sa-east-1", "opt-in-not-required"},
	{"af-south-1", "not-opted-in"}, {"ap-east-1", "not-opted-in"}, {"ap-south-2", "not-opted-in"},
	{"ap-southeast-3", "not-opted-in"}, {"ap-southeast-4", "not-opted-in"},
	{"ca-west-1", "not-opted-in"}, {"eu-central-2", "not-opted-in"}, {"eu-south-1", "not-opted-in"},
	{"eu-south-2", "not-opted-in"}, {"il-central-1", "not-opted-in"},
	{"me-central-1", "not-opted-in"}, {"me-south-1", "not-opted-in"},
}
