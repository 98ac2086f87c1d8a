package sim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// APIError is an AWS error as the query protocols return it.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an APIError.
func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// scope is the part of a SigV4 Authorization header the simulator routes on.
type scope struct {
	AccessKeyID string
	Region      string
	Service     string
	// SourceIP and UserAgent are what CloudTrail records about where a call came from.
	SourceIP, UserAgent string
}

// parseScope reads "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, ...".
func parseScope(header string) (scope, error) {
	const prefix = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(header, prefix) {
		return scope{}, Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	for _, part := range strings.Split(header[len(prefix):], ",") {
		part = strings.TrimSpace(part)
		cred, ok := strings.CutPrefix(part, "Credential=")
		if !ok {
			continue
		}
		fields := strings.Split(cred, "/")
		if len(fields) != 5 || fields[4] != "aws4_request" {
			return scope{}, Errorf(http.StatusBadRequest, "IncompleteSignature", "Credential should be scoped to a valid region and service: %q", cred)
		}
		return scope{AccessKeyID: fields[0], Region: fields[2], Service: fields[3]}, nil
	}
	return scope{}, Errorf(http.StatusBadRequest, "IncompleteSignature", "Authorization header requires a Credential parameter")
}

// readForm returns the query-protocol parameters from the body and the URL.
func readForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err)
	}
	return r.Form, nil
}

// envelope renders a query-protocol response. EC2 puts the result fields straight under
// <ActionResponse>; IAM and STS wrap them in <ActionResult> and add ResponseMetadata.
func envelope(service, action, requestID string, result any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(512)
	buf.WriteString(xml.Header)
	fmt.Fprintf(&buf, `<%sResponse xmlns="%s">`, action, namespace(service))
	if service == "ec2" {
		fmt.Fprintf(&buf, "<requestId>%s</requestId>", requestID)
		if result != nil {
			inner, err := fieldsOf(result)
			if err != nil {
				return nil, err
			}
			buf.Write(inner)
		}
	} else {
		if result == nil {
			result = struct{}{}
		}
		if err := encodeUnder(&buf, action+"Result", result); err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>", requestID)
	}
	fmt.Fprintf(&buf, "</%sResponse>", action)
	return buf.Bytes(), nil
}

// fieldsOf renders the fields of result without a wrapping element of their own.
func fieldsOf(result any) ([]byte, error) {
	var inner bytes.Buffer
	if err := encodeUnder(&inner, "x", result); err != nil {
		return nil, err
	}
	b := inner.Bytes()
	b = bytes.TrimPrefix(b, []byte("<x>"))
	b = bytes.TrimSuffix(b, []byte("</x>"))
	if bytes.Equal(b, []byte("<x/>")) {
		return nil, nil
	}
	return b, nil
}

// encodeUnder writes the fields of v inside an element called name.
func encodeUnder(buf *bytes.Buffer, name string, v any) error {
	enc := xml.NewEncoder(buf)
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
		return err
	}
	return enc.Flush()
}

func namespace(service string) string {
	switch service {
	case "ec2":
		return "http://ec2.amazonaws.com/doc/2016-11-15/"
	case "iam":
		return "https://iam.amazonaws.com/doc/2010-05-08/"
	case "sts":
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	case "autoscaling":
		return "http://autoscaling.amazonaws.com/doc/2011-01-01/"
	}
	return ""
}

// errorBody renders err in the service's error envelope.
func errorBody(service, requestID string, err *APIError) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if service == "ec2" {
		fmt.Fprintf(&buf, "<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>",
			escape(err.Code), escape(err.Message), requestID)
		return buf.Bytes()
	}
	kind := "Sender"
	if err.Status >= 500 {
		kind = "Receiver"
	}
	fmt.Fprintf(&buf, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		namespace(service), kind, escape(err.Code), escape(err.Message), requestID)
	return buf.Bytes()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
