package steps

import (
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// byExposure is the step that closes what the attacker opened, by its title in the runbook.
const byExposure = "Close what the attacker opened"

// exposure is one way in from outside the account: an inbound rule, or one account (or everyone)
// a snapshot or AMI is shared with. Its ID is the id of the change that closes it, which is also
// the step's row id, so the verification's keep and the step's keep are one decision.
type exposure struct {
	ID     string
	Region string
	// Kind is "rule", aws.KindSnapshot or aws.KindImage.
	Kind   string
	Rule   aws.IngressRule
	Shared aws.Shared
	// Who is the account, or aws.Public, a snapshot or AMI is shared with.
	Who string
	// Origin is the attacker's CloudTrail event that opened it, when the trace names one.
	Origin *aws.TrailEvent
}

const kindRule = "rule"

// Item is how the verification names it: region/rule id, or region/resource id/grantee.
func (x exposure) Item() string {
	if x.Kind == kindRule {
		return x.Region + "/" + x.Rule.RuleID
	}
	return x.Region + "/" + x.Shared.ID + "/" + x.Who
}

// What says what it is, in the operator's words.
func (x exposure) What() string {
	if x.Kind == kindRule {
		group := x.Rule.GroupID
		if x.Rule.GroupName != "" {
			group += " (" + x.Rule.GroupName + ")"
		}
		return fmt.Sprintf("%s lets %s in from %s", group, x.Rule.Ports(), x.Rule.Source())
	}
	return fmt.Sprintf("the %s %s is %s", x.Kind, resourceName(x.Shared), sharedWith(x.Who))
}

func resourceName(s aws.Shared) string {
	if s.Name != "" && s.Name != s.ID {
		return s.ID + " (" + s.Name + ")"
	}
	return s.ID
}

// shareState is what a share makes of a snapshot or AMI: "public", or "shared with the account …".
func shareState(who string) string {
	if who == aws.Public {
		return "public"
	}
	return "shared with the account " + who
}

func sharedWith(who string) string {
	if who == aws.Public {
		return "public: any AWS account can copy it"
	}
	return "shared with the account " + who
}

// namedPorts are the ports the verification calls out when open to the world.
var namedPorts = []struct {
	port  int32
	name  string
	admin bool
}{
	{22, "SSH", true}, {3389, "RDP", true}, {5985, "WinRM", true}, {5986, "WinRM", true}, {23, "Telnet", true},
	{3306, "MySQL", false}, {5432, "PostgreSQL", false}, {1433, "SQL Server", false}, {1521, "Oracle", false},
	{27017, "MongoDB", false}, {6379, "Redis", false}, {9200, "Elasticsearch", false}, {5439, "Redshift", false},
	{11211, "Memcached", false}, {9042, "Cassandra", false},
}

// Concern calls out the administrative and database ports a world-open rule exposes; "" when it
// exposes none of them (or is not open to the world).
func (x exposure) Concern() string {
	if x.Kind != kindRule || !x.Rule.WorldOpen() {
		return ""
	}
	var admin, db []string
	for _, p := range namedPorts {
		if !x.Rule.Covers(p.port) {
			continue
		}
		named := fmt.Sprintf("%s (%d)", p.name, p.port)
		if p.admin {
			admin = append(admin, named)
		} else {
			db = append(db, named)
		}
	}
	var out []string
	if len(admin) > 0 {
		out = append(out, "administrative: "+strings.Join(admin, ", "))
	}
	if len(db) > 0 {
		out = append(out, "database: "+strings.Join(db, ", "))
	}
	return strings.Join(out, "; ")
}

// Evidence is what the verification and the step say about it: what it is, what it exposes, and
// who opened it according to CloudTrail.
func (x exposure) Evidence() string {
	out := x.What()
	if x.Kind == kindRule && x.Rule.WorldOpen() {
		out += ", open to the world"
	}
	if c := x.Concern(); c != "" {
		out += " — " + c
	}
	if x.Origin != nil {
		out += "; opened by the attacker: " + originOf(*x.Origin)
	}
	return out
}

func originOf(e aws.TrailEvent) string {
	return fmt.Sprintf("%s by %s from %s at %s (CloudTrail event %s)", e.EventName, firstNonEmpty(e.Credential, e.Principal), e.SourceIP,
		e.Time.UTC().Format("2006-01-02 15:04Z"), e.EventID)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// exposures lists every way in the survey found: each inbound rule open to the world or opened by
// the attacker, and each grantee of every shared snapshot and AMI (all are outside the account).
func exposures(s *aws.ExposureSurvey, o exposureOrigins) []exposure {
	var out []exposure
	for _, r := range s.Rules {
		origin := o.ruleOrigin(r)
		if !r.WorldOpen() && origin == nil {
			continue
		}
		out = append(out, exposure{ID: RevokeRuleChangeID(r.Region, r.RuleID), Region: r.Region, Kind: kindRule, Rule: r, Origin: origin})
	}
	for _, sh := range s.Shared {
		for _, who := range sh.Shares {
			out = append(out, exposure{ID: UnshareChangeID(sh.Kind, sh.Region, sh.ID, who), Region: sh.Region, Kind: sh.Kind, Shared: sh,
				Who: who, Origin: o.shareOrigin(sh.Kind, sh.ID, who)})
		}
	}
	return out
}

// exposureOrigins are what the attacker's CloudTrail events opened: inbound rules by id, rules a
// record asked for without naming ids (matched to the account's rules), and shares by resource and
// grantee, as the timeline leaves them (a share the attacker added and removed again is not one).
type exposureOrigins struct {
	rules  map[string]aws.TrailEvent
	asked  []askedRule
	shares map[string]aws.TrailEvent
}

type askedRule struct {
	rule  aws.IngressRule
	event aws.TrailEvent
}

func originsOf(trace *TraceEvidence) exposureOrigins {
	o := exposureOrigins{rules: map[string]aws.TrailEvent{}, shares: map[string]aws.TrailEvent{}}
	if trace == nil || trace.Footprint == nil {
		return o
	}
	for _, e := range trace.Footprint.Timeline {
		if in, ok := e.IngressAdded(); ok {
			for _, id := range in.RuleIDs {
				o.rules[id] = e
			}
			if len(in.RuleIDs) == 0 {
				for _, r := range in.Rules {
					o.asked = append(o.asked, askedRule{rule: r, event: e})
				}
			}
		}
		if sh, ok := e.SharesChanged(); ok {
			for _, who := range sh.Added {
				o.shares[shareKey(sh.Kind, e.Region, sh.ID, who)] = e
			}
			for _, who := range sh.Removed {
				delete(o.shares, shareKey(sh.Kind, e.Region, sh.ID, who))
			}
		}
	}
	return o
}

func shareKey(kind, region, id, who string) string { return kind + "/" + region + "/" + id + "/" + who }

func (o exposureOrigins) ruleOrigin(r aws.IngressRule) *aws.TrailEvent {
	if e, ok := o.rules[r.RuleID]; ok {
		return &e
	}
	i := slices.IndexFunc(o.asked, func(a askedRule) bool { return a.event.Region == r.Region && r.Matches(a.rule) })
	if i < 0 {
		return nil
	}
	e := o.asked[i].event
	return &e
}

func (o exposureOrigins) shareOrigin(kind, id, who string) *aws.TrailEvent {
	for key, e := range o.shares {
		if key == shareKey(kind, e.Region, id, who) {
			return &e
		}
	}
	return nil
}
