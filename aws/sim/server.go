// Package sim is the simulated AWS account behind drills and tests: an http.Handler speaking the
// STS, IAM and EC2 query protocols for the operations lockdown uses, with AWS's error codes.
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Options tune a Server.
type Options struct {
	// Clock defaults to the wall clock.
	Clock Clock
	// AcceptUnknownKeys lets a request signed with a key the account does not know act as the
	// responder, so the AWS CLI works against `lockdown sim serve` with any credentials. Drills and
	// tests leave it off: like AWS, an unknown key is refused.
	AcceptUnknownKeys bool
	Log               *slog.Logger
	// LatencyScale multiplies the latency the scenario's faults add (0: as written). Tests that
	// play a whole drill through a slow region use it as the drill's pace shortens its timeline.
	LatencyScale float64
}

// Server is one simulated account. It is safe for concurrent use.
type Server struct {
	// mu is the server's own lock, or its organization's, which every account of it shares so a
	// call that crosses accounts (AssumeRole into a member) holds one lock, never two.
	mu       *sync.Mutex
	org      *Organization
	scenario *Scenario
	opts     Options
	clock    Clock
	start    time.Time
	t0       time.Time
	ids      *idSource
	dice     *rand.Rand
	regions  []RegionSpec
	faults   []Fault
	iam      *iamState
	ec2      *ec2State
	logging  *loggingState
	s3       *s3State
	attacker *attacker
	// analyzers is IAM Access Analyzer's state.
	analyzers *analyzerState
	log       []Request
	trail     *trail
	handlers  map[string]handler
	ledger    *ledger
}

// handler answers one action. It runs with the server locked and returns a value to encode as the
// result, or an *APIError.
type handler struct {
	fn       func(*Call) (any, error)
	mutating bool
}

// Call is one authenticated request as a handler sees it.
type Call struct {
	Service, Region, Action string
	Params                  url.Values
	Caller                  *principal
	Now                     time.Time
	// Attacker marks a call the scenario's attacker made with the leaked key.
	Attacker bool
	// from is where the call came from, as CloudTrail records it.
	from scope
}

// DryRun reports whether an EC2 call asked only to check permissions.
func (c *Call) DryRun() bool { return c.Params.Get("DryRun") == "true" }

// Request is one entry of the request log tests assert on.
type Request struct {
	Time        time.Time
	Region      string
	Service     string
	Action      string
	AccessKeyID string
	// Mutating is true for an action that changes state and was not a DryRun.
	Mutating bool
	DryRun   bool
	Attacker bool
	// Code is the error code returned, or "" on success.
	Code string
	// AnswerLost marks a call that was carried out but whose answer a fault lost.
	AnswerLost bool
}

// New builds a simulated account from a scenario.
func New(sc *Scenario, opts Options) (*Server, error) {
	return newServer(sc, opts, nil)
}

