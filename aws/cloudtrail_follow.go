package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// follow is one trace under way. Every region works through its own list at its own pace — the
// leaked key, each credential the attacker's events granted as soon as any region finds it, then
// its context lookups — instead of all regions waiting for the slowest at the end of each round
// of credentials. LookupEvents allows two requests a second per region, and throttling makes some
// regions need more attempts than others: in rounds, each round costs the unluckiest region's time;
// here the trace costs the busiest region's.
type follow struct {
	t     *tracer
	since time.Time
	tell  func(TraceRegion)

	mu   sync.Mutex
	more *sync.Cond
	// creds are the credential lookups every region makes, in the order they were found; depth
	// says how many grants away from the leaked key each is.
	creds []lookup
	depth map[string]int
	known map[string]bool
	// busy counts the regions making a lookup: while one is, a new credential may still appear.
	busy     int
	events   map[string]TrailEvent
	attacker map[string]bool
	// own are lockdown's own reads, left out of the attacker's events.
	own   map[string]bool
	found []AttackerCredential
	// grantedBy is the attacker's event that made each credential found.
	grantedBy map[string]TrailEvent
}

func (t *tracer) follow(ctx context.Context, plan []TraceRegion, key string, since time.Time, tell func(TraceRegion)) *follow {
	fw := &follow{t: t, since: since, tell: tell, creds: []lookup{{key: "AccessKeyId", value: key}},
		depth: map[string]int{key: 0}, known: map[string]bool{key: true}, events: map[string]TrailEvent{}, attacker: map[string]bool{},
		own: map[string]bool{}, grantedBy: map[string]TrailEvent{}}
	fw.more = sync.NewCond(&fw.mu)
	var wg sync.WaitGroup
	for i := range plan {
		if plan[i].Status == RegionFailed || plan[i].Status == RegionSkipped {
			continue
		}
		wg.Go(func() { fw.region(ctx, &plan[i]) })
	}
	wg.Wait()
	return fw
}

// region makes one region's lookups until no region can find anything more.
func (fw *follow) region(ctx context.Context, r *TraceRegion) {
	start := time.Now()
	r.Status = RegionScanning
	fw.tell(*r)
	extra := withoutRepeats(append(contextLookups(r.Region), creatorLookups(r.Region)...))
	next := 0
	for {
		l, ok := fw.take(&next, &extra)
		if !ok {
			break
		}
		evs, n, err := fw.t.lookupAll(ctx, r.Region, l, fw.since)
		r.Lookups += n
		if err != nil {
			evs = nil // a lookup cut short is not evidence: the region is reported unread
		}
		fw.absorb(l, evs)
		if err != nil {
			failed := failedRegion(r.Region, err, 0)
			r.Status, r.Code, r.Message = RegionFailed, failed.Code, fmt.Sprintf("CloudTrail LookupEvents: %s", failed.Message)
			break
		}
	}
	r.Duration = time.Since(start)
	if r.Status != RegionFailed {
		r.Status = RegionOK
	}
	fw.tell(*r)
}

// take returns the region's next lookup, waiting while other regions may still find a credential;
// false when there is nothing left anywhere. Credentials come before the context lookups: they are
// what the other regions wait for.
func (fw *follow) take(next *int, extra *[]lookup) (lookup, bool) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	for {
		switch {
		case *next < len(fw.creds):
			*next++
			fw.busy++
			return fw.creds[*next-1], true
		case len(*extra) > 0:
			l := (*extra)[0]
			*extra = (*extra)[1:]
			fw.busy++
			return l, true
		case fw.busy == 0:
			fw.more.Broadcast()
			return lookup{}, false
		}
		fw.more.Wait()
	}
}

// absorb records what one lookup found, and the credentials the attacker's events granted.
func (fw *follow) absorb(l lookup, evs []TrailEvent) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	defer fw.more.Broadcast()
	fw.busy--
	for _, e := range evs {
		if ownRead(e) {
			fw.own[e.EventID] = true
			continue
		}
		fw.events[e.EventID] = e
		if (l.context && !fw.known[e.Credential]) || fw.attacker[e.EventID] {
			continue
		}
		fw.attacker[e.EventID] = true
		depth := fw.depth[e.Credential] + 1
		for _, c := range e.grants() {
			if fw.known[c.ID] {
				continue
			}
			fw.known[c.ID] = true
			fw.depth[c.ID] = depth
			fw.found = append(fw.found, c)
			fw.grantedBy[c.ID] = e
			if depth < maxTraceRounds {
				fw.creds = append(fw.creds, c.lookup())
			}
		}
	}
}

// inOrder lists the credentials found in the order the attacker made them, so they read the same
// from run to run whichever region answered first.
func (fw *follow) inOrder() []AttackerCredential {
	out := slices.Clone(fw.found)
	slices.SortStableFunc(out, func(a, b AttackerCredential) int {
		ea, eb := fw.grantedBy[a.ID], fw.grantedBy[b.ID]
		if c := ea.Time.Compare(eb.Time); c != 0 {
			return c
		}
		return strings.Compare(ea.EventID, eb.EventID)
	})
	return out
}

// everywhere makes one lookup in every region of plan at once and returns what they found, oldest
// first; a region that cannot be read adds nothing.
func (t *tracer) everywhere(ctx context.Context, plan []TraceRegion, l lookup, since time.Time) []TrailEvent {
	var mu sync.Mutex
	var all []TrailEvent
	var wg sync.WaitGroup
	for _, r := range plan {
		if r.Status == RegionFailed || r.Status == RegionSkipped {
			continue
		}
		wg.Go(func() {
			evs, _, _ := t.lookupAll(ctx, r.Region, l, since)
			mu.Lock()
			defer mu.Unlock()
			all = append(all, evs...)
		})
	}
	wg.Wait()
	sortEvents(all)
	return all
}
