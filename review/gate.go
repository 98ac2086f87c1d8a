package review

import (
	"fmt"
	"io"
	"sync"

	"lockdown/runbooks"
	"lockdown/steps"
)

// gate remembers the steps that were set aside, so the steps that need them are set aside too:
// planning or applying a step whose prerequisite did not happen would act on an account in a
// state nobody reviewed.
type gate map[string]string

// blockedBy returns the reason of the first step this one needs that was set aside.
func (g gate) blockedBy(step *runbooks.Step) string {
	for _, need := range step.Needs {
		if reason, ok := g[need]; ok {
			return reason
		}
	}
	return ""
}

// skipStep records in the journal why a step was set aside, so the incident record has it too,
// and says it on out.
func skipStep(run *runbooks.Run, out io.Writer, stepID, reason string) {
	if err := run.Skip(stepID, reason); err != nil {
		fmt.Fprintf(out, "%s: %v\n", stepID, err)
	}
	fmt.Fprintf(out, "%s: %s\n", stepID, reason)
}

// progressLog prints progress lines from an action's parallel workers one at a time.
type progressLog struct {
	mu  sync.Mutex
	out io.Writer
}

// reporter prints failures of a step's regions or items, and with done also those that finished.
func (l *progressLog) reporter(stepID string, done bool) func(steps.Progress) {
	return func(pr steps.Progress) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch {
		case pr.State == steps.Failed:
			fmt.Fprintf(l.out, "%s: %-16s FAILED %s %s\n", stepID, pr.Key, pr.Code, pr.Err)
		case pr.State == steps.Done && done:
			fmt.Fprintf(l.out, "%s: %-16s done\n", stepID, pr.Key)
		}
	}
}
