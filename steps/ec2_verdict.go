package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"lockdown/aws"
)

// Verdict is what lockdown thinks of an instance.
type Verdict string

const (
	// VerdictRogue: launched (or requested, or keyed) after the incident start.
	VerdictRogue Verdict = "rogue"
	// VerdictSuspicious: older than T0, but something about it is what attackers do.
	VerdictSuspicious Verdict = "suspicious"
	VerdictOK         Verdict = "ok"
	// VerdictProtected: the operator or the account said to leave it alone.
	VerdictProtected Verdict = "protected"
)

// ProtectTag marks an instance lockdown must never propose to terminate.
const ProtectTag = "lockdown:protect"

// RogueInstance is an instance with its verdict and every reason for it, in words.
type RogueInstance struct {
	aws.Instance
	Verdict Verdict  `json:"verdict"`
	Reasons []string `json:"reasons"`
	// LaunchedBy is the CloudTrail event that launched it, when the trace found one; Evidence says
	// whether the verdict rests on CloudTrail or, and why, on timestamps.
	LaunchedBy *aws.Origin `json:"launched_by,omitempty"`
	Evidence   string      `json:"evidence,omitempty"`
	// UserData is the attacker's change of its user data, when the trace found one: the instance
	// runs the attacker's code at its next start, and stopping it is what is proposed.
	UserData *aws.UserDataChange `json:"user_data_changed,omitempty"`
}

// VerdictRules are what the verdicts are judged against.
type VerdictRules struct {
	// Since is T0; the zero time disables the "after T0" reasons.
	Since time.Time
	// UsualRegions are where the account normally runs instances; empty disables the region reason.
	UsualRegions []string
	// UsualInferred says UsualRegions were inferred from instances older than T0.
	UsualInferred bool
	AllowIDs      []string
	// AllowTags are "key=value" (or "key" for any value).
	AllowTags []string
	// Trace is the CloudTrail evidence of who launched what; nil when no trace was asked for.
	Trace *TraceEvidence
}

// regionFacts is what a region's scan says about the key pairs and spot requests instances use.
type regionFacts struct {
	keys map[string]time.Time
	spot map[string]time.Time
}

// Judge gives every instance of the scan a verdict, most suspicious first.
func Judge(scan *aws.InstanceScan, rules VerdictRules) []RogueInstance {
	var out []RogueInstance
	for _, r := range scan.Regions {
		out = append(out, judgeRegion(r, rules)...)
	}
	SortBySuspicion(out)
	return out
}

// judgeRegion gives each instance of one region its verdict, in the scan's order.
func judgeRegion(r aws.RegionScan, rules VerdictRules) []RogueInstance {
	facts := regionFacts{keys: map[string]time.Time{}, spot: map[string]time.Time{}}
	for _, k := range r.KeyPairs {
		facts.keys[k.Name] = k.Created
	}
	for _, s := range r.SpotRequests {
		facts.spot[s.ID] = s.Created
	}
	out := make([]RogueInstance, 0, len(r.Instances))
	for _, in := range r.Instances {
		out = append(out, rules.judge(in, facts))
	}
	return out
}

func (rules VerdictRules) judge(in aws.Instance, facts regionFacts) RogueInstance {
	protect := rules.protectedBecause(in)
	rogue, tied, notes := rules.afterT0(in, facts)
	odd := append(rules.userDataChanged(in), rules.oddities(in, facts)...)
	judged := rules.Trace.judge(in, rogue)
	rogue = judged.rogue
	if judged.origin == nil || judged.origin.Attacker {
		// A key pair made after T0 on an instance first launched before it ties something new to
		// an old instance: suspicious, for a person to look at, never rogue on that alone.
		odd = append(odd, tied...)
	}
	ri := RogueInstance{Instance: in, Reasons: append(append(append(append(protect, rogue...), odd...), judged.notes...), notes...),
		LaunchedBy: judged.origin, Evidence: judged.evidence}
	if rules.Trace != nil && rules.Trace.Footprint != nil {
		if c, ok := rules.Trace.Footprint.UserDataChangeOf(in.ID); ok {
			ri.UserData = &c
		}
	}
	switch {
	case len(protect) > 0:
		ri.Verdict = VerdictProtected
	case len(rogue) > 0:
		ri.Verdict = VerdictRogue
	case len(odd) > 0:
		ri.Verdict = VerdictSuspicious
	default:
		ri.Verdict = VerdictOK
	}
	return ri
}

