package main

import (
	"net/http"
	"sync/atomic"
)

// inFlight counts the requests a served simulator holds at once, and the most it held: what a
// benchmark reports to show a client's bound on calls in flight holds on the wire.
type inFlight struct {
	next      http.Handler
	now, most atomic.Int64
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	held := f.now.Add(1)
	defer f.now.Add(-1)
	for most := f.most.Load(); held > most && !f.most.CompareAndSwap(most, held); most = f.most.Load() {
	}
	f.next.ServeHTTP(w, r)
}

// Most is the most requests held at once so far.
func (f *inFlight) Most() int64 { return f.most.Load() }
