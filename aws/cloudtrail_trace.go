package aws

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// HistoryRetention is how far back LookupEvents can see: 90 days of management events.
const HistoryRetention = 90 * 24 * time.Hour

// maxTraceRounds bounds how many grants away from the leaked key the trace follows (key → user →
// key → session …).
const maxTraceRounds = 12

// TraceOptions say whose trail to follow, from when, where.
type TraceOptions struct {
	// Key is the leaked access key id (AKIA… or a session's ASIA…).
	Key string
	// Since is T0; events before it are not read. Zero, or older than 90 days, reads 90 days.
	Since time.Time
	// Regions, when set, limits the trace to these regions (us-east-1, where IAM and STS are
	// recorded, is always read).
	Regions []string
	// Skip leaves these regions out (denied by policy): listed as skipped, never read.
	Skip []string
}

// TraceRegion is one region's part of a trace.
type TraceRegion struct {
	Region   string        `json:"region"`
	Status   RegionStatus  `json:"status"`
	Code     string        `json:"code,omitempty"`
	Message  string        `json:"message,omitempty"`
	Lookups  int           `json:"lookups"`
	Events   int           `json:"events"`
	Duration time.Duration `json:"duration_ns"`
}

// Footprint is what the trace found: the attacker's credentials and their timeline, and who
// created the resources launched or made since T0 (attacker or not), for verdicts.
type Footprint struct {
	Key         string               `json:"key"`
	Since       time.Time            `json:"since"`
	Credentials []AttackerCredential `json:"credentials"`
	Timeline    []TrailEvent         `json:"timeline"`
	Regions     []TraceRegion        `json:"regions"`
	// Origins maps an instance id, spot request id, access key id, user name, role ARN, key pair
	// (id, or KeyPairRef), launch template id, group name or fleet id to its creation.
	Origins map[string]Origin `json:"origins"`
	// OwnReads counts the read-only calls lockdown itself made with an attacker credential (the
	// responder signing with the leaked key): left out of the timeline, they are not the attacker's.
	OwnReads int `json:"own_reads,omitempty"`
	// Sources maps each credential of the events read to the addresses it called from.
	Sources map[string][]string `json:"sources,omitempty"`
	// UserDataChanges are the attacker's changes of instances' user data, each with the user
	// data before and after.
	UserDataChanges []UserDataChange `json:"user_data_changes,omitempty"`
}

// lockdownAppID is what lockdown's requests name themselves with in the User-Agent, as
// "app/lockdown", which CloudTrail records.
const lockdownAppID = "lockdown"

// ownRead reports whether an event is a read lockdown made. The user agent can be forged: only
// reads are ever left out on its word, never a change.
func ownRead(e TrailEvent) bool {
	return e.ReadOnly && strings.Contains(e.UserAgent, "app/"+lockdownAppID)
}

// Failed lists the regions the trace could not read.
func (f *Footprint) Failed() []TraceRegion {
	var out []TraceRegion
	for _, r := range f.Regions {
		if r.Status == RegionFailed {
			out = append(out, r)
		}
	}
	return out
}

// Region returns one region's part of the trace.
func (f *Footprint) Region(name string) (TraceRegion, bool) {
	for _, r := range f.Regions {
		if r.Region == name {
			return r, true
		}
	}
	return TraceRegion{}, false
}

// SessionRole is the role behind a leaked temporary key (ASIA…), as its events' session context
// names it; "" when the key is a user's or the trace saw none of its events.
func (f *Footprint) SessionRole() string {
	for _, e := range f.Timeline {
		if e.Credential == f.Key && e.rec.UserIdentity.Type == "AssumedRole" {
			return e.rec.UserIdentity.SessionContext.SessionIssuer.ARN
		}
	}
	return ""
}

// Origin returns who created a resource, when the trace saw it.
func (f *Footprint) Origin(id string) (Origin, bool) {
	o, ok := f.Origins[id]
	return o, ok
}

// TraceAttacker follows the leaked key through CloudTrail in every enabled region at once: every
// key, user and session the attacker's events created becomes a credential looked up in turn,
// until nothing new appears. report, when not nil, is called (never concurrently) as regions start
// and finish each round. A region that fails is reported with its cause and does not stop the others.
func (a *Account) TraceAttacker(ctx context.Context, opts TraceOptions, report func(TraceRegion)) (*Footprint, error) {
	t := &tracer{regions: a.EC2(a.HomeRegion()), client: a.CloudTrail, home: a.HomeRegion(), now: time.Now}
	return t.run(ctx, opts, report)
}

// TraceAttacker follows the leaked key through CloudTrail (see Account.TraceAttacker).
func (r *ReadOnly) TraceAttacker(ctx context.Context, opts TraceOptions, report func(TraceRegion)) (*Footprint, error) {
	return r.a.TraceAttacker(ctx, opts, report)
}

type tracer struct {
	regions RegionsAPI
	client  func(region string) CloudTrailReader
	home    string
	now     func() time.Time
}