func (rules VerdictRules) protectedBecause(in aws.Instance) []string {
	var why []string
	if strings.EqualFold(in.Tags[ProtectTag], "true") {
		why = append(why, "protected: tagged "+ProtectTag+"=true")
	}
	for _, id := range rules.AllowIDs {
		if id == in.ID {
			why = append(why, "protected: its id is on the allowlist")
		}
	}
	for _, at := range rules.AllowTags {
		key, value, hasValue := strings.Cut(at, "=")
		if v, ok := in.Tags[key]; ok && (!hasValue || v == value) {
			why = append(why, "protected: tag "+at+" is on the allowlist")
		}
	}
	return why
}

// afterT0 lists what ties the instance to the incident window: what makes it rogue, what ties
// something new to an instance first launched before T0 (suspicious at most), and notes. An
// instance's launch is its first launch, its primary network interface's attachment: a stop and
// start after T0 sets LaunchTime anew and is no launch.
func (rules VerdictRules) afterT0(in aws.Instance, facts regionFacts) (rogue, tied, notes []string) {
	if rules.Since.IsZero() {
		return nil, nil, nil
	}
	first := in.FirstLaunch
	if first.IsZero() {
		first = in.LaunchTime
	}
	launchedAfter := first.After(rules.Since)
	if launchedAfter {
		rogue = append(rogue, fmt.Sprintf("launched %s after the incident start (T0)", ec2Age(first.Sub(rules.Since))))
	} else if in.LaunchTime.After(rules.Since) {
		notes = append(notes, fmt.Sprintf("first launched %s, before T0; started again %s after T0 (its LaunchTime): a restart is no launch",
			first.UTC().Format("2006-01-02 15:04"), ec2Age(in.LaunchTime.Sub(rules.Since))))
	}
	if created, ok := facts.keys[in.KeyName]; ok && created.After(rules.Since) {
		if launchedAfter {
			rogue = append(rogue, fmt.Sprintf("key pair %s was created after T0", in.KeyName))
		} else {
			tied = append(tied, fmt.Sprintf("key pair %s was created after T0, but the instance was first launched before it (%s): "+
				"suspicious, not rogue", in.KeyName, first.UTC().Format("2006-01-02 15:04")))
		}
	}
	if created, ok := facts.spot[in.SpotRequestID]; ok && created.After(rules.Since) {
		rogue = append(rogue, fmt.Sprintf("requested by spot request %s, created after T0", in.SpotRequestID))
	}
	return rogue, tied, notes
}

// userDataChanged is the attacker's change of the instance's user data, which the trace found:
// suspicious, whatever else it is, since the instance runs it at its next start.
func (rules VerdictRules) userDataChanged(in aws.Instance) []string {
	if rules.Trace == nil || rules.Trace.Footprint == nil {
		return nil
	}
	c, ok := rules.Trace.Footprint.UserDataChangeOf(in.ID)
	if !ok {
		return nil
	}
	why := fmt.Sprintf("user data changed by the attacker: ModifyInstanceAttribute by %s from %s at %s (CloudTrail event %s)",
		c.Credential, c.SourceIP, c.Time.UTC().Format("2006-01-02 15:04"), c.EventID)
	if c.SetBack != "" {
		why += "; set again since, not by the attacker: " + c.SetBack + " — nothing to stop, check it is the team's"
	}
	return []string{why}
}

