package aws

import (
	"strings"
)

// Touched is a resource an attacker event created or changed, as its record names it.
type Touched struct {
	// Kind is "instance", "spot request", "access key", "user", "role", "session", or the
	// resource type of something lockdown has no action for ("security group", "function",
	// "bucket", or the event's source when the record says no more).
	Kind string `json:"kind"`
	ID   string `json:"id"`
	ARN  string `json:"arn,omitempty"`
	// User is the user an access key or login profile belongs to; Role the role a session is of.
	User string `json:"user,omitempty"`
	Role string `json:"role,omitempty"`
}

// Touched lists what a successful write event created or changed: the resources a responder has
// to look at. A refused or read-only event touched nothing.
func (e TrailEvent) Touched() []Touched {
	if !e.Succeeded() || e.ReadOnly {
		return nil
	}
	req := e.rec.Request()
	if kp := e.keyPairTouched(); kp != nil {
		return kp
	}
	if in := e.instanceTouched(); in != nil {
		return in
	}
	var out []Touched
	for _, c := range e.created() {
		t := Touched{Kind: c.Kind, ID: c.ID, Role: c.Role}
		switch c.Kind {
		case "instance":
			t.ARN = e.arn("ec2", "instance/"+c.ID)
		case "spot request":
			t.ARN = e.arn("ec2", "spot-instances-request/"+c.ID)
		case "user":
			t.ARN = e.iamARN("user/" + c.ID)
		case "role":
			t.ARN, t.ID = c.ID, c.ID[strings.LastIndex(c.ID, "/")+1:]
		case "access key":
			t.User = firstOf(field(e.rec.Response(), "accessKey", "userName"), field(req, "userName"))
		}
		out = append(out, t)
	}
	if len(out) > 0 {
		return out
	}
	if exposed, ok := e.exposureTouched(); ok {
		return exposed
	}
	switch e.EventName {
	case "CreateLoginProfile", "UpdateLoginProfile", "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup",
		"CreateVirtualMFADevice", "EnableMFADevice", "UploadSSHPublicKey", "UploadSigningCertificate",
		"CreateServiceSpecificCredential", "UpdateAccessKey":
		if u := field(req, "userName"); u != "" {
			return []Touched{{Kind: "user", ID: u, User: u, ARN: e.iamARN("user/" + u)}}
		}
	case "UpdateAssumeRolePolicy", "AttachRolePolicy", "PutRolePolicy", "DetachRolePolicy", "DeleteRolePolicy":
		if r := field(req, "roleName"); r != "" {
			return []Touched{{Kind: "role", ID: r, ARN: e.iamARN("role/" + r)}}
		}
	case "AttachGroupPolicy", "PutGroupPolicy":
		if g := field(req, "groupName"); g != "" {
			return []Touched{{Kind: "group", ID: g, ARN: e.iamARN("group/" + g)}}
		}
	case "DeleteTrail", "StopLogging", "PutEventSelectors", "PutAdvancedEventSelectors", "UpdateTrail":
		if t := firstOf(field(req, "name"), field(req, "trailName")); t != "" {
			name := t[strings.LastIndex(t, "/")+1:]
			return []Touched{{Kind: "trail", ID: name, ARN: firstOf(arnOrEmpty(t), e.arn("cloudtrail", "trail/"+name))}}
		}
	case "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "CreateSecurityGroup":
		id := firstOf(field(req, "groupId"), field(e.rec.Response(), "groupId"))
		if id != "" {
			return []Touched{{Kind: "security group", ID: id, ARN: e.arn("ec2", "security-group/"+id)}}
		}
	case "CreateFunction", "CreateFunction20150331", "UpdateFunctionCode", "UpdateFunctionCode20150331v2", "AddPermission20150331v2":
		if f := field(req, "functionName"); f != "" {
			return []Touched{{Kind: "function", ID: f, ARN: e.arn("lambda", "function:"+f)}}
		}
	case "PutBucketPolicy", "PutBucketAcl", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeletePublicAccessBlock",
		"PutBucketLifecycle", "DeleteBucketLifecycle", "DeleteBucket":
		if b := field(req, "bucketName"); b != "" {
			return []Touched{{Kind: "bucket", ID: b, ARN: "arn:aws:s3:::" + b}}
		}
	}
	if t, ok := e.respawnerTouched(req); ok {
		return []Touched{t}
	}
	// Anything else: what the record itself names, so the responder knows where to look.
	for _, r := range e.rec.Resources {
		if r.ARN != "" {
			out = append(out, Touched{Kind: firstOf(iamKind(r.ARN), e.service()), ID: r.ARN[strings.LastIndexAny(r.ARN, "/:")+1:], ARN: r.ARN})
		}
	}
	if len(out) == 0 {
		out = append(out, Touched{Kind: e.service(), ID: strings.Join(e.Resources, " ")})
	}
	return out
}

// iamKind is "user", "role", "group" or "policy" for the ARN of one, "" for anything else.
func iamKind(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" {
		return ""
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "user", "role", "group", "policy":
		return kind
	}
	return ""
}

// service is the short name of the event's service: "ec2" for ec2.amazonaws.com.
func (e TrailEvent) service() string {
	return strings.TrimSuffix(e.EventSource, ".amazonaws.com")
}

// account is the account the event happened in.
func (e TrailEvent) account() string {
	return e.rec.UserIdentity.AccountID
}

// arn builds a regional resource's ARN in the event's account and region.
func (e TrailEvent) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + e.Region + ":" + e.account() + ":" + resource
}

// iamARN builds an IAM resource's ARN (IAM ARNs have no region).
func (e TrailEvent) iamARN(resource string) string {
	return "arn:aws:iam::" + e.account() + ":" + resource
}

// IdentityType is the record's userIdentity.type: "IAMUser", "AssumedRole", "AWSService", "Root"…
func (e TrailEvent) IdentityType() string { return e.rec.UserIdentity.Type }

// SessionIssuer is the role (or user) behind a session's event, from its session context.
func (e TrailEvent) SessionIssuer() string {
	return e.rec.UserIdentity.SessionContext.SessionIssuer.ARN
}

// arnOrEmpty passes an ARN through and drops anything else.
func arnOrEmpty(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s
	}
	return ""
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
