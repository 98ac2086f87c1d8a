package main

import (
	"context"
	"sync"
	"time"

	"lockdown/aws/sim"
	"lockdown/ui"
)

// attackerPoll is how often a drill looks at what the simulated attacker did.
const attackerPoll = 2 * time.Second

// watchAttacker feeds the attacker's calls to the TUI's header while a drill runs, so the
// participants see the attack go on — and stop once they contain it. The returned function stops
// the watch and closes the feed.
func watchAttacker(ctx context.Context, srv *sim.Server, feed chan<- ui.Activity) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(feed)
		tick := time.NewTicker(attackerPoll)
		defer tick.Stop()
		seen := 0
		for {
			log := srv.AttackLog() // also fires whatever is due, even while the operator reads
			for _, rec := range log[seen:] {
				select {
				case feed <- attackActivity(rec):
				default: // the interface is busy; the next call will be shown
				}
			}
			seen = len(log)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

func attackActivity(rec sim.AttackRecord) ui.Activity {
	if rec.Succeeded() {
		return ui.Activity{At: rec.Time, Alarming: true, Text: "⚠ " + rec.Note + " — it worked"}
	}
	return ui.Activity{At: rec.Time, Text: "refused (" + rec.Code + "): " + rec.Note}
}