// newServer builds one account; an organization's accounts share its lock.
func newServer(sc *Scenario, opts Options, org *Organization) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = WallClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	start := opts.Clock.Now()
	if err := sc.checkTimes(); err != nil {
		return nil, sc.placed(err)
	}
	t0 := resolveChecked(sc.IncidentStart, start)
	mu := &sync.Mutex{}
	if org != nil {
		mu = org.mu
	}
	s := &Server{
		mu:       mu,
		org:      org,
		scenario: sc,
		opts:     opts,
		clock:    opts.Clock,
		start:    start,
		t0:       t0,
		ids:      newIDSource(sc.Seed),
		dice:     rand.New(rand.NewPCG(sc.Seed, 0x5eed)),
		regions:  sc.Regions,
		handlers: map[string]handler{},
		trail:    newTrail(sc),
		ledger:   newLedger(),
	}
	if len(s.regions) == 0 {
		s.regions = commercialRegions
	}
	for i, f := range sc.Faults {
		if err := f.validate(); err != nil {
			return nil, sc.placed(under(fmt.Sprintf("faults[%d]", i), err))
		}
		s.faults = append(s.faults, f)
	}
	s.registerSTS()
	s.registerSessions()
	s.registerIAM()
	s.registerEC2()
	s.registerPersistence()
	s.registerRespawners()
	s.registerOrganizations()
	s.registerAccessAnalyzer()
	s.registerS3()
	// Each builder's error starts with the YAML path of the value it refuses.
	var err error
	if s.iam, err = newIAMState(s, sc); err != nil {
		return nil, sc.placed(err)
	}
	if s.ec2, err = newEC2State(s, sc.EC2); err != nil {
		return nil, sc.placed(err)
	}
	if err := s.seedRespawners(sc); err != nil {
		return nil, sc.placed(err)
	}
	if s.analyzers, err = newAnalyzerState(s, sc.AccessAnalyzer); err != nil {
		return nil, sc.placed(err)
	}
	if s.logging, err = newLoggingState(s, sc); err != nil {
		return nil, sc.placed(err)
	}
	if s.s3, err = newS3State(s, sc, s.logging.trails); err != nil {
		return nil, sc.placed(err)
	}
	if s.attacker, err = newAttacker(sc.Attacker, start); err != nil {
		return nil, sc.placed(err)
	}
	if err := s.seedHistory(sc); err != nil {
		return nil, sc.placed(err)
	}
	s.seedProvenance(sc)
	s.noteRefusals(start)
	return s, nil
}

func (s *Server) handle(service, action string, mutating bool, fn func(*Call) (any, error)) {
	s.handlers[service+":"+action] = handler{fn: fn, mutating: mutating}
}

// Account is the simulated account id.
func (s *Server) Account() string { return s.scenario.Account.ID }

// Scenario is the scenario the server was built from.
func (s *Server) Scenario() *Scenario { return s.scenario }

// Start is the simulated time the server started at.
func (s *Server) Start() time.Time { return s.start }

// IncidentStart is the scenario's T0.
func (s *Server) IncidentStart() time.Time { return s.t0 }

// Now is the simulator's current time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// ResponderCredentials are the access key the drill's responder signs with.
func (s *Server) ResponderCredentials() (accessKeyID, secretAccessKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.iam.responderKey.ID, s.iam.responderKey.Secret
}

// BreakGlassCredentials are the scenario's break-glass identity, as the team's vault holds them;
// ok is false when the scenario has none.
func (s *Server) BreakGlassCredentials() (user, accessKeyID, secretAccessKey string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.iam.breakGlassKey
	if k == nil {
		return "", "", "", false
	}
	return k.User, k.ID, k.Secret, true
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// ServeHTTP answers one query-protocol request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if sc, err := parseScope(r.Header.Get("Authorization")); err == nil && sc.Service == "guardduty" {
		s.serveGuardDuty(w, r, sc)
		return
	} else if err == nil && sc.Service == "s3" {
		s.serveS3(w, r, sc)
		return
	} else if err == nil && sc.Service == "organizations" {
		s.serveOrganizations(w, r, sc) // org_api.go
		return
	} else if err == nil && sc.Service == "access-analyzer" {
		s.serveAccessAnalyzer(w, r, sc)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		s.serveJSON(w, r, target)
		return
	}
	sc, err := parseScope(r.Header.Get("Authorization"))
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	form, ferr := readForm(r)
	if err == nil {
		err = ferr
	}
	service := sc.Service
	s.mu.Lock()
	requestID := s.ids.requestID()
	if err != nil {
		s.mu.Unlock()
		writeError(w, service, requestID, err.(*APIError))
		return
	}
	action := form.Get("Action")
	s.fireAttacker()
	fault := s.faultFor(sc, action)
	s.mu.Unlock()

	if fault.hang {
		// A region that never answers: hold the request until the client gives up or the
		// listener closes, and never longer, so no handler outlives its request.
		<-r.Context().Done()
		return
	}
	if fault.delay > 0 && !sleep(r.Context(), fault.delay) {
		return
	}

	s.mu.Lock()
	body, apiErr := s.call(sc, action, form, fault.fail, false)
	if fault.lose != "" {
		s.log[len(s.log)-1].AnswerLost = true
	}
	s.mu.Unlock()
	switch fault.lose {
	case loseByDrop:
		// The call was carried out; the caller sees the connection close with no answer.
		panic(http.ErrAbortHandler)
	case loseByError:
		apiErr = serverError(http.StatusInternalServerError)
	}
	if apiErr != nil {
		writeError(w, service, requestID, apiErr)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	_, _ = w.Write(body)
}

