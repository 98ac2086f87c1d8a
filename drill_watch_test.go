package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/ui"
)

func TestTheDrillFeedsTheAttackersCallsToTheInterface(t *testing.T) {
	t.Parallel()
	sc, err := sim.LoadScenario("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	clock := sim.NewManualClock(time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	srv, err := sim.New(sc, sim.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Minute) // the attacker checks the leaked key at +2m
	feed := make(chan ui.Activity, 16)
	stop := watchAttacker(context.Background(), srv, feed)
	a := <-feed
	stop()
	if !a.Alarming || !strings.Contains(a.Text, "it worked") {
		t.Fatalf("the attacker's working call must be shown loudly: %+v", a)
	}
	if _, open := <-feed; open {
		t.Fatal("stopping the watch must close the feed")
	}
}
