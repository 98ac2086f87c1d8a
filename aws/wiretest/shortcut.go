package wiretest

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// open are the proxies serving, by their host:port.
var open sync.Map

// Shortcut is a transport for code that runs in the test's own process. A request addressed to
// an open Proxy that has no fault rules is recorded by that proxy, exactly as the proxy would
// have, and sent straight to its target: the recorder still sits between the SDK and the
// endpoint, without a second loopback hop for every call. Any other request, and every request to
// a proxy with fault rules, goes through next (nil: a transport of its own) to its address.
func Shortcut(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = &http.Transport{MaxIdleConnsPerHost: forwardIdleConnections}
	}
	return shortcut{next: next}
}

type shortcut struct{ next http.RoundTripper }

func (s shortcut) RoundTrip(req *http.Request) (*http.Response, error) {
	found, ok := open.Load(req.URL.Host)
	if !ok || found.(*Proxy).faulty() {
		return s.next.RoundTrip(req)
	}
	return found.(*Proxy).carry(req)
}

// faulty reports whether the proxy has fault rules, which only its own server applies.
func (p *Proxy) faulty() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.rules) > 0
}

// carry records req and sends it to the target as the client signed it: its Host stays the
// proxy's address, the one the signature covers.
func (p *Proxy) carry(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	i := p.add(Classify(req, body))
	out := req.Clone(req.Context())
	if out.Host == "" {
		out.Host = req.URL.Host
	}
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.note(i, 0, "the target did not answer: "+err.Error())
		return nil, err
	}
	p.note(i, resp.StatusCode, "")
	return resp, nil
}
