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
}

// Listen serves s on addr ("127.0.0.1:0" picks a free loopback port). Only loopback addresses are
// accepted: the simulator is never exposed to a network.
func Listen(s *Server, addr string) (*Listener, error) {
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
	l := &Listener{
		URL:    "http://" + ln.Addr().String(),
		server: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		done:   make(chan error, 1),
	}
	go func() { l.done <- l.server.Serve(ln) }()
	return l, nil
}

// Close stops serving. Requests in flight get a moment to finish; idle keep-alive connections
// that a client never closed are then cut, so closing never waits on them.
func (l *Listener) Close() error {
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
