package aws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Steps read the same things: the persistence hunt, the respawners, the exposure and the
// verification each list a region's instances, key pairs and spot requests, and a plan of the
// whole runbook asked AWS the same question several times over (1,600 requests where 700 were
// different). With Options.ShareReads a command asks each question once: an answer — what exists,
// or that it does not (404) — is given again to the same read by the same identity, for a short
// while and only until the command changes anything. Any change, in any service or account,
// forgets every answer, so what is read after a change (a read-back) is read from AWS. Throttling
// and errors are never given again, and who the caller is (STS) is always asked.
// Commands that run for a while and are read again on purpose (the interface) do not share.

// sharedReadLife is how long an answer is given again: a command's steps read one after another
// within seconds; a later read, in a run slowed by throttling, goes to AWS again.
const sharedReadLife = 20 * time.Second

// Answers are kept within a memory budget: a scan of a hundred thousand instances reads 100 MB
// of pages that no later step asks for again as they were, and must not hold them.
const (
	maxSharedAnswer = 256 << 10
	maxSharedBytes  = 16 << 20
)

// sharedReads are the answers a command's reads received.
type sharedReads struct {
	mu      sync.Mutex
	answers map[string]sharedAnswer
	bytes   int // the bodies kept
	// changes counts the changes sent: an answer is kept only when none was sent while it was
	// read, so an answer from before a change is never taken for one from after.
	changes uint64
	now     func() time.Time
}

type sharedAnswer struct {
	status int
	header http.Header
	body   []byte
	at     time.Time
}

func newSharedReads() *sharedReads {
	return &sharedReads{answers: map[string]sharedAnswer{}, now: time.Now}
}

// middleware installs the sharing at the end of the deserialize step: under the retry loop and
// the signature, next to the wire, so an answer given again is parsed like one just received and
// the caller gets its own copy.
//
// An answer is kept only once the SDK has parsed it into a result or AWS's error saying what is
// not there: an answer cut short on the way, which the retry loop asks again, must not be given
// again to that very retry.
func (s *sharedReads) middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if err := stack.Deserialize.Add(keepParsedAnswers{s}, middleware.Before); err != nil {
			return err
		}
		return stack.Deserialize.Add(shareReads{s}, middleware.After)
	}
}

// keepParsedAnswers keeps the answer shareReads received once it was parsed.
type keepParsedAnswers struct{ reads *sharedReads }

func (keepParsedAnswers) ID() string { return "lockdown.KeepParsedAnswers" }

type receivedKey struct{}

// received is an answer read from the wire, not yet parsed.
type received struct {
	key     string
	changes uint64
	answer  *sharedAnswer
}

func (m keepParsedAnswers) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	r := &received{}
	out, md, err := next.HandleDeserialize(context.WithValue(ctx, receivedKey{}, r), in)
	if r.answer != nil && (err == nil || httpStatus(err) == http.StatusNotFound && ErrorCode(err) != "") {
		m.reads.keep(r.key, r.changes, *r.answer)
	}
	return out, md, err
}

type shareReads struct{ reads *sharedReads }

func (shareReads) ID() string { return "lockdown.ShareReads" }