// lookup is one lookup attribute to page through.
type lookup struct {
	key, value string
	// context lookups read everyone's launches and creations, for the verdicts; their events join
	// the timeline only when an attacker credential made them.
	context bool
}

func (t *tracer) run(ctx context.Context, opts TraceOptions, report func(TraceRegion)) (*Footprint, error) {
	since := t.now().Add(-HistoryRetention)
	if opts.Since.After(since) {
		since = opts.Since
	}
	f := &Footprint{Key: opts.Key, Since: since, Origins: map[string]Origin{}}
	plan, err := t.planRegions(ctx, opts.Regions, opts.Skip)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	tell := func(r TraceRegion) {
		if report != nil {
			mu.Lock()
			defer mu.Unlock()
			report(r)
		}
	}
	fw := t.follow(ctx, plan, opts.Key, since, tell)
	f.Credentials = append([]AttackerCredential{{ID: opts.Key, Kind: "leaked key"}}, fw.inOrder()...)
	f.finish(plan, fw.events, fw.attacker, fw.known)
	f.OwnReads = len(fw.own)
	t.userDataChanges(ctx, f)
	return f, ctx.Err()
}

func (c AttackerCredential) lookup() lookup {
	if c.Kind == "user" {
		return lookup{key: "Username", value: c.ID}
	}
	return lookup{key: "AccessKeyId", value: c.ID}
}

// contextLookups read who launched instances in a region and, in us-east-1, who created users,
// keys and roles, whoever they were: a launch after T0 by Auto Scaling is evidence too, and so is
// a role a teammate made.
func contextLookups(region string) []lookup {
	out := []lookup{{key: "EventName", value: "RunInstances", context: true}, {key: "EventName", value: "RequestSpotInstances", context: true}}
	if region == globalRegion {
		out = append(out, lookup{key: "EventName", value: "CreateUser", context: true}, lookup{key: "EventName", value: "CreateAccessKey", context: true},
			lookup{key: "EventName", value: "CreateRole", context: true})
	}
	return out
}

// lookupAll reads every page of one lookup in one region, newest first as AWS answers.
func (t *tracer) lookupAll(ctx context.Context, region string, l lookup, since time.Time) ([]TrailEvent, int, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKey(l.key), AttributeValue: sdk.String(l.value)}},
		StartTime:        sdk.Time(since),
		MaxResults:       sdk.Int32(50),
	}
	var out []TrailEvent
	pages := 0
	p := cloudtrail.NewLookupEventsPaginator(t.client(region), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		pages++
		if err != nil {
			return out, pages, err
		}
		for _, ev := range page.Events {
			e, err := trailEventFrom(region, ev)
			if err != nil {
				return out, pages, err
			}
			out = append(out, e)
		}
	}
	return out, pages, nil
}

// planRegions lists the enabled regions as the scan does, and always us-east-1, where CloudTrail
// records IAM and STS, unless the operator left it out.
func (t *tracer) planRegions(ctx context.Context, only, skip []string) ([]TraceRegion, error) {
	s := &scanner{regions: t.regions, opts: ScanOptions{Regions: only, Skip: skip}, home: t.home}
	scan, err := s.planRegions(ctx)
	if err != nil {
		return nil, err
	}
	var out []TraceRegion
	global := false
	for _, r := range scan {
		out = append(out, TraceRegion{Region: r.Region, Status: r.Status, Code: r.Code, Message: r.Message})
		global = global || r.Region == globalRegion
	}
	if !global {
		out = append([]TraceRegion{{Region: globalRegion, Status: RegionQueued}}, out...)
	}
	return out, nil
}

// globalRegion is where CloudTrail records the events of global services (IAM, STS's global
// endpoint).
const globalRegion = "us-east-1"

// finish orders the timeline and records who created what.
func (f *Footprint) finish(plan []TraceRegion, events map[string]TrailEvent, attacker, known map[string]bool) {
	f.Regions = plan
	perRegion := map[string]int{}
	for id := range attacker {
		e := events[id]
		f.Timeline = append(f.Timeline, e)
		perRegion[e.Region]++
	}
	sortEvents(f.Timeline)
	for i := range f.Regions {
		f.Regions[i].Events = perRegion[f.Regions[i].Region]
	}
	all := make([]TrailEvent, 0, len(events))
	for _, e := range events {
		all = append(all, e)
	}
	sortEvents(all)
	f.Sources = map[string][]string{}
	for _, e := range all {
		if e.Credential != "" && e.SourceIP != "" && !slices.Contains(f.Sources[e.Credential], e.SourceIP) {
			f.Sources[e.Credential] = append(f.Sources[e.Credential], e.SourceIP)
		}
		for _, c := range e.created() {
			if _, seen := f.Origins[c.ID]; seen {
				continue
			}
			f.Origins[c.ID] = Origin{EventID: e.EventID, EventName: e.EventName, Time: e.Time, Region: e.Region,
				Credential: e.Credential, Principal: e.Principal, SourceIP: e.SourceIP, Attacker: attacker[e.EventID] || known[e.Credential]}
		}
	}
}
