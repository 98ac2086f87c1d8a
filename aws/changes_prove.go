package aws

import (
	"context"
	"fmt"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// A dry run reads the state an IAM change would change, but reading proves nothing about whether
// the responder may make the change. iam:SimulatePrincipalPolicy does: it evaluates the responder's
// own policies for the action and resource, without doing anything. Where it cannot run (denied
// itself, missing from an emulator, a principal it cannot simulate), the change is "not
// checked" — never "would apply".

// NotCheckedError says a dry run could not prove that the responder may make a change.
type NotCheckedError struct {
	Action string
	Reason string
}

func (e *NotCheckedError) Error() string {
	return fmt.Sprintf("permission for %s not checked: %s", e.Action, e.Reason)
}

// DeniedError says the responder's policies deny an action a planned change needs, as
// iam:SimulatePrincipalPolicy evaluated them. It reads as AWS's AccessDenied.
type DeniedError struct {
	Action, Resource, Principal string
	// Decision is IAM's: explicitDeny or implicitDeny.
	Decision string
}

func (e *DeniedError) Error() string { return e.ErrorMessage() }

// ErrorCode makes a simulated denial read like the real one.
func (e *DeniedError) ErrorCode() string { return "AccessDenied" }

// ErrorMessage says who may not do what, and how that was found.
func (e *DeniedError) ErrorMessage() string {
	return fmt.Sprintf("%s may not %s on %s (%s, by iam:SimulatePrincipalPolicy): this change would fail", e.Principal, e.Action, e.Resource, e.Decision)
}

// ErrorFault is the client's: the request would be refused.
func (e *DeniedError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// permission is one action a change needs, on one resource.
type permission struct{ action, resource string }

// prove turns a read-back check into a proven one: when the check says the change would be made,
// every permission it needs is simulated for the responder.
func (d *dryRunChanges) prove(ctx context.Context, eff Effect, err error, needs ...func(context.Context) (permission, error)) (Effect, error) {
	if err != nil || eff != WouldChange {
		return eff, err
	}
	for _, need := range needs {
		p, err := need(ctx)
		if err != nil {
			return "", err
		}
		if err := d.simulate(ctx, p); err != nil {
			return "", err
		}
	}
	return WouldChange, nil
}

// simulate asks IAM whether the responder may do p.
func (d *dryRunChanges) simulate(ctx context.Context, p permission) error {
	if reason := d.a.simulationUnavailable(); reason != "" {
		return &NotCheckedError{Action: p.action, Reason: reason}
	}
	principal, reason, err := d.principal(ctx)
	if err != nil {
		return err
	}
	if principal == "" {
		return &NotCheckedError{Action: p.action, Reason: reason}
	}
	out, err := d.a.IAM().SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: sdk.String(principal),
		ActionNames: []string{p.action}, ResourceArns: []string{p.resource}}, func(o *iam.Options) { o.RetryMaxAttempts = 2 })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		reason := "iam:SimulatePrincipalPolicy failed (" + strings.TrimSpace(ErrorCode(err)+" "+ErrorMessage(err)) + ")"
		d.a.rememberSimulationUnavailable(reason)
		return &NotCheckedError{Action: p.action, Reason: reason}
	}
	if len(out.EvaluationResults) == 0 {
		return &NotCheckedError{Action: p.action, Reason: "iam:SimulatePrincipalPolicy returned no decision"}
	}
	for _, r := range out.EvaluationResults {
		if decision := string(r.EvalDecision); decision != "allowed" {
			return &DeniedError{Action: p.action, Resource: p.resource, Principal: principal, Decision: decision}
		}
	}
	return nil
}

// principal is the ARN whose policies decide what the responder may do: the IAM user, or the role
// behind an assumed-role session. Root and federated sessions cannot be simulated; reason says why.
func (d *dryRunChanges) principal(ctx context.Context) (arn, reason string, err error) {
	id := d.a.confirmedIdentity()
	if id.ARN == "" {
		if id, err = d.a.WhoAmI(ctx); err != nil {
			return "", "", err
		}
	}
	parts := strings.SplitN(id.ARN, ":", 6)
	if len(parts) != 6 {
		return "", "the responder's ARN " + id.ARN + " cannot be read", nil
	}
	partition, service, account, resource := parts[1], parts[2], parts[4], parts[5]
	switch {
	case service == "iam" && strings.HasPrefix(resource, "user/"):
		return id.ARN, "", nil
	case service == "iam" && resource == "root":
		return "", "lockdown acts as the root user, whose permissions IAM policies do not limit or simulate", nil
	case service == "sts" && strings.HasPrefix(resource, "assumed-role/"):
		role := strings.Split(strings.TrimPrefix(resource, "assumed-role/"), "/")[0]
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, role), "", nil
	}
	return "", "the responder " + id.ARN + " is not a user or role that IAM can simulate", nil
}

// userARN is user's ARN as IAM has it (with its path), for the resource of a simulation.
func (d *dryRunChanges) userARN(user string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		out, err := d.a.IAM().GetUser(ctx, &iam.GetUserInput{UserName: sdk.String(user)})
		if err == nil && out.User != nil && sdk.ToString(out.User.Arn) != "" {
			return sdk.ToString(out.User.Arn), nil
		}
		return d.constructedARN(ctx, "user/"+user)
	}
}

// roleARN is role's ARN without a path (IAM lists roles by name here; a path would only matter to
// a policy that names it).
func (d *dryRunChanges) roleARN(role string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) { return d.constructedARN(ctx, "role/"+role) }
}

func (d *dryRunChanges) constructedARN(ctx context.Context, resource string) (string, error) {
	id := d.a.confirmedIdentity()
	if id.Account == "" {
		var err error
		if id, err = d.a.WhoAmI(ctx); err != nil {
			return "", err
		}
	}
	partition := "aws"
	if parts := strings.SplitN(id.ARN, ":", 3); len(parts) == 3 {
		partition = parts[1]
	}
	return fmt.Sprintf("arn:%s:iam::%s:%s", partition, id.Account, resource), nil
}

// on needs action on the resource arn finds.
func on(action string, arn func(context.Context) (string, error)) func(context.Context) (permission, error) {
	return func(ctx context.Context) (permission, error) {
		resource, err := arn(ctx)
		return permission{action: action, resource: resource}, err
	}
}

func (a *Account) simulationUnavailable() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.simulation
}

func (a *Account) rememberSimulationUnavailable(reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.simulation = reason
}