func (m shareReads) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return next.HandleDeserialize(ctx, in)
	}
	s := m.reads
	body, ok := requestBody(req)
	switch {
	case !ok:
		s.forget() // what it asks cannot be told: it may be a change
		defer s.forget()
		return next.HandleDeserialize(ctx, in)
	case isDryRun(body):
		// EC2's DryRun asks whether a change would be allowed and makes none.
		return next.HandleDeserialize(ctx, in)
	case !isRead(awsmiddleware.GetOperationName(ctx)):
		// A change, or what might be one: every answer read before it is forgotten, before and
		// after it is sent (a read answered while it was under way is not kept either).
		s.forget()
		defer s.forget()
		return next.HandleDeserialize(ctx, in)
	case awsmiddleware.GetServiceID(ctx) == "STS":
		// Who the caller is must be asked each time it matters.
		return next.HandleDeserialize(ctx, in)
	}
	key := readKey(req, body)
	if a, ok := s.answer(key); ok {
		return middleware.DeserializeOutput{RawResponse: a.response(req)}, middleware.Metadata{}, nil
	}
	changes := s.changesSent()
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || (resp.StatusCode < 200 || resp.StatusCode > 299) && resp.StatusCode != http.StatusNotFound {
		return out, md, err
	}
	if resp.ContentLength > maxSharedAnswer {
		return out, md, err // too large to keep: the caller reads it from the wire as it comes
	}
	original := resp.Body
	body, rerr := io.ReadAll(io.LimitReader(original, maxSharedAnswer+1))
	switch {
	case rerr != nil:
		// The answer was cut short: the caller reads what came and then the failure, as it would
		// have without the sharing, and nothing is kept.
		original.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), failingReader{rerr}))
		return out, md, err
	case len(body) > maxSharedAnswer:
		// Larger than it said, or than could be told: the caller reads the rest from the wire.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), original), original}
		return out, md, err
	}
	original.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if r, ok := ctx.Value(receivedKey{}).(*received); ok {
		r.key, r.changes = key, changes
		r.answer = &sharedAnswer{status: resp.StatusCode, header: resp.Header.Clone(), body: body}
	}
	return out, md, err
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// isRead says whether an operation only reads, by its verb.
func isRead(operation string) bool {
	for _, verb := range []string{"Describe", "List", "Get", "Lookup", "Simulate", "Head"} {
		if strings.HasPrefix(operation, verb) {
			return true
		}
	}
	return false
}

// requestBody is the body req will send, read without taking it from req.
func requestBody(req *smithyhttp.Request) ([]byte, bool) {
	stream := req.GetStream()
	if stream == nil {
		return nil, true
	}
	if !req.IsStreamSeekable() {
		return nil, false
	}
	body, err := io.ReadAll(stream)
	if err != nil || req.RewindStream() != nil {
		return nil, false
	}
	return body, true
}

// isDryRun says whether a query-protocol body asks EC2 for a dry run.
func isDryRun(body []byte) bool {
	for _, param := range bytes.Split(body, []byte("&")) {
		if string(param) == "DryRun=true" {
			return true
		}
	}
	return false
}

// readKey names a read by what it asks and who asks it: the method, the address, the operation
// header, the signing identity and scope (never the signature or its time), and the body.
func readKey(req *smithyhttp.Request, body []byte) string {
	var b strings.Builder
	b.WriteString(req.Method + " " + req.URL.String() + "\n")
	b.WriteString(req.Header.Get("X-Amz-Target") + "\n")
	b.WriteString(signingIdentity(req.Header.Get("Authorization")) + "\n")
	b.WriteString(req.Header.Get("X-Amz-Security-Token") + "\n")
	b.Write(body)
	return b.String()
}

// signingIdentity is the access key and scope of a SigV4 Authorization header, without the date.
func signingIdentity(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return auth
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) == 5 {
		parts[1] = "" // the date
	}
	return strings.Join(parts, "/")
}

func (s *sharedReads) answer(key string) (sharedAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[key]
	if ok && s.now().Sub(a.at) > sharedReadLife {
		delete(s.answers, key)
		s.bytes -= len(a.body)
		return a, false
	}
	return a, ok
}

func (s *sharedReads) changesSent() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}

// keep remembers an answer, unless a change was sent since its read began.
func (s *sharedReads) keep(key string, changes uint64, a sharedAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changes != changes || len(a.body) > maxSharedAnswer {
		return
	}
	if old, ok := s.answers[key]; ok {
		s.bytes -= len(old.body)
		delete(s.answers, key)
	}
	if s.bytes+len(a.body) > maxSharedBytes {
		return
	}
	a.at = s.now()
	s.answers[key] = a
	s.bytes += len(a.body)
}

func (s *sharedReads) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	clear(s.answers)
	s.bytes = 0
}

// response is the answer again, as a new response to req.
func (a sharedAnswer) response(req *smithyhttp.Request) *smithyhttp.Response {
	return &smithyhttp.Response{Response: &http.Response{
		Status:        http.StatusText(a.status),
		StatusCode:    a.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        a.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)),
		Request:       req.Request,
	}}
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }
