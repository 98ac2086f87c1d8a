package aws

import (
	"context"
	"fmt"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
)

// The persistence hunt's changes: restart a trail, turn GuardDuty back on, delete a key pair.
// Each reads the current state first, so one already made is AlreadyDone, and the live ones ask
// the guard right before their call.

func checkStartLogging(ctx context.Context, a *Account, homeRegion, arn string) (Effect, error) {
	logging, err := a.TrailStatus(ctx, homeRegion, arn)
	if err != nil {
		return "", err
	}
	if logging {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func checkEnableDetector(ctx context.Context, a *Account, region, id string) (Effect, error) {
	d, err := a.DetectorStatus(ctx, region, id)
	if err != nil {
		return "", err
	}
	if d.Enabled() {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

// checkCreateDetector: a region holds at most one detector, so one found there means the
// detector is back (whoever made it).
func checkCreateDetector(ctx context.Context, a *Account, region string) (Effect, error) {
	ds, err := a.regionDetectors(ctx, region)
	if err != nil {
		return "", err
	}
	if len(ds) > 0 {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func (c *liveChanges) StartLogging(ctx context.Context, homeRegion, arn string) (Effect, error) {
	if eff, err := checkStartLogging(ctx, c.a, homeRegion, arn); eff != WouldChange {
		return eff, err
	}
	if err := c.a.guard.AllowChange(); err != nil {
		return "", err
	}
	// Sent by name from the home region, where an account's trail names are unique: the form
	// every endpoint honours (some emulators take no ARN here).
	if _, err := c.a.trailClient(homeRegion).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String(trailName(arn))}); err != nil {
		return "", fmt.Errorf("cloudtrail StartLogging %s: %w", arn, err)
	}
	return Changed, nil
}

func (c *liveChanges) EnableDetector(ctx context.Context, region, id string) (Effect, error) {
	if eff, err := checkEnableDetector(ctx, c.a, region, id); eff != WouldChange {
		return eff, err
	}
	if err := c.a.guard.AllowChange(); err != nil {
		return "", err
	}
	_, err := c.a.guardDutyClient(region).UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: sdk.String(id), Enable: sdk.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("guardduty UpdateDetector %s in %s: %w", id, region, err)
	}
	return Changed, nil
}

func (c *liveChanges) CreateDetector(ctx context.Context, region string) (Effect, error) {
	if eff, err := checkCreateDetector(ctx, c.a, region); eff != WouldChange {
		return eff, err
	}
	if err := c.a.guard.AllowChange(); err != nil {
		return "", err
	}
	if _, err := c.a.guardDutyClient(region).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: sdk.Bool(true)}); err != nil {
		return "", fmt.Errorf("guardduty CreateDetector in %s: %w", region, err)
	}
	return Changed, nil
}

// DeleteKeyPair deletes the key pair the plan named by id. It is sent by name, the one form every
// endpoint honours, right after reading that the name still belongs to that id: a key pair
// created since under the same name is never deleted in its place.
func (c *liveChanges) DeleteKeyPair(ctx context.Context, region, id string) (Effect, error) {
	name, exists, err := c.a.keyPairName(ctx, region, id)
	if err != nil {
		return "", err
	}
	if !exists {
		return AlreadyDone, nil
	}
	if err := (liveEC2{c: c.a.ec2Client(region), g: c.a.guard}).deleteKeyPair(ctx, name); err != nil {
		return "", fmt.Errorf("ec2 DeleteKeyPair %s (%s) in %s: %w", name, id, region, err)
	}
	return Changed, nil
}

func (l liveEC2) deleteKeyPair(ctx context.Context, name string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: sdk.String(name), DryRun: sdk.Bool(false)})
	return err
}

func (d *dryRunChanges) StartLogging(ctx context.Context, homeRegion, arn string) (Effect, error) {
	eff, err := checkStartLogging(ctx, d.a, homeRegion, arn)
	return d.prove(ctx, eff, err, on("cloudtrail:StartLogging", fixed(arn)))
}

func (d *dryRunChanges) EnableDetector(ctx context.Context, region, id string) (Effect, error) {
	eff, err := checkEnableDetector(ctx, d.a, region, id)
	return d.prove(ctx, eff, err, on("guardduty:UpdateDetector", d.detectorARN(region, id)))
}

func (d *dryRunChanges) CreateDetector(ctx context.Context, region string) (Effect, error) {
	eff, err := checkCreateDetector(ctx, d.a, region)
	return d.prove(ctx, eff, err, on("guardduty:CreateDetector", d.detectorARN(region, "*")))
}

// DeleteKeyPair is proven by EC2 itself, with DryRun=true.
func (d *dryRunChanges) DeleteKeyPair(ctx context.Context, region, id string) (Effect, error) {
	name, exists, err := d.a.keyPairName(ctx, region, id)
	if err != nil {
		return "", err
	}
	if !exists {
		return AlreadyDone, nil
	}
	err = dryRunProver{c: d.a.ec2Client(region)}.deleteKeyPair(ctx, name)
	return provenByEC2(err, "ec2 DeleteKeyPair "+name+" in "+region)
}

func (p dryRunProver) deleteKeyPair(ctx context.Context, name string) error {
	_, err := p.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: sdk.String(name), DryRun: sdk.Bool(true)})
	return err
}

// detectorARN is a detector's ARN in the confirmed account, for the resource of a simulation.
func (d *dryRunChanges) detectorARN(region, id string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		id0 := d.a.confirmedIdentity()
		if id0.Account == "" {
			var err error
			if id0, err = d.a.WhoAmI(ctx); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("arn:aws:guardduty:%s:%s:detector/%s", region, id0.Account, id), nil
	}
}

// trailName is the name at the end of a trail's ARN.
func trailName(arn string) string {
	if _, name, ok := strings.Cut(arn, ":trail/"); ok {
		return name
	}
	return arn
}

func fixed(arn string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return arn, nil }
}

func (r refusal) StartLogging(context.Context, string, string) (Effect, error) { return "", r.err }
func (r refusal) EnableDetector(context.Context, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) CreateDetector(context.Context, string) (Effect, error) { return "", r.err }
func (r refusal) DeleteKeyPair(context.Context, string, string) (Effect, error) {
	return "", r.err
}