// call authenticates and dispatches one request, with the server locked, and logs it.
func (s *Server) call(sc scope, action string, form url.Values, fault *APIError, byAttacker bool) ([]byte, *APIError) {
	now := s.clock.Now()
	entry := Request{Time: now, Region: sc.Region, Service: sc.Service, Action: action,
		AccessKeyID: sc.AccessKeyID, Attacker: byAttacker, DryRun: form.Get("DryRun") == "true"}
	body, apiErr := s.dispatch(sc, action, form, fault, byAttacker, now, &entry)
	if apiErr != nil {
		entry.Code = apiErr.Code
		entry.Mutating = false
	}
	s.log = append(s.log, entry)
	s.opts.Log.Info("request", "region", entry.Region, "service", entry.Service, "action", action,
		"mutating", entry.Mutating, "dry_run", entry.DryRun, "attacker", byAttacker, "error", entry.Code)
	return body, apiErr
}

func (s *Server) dispatch(sc scope, action string, form url.Values, fault *APIError, byAttacker bool, now time.Time, entry *Request) ([]byte, *APIError) {
	result, apiErr := s.serve(sc, action, form, fault, byAttacker, now, entry)
	if apiErr != nil {
		return nil, apiErr
	}
	if jsonService(sc.Service) {
		// Only the attacker's calls come this way for a JSON service: nobody reads the answer.
		return nil, nil
	}
	body, err := envelope(sc.Service, action, s.ids.requestID(), result)
	if err != nil {
		return nil, Errorf(http.StatusInternalServerError, "InternalError", "encoding the response: %v", err)
	}
	return body, nil
}

// serve authenticates, authorizes and runs one call of any protocol, and records it in CloudTrail;
// the caller renders the result in its protocol.
func (s *Server) serve(sc scope, action string, form url.Values, fault *APIError, byAttacker bool, now time.Time, entry *Request) (any, *APIError) {
	if action == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action.")
	}
	h, ok := s.handlers[sc.Service+":"+action]
	if !ok {
		return nil, Errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", action)
	}
	caller, apiErr := s.authenticate(sc, now)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.regionEnabledFor(sc); apiErr != nil {
		return nil, apiErr
	}
	if fault != nil {
		return nil, fault
	}
	c := &Call{Service: sc.Service, Region: sc.Region, Action: action, Params: form, Caller: caller, Now: now, Attacker: byAttacker, from: sc}
	if apiErr := s.authorize(c); apiErr != nil {
		s.recordCall(sc, c, h.mutating, nil, apiErr)
		return nil, apiErr
	}
	entry.Mutating = h.mutating && !entry.DryRun
	var deleted []Holding
	if h.mutating {
		deleted = s.before(c)
	}
	result, err := h.fn(c)
	if h.mutating && err == nil {
		s.after(c, deleted, result)
	}
	s.recordCall(sc, c, h.mutating, result, err)
	if err != nil {
		if e, ok := err.(*APIError); ok {
			return nil, e
		}
		return nil, Errorf(http.StatusInternalServerError, "InternalError", "%v", err)
	}
	return result, nil
}

func writeError(w http.ResponseWriter, service, requestID string, err *APIError) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(err.Status)
	_, _ = w.Write(errorBody(service, requestID, err))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
