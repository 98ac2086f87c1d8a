package sim

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
)

// trailRecord is one CloudTrail record with AWS's field names and nesting; LookupEvents returns it,
// serialised, as CloudTrailEvent.
type trailRecord struct {
	EventVersion       string           `json:"eventVersion"`
	UserIdentity       userIdentity     `json:"userIdentity"`
	EventTime          string           `json:"eventTime"`
	EventSource        string           `json:"eventSource"`
	EventName          string           `json:"eventName"`
	AWSRegion          string           `json:"awsRegion"`
	SourceIPAddress    string           `json:"sourceIPAddress"`
	UserAgent          string           `json:"userAgent"`
	ErrorCode          string           `json:"errorCode,omitempty"`
	ErrorMessage       string           `json:"errorMessage,omitempty"`
	RequestParameters  any              `json:"requestParameters"`
	ResponseElements   any              `json:"responseElements"`
	RequestID          string           `json:"requestID"`
	EventID            string           `json:"eventID"`
	ReadOnly           bool             `json:"readOnly"`
	Resources          []recordResource `json:"resources,omitempty"`
	EventType          string           `json:"eventType"`
	ManagementEvent    bool             `json:"managementEvent"`
	RecipientAccountID string           `json:"recipientAccountId"`
	EventCategory      string           `json:"eventCategory"`
}

type userIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

type sessionContext struct {
	SessionIssuer *sessionIssuer  `json:"sessionIssuer,omitempty"`
	WebIDFed      *struct{}       `json:"webIdFederationData,omitempty"`
	Attributes    sessionAttrsRec `json:"attributes"`
}

type sessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type sessionAttrsRec struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

type recordResource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// lookupResource is one entry of an event's Resources in a LookupEvents answer.
type lookupResource struct {
	Type, Name string
}

// trailEvent is one recorded event: the fields LookupEvents filters and answers on, and the record.
type trailEvent struct {
	Time        time.Time
	Region      string
	ID          string
	Name        string
	Source      string
	AccessKeyID string
	Username    string
	ReadOnly    bool
	Resources   []lookupResource
	Record      string
}

// actor is who made a call, as CloudTrail names them, and from where.
type actor struct {
	Identity  userIdentity
	Username  string
	SourceIP  string
	UserAgent string
}

// newTrailEvent renders a record and its lookup fields.
func (t *trail) newTrailEvent(at time.Time, region, service, action string, who actor, params, response any, readOnly bool, resources []lookupResource, errCode, errMsg string) *trailEvent {
	if service == "iam" {
		region = globalRegion
	}
	source := service + ".amazonaws.com"
	rec := trailRecord{
		EventVersion: "1.08", UserIdentity: who.Identity, EventTime: at.UTC().Format(time.RFC3339),
		EventSource: source, EventName: action, AWSRegion: region, SourceIPAddress: who.SourceIP,
		UserAgent: who.UserAgent, ErrorCode: errCode, ErrorMessage: errMsg,
		RequestParameters: params, ResponseElements: response,
		RequestID: t.ids.requestID(), EventID: t.ids.requestID(), ReadOnly: readOnly,
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: t.account, EventCategory: "Management",
	}
	for _, r := range resources {
		if strings.HasPrefix(r.Name, "arn:") {
			rec.Resources = append(rec.Resources, recordResource{ARN: r.Name, AccountID: t.account, Type: r.Type})
		}
	}
	body, _ := json.Marshal(rec)
	return &trailEvent{Time: at.UTC().Truncate(time.Second), Region: region, ID: rec.EventID, Name: action,
		Source: source, AccessKeyID: who.Identity.AccessKeyID, Username: who.Username, ReadOnly: readOnly,
		Resources: resources, Record: string(body)}
}

// globalRegion is where CloudTrail records the calls of global services such as IAM.
const globalRegion = "us-east-1"

// requestParameters turns query parameters into CloudTrail's camel-case request parameters.
func requestParameters(action string, form map[string][]string) any {
	if p := exposureRequest(action, form); p != nil {
		return p
	}
	if rec := restartParameters(action, form); rec != nil {
		return rec
	}
	out := map[string]any{}
	for k, v := range form {
		if k == "Action" || k == "Version" || k == "Body" || len(v) == 0 {
			continue
		}
		out[lowerFirst(k)] = v[0]
	}
	if action == "RunInstances" {
		item := map[string]any{}
		for _, k := range []string{"imageId", "minCount", "maxCount", "keyName"} {
			if v, ok := out[k]; ok {
				item[k] = v
				delete(out, k)
			}
		}
		out["instancesSet"] = map[string]any{"items": []any{item}}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// iamDate is how CloudTrail writes IAM's dates inside responseElements.
func iamDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006 3:04:05 PM") }
