package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// stopGrace is how long a command has to stop cleanly after SIGINT or SIGTERM before the process
// ends anyway. Cancelling the context stops every AWS call at once; the journal is written ahead
// of each change, so ending the process after that loses nothing.
const stopGrace = 3 * time.Second

// stopOnSignal returns a context cancelled at the first SIGINT or SIGTERM, so the command can stop
// cleanly, and ends the process at a second signal, or when the command has not returned within
// stopGrace of the first: a command blocked where no context reaches (a read of a file that never
// ends, say) must never leave the operator reaching for kill -9. The returned func stops watching.
func stopOnSignal(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var first os.Signal
		var grace <-chan time.Time
		for {
			select {
			case <-done:
				return
			case sig := <-sigs:
				if first != nil {
					exitOnSignal(stderr, sig, "a second time")
				}
				first, grace = sig, time.After(stopGrace)
				cancel()
			case <-grace:
				exitOnSignal(stderr, first, fmt.Sprintf("and did not stop within %s", stopGrace))
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// exitOnSignal ends the process as a signal would, with 128 plus the signal's number.
func exitOnSignal(stderr io.Writer, sig os.Signal, why string) {
	fmt.Fprintf(stderr, "\nlockdown: %s %s: ending now\n", sig, why)
	code := 128 + 2
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	os.Exit(code)
}