// oddities lists what is unusual whenever the instance was launched.
func (rules VerdictRules) oddities(in aws.Instance, facts regionFacts) []string {
	var why []string
	if family, ok := acceleratedFamily(in.Type); ok {
		why = append(why, fmt.Sprintf("instance type %s is a GPU/accelerated family (%s) attackers favour for mining", in.Type, family))
	} else if size, ok := veryLarge(in.Type); ok {
		why = append(why, fmt.Sprintf("instance type %s is very large (%s)", in.Type, size))
	}
	if len(rules.UsualRegions) > 0 && !slices.Contains(rules.UsualRegions, in.Region) {
		source := "the runbook's usual_regions"
		if rules.UsualInferred {
			source = "regions with instances older than T0"
		}
		why = append(why, fmt.Sprintf("region %s is not one the account usually uses (%s: %s)", in.Region, source, strings.Join(rules.UsualRegions, ", ")))
	}
	if _, known := facts.keys[in.KeyName]; in.KeyName != "" && !known {
		why = append(why, fmt.Sprintf("key pair %s is unknown in %s (deleted, or never the account's)", in.KeyName, in.Region))
	}
	return why
}

// acceleratedFamilies are GPU, FPGA and ML accelerator families: the ones mining needs.
var acceleratedFamilies = []string{"p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6", "g2", "g3", "g3s", "g4dn",
	"g4ad", "g5", "g5g", "g6", "g6e", "gr6", "g6f", "inf1", "inf2", "trn1", "trn1n", "trn2", "dl1", "dl2q", "f1", "f2", "vt1"}

func acceleratedFamily(instanceType string) (string, bool) {
	family, _, _ := strings.Cut(instanceType, ".")
	return family, slices.Contains(acceleratedFamilies, family)
}

// veryLarge matches .metal sizes and sizes of 16xlarge and up (64+ vCPUs on most families).
func veryLarge(instanceType string) (string, bool) {
	_, size, _ := strings.Cut(instanceType, ".")
	if strings.HasPrefix(size, "metal") {
		return size, true
	}
	n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
	return size, err == nil && strings.HasSuffix(size, "xlarge") && n >= 16
}

var verdictRank = map[Verdict]int{VerdictRogue: 0, VerdictSuspicious: 1, VerdictProtected: 2, VerdictOK: 3}

// SortBySuspicion orders rogue first, then suspicious, protected and ok; within a verdict, more
// reasons first, then the newest launch. The order is total (region and id break ties), so the
// instances are sorted by index and moved once, not swapped about: a scan holds many.
func SortBySuspicion(list []RogueInstance) {
	order := make([]int, len(list))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return moreSuspicious(&list[i], &list[j]) })
	// Put each instance in its place by following the permutation's cycles.
	for start := range order {
		if order[start] < 0 {
			continue
		}
		moving := list[start]
		at := start
		for {
			from := order[at]
			order[at] = -1
			if from == start {
				list[at] = moving
				break
			}
			list[at] = list[from]
			at = from
		}
	}
}

// moreSuspicious compares two instances for SortBySuspicion: negative when a comes first.
func moreSuspicious(a, b *RogueInstance) int {
	switch {
	case verdictRank[a.Verdict] != verdictRank[b.Verdict]:
		return verdictRank[a.Verdict] - verdictRank[b.Verdict]
	case len(a.Reasons) != len(b.Reasons):
		return len(b.Reasons) - len(a.Reasons)
	case !a.LaunchTime.Equal(b.LaunchTime):
		return b.LaunchTime.Compare(a.LaunchTime)
	case a.Region != b.Region:
		return strings.Compare(a.Region, b.Region)
	}
	return strings.Compare(a.ID, b.ID)
}

func ec2Age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return d.Truncate(time.Minute).String()
	}
	return d.Truncate(time.Second).String()
}
