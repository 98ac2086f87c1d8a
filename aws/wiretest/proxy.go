package wiretest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is a loopback HTTP proxy in front of an AWS endpoint (the simulator, moto) that records
// every request like a Recorder and applies fault rules. It watches a process that cannot be
// handed a RoundTripper, such as the built binary given --endpoint-url.
type Proxy struct {
	*Recorder
	// URL is the proxy's address, to give as the endpoint.
	URL string

	target    *url.URL
	transport *http.Transport
	server    *http.Server
	closed    chan struct{}
	closeOnce sync.Once

	started time.Time

	mu    sync.Mutex
	rules []Rule
	used  []int
	dice  *rand.Rand
}

// forwardIdleConnections is how many idle connections the proxy keeps to its target: the code
// under test sends many requests at once, and with the default of 2 most would open a new one.
const forwardIdleConnections = 128

// NewProxy serves a proxy to target on a free loopback port.
func NewProxy(target string, rules ...Rule) (*Proxy, error) {
	return ListenProxy("127.0.0.1:0", target, rules...)
}

// ListenProxy serves a proxy to target on addr.
func ListenProxy(addr, target string, rules ...Rule) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("proxy target %q: %w", target, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &Proxy{Recorder: &Recorder{}, URL: "http://" + l.Addr().String(), target: u,
		transport: &http.Transport{MaxIdleConnsPerHost: forwardIdleConnections}, closed: make(chan struct{}),
		started: time.Now(), dice: rand.New(rand.NewPCG(1, 2))}
	p.SetRules(rules...)
	p.server = &http.Server{Handler: p}
	go func() { _ = p.server.Serve(l) }()
	open.Store(l.Addr().String(), p)
	return p, nil
}

// StartProxy serves a proxy to target for one test; it closes when the test ends.
func StartProxy(t testing.TB, target string, rules ...Rule) *Proxy {
	t.Helper()
	p, err := NewProxy(target, rules...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// SetRules replaces the fault rules; the first rule matching a request applies.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.used = append([]Rule(nil), rules...), make([]int, len(rules))
}

// Close stops the proxy, ending hanging requests.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		open.Delete(strings.TrimPrefix(p.URL, "http://"))
		close(p.closed)
	})
	err := p.server.Close()
	p.transport.CloseIdleConnections()
	return err
}

// fault returns the fault for q, counting the rule's use.
func (p *Proxy) fault(q Request) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.rules {
		r := &p.rules[i]
		if !r.matches(q) || (r.Times > 0 && p.used[i] >= r.Times) || !r.Burst.active(time.Since(p.started)) {
			continue
		}
		if r.Rate > 0 && p.dice.Float64() >= r.Rate {
			continue
		}
		p.used[i]++
		return r.Fault, true
	}
	return Fault{}, false
}

// ServeHTTP records the request, applies its fault, and forwards it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := Classify(req, body)
	i := p.add(q)
	proto := protocolOf(req)
	f, faulty := p.fault(q)
	switch {
	case !faulty, f.kind == faultLatency:
		if faulty {
			if !p.wait(req, f) {
				p.note(i, 0, "the client gave up during the added latency")
				return
			}
		}
		p.forward(w, req, body, i, false, 0)
	case f.kind == faultSlowAnswer:
		p.forward(w, req, body, i, false, f.latency)
	case f.kind == faultThrottle:
		throttleAnswer(w, q, proto)
		p.note(i, statusOf(q, proto), "")
	case f.kind == faultServerError:
		serverErrorAnswer(w, q, f.status, proto)
		p.note(i, max(f.status, http.StatusInternalServerError), "")
	case f.kind == faultReset:
		resetConnection(w)
		p.note(i, 0, "connection reset by the proxy before forwarding")
	case f.kind == faultDropAnswer:
		p.forward(w, req, body, i, true, 0)
	case f.kind == faultHang:
		select {
		case <-req.Context().Done():
		case <-p.closed:
		}
		p.note(i, 0, "no answer: the proxy hung")
	}
}

func statusOf(q Request, p protocol) int {
	switch {
	case p == restJSONProtocol:
		return http.StatusTooManyRequests
	case q.Service == "ec2" && p == queryProtocol:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// wait holds a request for the fault's latency; false when the client or the proxy gave up first.
func (p *Proxy) wait(req *http.Request, f Fault) bool {
	t := time.NewTimer(f.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-req.Context().Done():
	case <-p.closed:
	}
	return false
}

// forward sends the request to the target as the client signed it (same Host header) and copies
// the answer back, after holding it for hold, or, with drop, resets the connection once the
// target has answered. A held answer's request reaches the target even if the client is gone.
func (p *Proxy) forward(w http.ResponseWriter, req *http.Request, body []byte, i int, drop bool, hold time.Duration) {
	ctx := req.Context()
	if hold > 0 {
		ctx = context.WithoutCancel(ctx)
	}
	out := req.Clone(ctx)
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.Host = req.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		p.note(i, http.StatusBadGateway, "the target did not answer: "+err.Error())
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if hold > 0 && !p.wait(req, Latency(hold)) {
		p.note(i, resp.StatusCode, "the client was gone before the held answer was sent")
		return
	}
	if drop || err != nil {
		resetConnection(w)
		p.note(i, 0, fmt.Sprintf("answer dropped by the proxy after the target answered %d", resp.StatusCode))
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
	p.note(i, resp.StatusCode, "")
}

// note records how a request ended.
func (p *Proxy) note(i, status int, why string) {
	p.Recorder.mu.Lock()
	defer p.Recorder.mu.Unlock()
	p.reqs[i].Status, p.reqs[i].Err = status, why
}

// resetConnection closes the client's connection with a TCP reset (linger 0), the way a load
// balancer or a broken network ends a request.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
