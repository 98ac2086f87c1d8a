package wiretest

import (
	"fmt"
	"net/http"
	"time"
)

// Fault is what the proxy does to a request instead of (or besides) forwarding it faithfully.
type Fault struct {
	kind    faultKind
	latency time.Duration
	status  int
}

type faultKind int

const (
	faultLatency faultKind = iota + 1
	faultThrottle
	faultServerError
	faultReset
	faultDropAnswer
	faultHang
	faultSlowAnswer
)

// Latency forwards the request after d.
func Latency(d time.Duration) Fault { return Fault{kind: faultLatency, latency: d} }

// Throttle answers, without forwarding, with the service's throttling error
// (EC2 RequestLimitExceeded, IAM and STS Throttling, JSON ThrottlingException).
func Throttle() Fault { return Fault{kind: faultThrottle} }

// ServerError answers, without forwarding, with an internal error of HTTP status (5xx).
func ServerError(status int) Fault { return Fault{kind: faultServerError, status: status} }

// Reset closes the client's connection with a TCP reset, without forwarding the request.
func Reset() Fault { return Fault{kind: faultReset} }

// DropAnswer forwards the request, lets the server carry it out, then resets the client's
// connection instead of answering: the client cannot know whether the call took effect.
func DropAnswer() Fault { return Fault{kind: faultDropAnswer} }

// Hang never answers; the request ends only when the client gives up or the proxy closes.
func Hang() Fault { return Fault{kind: faultHang} }

// SlowAnswer forwards the request at once, so the server carries it out, and holds the answer for
// d: a client stopped meanwhile never learns what the call did.
func SlowAnswer(d time.Duration) Fault { return Fault{kind: faultSlowAnswer, latency: d} }

func (f Fault) String() string {
	switch f.kind {
	case faultLatency:
		return fmt.Sprintf("latency %s", f.latency)
	case faultThrottle:
		return "throttle"
	case faultServerError:
		return fmt.Sprintf("server error %d", f.status)
	case faultReset:
		return "connection reset"
	case faultDropAnswer:
		return "answer dropped"
	case faultHang:
		return "hang"
	case faultSlowAnswer:
		return fmt.Sprintf("answer held %s", f.latency)
	}
	return "none"
}

// Rule applies a fault to the requests it matches. Empty fields match anything.
type Rule struct {
	Service, Region, Action string
	Fault                   Fault
	// Times limits the rule to its first Times matching requests; 0 means every one.
	Times int
	// Param, when set, matches only requests with a parameter of that value (the query
	// protocol's UserName, InstanceId.1…): one step's call among those of the same action.
	Param string
	// Rate applies the fault to a share of the matching requests, drawn at random (a seeded,
	// repeatable draw); 0 means every one. A request the draw spares goes on to the next rule.
	Rate float64
	// Burst, when set, applies the fault only during the burst's windows: the way a service has
	// a bad few seconds, then recovers.
	Burst *Burst
}

// Burst is a fault that comes and goes: on for On, then off until Every has passed, counted from
// the proxy's start.
type Burst struct {
	On, Every time.Duration
}

// active reports whether the burst is on at elapsed since the proxy started.
func (b *Burst) active(elapsed time.Duration) bool {
	return b == nil || b.Every <= 0 || elapsed%b.Every < b.On
}

func (r *Rule) matches(q Request) bool {
	return (r.Service == "" || r.Service == q.Service) &&
		(r.Region == "" || r.Region == q.Region) &&
		(r.Action == "" || r.Action == q.Action) &&
		(r.Param == "" || hasParam(q, r.Param))
}

// hasParam reports whether one of the request's parameters has the value v.
func hasParam(q Request, v string) bool {
	for _, values := range q.Params {
		for _, got := range values {
			if got == v {
				return true
			}
		}
	}
	return false
}

// protocol is how a service frames its errors.
type protocol int

const (
	queryProtocol    protocol = iota // EC2, IAM, STS, Auto Scaling: XML
	jsonProtocol                     // CloudTrail, Organizations: X-Amz-Target, JSON 1.1
	restJSONProtocol                 // GuardDuty: a path per resource, JSON, status by error
)

func protocolOf(req *http.Request) protocol {
	switch {
	case req.Header.Get("X-Amz-Target") != "":
		return jsonProtocol
	case req.URL.Path != "/" && req.URL.Path != "":
		return restJSONProtocol
	}
	return queryProtocol
}

// throttleAnswer is the service's own throttling error, in its own protocol.
func throttleAnswer(w http.ResponseWriter, q Request, p protocol) {
	switch {
	case p == restJSONProtocol:
		restJSONError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
	case p == jsonProtocol:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
	case q.Service == "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, ec2Error("RequestLimitExceeded", "Request limit exceeded."))
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, queryError("Throttling", "Rate exceeded"))
	}
}

// serverErrorAnswer is an internal error in the service's protocol.
func serverErrorAnswer(w http.ResponseWriter, q Request, status int, p protocol) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	switch {
	case p == restJSONProtocol:
		restJSONError(w, status, "InternalServerErrorException", "Internal server error")
	case p == jsonProtocol:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprint(w, `{"__type":"InternalFailure","message":"We encountered an internal error. Please try again."}`)
	case q.Service == "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprint(w, ec2Error("InternalError", "An internal error has occurred."))
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprint(w, queryError("ServiceUnavailable", "Service is unable to handle request."))
	}
}

func restJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
}

func ec2Error(code, msg string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>` + code +
		`</Code><Message>` + msg + `</Message></Error></Errors><RequestID>wiretest-fault</RequestID></Response>`
}

func queryError(code, msg string) string {
	return `<ErrorResponse><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + msg +
		`</Message></Error><RequestId>wiretest-fault</RequestId></ErrorResponse>`
}
