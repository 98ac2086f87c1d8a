package sim

import (
	"fmt"
	"net/http"
	"time"
)

// Fault makes matching requests slow or failing. Empty Region, Service or Action match everything.
type Fault struct {
	Region  string `yaml:"region"`
	Service string `yaml:"service"`
	Action  string `yaml:"action"`
	// Latency is added to every matching request ("100ms").
	Latency string `yaml:"latency"`
	// Throttle is the share of matching requests refused with the service's throttling error.
	Throttle float64 `yaml:"throttle"`
	// Deny refuses every matching request as unauthorized.
	Deny bool `yaml:"deny"`
	// Status answers a share (Rate, default all) of matching requests with a 500 or 503.
	Status int     `yaml:"status"`
	Rate   float64 `yaml:"rate"`

	latency time.Duration
}

func (f *Fault) validate() error {
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil || d < 0 {
			return fmt.Errorf("latency %q is not a duration such as 100ms", f.Latency)
		}
		f.latency = d
	}
	if f.Throttle < 0 || f.Throttle > 1 || f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("throttle and rate are shares between 0 and 1")
	}
	if f.Status != 0 && f.Status != 500 && f.Status != 503 {
		return fmt.Errorf("status must be 500 or 503, got %d", f.Status)
	}
	return nil
}

func (f *Fault) matches(sc scope, action string) bool {
	return (f.Region == "" || f.Region == "*" || f.Region == sc.Region) &&
		(f.Service == "" || f.Service == "*" || f.Service == sc.Service) &&
		(f.Action == "" || f.Action == "*" || f.Action == action)
}

// AddFault injects a fault while the simulator runs (tests and benchmarks).
func (s *Server) AddFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
	return nil
}

// faultFor decides, under the lock, the latency to add and the error (if any) a request gets.
func (s *Server) faultFor(sc scope, action string) (time.Duration, *APIError) {
	var delay time.Duration
	var fail *APIError
	for i := range s.faults {
		f := &s.faults[i]
		if !f.matches(sc, action) {
			continue
		}
		delay += f.latency
		if fail != nil {
			continue
		}
		switch {
		case f.Deny:
			fail = denied(sc.Service, action)
		case f.Throttle > 0 && s.dice.Float64() < f.Throttle:
			fail = throttled(sc.Service)
		case f.Status != 0 && (f.Rate == 0 || s.dice.Float64() < f.Rate):
			fail = serverError(f.Status)
		}
	}
	return delay, fail
}

func denied(service, action string) *APIError {
	if service == "ec2" {
		return Errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. (%s denied by the scenario's fault)", action)
	}
	return Errorf(http.StatusForbidden, "AccessDenied", "User is not authorized to perform: %s:%s", service, action)
}

func throttled(service string) *APIError {
	if service == "ec2" {
		return Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	}
	return Errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
}

func serverError(status int) *APIError {
	if status == http.StatusServiceUnavailable {
		return Errorf(status, "ServiceUnavailable", "The service is unavailable. Please try again shortly.")
	}
	return Errorf(status, "InternalError", "An internal error has occurred.")
}
