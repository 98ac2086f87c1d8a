// Package wiretest watches the requests lockdown sends, from the wire: a recorder (an
// http.RoundTripper, or a loopback proxy for the built binary) that classifies every request by
// what it asks AWS to do, independent of the endpoint that answers, and a proxy that injects faults.
package wiretest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one request as seen on the wire, and what became of it.
type Request struct {
	Time    time.Time
	Method  string
	Path    string
	Service string // from the SigV4 credential scope: ec2, iam, sts, ...
	Region  string // from the SigV4 credential scope
	Action  string // query protocol Action=, JSON X-Amz-Target, or "METHOD /path" for REST
	DryRun  bool   // the EC2 DryRun parameter was true
	// Mutating is true when the action, by its name, changes the account (or, for a REST call
	// without an action name, when the method is not GET or HEAD). DryRun does not clear it.
	Mutating bool
	// Status is the HTTP status of the answer; 0 when none arrived (see Err).
	Status int
	Err    string
	// Params are the query protocol's parameters (InstanceId.1, UserName…), to tell which items a
	// call was about.
	Params url.Values
}

// Changes reports whether the request could change the account: mutating and not a dry run.
func (r Request) Changes() bool { return r.Mutating && !r.DryRun }

// mutatingPrefixes name the verbs of AWS actions that change something. Reading verbs (Describe,
// Get, List, Lookup, Simulate, Generate...) are absent, and so is AssumeRole: it mints a session
// but changes nothing in the account. A verb missing here would hide a change, so the list errs
// towards more.
var mutatingPrefixes = []string{
	"Accept", "Add", "Allocate", "Apply", "Assign", "Associate", "Attach", "Authorize", "Cancel",
	"Change", "Copy", "Create", "Deactivate", "Delete", "Deregister", "Detach", "Disable",
	"Disassociate", "Enable", "Import", "Modify", "Move", "Purchase", "Put", "Reboot", "Register",
	"Reject", "Release", "Remove", "Replace", "Request", "Reset", "Restore", "Resync", "Revoke",
	"Run", "Send", "Set", "Start", "Stop", "Tag", "Terminate", "Unassign", "Untag", "Update",
	"Upload",
}

// IsMutating reports whether an AWS action name changes the account, by its verb.
func IsMutating(action string) bool {
	for _, p := range mutatingPrefixes {
		if rest, ok := strings.CutPrefix(action, p); ok && (rest == "" || isUpper(rest[0])) {
			return true
		}
	}
	return false
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// restReads are the REST calls whose method misleads: reads sent as POST, by service, method and
// path, with the operation's name.
var restReads = map[string]string{
	"access-analyzer POST /finding":   "ListFindings",
	"access-analyzer POST /findingv2": "ListFindingsV2",
}

// Classify reads what req asks AWS to do. body is the request's body (it may be nil).
func Classify(req *http.Request, body []byte) Request {
	r := Request{Time: time.Now(), Method: req.Method, Path: req.URL.Path}
	r.Service, r.Region = credentialScope(req.Header.Get("Authorization"))
	form := queryParams(req, body)
	r.Params = form
	switch target := req.Header.Get("X-Amz-Target"); {
	case form.Get("Action") != "":
		r.Action = form.Get("Action")
	case target != "":
		r.Action = target[strings.LastIndex(target, ".")+1:]
	}
	read, known := restReads[r.Service+" "+req.Method+" "+req.URL.Path]
	switch {
	case r.Action != "":
		r.Mutating = IsMutating(r.Action)
	case known:
		r.Action = read
	default:
		r.Action = req.Method + " " + req.URL.Path
		r.Mutating = req.Method != http.MethodGet && req.Method != http.MethodHead
	}
	r.DryRun = strings.EqualFold(form.Get("DryRun"), "true")
	return r
}

// credentialScope takes service and region from "Credential=AKID/DATE/REGION/SERVICE/aws4_request".
func credentialScope(auth string) (service, region string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[len(parts)-2], parts[len(parts)-3]
}

// queryParams merges the URL query with a form-encoded body (the query protocol sends either).
func queryParams(req *http.Request, body []byte) url.Values {
	v := req.URL.Query()
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, vals := range form {
				v[k] = append(v[k], vals...)
			}
		}
	}
	return v
}

// readBody returns the request's body and puts an unread copy back, so the request can still be
// sent (and retried) as it was.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, err
}
