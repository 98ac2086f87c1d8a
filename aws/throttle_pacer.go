package aws

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// pacer is the client-side rate limit of one service in one region, shared by every call to it.
// Throttling is either lockdown's doing — its workers together send faster than the service's
// rate limit — or not: the account's budget is spent by others (the attacker, other responders,
// automation), or the service sheds load at random. Slowing down helps only in the first case;
// in the second it loses time and gains nothing. So the pacer tries: when a share of calls is
// throttled it halves the rate and watches the share of throttled calls. If the share falls, the
// rate was the cause and the slower rate stays (halving again while throttling goes on, and rising
// by a quarter each quiet window); if it does not, the rate goes back to what it was and the pacer
// leaves that level alone for a while. A limited rate is also tried higher, in case the throttling
// that caused it has passed.
type pacer struct {
	key CallKey
	now func() time.Time
	// window is how long the pacer watches before judging (at least minSamples attempts).
	window  time.Duration
	minRate float64

	mu      sync.Mutex
	limited bool
	rate    float64 // attempts per second while limited
	next    time.Time
	// The current window's attempts: sent, throttled.
	winStart        time.Time
	sent, throttled int
	// recent are the times of the last minSamples attempts, oldest at last: the rate they were
	// sent at is the rate of the burst, not diluted by the quiet between a run's steps.
	recent [minSamples]time.Time
	last   int
	trial  *rateTrial
	// quiet counts the windows left before the pacer tries another rate; calm is how many it
	// waits after the next trial that goes back, doubling each time: throttling found not to be
	// lockdown's doing once is tested again less and less often.
	quiet, calm int
}

// rateTrial is a rate being tried: what it replaced, and the throttled share before it.
type rateTrial struct {
	down        bool
	prior       float64
	wasLimited  bool
	shareBefore float64
	// answersBefore is the rate of answers (not throttled) before the trial.
	answersBefore float64
}

const (
	pacerWindow     = time.Second
	minSamples      = 20
	throttledHigh   = 0.1
	throttledLow    = 0.02
	quietWindows    = 10
	maxQuietWindows = 160
	clearDifference = 0.7 // a share that falls to 70 % or less of what it was has fallen
	sameAnswers     = 0.8 // answers at 80 % or more of the rate before are as many
)

func newPacer(k CallKey, scale float64, now func() time.Time) *pacer {
	w := scaled(pacerWindow, scale)
	return &pacer{key: k, now: now, window: w, minRate: float64(time.Second) / float64(w)}
}

// wait holds an attempt until the pacer has a slot for it.
func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	if !p.limited {
		p.mu.Unlock()
		return nil
	}
	now := p.now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(time.Duration(float64(time.Second) / p.rate))
	p.mu.Unlock()
	return sleep(ctx, slot.Sub(now))
}

// record counts an attempt and, at the end of a window, judges the rate. It returns the event to
// tell when the rate changed.
func (p *pacer) record(now time.Time, answered, throttled bool) (CallEvent, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.winStart.IsZero() {
		p.winStart = now
	}
	p.sent++
	if throttled {
		p.throttled++
	}
	p.recent[p.last] = now
	p.last = (p.last + 1) % minSamples
	if now.Sub(p.winStart) < p.window || p.sent < minSamples {
		return CallEvent{}, false
	}
	share := float64(p.throttled) / float64(p.sent)
	span := now.Sub(p.recent[p.last])
	p.winStart, p.sent, p.throttled = now, 0, 0
	if span > p.window {
		return p.idle()
	}
	sendRate := float64(minSamples-1) / max(span, time.Microsecond).Seconds()
	return p.judge(windowStats{share: share, sendRate: sendRate, answerRate: sendRate * (1 - share)})
}

// idle ends limiting when the last attempts were too spread out for a rate to matter: a service
// called a few times a second is not throttled for lockdown's rate, and its calls' own retries
// are enough. A trial under way cannot be judged and is dropped.
func (p *pacer) idle() (CallEvent, bool) {
	p.trial, p.quiet = nil, max(p.quiet-1, 0)
	if !p.limited {
		return CallEvent{}, false
	}
	p.limited = false
	return p.event(EventResumed, "called less often: full speed"), true
}

// windowStats is what a window saw: the share of attempts throttled, and the attempts and the
// answers (not throttled) per second at the end of it.
type windowStats struct{ share, sendRate, answerRate float64 }

func (p *pacer) judge(w windowStats) (CallEvent, bool) {
	share, sendRate := w.share, w.sendRate
	if t := p.trial; t != nil {
		p.trial = nil
		return p.judgeTrial(t, w)
	}
	switch {
	case p.quiet > 0:
		p.quiet--
	case share >= throttledHigh:
		return p.try(true, w), true
	case p.limited && share < throttledLow:
		p.rate *= 1.25
		if p.rate > 2*sendRate {
			p.limited = false
			return p.event(EventResumed, "throttling stopped: full speed"), true
		}
	case p.limited:
		return p.try(false, w), true
	}
	return CallEvent{}, false
}

// try starts a trial of half (down) or twice the rate.
func (p *pacer) try(down bool, w windowStats) CallEvent {
	share := w.share
	p.trial = &rateTrial{down: down, prior: p.rate, wasLimited: p.limited, shareBefore: share, answersBefore: w.answerRate}
	base := w.sendRate
	if p.limited {
		base = min(p.rate, base)
	}
	if down {
		p.rate, p.limited = max(base/2, p.minRate), true
		return p.event(EventSlowed, fmt.Sprintf("throttled %.0f%% of calls", 100*share))
	}
	p.rate = 2 * p.rate
	return p.event(EventSlowed, fmt.Sprintf("throttled %.0f%% of calls, trying faster", 100*share))
}

// judgeTrial keeps a tried rate, or goes back on it and leaves the rate alone for a while.
func (p *pacer) judgeTrial(t *rateTrial, w windowStats) (CallEvent, bool) {
	share := w.share
	if t.down && (share <= clearDifference*t.shareBefore || w.answerRate >= sameAnswers*t.answersBefore) {
		// Slower, and fewer throttled or as many answered: the rate was the cause, and the
		// slower rate stays.
		return CallEvent{}, false
	}
	if !t.down && share < max(t.shareBefore/clearDifference, throttledHigh) {
		return CallEvent{}, false // faster did not hurt: it stays
	}
	p.calm = min(max(2*p.calm, quietWindows), maxQuietWindows)
	p.rate, p.limited, p.quiet = t.prior, t.wasLimited, p.calm
	if !p.limited {
		return p.event(EventResumed, fmt.Sprintf("throttled %.0f%% of calls however slow: not lockdown's doing, full speed", 100*share)), true
	}
	return p.event(EventSlowed, fmt.Sprintf("throttled %.0f%% of calls, back to the slower rate", 100*share)), true
}

func (p *pacer) event(kind CallEventKind, cause string) CallEvent {
	return CallEvent{Kind: kind, At: p.now(), Service: p.key.Service, Region: p.key.Region, Rate: p.rate, Cause: cause}
}
