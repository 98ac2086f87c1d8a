package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Listener is a simulator served over HTTP on a local address.
type Listener struct {
	URL    string
	server *http.Server
	done   chan error
	// stop ends every request context, so handlers holding a request (latency, hang) return.
	stop context.CancelFunc
}

// Listen serves s (a Server, or an Organization of them) on addr ("127.0.0.1:0" picks a free loopback port). Only loopback addresses are
// accepted: the simulator is never exposed to a network.
func Listen(s http.Handler, addr string) (*Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("address %q: the simulator only listens on loopback (127.0.0.1, ::1 or localhost)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	base, stop := context.WithCancel(context.Background())
	l := &Listener{
		URL: "http://" + ln.Addr().String(),
		server: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
			BaseContext: func(net.Listener) context.Context { return base }},
		done: make(chan error, 1),
		stop: stop,
	}
	go func() { l.done <- l.server.Serve(ln) }()
	return l, nil
}

// Close stops serving. Requests held by a fault (latency, hang) end at once; others in flight get a
// moment to finish; idle keep-alive connections that a client never closed are then cut, so
// closing never waits on them.
func (l *Listener) Close() error {
	l.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := l.server.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = l.server.Close()
	}
	if serr := <-l.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
