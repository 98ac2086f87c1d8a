package wiretest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// Recorder is an http.RoundTripper that records every request it carries, answered or not, before
// passing it to the next transport. Give it to the SDK as its HTTP client's transport.
type Recorder struct {
	// Next carries the requests; nil means http.DefaultTransport.
	Next http.RoundTripper

	mu   sync.Mutex
	reqs []Request
}

// NewRecorder records the requests carried by next (nil: http.DefaultTransport).
func NewRecorder(next http.RoundTripper) *Recorder { return &Recorder{Next: next} }

// Client is an HTTP client whose requests go through the recorder.
func (r *Recorder) Client() *http.Client { return &http.Client{Transport: r} }

// RoundTrip records req, sends it, and records how it ended.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	i := r.add(Classify(req, body))
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	r.finish(i, resp, err)
	return resp, err
}

// add records a request before it is sent, so one that never gets an answer is still counted.
func (r *Recorder) add(req Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Err == "" && req.Status == 0 {
		req.Err = "no answer"
	}
	r.reqs = append(r.reqs, req)
	return len(r.reqs) - 1
}

func (r *Recorder) finish(i int, resp *http.Response, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.reqs[i].Err = err.Error()
	case resp != nil:
		r.reqs[i].Status, r.reqs[i].Err = resp.StatusCode, ""
	}
}

// Requests returns a copy of every request recorded so far, in the order they were sent.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Changes returns the requests that could have changed the account: mutating and not a dry run,
// whatever their answer (a failed or unanswered change may still have been carried out).
func (r *Recorder) Changes() []Request {
	var out []Request
	for _, q := range r.Requests() {
		if q.Changes() {
			out = append(out, q)
		}
	}
	return out
}

// DryRuns counts the recorded changes sent as EC2 dry runs: asked whether they would be allowed,
// never carried out.
func (r *Recorder) DryRuns() int {
	n := 0
	for _, q := range r.Requests() {
		if q.Mutating && q.DryRun {
			n++
		}
	}
	return n
}

// ChangesOf returns the recorded changes with one action name.
func (r *Recorder) ChangesOf(action string) []Request {
	var out []Request
	for _, q := range r.Changes() {
		if q.Action == action {
			out = append(out, q)
		}
	}
	return out
}

// Count returns how many requests were recorded.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// Reset forgets every request recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

// Describe lists requests one a line, for a test's failure message.
func Describe(reqs []Request) string {
	var b strings.Builder
	for _, q := range reqs {
		fmt.Fprintf(&b, "  %s %s %s dry-run=%t status=%d %s\n", q.Service, q.Region, q.Action, q.DryRun, q.Status, q.Err)
	}
	return b.String()
}
