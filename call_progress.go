package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"lockdown/aws"
)

// callProgress shows on stderr, as they happen, the retries and waits that make a headless run
// slow: "eu-north-1: throttled, retry 3 in 1.6 s". A service throttling half its calls retries
// hundreds of times, so retries are shown at most once a second per service and region, with a
// count of those in between; a service slowed down, resumed or given up on is always shown.
type callProgress struct {
	out  io.Writer
	now  func() time.Time
	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

// retryLineEvery is how often one service and region's retries are shown.
const retryLineEvery = time.Second

func newCallProgress(out io.Writer) *callProgress {
	return &callProgress{out: out, now: time.Now, last: map[string]time.Time{}, held: map[string]int{}}
}

func (p *callProgress) observe(e aws.CallEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := e.String()
	if e.Kind == aws.EventRetry {
		key := e.Service + "/" + e.Region
		now := p.now()
		if now.Sub(p.last[key]) < retryLineEvery {
			p.held[key]++
			return
		}
		p.last[key] = now
		if n := p.held[key]; n > 0 {
			line += fmt.Sprintf(" — %d more retries there since the last line", n)
		}
		p.held[key] = 0
	}
	fmt.Fprintf(p.out, "      ~ %s\n", line)
}
