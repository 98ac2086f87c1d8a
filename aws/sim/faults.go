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
	// LoseAnswer carries out a share (Rate, default all) of matching requests and then loses the
	// answer: "drop" closes the connection without a response, "error" answers 500 InternalError.
	// The caller cannot tell whether the call happened — as after a network failure in AWS.
	LoseAnswer string `yaml:"lose_answer"`
	// Hang never answers matching requests: the server holds them until the client gives up.
	Hang bool `yaml:"hang"`

	latency time.Duration
}

const (
	loseByDrop  = "drop"
	loseByError = "error"
)

func (f *Fault) validate() error {
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil || d < 0 {
			return fmt.Errorf("latency: %q is not a duration such as 100ms", f.Latency)
		}
		if d > maxFaultLatency {
			return fmt.Errorf("latency: %s is over the limit of %s (use hang for a region that never answers)", d, maxFaultLatency)
		}
		f.latency = d
	}
	if f.Throttle < 0 || f.Throttle > 1 {
		return fmt.Errorf("throttle: a share between 0 and 1, got %v", f.Throttle)
	}
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("rate: a share between 0 and 1, got %v", f.Rate)
	}
	if f.Status != 0 && f.Status != 500 && f.Status != 503 {
		return fmt.Errorf("status: must be 500 or 503, got %d", f.Status)
	}
	if f.LoseAnswer != "" && f.LoseAnswer != loseByDrop && f.LoseAnswer != loseByError {
		return fmt.Errorf("lose_answer: must be drop or error, got %q", f.LoseAnswer)
	}
	kinds := 0
	for _, on := range []bool{f.Deny, f.Status != 0, f.LoseAnswer != "", f.Hang} {
		if on {
			kinds++
		}
	}
	if kinds > 1 {
		return fmt.Errorf("deny, status, lose_answer and hang are separate faults: give each its own entry")
	}
	return nil
}

// maxFaultLatency bounds an added latency; a region that never answers is the hang fault.
const maxFaultLatency = 10 * time.Minute

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

// ClearFaults ends every fault, so a test can read the account as it is after them.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// faultOutcome is what the faults decide for one request.
type faultOutcome struct {
	delay time.Duration
	// fail answers with an error instead of acting.
	fail *APIError
	// lose acts, then loses the answer (loseByDrop or loseByError).
	lose string
	hang bool
}

// faultFor decides, under the lock, what the faults do to one request: latencies add up; the
// first fault that fires decides the rest.
func (s *Server) faultFor(sc scope, action string) faultOutcome {
	var out faultOutcome
	decided := false
	for i := range s.faults {
		f := &s.faults[i]
		if !f.matches(sc, action) {
			continue
		}
		out.delay += f.latency
		if decided {
			continue
		}
		decided = true
		switch {
		case f.Hang:
			out.hang = true
		case f.Deny:
			out.fail = denied(sc.Service, action)
		case f.Throttle > 0 && s.dice.Float64() < f.Throttle:
			out.fail = throttled(sc.Service)
		case f.Status != 0 && s.roll(f.Rate):
			out.fail = serverError(f.Status)
		case f.LoseAnswer != "" && s.roll(f.Rate):
			out.lose = f.LoseAnswer
		default:
			decided = false
		}
	}
	if scale := s.opts.LatencyScale; scale > 0 {
		out.delay = time.Duration(float64(out.delay) * scale)
	}
	return out
}

// roll is true for a share rate of requests; a rate of 0 means every request.
func (s *Server) roll(rate float64) bool { return rate == 0 || s.dice.Float64() < rate }

func denied(service, action string) *APIError {
	if service == "ec2" {
		return Errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. (%s denied by the scenario's fault)", action)
	}
	return Errorf(http.StatusForbidden, "AccessDenied", "User is not authorized to perform: %s:%s", service, action)
}

func throttled(service string) *APIError {
	switch service {
	case "ec2":
		return Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case "guardduty":
		// GuardDuty's REST API throttles with 429, which the SDKs retry.
		return Errorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
	case "access-analyzer":
		return Errorf(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
	}
	return Errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
}

func serverError(status int) *APIError {
	if status == http.StatusServiceUnavailable {
		return Errorf(status, "ServiceUnavailable", "The service is unavailable. Please try again shortly.")
	}
	return Errorf(status, "InternalError", "An internal error has occurred.")
}
